//! The confirmation of a destructive action: it carries the action it confirms, and its
//! default (and Esc) is "Cancel", never the action.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

use crate::tui::effect::{ConfirmAction, ConfirmRequest, Effect};
use crate::tui::message::Key;
use crate::tui::widgets::{buttons, popup, render_scrolled};

#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub request: ConfirmRequest,
    /// false: "Cancel" is chosen (the default); true: the action is chosen.
    pub confirm_chosen: bool,
}

impl Confirm {
    pub fn new(request: ConfirmRequest) -> Self {
        Self {
            request,
            confirm_chosen: false,
        }
    }

    pub fn on_key(&mut self, key: Key) -> Vec<Effect> {
        match key {
            Key::Next | Key::Prev | Key::Left | Key::Right | Key::Up | Key::Down => {
                self.confirm_chosen = !self.confirm_chosen;
                vec![]
            }
            Key::Submit if self.confirm_chosen => vec![
                Effect::CloseDialog,
                Effect::Info(format!("{}...", self.request.verb)),
                Effect::Confirmed(self.request.action.clone()),
            ],
            // `q q` quits: the second q confirms the first.
            Key::Char('q') if self.request.action == ConfirmAction::Quit => {
                vec![Effect::CloseDialog, Effect::Confirmed(ConfirmAction::Quit)]
            }
            Key::Submit | Key::Cancel | Key::Char('n') => {
                vec![Effect::CloseDialog, Effect::Info("Cancelled".into())]
            }
            _ => vec![],
        }
    }

    pub const HINTS: &'static [(&'static str, &'static str)] = &[
        ("tab/←→", "choose"),
        ("enter", "activate choice"),
        ("esc", "cancel"),
    ];

    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let r = &self.request;
        let inner = popup(frame, area, 90, r.lines.len() as u16 + 7, &r.title);
        let mut lines: Vec<Line> = r.lines.iter().map(|l| Line::from(l.clone())).collect();
        lines.push(Line::from(""));
        lines.push(buttons(
            &["Cancel", r.verb],
            Some(usize::from(self.confirm_chosen)),
        ));
        // The buttons are what to see.
        let focus = lines.len() - 1;
        render_scrolled(frame, inner, lines, Some(focus));
    }
}
