//! The keys pane: alias, short key id, state and grant count of every key.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;

use crate::kms::KeyState;
use crate::tui::app::{App, Pane};

use super::widgets::{pane_block, render_table, Columns};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Keys;
    let rows = &app.keys;
    let mut title = format!("Keys ({})", rows.len());
    if !rows.filter().is_empty() {
        title = format!("Keys ({}/{}) /{}", rows.len(), rows.total(), rows.filter());
    }
    render_table(
        frame,
        area,
        pane_block(title, focused),
        rows,
        Columns {
            header: &["Alias", "Key", "State", "Grants"],
            widths: &[
                Constraint::Fill(1),
                Constraint::Length(8),
                Constraint::Length(10),
                Constraint::Length(6),
            ],
            focused,
        },
        |k| {
            let state_style = match k.state {
                KeyState::Enabled => Style::default().fg(Color::Green),
                KeyState::Disabled => Style::default().fg(Color::Yellow),
                _ => Style::default().fg(Color::Red),
            };
            let state = match k.state {
                KeyState::PendingDeletion => "PendingDel".to_string(),
                s => s.as_str().to_string(),
            };
            Row::new(vec![
                Cell::from(k.aliases.first().cloned().unwrap_or_else(|| "-".into())),
                Cell::from(k.short_id().to_string()),
                Cell::from(state).style(state_style),
                Cell::from(format!("{:>6}", k.grant_count)),
            ])
        },
    );
}
