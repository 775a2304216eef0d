//! The keys-pressed overlay (`--show-keys`, on in lessons): the presenter's last keys in
//! a small box in the bottom-right corner, so the audience sees what was typed. Keys dim
//! after a couple of seconds and go after a few more, by the wall clock the runtime
//! reports.

use std::collections::VecDeque;
use std::time::Duration;

use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::theme::Theme;
use super::widgets::pane_block;

/// How many keys the overlay shows.
pub const KEYS_SHOWN: usize = 8;
/// A key is drawn dim after this long...
pub const KEY_FADES_AFTER: Duration = Duration::from_secs(2);
/// ...and gone after this long.
pub const KEY_GONE_AFTER: Duration = Duration::from_secs(4);

/// The keys the presenter pressed, newest last, each with the wall time it was pressed.
#[derive(Debug, Clone, Default)]
pub struct KeyTrail {
    pub enabled: bool,
    /// Wall time since the UI started, as the runtime last reported it.
    pub now: Duration,
    entries: VecDeque<(String, Duration)>,
}

impl KeyTrail {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            ..Self::default()
        }
    }

    pub fn record(&mut self, label: String) {
        if !self.enabled {
            return;
        }
        self.entries.push_back((label, self.now));
        while self.entries.len() > KEYS_SHOWN {
            self.entries.pop_front();
        }
    }

    /// The wall clock moved: keys older than `KEY_GONE_AFTER` go.
    pub fn tick(&mut self, now: Duration) {
        self.now = now;
        while self
            .entries
            .front()
            .is_some_and(|(_, at)| now.saturating_sub(*at) >= KEY_GONE_AFTER)
        {
            self.entries.pop_front();
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The keys to draw, oldest first, and whether each is fading.
    pub fn visible(&self) -> Vec<(&str, bool)> {
        self.entries
            .iter()
            .map(|(k, at)| (k.as_str(), self.now.saturating_sub(*at) >= KEY_FADES_AFTER))
            .collect()
    }
}

const TITLE: &str = "keys";

/// Draw the overlay at the bottom-right of `area` (nothing when no key is shown).
pub fn render(frame: &mut Frame, area: Rect, trail: &KeyTrail, t: &Theme) {
    let keys = trail.visible();
    if keys.is_empty() {
        return;
    }
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
        Paragraph::new(line).block(pane_block(TITLE.into(), true, t)),
        rect,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fade_then_go() {
        let mut t = KeyTrail::new(true);
        t.record("n".into());
        t.tick(Duration::from_secs(1));
        t.record("↓".into());
        assert_eq!(t.visible(), vec![("n", false), ("↓", false)]);
        t.tick(Duration::from_millis(2500));
        assert_eq!(t.visible(), vec![("n", true), ("↓", false)]);
        t.tick(Duration::from_secs(5));
        assert!(t.is_empty());
    }

    #[test]
    fn a_disabled_trail_records_nothing() {
        let mut t = KeyTrail::new(false);
        t.record("n".into());
        assert!(t.is_empty());
    }
}
