//! The action bar: the keys that apply to the focused pane (or to the open dialog, or to
//! the filter being typed), built from the same table the key map uses. Hints are never
//! cut: they wrap onto a second row, and when even two rows cannot hold them, the last
//! hint says `? all keys` (the help lists every key).

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::keymap::available;
use crate::tui::theme::Theme;

/// The most rows the bar takes.
const MAX_ROWS: usize = 2;
const MORE: (&str, &str) = ("?", "all keys");

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

/// A hint's width: `key label` and two spaces before the next.
fn width_of((k, label): &(String, String)) -> usize {
    k.chars().count() + 1 + label.chars().count()
}

fn row_width(row: &[(String, String)]) -> usize {
    row.iter().map(width_of).sum::<usize>() + 2 * row.len().saturating_sub(1)
}

/// The hints laid out in rows of `width` columns, two rows at most.
fn rows(app: &App, width: u16) -> Vec<Vec<(String, String)>> {
    let width = width as usize;
    let hints = current_hints(app);
    let mut rows: Vec<Vec<(String, String)>> = vec![Vec::new()];
    let mut used = 0;
    for h in &hints {
        let w = width_of(h);
        let gap = if used == 0 { 0 } else { 2 };
        if used + gap + w > width && used > 0 {
            if rows.len() == MAX_ROWS {
                // No room left: the last hints give way to the way to see them all
                // (which takes the place of help's own hint).
                let more = (MORE.0.to_string(), MORE.1.to_string());
                for row in rows.iter_mut() {
                    row.retain(|(k, _)| k != MORE.0);
                }
                let last = rows.last_mut().expect("a row");
                while !last.is_empty() && row_width(last) + 2 + width_of(&more) > width {
                    last.pop();
                }
                last.push(more);
                return rows;
            }
            rows.push(Vec::new());
            used = 0;
        }
        let gap = if used == 0 { 0 } else { 2 };
        used += gap + w;
        rows.last_mut().expect("a row").push(h.clone());
    }
    rows
}

/// Rows the bar needs at `width`.
pub fn height(app: &App, width: u16) -> u16 {
    rows(app, width).len().max(1) as u16
}

fn line(hints: &[(String, String)], t: &Theme) -> Line<'static> {
    let key = Style::default().fg(t.accent).add_modifier(Modifier::BOLD);
    let mut spans = Vec::new();
    for (i, (k, label)) in hints.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(k.clone(), key));
        spans.push(Span::raw(format!(" {label}")));
    }
    Line::from(spans)
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let lines: Vec<Line> = rows(app, area.width)
        .iter()
        .map(|r| line(r, &app.theme))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}
