//! The detail dialog: every field of the focused pane's selection, full ARNs, wrapped,
//! larger than the detail panel. Its lines are the panel's (`panes::detail::lines`),
//! read when drawn, so they stay current while it is open.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

use crate::tui::effect::Effect;
use crate::tui::message::Key;
use crate::tui::widgets::popup;

use super::help::{close_on, Scroll};

/// How far the detail is scrolled.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Detail {
    pub scroll: Scroll,
}

impl Detail {
    pub fn on_key(&mut self, key: Key) -> Vec<Effect> {
        self.scroll.on_key(key);
        close_on(key)
    }

    pub const HINTS: &'static [(&'static str, &'static str)] =
        &[("↑↓ pgup pgdn", "scroll"), ("esc", "close")];

    /// Draw `what` (Key, Grant...) and its lines.
    pub fn render(&self, frame: &mut Frame, area: Rect, what: &str, lines: Vec<Line<'static>>) {
        let inner = popup(
            frame,
            area,
            area.width.saturating_sub(8),
            (area.height * 2 / 3).max(20),
            &format!("Detail: {what}"),
        );
        self.scroll.render(frame, inner, lines);
    }
}
