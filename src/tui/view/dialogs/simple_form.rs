//! The small forms of the simulator's controls: a new key, a new principal.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::forms::SimpleForm;

use super::{error_line, field_line, popup};

pub fn render(frame: &mut Frame, area: Rect, form: &SimpleForm) {
    let inner = popup(frame, area, 80, form.fields.len() as u16 + 6, form.title());
    let mut lines: Vec<Line> = form
        .fields
        .iter()
        .enumerate()
        .map(|(i, (label, f))| field_line(label, f, i == form.focus))
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from("Enter creates, Esc cancels."));
    if let Some(e) = error_line(&form.error) {
        lines.push(e);
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
