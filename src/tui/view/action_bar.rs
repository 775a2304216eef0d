//! The action bar: the keys that apply to the focused pane (or to the open dialog, or to
//! the filter being typed), built from the same table the key map uses.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::actions::available;
use crate::tui::app::App;
use crate::tui::forms::Dialog;

use super::theme::Theme;

fn hints(pairs: &[(&str, &str)], t: &Theme) -> Line<'static> {
    let key = Style::default().fg(t.accent).add_modifier(Modifier::BOLD);
    let mut spans = Vec::new();
    for (k, label) in pairs {
        spans.push(Span::styled(k.to_string(), key));
        spans.push(Span::raw(format!(" {label}  ")));
    }
    Line::from(spans)
}

/// The (key, label) pairs shown for the current state.
pub fn current_hints(app: &App) -> Vec<(String, String)> {
    let owned = |v: &[(&str, &str)]| {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    if let Some(d) = &app.dialog {
        return match d {
            Dialog::Help | Dialog::Detail => owned(&[("esc", "close")]),
            Dialog::GrantCreated { .. } => owned(&[
                ("c", "copy token"),
                ("i", "copy id"),
                ("enter/esc", "close"),
            ]),
            Dialog::Confirm(_) => owned(&[
                ("tab/←→", "choose"),
                ("enter", "activate choice"),
                ("esc", "cancel"),
            ]),
            Dialog::CreateGrant(_) => owned(&[
                ("tab", "next field"),
                ("↑↓", "pick"),
                ("space", "toggle"),
                ("enter", "create"),
                ("esc", "cancel"),
            ]),
            Dialog::TestEncrypt(_) => owned(&[
                ("tab", "next field"),
                ("↑↓", "pick"),
                ("enter", "run"),
                ("esc", "close"),
            ]),
            Dialog::Simple(_) => owned(&[
                ("tab", "next field"),
                ("enter", "create"),
                ("esc", "cancel"),
            ]),
        };
    }
    if app.filter_editing {
        return owned(&[("type", "filter"), ("enter", "keep"), ("esc", "clear")]);
    }
    let v: Vec<(String, String)> = available(app)
        .into_iter()
        .map(|a| (a.binding().label(), a.label().to_string()))
        .collect();
    v
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let pairs = current_hints(app);
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    frame.render_widget(Paragraph::new(hints(&refs, &app.theme)), area);
}
