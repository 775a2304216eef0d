//! What a lesson does in the update function: the step key (a step's request runs as a
//! `Command::LessonStep` through the executor like every other backend call, so its
//! activity reaches the event log and the panes reload), replay, reset (a fresh world
//! swapped into the same simulator, the panes and the event log starting over), and
//! noticing the presenter doing a step through the normal UI (activity, the create-grant
//! result, selections, the clock key, the audit on screen).

use std::sync::Arc;
use std::time::Duration;

use crate::backend::{ActivityEvent, CreatedGrant};
use crate::lesson::{LessonRequest, LessonResult, Performed, StepKey, StepStatus, Ticket};

use super::app::{App, GrantScope, KnownToken, Pane};
use super::audit_update::{close_findings, open_findings};
use super::forms::{Confirm, ConfirmAction, Dialog};
use super::lesson_state::LessonWorld;
use super::message::Command;
use super::update::{follow_selection, reload_all, scope_to_key};

/// The step key: perform the current step.
pub fn step(app: &mut App) -> Vec<Command> {
    let Some(l) = app.lesson.as_mut() else {
        return vec![];
    };
    let n = l.run.current_index() + 1;
    match l.run.step_key() {
        StepKey::Perform {
            ticket,
            request: LessonRequest::Select { key, principal },
        } => {
            let since = l.run.seen_seq();
            let cmds = select(app, key.as_deref(), principal.as_deref());
            let performed = Performed {
                result: LessonResult::Nothing,
                last_seq: since,
            };
            finish(app, ticket, performed);
            cmds
        }
        StepKey::Perform { ticket, request } => {
            l.request = Some((ticket, request.clone()));
            let cmd = Command::LessonStep {
                ticket,
                request,
                since: l.run.seen_seq(),
                sim: l.sim.clone(),
            };
            app.set_info(format!("Step {n}: performing…"));
            vec![cmd]
        }
        StepKey::Advanced => {
            app.set_info(format!("Step {n} done"));
            vec![]
        }
        StepKey::Busy => {
            app.set_info("The step is still being performed");
            vec![]
        }
        StepKey::Finished => {
            app.set_info("The lesson is over: b replays the last step, R resets the lesson");
            vec![]
        }
        StepKey::Failed(message) => {
            app.set_error(format!("Step {n}: {message}"));
            vec![]
        }
    }
}

/// Select what a `select` step names, as a presenter would.
fn select(app: &mut App, key: Option<&str>, principal: Option<&str>) -> Vec<Command> {
    if app.audit.view_open {
        close_findings(app);
    }
    app.dialog = None;
    if let Some(p) = principal {
        app.principals.select_where(|x| x.arn == p);
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

/// The step key's request came back.
pub fn step_done(app: &mut App, ticket: Ticket, performed: Performed) -> Vec<Command> {
    if app.lesson.is_none() {
        return vec![];
    }
    let created = match &performed.result {
        LessonResult::Created(Ok(g)) => Some(g.clone()),
        _ => None,
    };
    let audited = matches!(performed.result, LessonResult::Audited(Ok(_)));
    let request = app.lesson.as_mut().and_then(|l| match l.request.take() {
        Some((t, r)) if t == ticket => Some(r),
        other => {
            l.request = other;
            None
        }
    });
    if !finish(app, ticket, performed) {
        // A ticket from before a replay or reset: its world or step is gone.
        return vec![];
    }
    if let (Some(g), Some(LessonRequest::CreateGrant(input))) = (created, request) {
        let key_id = input.key_id.rsplit('/').next().unwrap_or(&input.key_id);
        app.tokens.push(KnownToken {
            key_id: key_id.to_string(),
            grant_id: g.grant_id,
            token: g.grant_token,
        });
    }
    if audited && !app.audit.view_open {
        open_findings(app);
    }
    reload_all(app)
}

/// Complete a ticket and say how the step went; false for a stale ticket.
fn finish(app: &mut App, ticket: Ticket, performed: Performed) -> bool {
    let Some(l) = app.lesson.as_mut() else {
        return false;
    };
    let Some(status) = l.run.complete(ticket, performed).cloned() else {
        return false;
    };
    report(app, ticket.step, &status);
    true
}

fn report(app: &mut App, index: usize, status: &StepStatus) {
    let n = index + 1;
    match status {
        StepStatus::Done { note, .. } if note.is_empty() => app.set_info(format!("Step {n} done")),
        StepStatus::Done { note, .. } => app.set_info(format!("Step {n} done: {note}")),
        StepStatus::Unexpected { message } => {
            app.set_error(format!("Step {n} UNEXPECTED: {message}"))
        }
        StepStatus::Pending | StepStatus::InFlight => {}
    }
}

/// Back one step, to replay it (the world stays as it is).
pub fn back(app: &mut App) -> Vec<Command> {
    let Some(l) = app.lesson.as_mut() else {
        return vec![];
    };
    let target = l.run.current_index().saturating_sub(1);
    if l.run.replay(target) {
        l.request = None;
        app.set_info(format!("Back to step {}", target + 1));
    }
    vec![]
}

/// Ask before resetting (the default button is Cancel).
pub fn ask_reset(app: &mut App) -> Vec<Command> {
    let Some(l) = app.lesson.as_ref() else {
        return vec![];
    };
    let title = format!("Reset the lesson \"{}\"?", l.run.lesson().title);
    app.dialog = Some(Dialog::Confirm(Confirm {
        title,
        lines: vec![
            "The world goes back to the lesson's start: grants made since are gone,".into(),
            "the clock is back, every step is pending and the event log starts over.".into(),
        ],
        action: ConfirmAction::ResetLesson,
        confirm_chosen: false,
    }));
    vec![]
}

/// Reset confirmed: a fresh world for the simulator, the panes and the log start over.
pub fn reset(app: &mut App) -> Vec<Command> {
    let in_flight = app.activity_in_flight;
    let Some(l) = app.lesson.as_mut() else {
        return vec![];
    };
    let world = match l.run.reset() {
        Ok(w) => w,
        Err(e) => {
            app.set_error(format!("The lesson could not be reset: {e}"));
            return vec![];
        }
    };
    l.request = None;
    l.resetting = true;
    l.stale_polls = u32::from(in_flight);
    let cmd = Command::LessonReset {
        sim: l.sim.clone(),
        world: LessonWorld(Arc::new(world)),
    };
    if app.audit.view_open {
        close_findings(app);
    }
    clear_world_views(app);
    app.set_info("Resetting the lesson…");
    vec![cmd]
}

fn clear_world_views(app: &mut App) {
    app.events.clear();
    app.last_event_seq = 0;
    app.tokens.clear();
    app.grants.clear();
    app.grant_scope = GrantScope::None;
    app.grants_generation += 1;
}

/// The fresh world is in place: load everything from it.
pub fn reset_done(app: &mut App, result: crate::backend::BackendResult<()>) -> Vec<Command> {
    if let Some(l) = app.lesson.as_mut() {
        l.resetting = false;
    }
    match result {
        Ok(()) => {
            clear_world_views(app);
            app.set_info("The lesson is back at its start");
            reload_all(app)
        }
        Err(e) => {
            app.set_error(format!("The lesson could not be reset: {e}"));
            vec![]
        }
    }
}

/// Should this activity answer be dropped (it belongs to the world before a reset)?
pub fn drop_stale_activity(app: &mut App) -> bool {
    let Some(l) = app.lesson.as_mut() else {
        return false;
    };
    if l.stale_polls > 0 {
        l.stale_polls -= 1;
        return true;
    }
    l.resetting
}

/// Polled activity: a step the presenter did through the UI.
pub fn observe_activity(app: &mut App, events: &[ActivityEvent]) {
    observed(app, |run| run.observe(events));
}

/// The create-grant dialog made a grant: its id and token for the lesson's placeholders.
pub fn note_created(app: &mut App, created: &CreatedGrant) {
    if let Some(l) = app.lesson.as_mut() {
        l.run.note_created_grant(created);
    }
}

/// The presenter moved a selection (in the keys or principals pane).
pub fn observe_selection(app: &mut App) {
    if !matches!(app.focus, Pane::Keys | Pane::Principals) {
        return;
    }
    let key = app.selected_key().map(|k| k.arn.clone());
    let principal = app.selected_principal().map(|p| p.arn.clone());
    observed(app, |run| {
        run.observe_selection(key.as_deref(), principal.as_deref())
    });
}

/// The presenter pressed the clock key.
pub fn observe_clock(app: &mut App, by: Duration) {
    observed(app, |run| run.observe_clock(by));
}

/// The presenter has the audit's result on screen (findings view or stale-only).
pub fn observe_audit(app: &mut App) {
    if app.audit.running || !(app.audit.view_open || app.audit.stale_only) {
        return;
    }
    let Some(outcome) = app.audit.outcome.clone() else {
        return;
    };
    observed(app, |run| run.observe_audit(&outcome.report));
}

fn observed(app: &mut App, f: impl FnOnce(&mut crate::lesson::LessonRun) -> bool) {
    let Some(l) = app.lesson.as_mut() else {
        return;
    };
    let index = l.run.current_index();
    if f(&mut l.run) {
        if let Some(status) = l.run.status(index).cloned() {
            report(app, index, &status);
        }
    }
}

/// A key the presenter pressed, for the overlay.
pub fn key_pressed(app: &mut App, label: String) {
    app.keys_trail.record(label);
}
