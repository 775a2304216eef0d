//! What the stale-grant audit does in the update function: ask for a run (coalescing the
//! changes that arrive while one is in flight into a single rerun), take its result, the
//! stale-only toggle of the grants pane, and the findings view (open, move, jump to the
//! finding's key and grant, revoke its grant through the usual confirmation).

use std::sync::Arc;

use crate::audit::{Finding, Severity};
use crate::backend::{BackendResult, GrantSummary};

use super::app::{App, Only, Pane};
use super::audit_state::{AuditOutcome, JumpTarget};
use super::forms::{Confirm, ConfirmAction, Dialog};
use super::message::Command;
use super::update::{scope_to_key, short};

/// Run the audit, or, when a run is in flight, run once more after it.
pub fn request_audit(app: &mut App) -> Vec<Command> {
    let audit = &mut app.audit;
    if audit.running {
        audit.rerun = true;
        return vec![];
    }
    audit.running = true;
    audit.rerun = false;
    audit.generation += 1;
    vec![Command::RunAudit {
        generation: audit.generation,
        config: audit.config.clone(),
    }]
}

/// A finding's identity across runs (indexes move when findings come and go).
fn identity(f: &Finding) -> (crate::audit::Rule, String, Option<String>) {
    (
        f.rule,
        f.key.to_string(),
        f.grant_id.as_deref().map(str::to_string),
    )
}

pub(super) fn audit_done(
    app: &mut App,
    generation: u64,
    result: BackendResult<Arc<AuditOutcome>>,
) -> Vec<Command> {
    if generation != app.audit.generation {
        return vec![];
    }
    app.audit.running = false;
    match result {
        Ok(outcome) => {
            let kept = app.audit.selected_finding().map(identity);
            let position = app.audit.selected;
            app.audit.error = None;
            app.audit.outcome = Some(outcome);
            let findings = app
                .audit
                .outcome
                .as_ref()
                .map(|o| o.report.findings.as_slice())
                .unwrap_or_default();
            app.audit.selected = kept
                .and_then(|k| findings.iter().position(|f| identity(f) == k))
                .unwrap_or_else(|| position.min(findings.len().saturating_sub(1)));
            if app.audit.stale_only {
                apply_stale_only(app);
            }
        }
        Err(e) => {
            app.audit.error = Some(e.to_string());
            app.set_error(format!("The stale-grant audit failed: {e}"));
        }
    }
    if app.audit.rerun {
        return request_audit(app);
    }
    vec![]
}

/// Put the stale-only predicate of the grants pane in force (or lift it).
fn apply_stale_only(app: &mut App) {
    let only = app.audit.stale_only.then(|| {
        let outcome = app.audit.outcome.clone();
        Only::new(move |g: &GrantSummary| {
            outcome
                .as_ref()
                .is_some_and(|o| o.is_stale(&g.key_arn, &g.grant_id))
        })
    });
    app.grants.set_only(only);
}

pub(super) fn toggle_stale_only(app: &mut App) {
    app.audit.stale_only = !app.audit.stale_only;
    apply_stale_only(app);
    if app.audit.stale_only {
        let pending = if app.audit.outcome.is_none() {
            " (the audit is still running)"
        } else {
            ""
        };
        app.set_info(format!(
            "Showing stale grants only{pending}; s shows all grants"
        ));
    } else {
        app.set_info("Showing all grants");
    }
}

pub(super) fn open_findings(app: &mut App) {
    app.audit.view_open = true;
    app.filter_editing = false;
}

pub(super) fn close_findings(app: &mut App) {
    app.audit.view_open = false;
}

/// Move the findings view's selection by `delta` rows, clamped.
pub(super) fn move_in_findings(app: &mut App, delta: isize) {
    let last = app.audit.len().saturating_sub(1) as isize;
    let target = (app.audit.selected as isize).saturating_add(delta);
    app.audit.selected = target.clamp(0, last.max(0)) as usize;
}

/// Close the findings view and select the finding's key, then its grant (at once when the
/// grants pane already shows the key, else when its grants arrive).
pub(super) fn jump_to_finding(app: &mut App) -> Vec<Command> {
    let Some(f) = app.audit.selected_finding().cloned() else {
        return vec![];
    };
    app.audit.view_open = false;
    app.focus = Pane::Keys;
    let select = |app: &mut App| app.keys.select_where(|k| *k.arn == *f.key);
    if !select(app) {
        app.keys.set_filter("");
        if !select(app) {
            app.set_error(format!("Key {} is no longer listed.", f.key));
            return vec![];
        }
    }
    let cmds = scope_to_key(app, false);
    let Some(grant_id) = f.grant_id.clone() else {
        app.set_info(format!("{}: {}", f.rule, f.reason()));
        return cmds;
    };
    app.focus = Pane::Grants;
    if app.audit.stale_only && f.severity <= Severity::Info {
        // An informational finding's grant is not "stale": show every grant to reach it.
        app.audit.stale_only = false;
        apply_stale_only(app);
        app.set_info("Showing all grants, to show this informational finding's grant");
    }
    app.audit.jump = Some(JumpTarget {
        key_arn: f.key.to_string(),
        grant_id: grant_id.to_string(),
    });
    finish_jump(app);
    cmds
}

/// Select the grant a jump is going to, once it is listed; give up when the listing is
/// complete without it.
pub(super) fn finish_jump(app: &mut App) {
    let Some(target) = app.audit.jump.clone() else {
        return;
    };
    let is_target = |g: &GrantSummary| g.grant_id == target.grant_id && g.key_arn == target.key_arn;
    let mut found = app.grants.select_where(is_target);
    if !found && !app.grants.filter().is_empty() {
        app.grants.set_filter("");
        found = app.grants.select_where(is_target);
    }
    if found {
        app.audit.jump = None;
        app.set_info(format!("Grant {}", short(&target.grant_id)));
    } else if !app.grants_loading {
        app.audit.jump = None;
        app.set_error(format!(
            "Grant {} is no longer listed on its key.",
            short(&target.grant_id)
        ));
    }
}

/// Revoke the selected finding's grant: the usual confirmation, whose default is Cancel.
pub(super) fn revoke_finding(app: &mut App) {
    let Some(f) = app.audit.selected_finding().cloned() else {
        return;
    };
    let Some(grant_id) = f.grant_id.clone() else {
        return;
    };
    let labels = app
        .audit
        .outcome
        .as_ref()
        .and_then(|o| o.labels.get(app.audit.selected))
        .cloned()
        .unwrap_or_default();
    let lines = vec![
        format!("Grant  {grant_id}"),
        format!("Key    {} ({})", labels.key, f.key),
        format!(
            "Grantee {} ({})",
            labels.grantee,
            f.grantee.as_deref().unwrap_or("-")
        ),
        format!("Finding {} {}: {}", f.severity, f.rule, f.reason()),
        "RevokeGrant is made as you, the operator.".into(),
    ];
    let action = ConfirmAction::Revoke {
        key_id: f.key.to_string(),
        grant_id: grant_id.to_string(),
    };
    app.dialog = Some(Dialog::Confirm(Confirm {
        title: format!("{} grant {}?", action.verb(), short(&grant_id)),
        lines,
        action,
        confirm_chosen: false,
    }));
}
