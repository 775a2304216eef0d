//! The help screen: every key, from the same table as the action bar and the key map,
//! for what this session offers (read-only, the simulator's controls, a lesson).

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::actions::{Action, LESSON_ACTIONS};
use crate::tui::effect::Effect;
use crate::tui::message::Key;
use crate::tui::widgets::{popup, render_from};

const NAVIGATION: &[(&str, &str)] = &[
    ("tab / shift-tab", "next / previous pane"),
    ("↑↓ or j k", "move"),
    ("pgup pgdn g G", "page, top, bottom"),
    ("enter", "detail of the selection"),
    ("esc", "close, clear filter, back to keys"),
    ("/", "filter the focused pane (all columns)"),
];

/// What the session offers, fixed while the help is open, and how far it is scrolled.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Help {
    pub read_only: bool,
    pub world_controls: bool,
    pub lesson: bool,
    /// Across an organization: the scope selector's keys are listed.
    pub scopes: bool,
    pub scroll: Scroll,
}

impl Help {
    pub fn on_key(&mut self, key: Key) -> Vec<Effect> {
        self.scroll.on_key(key);
        close_on(key)
    }

    pub const HINTS: &'static [(&'static str, &'static str)] =
        &[("↑↓ pgup pgdn", "scroll"), ("esc", "close")];

    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let inner = popup(frame, area, 84, 34, "Help");
        let key = Style::default()
            .fg(Color::Cyan)
            .add_modifier(Modifier::BOLD);
        let head = Style::default()
            .fg(Color::Yellow)
            .add_modifier(Modifier::BOLD);
        let mut lines = vec![Line::from(Span::styled("Navigation", head))];
        for (k, what) in NAVIGATION {
            lines.push(Line::from(vec![
                Span::styled(format!("  {k:<18}"), key),
                Span::raw(*what),
            ]));
        }
        lines.push(Line::from(Span::styled(
            "Actions (the action bar shows those of the focused pane)",
            head,
        )));
        use Action::*;
        let all = [
            CreateGrant,
            RevokeGrant,
            RetireGrant,
            TestGrant,
            CopyGrantId,
            CopyArn,
            Sort,
            StaleOnly,
            Findings,
            Refresh,
            Help,
            Quit,
        ];
        let world = [
            NewKey,
            DisableKey,
            EnableKey,
            ScheduleKeyDeletion,
            CancelKeyDeletion,
            NewPrincipal,
            DeletePrincipal,
            AdvanceClock,
            FreezeClock,
        ];
        for a in all {
            if self.read_only && a.mutating() {
                continue;
            }
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<18}", a.binding().label()), key),
                Span::raw(a.label()),
            ]));
        }
        // The findings view's keys on one line, from the same table as its action bar.
        let mut in_view = vec![Span::styled("  In the findings view (f): ", head)];
        for a in [JumpToFinding, RevokeFinding, CloseFindings] {
            if self.read_only && a.mutating() {
                continue;
            }
            in_view.push(Span::styled(a.binding().label(), key));
            in_view.push(Span::raw(format!(" {}  ", a.label())));
        }
        lines.push(Line::from(in_view));
        if self.scopes {
            let mut spans = vec![Span::styled("  Across accounts: ", head)];
            for a in [Action::Scopes, Action::ChooseScope] {
                spans.push(Span::styled(a.binding().label(), key));
                spans.push(Span::raw(format!(" {}  ", a.label())));
            }
            spans.push(Span::raw("(organization > account > region)"));
            lines.push(Line::from(spans));
        }
        lines.push(Line::from(
            "  Stale column: the grant's worst finding, HIGH MED LOW (info: a service grant)",
        ));
        if self.lesson {
            let mut spans = vec![Span::styled("  Lesson: ", head)];
            for a in LESSON_ACTIONS {
                spans.push(Span::styled(a.binding().label(), key));
                spans.push(Span::raw(format!(" {}  ", a.label())));
            }
            lines.push(Line::from(spans));
        }
        if self.world_controls && !self.read_only {
            lines.push(Line::from(Span::styled("Simulator controls", head)));
            for a in world {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {:<18}", a.binding().label()), key),
                    Span::raw(a.label()),
                ]));
            }
        }
        if self.read_only {
            lines.push(Line::from(Span::styled(
                "Read-only mode: actions that change keys or grants are not offered.",
                Style::default().fg(Color::Yellow),
            )));
        }
        self.scroll.render(frame, inner, lines);
    }
}

/// How far a screen of text the person scrolls (help, detail) is scrolled: its first row
/// shown. The last draw records how far the text goes, so scrolling stops at its end and
/// the way back starts there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scroll {
    top: usize,
    /// The furthest `top` at the last draw (unknown before it).
    most: std::cell::Cell<usize>,
}

impl Default for Scroll {
    fn default() -> Self {
        Self {
            top: 0,
            most: std::cell::Cell::new(usize::MAX),
        }
    }
}

impl Scroll {
    /// Rows a page key moves.
    const PAGE: usize = 10;

    /// Up, Down, PageUp, PageDown (also Left/Right, Shift-Tab/Tab), Home and End.
    pub fn on_key(&mut self, key: Key) {
        let most = self.most.get();
        let top = self.top.min(most);
        self.top = match key {
            Key::Up => top.saturating_sub(1),
            Key::Down => top.saturating_add(1).min(most),
            Key::PageUp | Key::Left | Key::Prev => top.saturating_sub(Self::PAGE),
            Key::PageDown | Key::Right | Key::Next => top.saturating_add(Self::PAGE).min(most),
            Key::Home => 0,
            Key::End => most,
            _ => return,
        };
    }

    pub fn top(&self) -> usize {
        self.top
    }

    /// Draw `lines` in `area` from the scrolled row (see `render_from`).
    pub fn render(&self, frame: &mut Frame, area: Rect, lines: Vec<Line<'static>>) {
        self.most.set(render_from(frame, area, lines, self.top));
    }
}

/// Esc, Enter, q or ? close a screen of text (help, detail).
pub fn close_on(key: Key) -> Vec<Effect> {
    match key {
        Key::Cancel | Key::Submit | Key::Char('q') | Key::Char('?') => vec![Effect::CloseDialog],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    /// 30 lines in a 10-row area: the furthest top is row 20 (one column goes to ▲/▼).
    fn draw(scroll: &Scroll) {
        let lines: Vec<Line<'static>> = (0..30).map(|i| Line::from(format!("line {i}"))).collect();
        let mut t = Terminal::new(TestBackend::new(20, 10)).expect("terminal");
        t.draw(|f| scroll.render(f, f.area(), lines.clone()))
            .expect("draw");
    }

    #[test]
    fn scrolling_stops_at_the_text_end_and_comes_back_from_there() {
        let mut s = Scroll::default();
        draw(&s);
        s.on_key(Key::End);
        assert_eq!(s.top(), 20);
        s.on_key(Key::Down);
        s.on_key(Key::PageDown);
        assert_eq!(s.top(), 20, "no further than the end");
        s.on_key(Key::Up);
        assert_eq!(s.top(), 19, "one row back from the end");
        s.on_key(Key::PageUp);
        assert_eq!(s.top(), 9);
        s.on_key(Key::Home);
        assert_eq!(s.top(), 0);
        s.on_key(Key::Char('x'));
        assert_eq!(s.top(), 0);
    }
}
