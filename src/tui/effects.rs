//! Shared effects on the model, below every feature that asks for them: starting
//! background work, reloading after a change, the grants pane following the selection,
//! asking for an audit, going to a finding's grant, the stale-only filter, forgetting a
//! replaced world; and `apply`, which carries out the `Effect`s features answer with.
//! Nothing here imports a feature's update code, so nothing it serves imports it back.

use crate::backend::GrantSummary;
use crate::kms::{short_grant_id, GrantId, KeyRef};

use super::app::{App, GrantScope, JumpTarget};
use super::dialogs::{Confirm, Dialog};
use super::effect::{ConfirmAction, Effect};
use super::jobs::Slot;
use super::message::{Command, Work};
use super::pane::Pane;
use super::rows::Only;

/// Start `work` as a new job in its slot.
pub fn run(app: &mut App, work: Work) -> Command {
    let job = app.jobs.start(work.slot());
    Command::Run { job, work }
}

/// Poll the activity log unless a poll is in flight or the world is being replaced (its
/// answer would be the old world's).
pub fn poll_activity(app: &mut App) -> Vec<Command> {
    if app.jobs.running(Slot::Activity) || app.jobs.running(Slot::Reset) {
        return vec![];
    }
    let since = app.last_event_seq;
    vec![run(app, Work::Activity { since })]
}

/// Reload everything after a change: keys (grant counts), grants, principals, and the
/// stale-grant audit (coalesced with a run in flight).
pub fn reload_all(app: &mut App) -> Vec<Command> {
    let mut cmds = list_keys(app);
    cmds.push(run(app, Work::ListPrincipals));
    cmds.extend(reload_grants(app));
    cmds.extend(request_audit(app));
    cmds
}

/// List the keys: of every scope, for a backend across an organization.
pub fn list_keys(app: &mut App) -> Vec<Command> {
    if app.scopes.spans {
        super::scopes::list_all(app)
    } else {
        vec![run(app, Work::ListKeys)]
    }
}

/// Run the audit, or, when a run is in flight, run once more after it.
pub fn request_audit(app: &mut App) -> Vec<Command> {
    match app.jobs.request(Slot::Audit) {
        Some(job) => vec![Command::Run {
            job,
            work: Work::Audit(app.findings.request()),
        }],
        None => vec![],
    }
}

/// Reload the grants pane in its current scope (keeping what it shows until the answer).
pub fn reload_grants(app: &mut App) -> Vec<Command> {
    let work = match &app.grant_scope {
        GrantScope::None => {
            app.jobs.cancel(Slot::Grants);
            return vec![];
        }
        GrantScope::Key { key_arn, .. } => Work::ListGrants {
            key: KeyRef::parse(key_arn),
            marker: None,
        },
        GrantScope::Principal { arn, .. } => Work::GrantsOf {
            principal: arn.clone(),
        },
    };
    vec![run(app, work)]
}

fn set_scope(app: &mut App, scope: GrantScope, force: bool) -> Vec<Command> {
    if app.grant_scope == scope && !force {
        return vec![];
    }
    app.grant_scope = scope;
    // A jump to a grant (from the findings view) ends when the pane shows another scope.
    app.jump = None;
    app.grants.clear();
    app.grants.set_filter("");
    reload_grants(app)
}

/// The grants pane shows the selected key's grants.
pub fn scope_to_key(app: &mut App, force: bool) -> Vec<Command> {
    let scope = match app.selected_key() {
        Some(k) => GrantScope::Key {
            key_arn: k.arn.clone(),
            label: k.label().to_string(),
        },
        None => GrantScope::None,
    };
    set_scope(app, scope, force)
}

fn scope_to_principal(app: &mut App) -> Vec<Command> {
    match app.selected_principal() {
        Some(p) => {
            let scope = GrantScope::Principal {
                arn: p.arn.clone(),
                name: p.name.clone(),
            };
            set_scope(app, scope, false)
        }
        None => vec![],
    }
}

/// The grants pane follows the selection of the keys pane, or of the principals pane.
pub fn follow_selection(app: &mut App) -> Vec<Command> {
    match app.focus {
        Pane::Keys => scope_to_key(app, false),
        Pane::Principals => scope_to_principal(app),
        Pane::Grants | Pane::Events => vec![],
    }
}

/// Put the stale-only predicate of the grants pane in force (or lift it), as the findings
/// view's toggle says.
pub fn apply_stale_only(app: &mut App) {
    let only = app.findings.stale_only.then(|| {
        let outcome = app.findings.outcome.clone();
        Only::new(move |g: &GrantSummary| {
            outcome
                .as_ref()
                .is_some_and(|o| o.is_stale(&g.key_arn, &g.grant_id))
        })
    });
    app.grants.set_only(only);
}

/// Select a key, then (when given) one of its grants: at once when the grants pane
/// already shows the key, else when its grants arrive (`finish_jump`). `maybe_not_stale`:
/// the grant may not be stale (an informational finding's, a lesson's), so a stale-only
/// grants pane shows every grant to reach it.
fn go_to_grant(
    app: &mut App,
    key_arn: String,
    grant_id: Option<String>,
    note: String,
    maybe_not_stale: bool,
) -> Vec<Command> {
    app.focus = Pane::Keys;
    let select = |app: &mut App| app.keys.select_where(|k| k.arn == key_arn);
    if !select(app) {
        app.keys.set_filter("");
        if !select(app) {
            app.set_error(format!("Key {key_arn} is no longer listed."));
            return vec![];
        }
    }
    let cmds = scope_to_key(app, false);
    let Some(grant_id) = grant_id else {
        app.set_info(note);
        return cmds;
    };
    app.focus = Pane::Grants;
    if app.findings.stale_only && maybe_not_stale {
        app.findings.stale_only = false;
        apply_stale_only(app);
        app.set_info("Showing all grants, to show the grant");
    }
    app.jump = Some(JumpTarget {
        key_arn,
        grant_id,
        note,
    });
    finish_jump(app);
    cmds
}

/// Select the grant a jump is going to, once it is listed; give up when the listing is
/// complete without it.
pub fn finish_jump(app: &mut App) {
    let Some(target) = app.jump.clone() else {
        return;
    };
    let is_target = |g: &GrantSummary| g.grant_id == target.grant_id && g.key_arn == target.key_arn;
    let mut found = app.grants.select_where(is_target);
    if !found && !app.grants.filter().is_empty() {
        app.grants.set_filter("");
        found = app.grants.select_where(is_target);
    }
    if found {
        app.jump = None;
        app.set_info(target.note);
    } else if !app.grants_loading() {
        app.jump = None;
        app.set_error(format!(
            "Grant {} is no longer listed on its key.",
            short_grant_id(&target.grant_id)
        ));
    }
}

/// Select what a lesson's select step names, as a presenter would.
fn select(
    app: &mut App,
    key: Option<String>,
    principal: Option<String>,
    grant: Option<GrantId>,
) -> Vec<Command> {
    app.findings.view_open = false;
    app.dialog = None;
    if let Some(p) = principal {
        app.principals.select_where(|x| x.arn == p);
    }
    if let (Some(k), Some(g)) = (&key, grant) {
        // The grant's row selected (once its key's grants are listed), its detail shown.
        let note = "Selected the grant the lesson names".to_string();
        return go_to_grant(app, k.clone(), Some(g.to_string()), note, true);
    }
    match key {
        Some(k) => {
            app.keys.select_where(|x| x.arn == k);
            app.focus = Pane::Keys;
            scope_to_key(app, false)
        }
        None => {
            app.focus = Pane::Principals;
            follow_selection(app)
        }
    }
}

/// The world was replaced: what the panes, the log and the tokens showed of it goes, and
/// whatever was still coming from it is dropped.
fn forget_world(app: &mut App) {
    app.findings.view_open = false;
    app.events.clear();
    app.last_event_seq = 0;
    app.jobs.cancel(Slot::Activity);
    app.tokens.clear();
    app.grants.clear();
    app.grant_scope = GrantScope::None;
    app.jobs.cancel(Slot::Grants);
    app.jump = None;
}

/// Carry out what a feature asked for.
pub fn apply(app: &mut App, effects: Vec<Effect>) -> Vec<Command> {
    let mut cmds = Vec::new();
    for effect in effects {
        match effect {
            Effect::CloseDialog => app.dialog = None,
            Effect::Run(work) => {
                if let Work::TestGrant(call) = &work {
                    app.last_actor = Some(match &call.actor {
                        crate::backend::Actor::Principal(p) => p.to_string(),
                        crate::backend::Actor::Profile(p) => p.clone(),
                    });
                    if let Some(Dialog::TestGrant(d)) = &mut app.dialog {
                        d.calling(app.last_event_seq);
                    }
                }
                cmds.push(run(app, work));
            }
            Effect::Copy(text) => cmds.push(Command::Copy(text)),
            Effect::Info(text) => app.set_info(text),
            Effect::Error(text) => app.set_error(text),
            Effect::Confirm(request) => app.dialog = Some(Dialog::Confirm(Confirm::new(request))),
            Effect::Confirmed(ConfirmAction::Run(work)) => cmds.push(run(app, work)),
            Effect::Confirmed(ConfirmAction::Quit) => app.should_quit = true,
            Effect::Confirmed(ConfirmAction::ResetLesson) => {
                let more = app.lesson.as_mut().map(|l| l.reset()).unwrap_or_default();
                cmds.extend(apply(app, more));
            }
            Effect::GoToGrant {
                key_arn,
                grant_id,
                note,
                informational,
            } => cmds.extend(go_to_grant(app, key_arn, grant_id, note, informational)),
            Effect::Select {
                key,
                principal,
                grant,
            } => cmds.extend(select(app, key, principal, grant)),
            Effect::Token(token) => app.tokens.push(token),
            Effect::OpenFindings => {
                app.findings.view_open = true;
                app.filter = None;
            }
            Effect::Reload => cmds.extend(reload_all(app)),
            Effect::ForgetWorld => forget_world(app),
        }
    }
    cmds
}
