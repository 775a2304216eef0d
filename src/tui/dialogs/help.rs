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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Help {
    pub read_only: bool,
    pub world_controls: bool,
    pub lesson: bool,
    pub scroll: usize,
}

impl Help {
    pub fn on_key(&mut self, key: Key) -> Vec<Effect> {
        scroll_on(&mut self.scroll, key);
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
            TestEncrypt,
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
        render_from(frame, inner, lines, self.scroll);
    }
}

/// The longest text a screen of it scrolls through.
const MAX_SCROLL: usize = 200;

/// Up, Down, PageUp, PageDown, Home and End scroll a screen of text (help, detail).
pub fn scroll_on(scroll: &mut usize, key: Key) {
    *scroll = match key {
        Key::Up => scroll.saturating_sub(1),
        Key::Down => (*scroll + 1).min(MAX_SCROLL),
        Key::Left | Key::Prev => scroll.saturating_sub(10),
        Key::Right | Key::Next => (*scroll + 10).min(MAX_SCROLL),
        Key::Home => 0,
        Key::End => MAX_SCROLL,
        _ => return,
    };
}

/// Esc, Enter, q or ? close a screen of text (help, detail).
pub fn close_on(key: Key) -> Vec<Effect> {
    match key {
        Key::Cancel | Key::Submit | Key::Char('q') | Key::Char('?') => vec![Effect::CloseDialog],
        _ => vec![],
    }
}
