//! Which actions are offered right now: the focused pane's, then the global ones, without
//! the mutating ones in read-only mode and the simulator's controls on AWS; in a lesson,
//! the lesson's keys first; in the findings view, its own. The key map (`input`) and the
//! action bar both read this, so a key works exactly when its hint is shown.

use crate::kms::KeyState;

use super::actions::{Action, Binding, LESSON_ACTIONS};
use super::app::App;
use super::pane::Pane;
use super::panes::principals::deletable;

/// The actions of the focused pane, then the global ones, as the action bar shows them.
/// In lesson mode the lesson's keys come first.
pub fn available(app: &App) -> Vec<Action> {
    let mut v = available_without_lesson(app);
    if app.lesson.is_some() && app.dialog.is_none() {
        v.retain(|a| !LESSON_ACTIONS.iter().any(|l| l.binding() == a.binding()));
        v.splice(0..0, LESSON_ACTIONS);
    }
    v
}

fn available_without_lesson(app: &App) -> Vec<Action> {
    use Action::*;
    let has_key = app.selected_key().is_some();
    let key_state = app.selected_key().map(|k| k.state);
    let stale_toggle = if app.findings.stale_only {
        AllGrants
    } else {
        StaleOnly
    };
    if app.scopes.selector.is_some() {
        return vec![ChooseScope, CloseScopes, Help, Quit];
    }
    if app.findings.view_open {
        let mut v = Vec::new();
        if let Some(f) = app.findings.selected_finding() {
            v.push(JumpToFinding);
            if f.grant_id.is_some() {
                v.push(RevokeFinding);
            }
        }
        v.extend([CloseFindings, Help, Quit, Refresh]);
        v.retain(|a| !(app.read_only && a.mutating()));
        return v;
    }
    let mut pane: Vec<Action> = match app.focus {
        Pane::Keys => {
            let mut v = vec![Detail];
            if has_key {
                v.extend([CreateGrant, TestGrant]);
                v.push(if key_state == Some(KeyState::Disabled) {
                    EnableKey
                } else {
                    DisableKey
                });
                v.push(if key_state == Some(KeyState::PendingDeletion) {
                    CancelKeyDeletion
                } else {
                    ScheduleKeyDeletion
                });
            }
            if has_key {
                v.push(CopyArn);
            }
            v.push(NewKey);
            v
        }
        Pane::Grants => {
            let mut v = vec![Detail];
            if app.selected_grant().is_some() {
                v.extend([RevokeGrant, RetireGrant, CopyGrantId]);
            }
            if has_key {
                v.extend([CreateGrant, TestGrant]);
            }
            v.push(stale_toggle);
            v
        }
        Pane::Principals => {
            let mut v = vec![Detail];
            if has_key {
                v.extend([CreateGrant, TestGrant]);
            }
            if app.selected_principal().is_some() {
                v.push(CopyArn);
            }
            v.push(NewPrincipal);
            if app.selected_principal().is_some_and(deletable) {
                v.push(DeletePrincipal);
            }
            v
        }
        Pane::Events => {
            let mut v = vec![Detail];
            if app.events.selected().is_some() {
                v.push(CopyArn);
            }
            v
        }
    };
    let clock = if app.time_frozen {
        ThawClock
    } else {
        FreezeClock
    };
    if app.scopes.spans {
        pane.push(Scopes);
    }
    pane.extend([
        Sort,
        Findings,
        Filter,
        Help,
        Quit,
        Refresh,
        AdvanceClock,
        clock,
    ]);
    pane.retain(|a| {
        let removed_by_read_only = app.read_only && a.mutating();
        let unsupported = a.world_control() && !app.world_controls;
        !removed_by_read_only && !unsupported
    });
    // With a stale state, `d` could mean two things; keep the first.
    let mut seen = Vec::new();
    pane.retain(|a| {
        let b = a.binding();
        if seen.contains(&b) {
            false
        } else {
            seen.push(b);
            true
        }
    });
    pane
}

/// The available action bound to `binding`, if any.
pub fn lookup(app: &App, binding: Binding) -> Option<Action> {
    available(app).into_iter().find(|a| a.binding() == binding)
}
