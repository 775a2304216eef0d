//! The keys-pressed overlay (`--show-keys`, on in lessons): the presenter's last keys in
//! a small box in the bottom-right corner, so the audience sees what was typed. Keys dim
//! after a couple of seconds and go after a few more (`lesson_state::KeyTrail`).

use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use crate::tui::app::App;

use super::widgets::pane_block_themed;

const TITLE: &str = "keys";

/// Draw the overlay at the bottom-right of `area` (nothing when no key is shown).
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let keys = app.keys_trail.visible();
    if keys.is_empty() {
        return;
    }
    let t = &app.theme;
    let fresh = t.fg(t.heading).add_modifier(Modifier::BOLD);
    let faded = t.fg(t.muted);
    let mut spans = Vec::new();
    for (i, (k, fading)) in keys.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(
            k.to_string(),
            if *fading { faded } else { fresh },
        ));
    }
    let line = Line::from(spans);
    // Wide enough for the title too (" keys " between the corners) when one key shows.
    let width = (line.width().max(TITLE.len()) as u16 + 4).min(area.width);
    let height = 3.min(area.height);
    let rect = Rect {
        x: area.x + area.width - width,
        y: area.y + area.height - height,
        width,
        height,
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(line).block(pane_block_themed(TITLE.into(), true, t)),
        rect,
    );
}
