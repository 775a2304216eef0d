//! The keys pane: alias, short key id, state and grant count of every key. AWS-managed
//! keys are marked; keys whose details are still loading (AWS) show `…`, keys whose
//! details could not be read show `?` (the detail view and status line say why).

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;

use crate::kms::KeyState;
use crate::tui::app::{App, Pane};

use super::widgets::{pane_block, render_table, Columns};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Keys;
    let details = &app.key_details;
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
            let placeholder = if details.pending.contains(&k.key_id) {
                Some("…")
            } else if details.failed.contains_key(&k.key_id) {
                Some("?")
            } else {
                None
            };
            let (state, grants) = match placeholder {
                Some(p) => (p.to_string(), format!("{p:>6}")),
                None => (
                    match k.state {
                        KeyState::PendingDeletion => "PendingDel".to_string(),
                        s => s.as_str().to_string(),
                    },
                    format!("{:>6}", k.grant_count),
                ),
            };
            let mut alias = k.aliases.first().cloned().unwrap_or_else(|| "-".into());
            if k.manager == "AWS" {
                alias.push_str(" (AWS)");
            }
            let state_style = if placeholder.is_some() {
                Style::default().fg(Color::DarkGray)
            } else {
                state_style
            };
            Row::new(vec![
                Cell::from(alias),
                Cell::from(k.short_id().to_string()),
                Cell::from(state).style(state_style),
                Cell::from(grants),
            ])
        },
    );
}
