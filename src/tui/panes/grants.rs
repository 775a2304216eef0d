//! The grants pane: the grants of the selected key (or of the selected principal, across
//! keys) as they arrive page by page, and its rows: the stale marker (the worst finding's
//! severity, coloured), short id or name, grantee by name, operations, constraints marker,
//! age, retiring principal and when it was last seen in use (`last_seen`; only when the
//! audit has usage data, and the first column to go when the pane is narrow). Also the
//! confirmation of revoking or retiring a grant.

use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::Frame;

use crate::backend::{Actor, GrantPage, GrantSummary};
use crate::kms::inventory::UsageSource;
use crate::kms::{distinct_prefix_len, grant_id_label, GrantId, GrantOperation, KeyRef, Principal};
use crate::tui::app::{App, GrantScope};
use crate::tui::dialogs::CliSession;
use crate::tui::effect::{ConfirmAction, ConfirmRequest};
use crate::tui::effects::finish_jump;
use crate::tui::findings::{marker, severity_style};
use crate::tui::jobs::Job;
use crate::tui::last_seen;
use crate::tui::list_view::{self, insert_column, Column, Width};
use crate::tui::message::{Command, Work};
use crate::tui::pane::Pane;
use crate::tui::widgets::{age, pane_block};

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
        _ => {
            measure_ids(app);
            vec![]
        }
    };
    finish_jump(app);
    cmds
}

/// The listing is complete: how much of an id tells its grants apart.
fn measure_ids(app: &mut App) {
    app.grant_id_len = distinct_prefix_len(app.grants.all().iter().map(|g| g.grant_id.as_str()));
}

/// The grants a principal holds came (all at once).
pub fn held(app: &mut App, mut grants: Vec<GrantSummary>) {
    // Across an organization: the grants on the keys of the scope shown.
    let view = &app.scopes.view;
    grants.retain(|g| view.holds_arn(&g.key_arn));
    let keep = app.selected_grant().map(|g| g.grant_id.clone());
    app.grants
        .set_items(grants, search_text, |g| Some(&g.grant_id) == keep.as_ref());
    measure_ids(app);
}

/// The confirmation of revoking (as the operator) or retiring a grant. Who may retire:
/// the retiring principal, or the grantee when the grant includes RetireGrant; otherwise
/// the operator tries (AWS may deny).
/// `id_len`: how much of a grant id tells this pane's grants apart (for the title).
pub fn confirm_removal(
    g: &GrantSummary,
    id_len: usize,
    retire: bool,
    session: &CliSession,
) -> Option<ConfirmRequest> {
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
        lines.push(format!(
            "$ aws kms retire-grant --key-id {key} --grant-id {grant}{}",
            session.flags(actor.as_ref().map(Principal::as_str))
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
        lines.push(format!(
            "$ aws kms revoke-grant --key-id {key} --grant-id {grant}{}",
            session.flags(None)
        ));
        ("Revoke", Work::RevokeGrant { key, grant })
    };
    Some(ConfirmRequest {
        title: format!("{verb} grant {}?", label(g, id_len)),
        lines,
        verb,
        action: ConfirmAction::Run(work),
    })
}

/// The grant as the pane names it: its name, or as much of its id as tells it apart.
fn label(g: &GrantSummary, id_len: usize) -> String {
    if g.name.is_empty() {
        grant_id_label(&g.grant_id, id_len)
    } else {
        g.name.clone()
    }
}

/// Sort the grants again in the order they are in, with the columns' comparisons as they
/// are now (the Seen column's holds the audit's latest result).
pub fn resort(app: &mut App) {
    let Some(order) = app.grants.sort_order() else {
        return;
    };
    let compare = columns(app)
        .into_iter()
        .nth(order.column)
        .and_then(|c| c.sort);
    app.grants.set_sort(compare.map(|c| (order, c)));
}

/// The pane's columns, most important first where the pane is narrow: the grant, the
/// grantee (or the key, for a principal's grants), the operations, the stale marker, the
/// age, the constraint marker, the retiring principal, the last use. A principal's grants
/// on keys of more than one account (or region) show each key's account (and region)
/// after the key.
pub fn columns(app: &App) -> Vec<Column<'_, GrantSummary>> {
    let by_principal = matches!(app.grant_scope, GrantScope::Principal { .. });
    let mut columns = key_columns(app, by_principal);
    // Across an organization, a key's grants to principals of other accounts say whose
    // (cross-account grants are where stale access hides).
    if !by_principal && app.scopes.spans {
        let other_account =
            |g: &GrantSummary| grantee_account(g).is_some_and(|a| a != arn_part(&g.key_arn, 4));
        if app.grants.all().iter().any(other_account) {
            insert_column(
                &mut columns,
                3,
                Column::new("Grantee acct", Width::Fixed(12), 2, |g: &GrantSummary| {
                    let account = grantee_account(g).unwrap_or("-").to_string();
                    (account, Style::default())
                }),
            );
        }
    }
    // A principal's grants across accounts and regions: each key's account and region.
    if by_principal {
        let all = app.grants.all();
        let several = |part: usize| {
            all.first().is_some_and(|first| {
                let first = arn_part(&first.key_arn, part);
                all.iter().any(|g| arn_part(&g.key_arn, part) != first)
            })
        };
        if several(3) {
            insert_column(
                &mut columns,
                3,
                Column::new(
                    "Region",
                    Width::Flex { min: 6, max: 14 },
                    2,
                    |g: &GrantSummary| {
                        let region = arn_part(&g.key_arn, 3).to_string();
                        (region, Style::default())
                    },
                ),
            );
        }
        if several(4) {
            insert_column(
                &mut columns,
                3,
                Column::new("Account", Width::Fixed(12), 2, |g: &GrantSummary| {
                    (arn_part(&g.key_arn, 4).to_string(), Style::default())
                }),
            );
        }
    }
    columns
}

/// The account of a grant's grantee (none for a service or a deleted principal's id).
fn grantee_account(g: &GrantSummary) -> Option<&str> {
    let account = arn_part(&g.grantee, 4);
    (!account.is_empty() && g.grantee.starts_with("arn:")).then_some(account)
}

/// A part of an ARN (3: the region, 4: the account), empty when there is none.
fn arn_part(arn: &str, part: usize) -> &str {
    arn.split(':').nth(part).unwrap_or_default()
}

fn key_columns(app: &App, by_principal: bool) -> Vec<Column<'_, GrantSummary>> {
    let now = app.now;
    let id_len = app.grant_id_len;
    let outcome = app.findings.outcome.as_deref();
    let plain = Style::default();
    let mut columns = vec![
        Column::new(
            "Stale",
            Width::Fixed(5),
            3,
            move |g: &GrantSummary| match outcome
                .and_then(|o| o.grant_worst(&g.key_arn, &g.grant_id))
            {
                Some(s) => (marker(s).to_string(), severity_style(s)),
                None => (String::new(), plain),
            },
        ),
        Column::new(
            "Grant",
            Width::Flex { min: 12, max: 28 },
            0,
            move |g: &GrantSummary| (label(g, id_len), plain),
        )
        .sorted_by(|a, b| label(a, 12).cmp(&label(b, 12))),
        if by_principal {
            Column::new(
                "Key",
                Width::Flex { min: 10, max: 32 },
                1,
                move |g: &GrantSummary| {
                    (
                        g.key_alias.clone().unwrap_or_else(|| g.key_id.clone()),
                        plain,
                    )
                },
            )
            .sorted_by(|a, b| a.key_alias.cmp(&b.key_alias).then(a.key_id.cmp(&b.key_id)))
        } else {
            Column::new(
                "Grantee",
                Width::Flex { min: 10, max: 32 },
                1,
                move |g: &GrantSummary| (g.grantee_name.clone(), plain),
            )
            .sorted_by(|a, b| a.grantee_name.cmp(&b.grantee_name))
        },
        Column::new(
            "Operations",
            Width::Text { min: 10 },
            2,
            move |g: &GrantSummary| {
                let ops: Vec<&str> = g.operations.iter().map(|o| o.as_str()).collect();
                (ops.join(","), plain)
            },
        )
        .sorted_by(|a, b| a.operations.cmp(&b.operations)),
        Column::new("C", Width::Fixed(1), 5, move |g: &GrantSummary| {
            let constrained = g.constraints.as_ref().is_some_and(|c| !c.is_empty());
            (
                if constrained { "C" } else { " " }.to_string(),
                Style::default().fg(Color::Magenta),
            )
        }),
        Column::new("Age", Width::Fixed(4), 4, move |g: &GrantSummary| {
            (
                g.created.map(|c| age(now, c)).unwrap_or_else(|| "-".into()),
                plain,
            )
        })
        // The oldest first: ascending by age is descending by creation date.
        .sorted_by(|a, b| b.created.cmp(&a.created)),
        Column::new(
            "Retiring",
            Width::Flex { min: 8, max: 24 },
            6,
            move |g: &GrantSummary| (g.retiring_name.clone().unwrap_or_else(|| "-".into()), plain),
        )
        .sorted_by(|a, b| a.retiring_name.cmp(&b.retiring_name)),
    ];
    // Last seen, when the audit knows anything of use: `3d ago`, `never`, `>30d`, `?`.
    if outcome.is_some_and(|o| o.usage.source != UsageSource::None) {
        columns.push(
            Column::new(
                "Seen",
                Width::Flex { min: 4, max: 8 },
                7,
                move |g: &GrantSummary| {
                    let known = last_seen::known(outcome, &g.key_arn, &g.grant_id);
                    (last_seen::cell(known, now), plain)
                },
            )
            .sorted_by({
                // The list keeps its order's comparison: it holds the audit's result it
                // was sorted with (`resort` renews it when a new result arrives).
                let report = app.findings.outcome.clone();
                move |a: &GrantSummary, b: &GrantSummary| {
                    let key = |g: &GrantSummary| {
                        last_seen::order(last_seen::known(
                            report.as_deref(),
                            &g.key_arn,
                            &g.grant_id,
                        ))
                    };
                    last_seen::compare_order(key(a), key(b))
                }
            })
            .spare(),
        );
    }
    columns
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Grants;
    let rows = &app.grants;
    let scope = match &app.grant_scope {
        GrantScope::None => "of no key".to_string(),
        GrantScope::Key { label, .. } => format!("of {label}"),
        GrantScope::Principal { name, .. } => format!("held by {name}"),
    };
    let mut title = format!("Grants {scope} ({})", rows.len());
    if !rows.filter().is_empty() || rows.has_only() {
        // "…" while the stale-only answers are worked out (a long list, off the UI thread).
        let shown = if rows.mask_pending() {
            "…".to_string()
        } else {
            rows.len().to_string()
        };
        title = format!("Grants {scope} ({shown}/{})", rows.total());
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
    list_view::render(
        frame,
        area,
        pane_block(title, focused, &app.theme),
        rows,
        &columns(app),
        focused,
        &app.theme,
    );
}
