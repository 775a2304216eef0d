//! The grants pane: the grants of the selected key (or of the selected principal, across
//! keys) as they arrive page by page, and its rows: the stale marker (the worst finding's
//! severity, coloured), short id or name, grantee by name, operations, constraints marker,
//! age and retiring principal. Also the confirmation of revoking or retiring a grant.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;

use crate::backend::{Actor, GrantPage, GrantSummary};
use crate::kms::{GrantId, GrantOperation, KeyRef, Principal};
use crate::tui::app::{App, GrantScope};
use crate::tui::effect::{ConfirmAction, ConfirmRequest};
use crate::tui::effects::finish_jump;
use crate::tui::findings::{marker, severity_style};
use crate::tui::jobs::Job;
use crate::tui::message::{Command, Work};
use crate::tui::pane::Pane;
use crate::tui::widgets::{age, pane_block, render_table, Columns};

/// What `/` searches: the text of every visible column (the age aside, which changes
/// with the clock).
pub fn search_text(g: &GrantSummary) -> String {
    let ops: Vec<&str> = g.operations.iter().map(|o| o.as_str()).collect();
    format!(
        "{} {} {} {} {} {}",
        g.short_id(),
        g.name,
        g.grantee_name,
        ops.join(","),
        g.retiring_name.as_deref().unwrap_or(""),
        g.key_alias.as_deref().unwrap_or(""),
    )
}

/// A page of the key's grants came: the first replaces the list (the selection stays on
/// its grant), later ones extend it; the next page is asked for as part of the same job.
pub fn page(app: &mut App, job: Job, first: bool, page: GrantPage) -> Vec<Command> {
    if first {
        let keep = app.selected_grant().map(|g| g.grant_id.clone());
        app.grants.set_items(page.grants, search_text, |g| {
            Some(&g.grant_id) == keep.as_ref()
        });
    } else {
        app.grants.extend(page.grants, search_text);
    }
    let cmds = match (page.next_marker, &app.grant_scope) {
        (Some(marker), GrantScope::Key { key_arn, .. }) => vec![Command::Run {
            job: app.jobs.follow_up(job),
            work: Work::ListGrants {
                key: KeyRef::parse(key_arn),
                marker: Some(marker),
            },
        }],
        _ => vec![],
    };
    finish_jump(app);
    cmds
}

/// The grants a principal holds came (all at once).
pub fn held(app: &mut App, grants: Vec<GrantSummary>) {
    let keep = app.selected_grant().map(|g| g.grant_id.clone());
    app.grants
        .set_items(grants, search_text, |g| Some(&g.grant_id) == keep.as_ref());
}

/// The confirmation of revoking (as the operator) or retiring a grant. Who may retire:
/// the retiring principal, or the grantee when the grant includes RetireGrant; otherwise
/// the operator tries (AWS may deny).
pub fn confirm_removal(g: &GrantSummary, retire: bool) -> Option<ConfirmRequest> {
    let grant = GrantId::parse(&g.grant_id)?;
    let key = KeyRef::parse(&g.key_arn);
    let ops: Vec<&str> = g.operations.iter().map(|o| o.as_str()).collect();
    let mut lines = vec![
        format!("Grant  {}", g.grant_id),
        format!("Key    {}", g.key_alias.as_deref().unwrap_or(&g.key_arn)),
        format!("Grantee {} ({})", g.grantee_name, g.grantee),
        format!("Operations {}", ops.join(", ")),
    ];
    let (verb, work) = if retire {
        let actor = g
            .retiring
            .clone()
            .or_else(|| {
                g.operations
                    .contains(&GrantOperation::RetireGrant)
                    .then(|| g.grantee.clone())
            })
            .and_then(|who| Principal::parse(&who));
        lines.push(format!(
            "RetireGrant is made as {}.",
            actor.as_ref().map_or("you, the operator", |p| p.as_str())
        ));
        (
            "Retire",
            Work::RetireGrant {
                key,
                grant,
                actor: actor.map(Actor::Principal),
            },
        )
    } else {
        lines.push("RevokeGrant is made as you, the operator.".into());
        ("Revoke", Work::RevokeGrant { key, grant })
    };
    Some(ConfirmRequest {
        title: format!("{verb} grant {}?", g.short_id()),
        lines,
        verb,
        action: ConfirmAction::Run(work),
    })
}

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
    if app.grants_loading() {
        title.push_str(" loading…");
    }
    let now = app.now;
    let outcome = app.findings.outcome.as_deref();
    render_table(
        frame,
        area,
        pane_block(title, focused, &app.theme),
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
