//! The principals pane: kind, name and how many grants each principal holds. Selecting
//! one shows its grants across all keys in the grants pane.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;

use crate::backend::PrincipalKindLabel;
use crate::tui::app::{App, Pane};

use super::widgets::{pane_block_themed, render_table_themed, Columns};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Principals;
    let rows = &app.principals;
    let mut title = format!("Principals ({})", rows.len());
    if !rows.filter().is_empty() {
        title = format!(
            "Principals ({}/{}) /{}",
            rows.len(),
            rows.total(),
            rows.filter()
        );
    }
    if let Some(note) = &app.principals_note {
        title = format!("{title} · {note}");
    }
    render_table_themed(
        frame,
        area,
        pane_block_themed(title, focused, &app.theme),
        rows,
        Columns {
            header: &["Kind", "Name", "Grants"],
            widths: &[
                Constraint::Length(8),
                Constraint::Fill(1),
                Constraint::Length(6),
            ],
            focused,
        },
        &app.theme,
        |p| {
            let style = if p.kind == PrincipalKindLabel::Deleted {
                Style::default().fg(app.theme.denied)
            } else {
                Style::default()
            };
            Row::new(vec![
                Cell::from(p.kind.as_str()),
                Cell::from(p.name.clone()),
                Cell::from(format!("{:>6}", p.grant_count)),
            ])
            .style(style)
        },
    );
}
