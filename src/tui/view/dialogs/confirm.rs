//! The confirmation of a destructive action (its default is "Cancel", never the action)
//! and the grant-created result with GrantId, GrantToken and copy keys.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::forms::Confirm;

use super::{buttons, popup};

pub fn render(frame: &mut Frame, area: Rect, c: &Confirm) {
    let inner = popup(frame, area, 90, c.lines.len() as u16 + 7, &c.title);
    let mut lines: Vec<Line> = c.lines.iter().map(|l| Line::from(l.clone())).collect();
    lines.push(Line::from(""));
    lines.push(buttons(
        &["Cancel", c.action.verb()],
        Some(if c.confirm_chosen { 1 } else { 0 }),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn render_created(frame: &mut Frame, area: Rect, key_label: &str, grant_id: &str, token: &str) {
    let inner = popup(
        frame,
        area,
        100,
        16,
        &format!("Grant created on {key_label}"),
    );
    let bold = Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::BOLD);
    let lines = vec![
        Line::from(vec![
            Span::styled("GrantId    ", bold),
            Span::raw(grant_id.to_string()),
        ]),
        Line::from(Span::styled("GrantToken ", bold)),
        Line::from(Span::styled(
            token.to_string(),
            Style::default().fg(Color::Green),
        )),
        Line::from(""),
        Line::from("Present the token (--grant-tokens) to use the grant before it has propagated."),
        Line::from("c copies the token, i copies the grant id (OSC 52); Enter or Esc closes."),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
