//! A classroom lesson in the UI (`grantscope lesson`): the runner (`crate::lesson`), the
//! step key, replay, reset, and noticing the presenter doing a step through the normal UI
//! (activity, the create-grant result, selections, the clock key, the audit on screen).
//! It owns its state and answers with `Effect`s: a step's request runs as `Work` through
//! the executor like every other backend call (its activity reaches the event log, the
//! panes reload); a reset puts a fresh world in place through the backend's world
//! controls. `narration` draws the panel and the WHY banner.

pub mod narration;

use std::sync::Arc;
use std::time::Duration;

use crate::audit::{AuditConfig, Report};
use crate::backend::{ActivityEvent, CreateGrantInput, CreatedGrant};
use crate::lesson::{
    LessonRequest, LessonResult, LessonRun, Performed, StepKey, StepStatus, Ticket,
};

use super::effect::{ConfirmAction, ConfirmRequest, Effect, KnownToken};
use super::message::{FreshWorld, Work};

/// The lesson in the UI.
#[derive(Debug, Clone)]
pub struct LessonUi {
    pub run: LessonRun,
    /// The step key's request being performed (for what its result needs to know).
    request: Option<(Ticket, LessonRequest)>,
    /// How far the narration is scrolled (the wheel, when its text is taller than its
    /// panel), and on which step: another step starts at its top.
    scroll: (usize, usize),
    /// How far the narration can scroll, as its last draw measured it.
    scroll_most: std::cell::Cell<usize>,
}

impl LessonUi {
    pub fn new(run: LessonRun) -> Self {
        Self {
            run,
            request: None,
            scroll: (0, 0),
            scroll_most: std::cell::Cell::new(0),
        }
    }

    /// The narration's first row shown.
    pub fn scroll(&self) -> usize {
        match self.scroll {
            (step, rows) if step == self.run.current_index() => rows,
            _ => 0,
        }
    }

    /// Scroll the narration by `rows`, as far as its text goes.
    pub fn scroll_by(&mut self, rows: isize) {
        let now = self
            .scroll()
            .saturating_add_signed(rows)
            .min(self.scroll_most.get());
        self.scroll = (self.run.current_index(), now);
    }

    /// The narration was drawn: it can scroll `most` rows.
    pub fn drawn(&self, most: usize) {
        self.scroll_most.set(most);
    }

    /// The step key: perform the current step (an audit step audits with `audit`, the
    /// UI's own settings, so the lesson's findings are the ones on screen).
    pub fn step(&mut self, audit: &AuditConfig) -> Vec<Effect> {
        let n = self.run.current_index() + 1;
        match self.run.step_key() {
            StepKey::Perform {
                ticket,
                request:
                    LessonRequest::Select {
                        key,
                        principal,
                        grant,
                    },
            } => {
                let performed = Performed {
                    result: LessonResult::Nothing,
                    last_seq: self.run.seen_seq(),
                };
                let mut effects = vec![Effect::Select {
                    key,
                    principal,
                    grant,
                }];
                effects.extend(self.finish(ticket, performed).unwrap_or_default());
                effects
            }
            StepKey::Perform { ticket, request } => {
                self.request = Some((ticket, request.clone()));
                vec![
                    Effect::Info(format!("Step {n}: performing…")),
                    Effect::Run(Work::LessonStep {
                        ticket,
                        request,
                        since: self.run.seen_seq(),
                        audit: audit.clone(),
                    }),
                ]
            }
            StepKey::Advanced => vec![Effect::Info(format!("Step {n} done"))],
            StepKey::Busy => vec![Effect::Info("The step is still being performed".into())],
            StepKey::Finished => vec![Effect::Info(
                "The lesson is over: b replays the last step, R resets the lesson".into(),
            )],
            StepKey::Failed(message) => vec![Effect::Error(format!("Step {n}: {message}"))],
        }
    }

    /// The step key's request came back (`findings_open`: the findings view is on screen).
    pub fn step_done(
        &mut self,
        ticket: Ticket,
        performed: Performed,
        findings_open: bool,
    ) -> Vec<Effect> {
        let created = match &performed.result {
            LessonResult::Created(Ok(g)) => Some(g.clone()),
            _ => None,
        };
        let audited = matches!(performed.result, LessonResult::Audited(Ok(_)));
        let request = match self.request.take() {
            Some((t, r)) if t == ticket => Some(r),
            other => {
                self.request = other;
                None
            }
        };
        let Some(mut effects) = self.finish(ticket, performed) else {
            // A ticket from before a replay or reset: its world or step is gone.
            return vec![];
        };
        match (created, request) {
            (Some(g), Some(LessonRequest::CreateGrant(input))) => {
                let key_id = input.key.key_id().unwrap_or_default().to_string();
                effects.push(Effect::Token(KnownToken {
                    key_id,
                    grant_id: g.grant_id,
                    token: g.grant_token,
                }));
            }
            // A listing step shows the list it talks about: the key's grants pane (in
            // place of the findings view an audit step opened).
            (_, Some(LessonRequest::ListGrants { key })) => effects.push(Effect::Select {
                key: Some(key.to_string()),
                principal: None,
                grant: None,
            }),
            _ => {}
        }
        if audited && !findings_open {
            effects.push(Effect::OpenFindings);
        }
        effects.push(Effect::Reload);
        effects
    }

    /// Complete a ticket and say how the step went; None for a stale ticket.
    fn finish(&mut self, ticket: Ticket, performed: Performed) -> Option<Vec<Effect>> {
        let status = self.run.complete(ticket, performed)?.clone();
        Some(report(ticket.step, &status))
    }

    /// Back one step, to replay it (the world stays as it is).
    pub fn back(&mut self) -> Vec<Effect> {
        let target = self.run.current_index().saturating_sub(1);
        if !self.run.replay(target) {
            return vec![];
        }
        self.request = None;
        vec![Effect::Info(format!("Back to step {}", target + 1))]
    }

    /// Ask before resetting (the default button is Cancel).
    pub fn ask_reset(&self) -> Vec<Effect> {
        vec![Effect::Confirm(ConfirmRequest {
            title: format!("Reset the lesson \"{}\"?", self.run.lesson().title),
            lines: vec![
                "The world goes back to the lesson's start: grants made since are gone,".into(),
                "the clock is back, every step is pending and the event log starts over.".into(),
            ],
            verb: "Reset",
            action: ConfirmAction::ResetLesson,
        })]
    }

    /// Reset confirmed: a fresh world for the simulator; the panes and the log start over.
    pub fn reset(&mut self) -> Vec<Effect> {
        match self.run.reset() {
            Ok(world) => {
                self.request = None;
                vec![
                    Effect::ForgetWorld,
                    Effect::Info("Resetting the lesson…".into()),
                    Effect::Run(Work::ReplaceWorld(FreshWorld(Arc::new(world)))),
                ]
            }
            Err(e) => vec![Effect::Error(format!("The lesson could not be reset: {e}"))],
        }
    }

    /// The fresh world is in place: load everything from it.
    pub fn reset_done(&mut self) -> Vec<Effect> {
        vec![
            Effect::ForgetWorld,
            Effect::Info("The lesson is back at its start".into()),
            Effect::Reload,
        ]
    }

    /// Polled activity: a step the presenter did through the UI.
    pub fn observe_activity(&mut self, events: &[ActivityEvent]) -> Vec<Effect> {
        self.observed(|run| run.observe(events))
    }

    /// The create-grant dialog made a grant: its id and token for the lesson's placeholders,
    /// once it is the grant the step asks for (else the step says what differs).
    pub fn note_created(&mut self, created: &CreatedGrant, made: &CreateGrantInput) -> Vec<Effect> {
        self.run.note_created_grant(created, made);
        // The step the grant was for is current now (a step already taken as done from
        // its CreateGrant event is made current again when the grant is not the one).
        let index = self.run.current_index();
        match self.run.status(index) {
            Some(status @ StepStatus::Unexpected { .. }) => report(index, &status.clone()),
            _ => vec![],
        }
    }

    /// The presenter moved a selection in the keys or principals pane (ARNs).
    pub fn observe_selection(&mut self, key: Option<&str>, principal: Option<&str>) -> Vec<Effect> {
        self.observed(|run| run.observe_selection(key, principal))
    }

    /// The presenter pressed the clock key.
    pub fn observe_clock(&mut self, by: Duration) -> Vec<Effect> {
        self.observed(|run| run.observe_clock(by))
    }

    /// The presenter has the audit's result on screen (findings view or stale-only).
    pub fn observe_audit(&mut self, report: &Report) -> Vec<Effect> {
        self.observed(|run| run.observe_audit(report))
    }

    fn observed(&mut self, f: impl FnOnce(&mut LessonRun) -> bool) -> Vec<Effect> {
        let index = self.run.current_index();
        if !f(&mut self.run) {
            return vec![];
        }
        match self.run.status(index) {
            Some(status) => report(index, &status.clone()),
            None => vec![],
        }
    }
}

/// What the status line says of a step's status.
fn report(index: usize, status: &StepStatus) -> Vec<Effect> {
    let n = index + 1;
    match status {
        // What happened is in the narration's last line and the WHY banner.
        StepStatus::Done { .. } => vec![Effect::Info(format!("Step {n} done"))],
        StepStatus::Unexpected { message } => {
            vec![Effect::Error(format!("Step {n} UNEXPECTED: {message}"))]
        }
        StepStatus::Pending | StepStatus::InFlight => vec![],
    }
}
