//! The grant-created result: GrantId and GrantToken, with keys to copy either (OSC 52).

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::effect::Effect;
use crate::tui::message::Key;
use crate::tui::widgets::{popup, render_scrolled};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantCreated {
    pub key_label: String,
    pub grant_id: String,
    pub grant_token: String,
}

impl GrantCreated {
    pub fn on_key(&mut self, key: Key) -> Vec<Effect> {
        match key {
            Key::Char('c') => vec![
                Effect::Copy(self.grant_token.clone()),
                Effect::Info("Copied the grant token to the clipboard (OSC 52)".into()),
            ],
            Key::Char('i') => vec![
                Effect::Copy(self.grant_id.clone()),
                Effect::Info("Copied the grant id to the clipboard (OSC 52)".into()),
            ],
            Key::Cancel | Key::Submit => vec![Effect::CloseDialog],
            _ => vec![],
        }
    }

    pub const HINTS: &'static [(&'static str, &'static str)] = &[
        ("c", "copy token"),
        ("i", "copy id"),
        ("enter/esc", "close"),
    ];

    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let inner = popup(
            frame,
            area,
            100,
            16,
            &format!("Grant created on {}", self.key_label),
        );
        let bold = Style::default()
            .fg(Color::Yellow)
            .add_modifier(Modifier::BOLD);
        let lines = vec![
            Line::from(vec![
                Span::styled("GrantId    ", bold),
                Span::raw(self.grant_id.clone()),
            ]),
            Line::from(Span::styled("GrantToken ", bold)),
            Line::from(Span::styled(
                self.grant_token.clone(),
                Style::default().fg(Color::Green),
            )),
            Line::from(""),
            Line::from(
                "Present the token (--grant-tokens) to use the grant before it has propagated.",
            ),
            Line::from("c copies the token, i copies the grant id (OSC 52); Enter or Esc closes."),
        ];
        render_scrolled(frame, inner, lines, None);
    }
}
