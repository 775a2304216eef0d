//! The keys pane: alias, short key id, state and grant count of every key. AWS-managed
//! keys are marked; keys whose details are still loading (AWS) show `…`, keys whose
//! details could not be read show `?` (the detail view and status line say why). The
//! Stale column counts the key's stale grants (`!` marks a finding about the key itself),
//! coloured by its most severe finding.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;

use crate::kms::KeyState;
use crate::tui::app::{App, Pane};

use super::findings::severity_style;
use super::widgets::{pane_block_themed, render_table_themed, Columns};

const WITH_ID: [&str; 5] = ["Alias", "Key", "State", "Grants", "Stale"];
const WITHOUT_ID: [&str; 4] = ["Alias", "State", "Grants", "Stale"];
const WIDTHS_WITH_ID: [Constraint; 5] = [
    Constraint::Fill(1),
    Constraint::Length(8),
    Constraint::Length(10),
    Constraint::Length(6),
    Constraint::Length(6),
];
const WIDTHS_WITHOUT_ID: [Constraint; 4] = [
    Constraint::Fill(1),
    Constraint::Length(10),
    Constraint::Length(6),
    Constraint::Length(6),
];

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Keys;
    let details = &app.key_details;
    let rows = &app.keys;
    let outcome = app.audit.outcome.as_deref();
    // A narrow pane gives the short key id's room to the alias (the detail shows the id).
    let show_id = area.width >= 60;
    let mut title = format!("Keys ({})", rows.len());
    if !rows.filter().is_empty() {
        title = format!("Keys ({}/{}) /{}", rows.len(), rows.total(), rows.filter());
    }
    render_table_themed(
        frame,
        area,
        pane_block_themed(title, focused, &app.theme),
        rows,
        Columns {
            header: if show_id { &WITH_ID } else { &WITHOUT_ID },
            widths: if show_id {
                &WIDTHS_WITH_ID
            } else {
                &WIDTHS_WITHOUT_ID
            },
            focused,
        },
        &app.theme,
        |k| {
            let state_style = match k.state {
                KeyState::Enabled => Style::default().fg(app.theme.allowed),
                KeyState::Disabled => Style::default().fg(app.theme.warning),
                _ => Style::default().fg(app.theme.denied),
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
                Style::default().fg(app.theme.border)
            } else {
                state_style
            };
            let stale = match outcome {
                None => {
                    Cell::from(format!("{:>5} ", "…")).style(Style::default().fg(app.theme.border))
                }
                Some(o) => match o.key(&k.arn) {
                    None => Cell::from(format!("{:>5} ", 0)),
                    Some(kf) => {
                        let bang = if kf.key_level.is_empty() { " " } else { "!" };
                        let text = format!("{:>5}{bang}", kf.stale_grants);
                        match kf.worst {
                            Some(s) => Cell::from(text).style(severity_style(s)),
                            None => Cell::from(text),
                        }
                    }
                },
            };
            let mut cells = vec![Cell::from(alias)];
            if show_id {
                cells.push(Cell::from(k.short_id().to_string()));
            }
            cells.extend([
                Cell::from(state).style(state_style),
                Cell::from(grants),
                stale,
            ]);
            Row::new(cells)
        },
    );
}
