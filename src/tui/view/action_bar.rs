//! The action bar: the keys that apply to the focused pane (or to the open dialog, or to
//! the filter being typed), built from the same table the key map uses.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::keymap::available;
use crate::tui::theme::Theme;

fn hints(pairs: &[(&str, &str)], t: &Theme) -> Line<'static> {
    let key = Style::default().fg(t.accent).add_modifier(Modifier::BOLD);
    let mut spans = Vec::new();
    for (k, label) in pairs {
        spans.push(Span::styled(k.to_string(), key));
        spans.push(Span::raw(format!(" {label}  ")));
    }
    Line::from(spans)
}

/// The (key, label) pairs shown for the current state: the open dialog's, the filter's,
/// or the actions offered now.
pub fn current_hints(app: &App) -> Vec<(String, String)> {
    let owned = |v: &[(&str, &str)]| {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    if let Some(d) = &app.dialog {
        return owned(d.hints());
    }
    if app.filter.is_some() {
        return owned(&[("type", "filter"), ("enter", "keep"), ("esc", "clear")]);
    }
    available(app)
        .into_iter()
        .map(|a| (a.binding().label(), a.label().to_string()))
        .collect()
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let pairs = current_hints(app);
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    frame.render_widget(Paragraph::new(hints(&refs, &app.theme)), area);
}
