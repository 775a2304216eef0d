//! The grants pane: the grants of the selected key (or of the selected principal, across
//! keys): the stale marker (the worst finding's severity, coloured), short id or name,
//! grantee by name, operations, constraints marker, age and retiring principal.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;

use crate::tui::app::{App, GrantScope, Pane};

use super::findings::{marker, severity_style};
use super::widgets::{age, pane_block_themed, render_table_themed, Columns};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Grants;
    let rows = &app.grants;
    let (scope, by_principal) = match &app.grant_scope {
        GrantScope::None => ("of no key".to_string(), false),
        GrantScope::Key { label, .. } => (format!("of {label}"), false),
        GrantScope::Principal { name, .. } => (format!("held by {name}"), true),
    };
    let mut title = format!("Grants {scope} ({})", rows.len());
    if !rows.filter().is_empty() || rows.has_only() {
        title = format!("Grants {scope} ({}/{})", rows.len(), rows.total());
    }
    if rows.has_only() {
        title.push_str(" stale only");
    }
    if !rows.filter().is_empty() {
        title.push_str(&format!(" /{}", rows.filter()));
    }
    if app.grants_loading {
        title.push_str(" loading…");
    }
    let now = app.now;
    let outcome = app.audit.outcome.as_deref();
    render_table_themed(
        frame,
        area,
        pane_block_themed(title, focused, &app.theme),
        rows,
        Columns {
            header: &[
                "Stale",
                "Grant",
                if by_principal { "Key" } else { "Grantee" },
                "Operations",
                "C",
                "Age",
                "Retiring",
            ],
            widths: &[
                Constraint::Length(5),
                Constraint::Length(14),
                Constraint::Fill(1),
                Constraint::Fill(1),
                Constraint::Length(1),
                Constraint::Length(4),
                Constraint::Length(13),
            ],
            focused,
        },
        &app.theme,
        move |g| {
            let label = if g.name.is_empty() {
                g.short_id().to_string()
            } else {
                g.name.clone()
            };
            let who = if by_principal {
                g.key_alias.clone().unwrap_or_else(|| g.key_id.clone())
            } else {
                g.grantee_name.clone()
            };
            let ops: Vec<&str> = g.operations.iter().map(|o| o.as_str()).collect();
            let constrained = g.constraints.as_ref().is_some_and(|c| !c.is_empty());
            let worst = outcome.and_then(|o| o.grant_worst(&g.key_arn, &g.grant_id));
            let stale = match worst {
                Some(s) => Cell::from(marker(s)).style(severity_style(s)),
                None => Cell::from(""),
            };
            Row::new(vec![
                stale,
                Cell::from(label),
                Cell::from(who),
                Cell::from(ops.join(",")),
                Cell::from(if constrained { "C" } else { " " })
                    .style(Style::default().fg(Color::Magenta)),
                Cell::from(g.created.map(|c| age(now, c)).unwrap_or_else(|| "-".into())),
                Cell::from(g.retiring_name.clone().unwrap_or_else(|| "-".into())),
            ])
        },
    );
}
