//! The lesson runner as plain state (no terminal, no tokio): the current step, the
//! variables earlier steps captured, and each step's status. A step completes in one of
//! two ways:
//!
//! - the step key: `step_key()` hands out the step's `LessonRequest` with a `Ticket`; the
//!   caller performs it (`lesson::perform`) and passes the result to `complete()`, which
//!   checks the expectation and captures `{grant_id}`/`{grant_token}`;
//! - observation: the presenter does it through the normal UI, and `observe()` (activity
//!   events), `observe_selection()`, `observe_clock()` and `observe_audit()` notice it.
//!
//! An outcome other than the expected one leaves the step current, marked `Unexpected`
//! with the difference. `replay(i)` goes back to a step; `reset()` rebuilds the world.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::audit::Report;
use crate::backend::{ActivityEvent, CreateGrantInput, CreatedGrant, EventOutcome};
use crate::sim::World;

use super::expect::{check_event, check_report, check_result};
use super::placeholders::fill;
use super::request::{build, step_vars, LessonRequest, LessonResult, Names, Performed};
use super::schema::Action;
use super::{Lesson, LessonError, Step};

/// How a step went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepStatus {
    Pending,
    /// Its request is being performed.
    InFlight,
    /// Done as expected; the note says what happened.
    Done {
        how: Completion,
        note: String,
    },
    /// Not as the lesson expected (or its request could not be built): the step stays.
    Unexpected {
        message: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    StepKey,
    Observed,
}

/// Identifies a request handed out by `step_key`; a ticket from before a replay or reset
/// is ignored by `complete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    pub step: usize,
    generation: u64,
}

/// What the step key did.
// A handful exist at a time: boxing the request would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum StepKey {
    /// Perform this request, then call `complete(ticket, performed)`. A `Select` request
    /// asks the UI to select the key/principal.
    Perform {
        ticket: Ticket,
        request: LessonRequest,
    },
    /// A narration step: done, the next step is current.
    Advanced,
    /// A request is already in flight.
    Busy,
    /// The lesson is over.
    Finished,
    /// The request could not be built (the step is marked `Unexpected`).
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct LessonRun {
    lesson: Lesson,
    names: Names,
    current: usize,
    vars: BTreeMap<String, String>,
    status: Vec<StepStatus>,
    in_flight: Option<Ticket>,
    generation: u64,
    seen_seq: u64,
    /// A grant the UI created while the current step was current (awaiting its event).
    created: Option<CreatedGrant>,
    /// A create-grant step observed done whose GrantId/GrantToken the UI has not told yet.
    awaiting_capture: Option<usize>,
    /// How the grant the UI created differs from what the current step asks for, when it
    /// does (found before its CreateGrant call is observed).
    wrong_grant: Option<String>,
}

impl LessonRun {
    /// A runner at the lesson's first step, on `world` (built by `Lesson::build_world`).
    pub fn new(lesson: Lesson, world: &World) -> Self {
        let names = Names::from_world(world);
        let status = vec![StepStatus::Pending; lesson.steps.len()];
        let mut run = Self {
            lesson,
            names,
            current: 0,
            vars: BTreeMap::new(),
            status,
            in_flight: None,
            generation: 0,
            seen_seq: 0,
            created: None,
            awaiting_capture: None,
            wrong_grant: None,
        };
        run.vars = run.globals();
        run
    }

    fn globals(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("account".to_string(), self.names.account.clone()),
            ("region".to_string(), self.names.region.clone()),
        ])
    }

    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    /// The current step's index (== steps.len() when finished).
    pub fn current_index(&self) -> usize {
        self.current
    }

    pub fn current_step(&self) -> Option<&Step> {
        self.lesson.steps.get(self.current)
    }

    pub fn is_finished(&self) -> bool {
        self.current >= self.lesson.steps.len()
    }

    pub fn status(&self, index: usize) -> Option<&StepStatus> {
        self.status.get(index)
    }

    pub fn statuses(&self) -> &[StepStatus] {
        &self.status
    }

    /// Captured variables (and `{account}`, `{region}`).
    pub fn vars(&self) -> &BTreeMap<String, String> {
        &self.vars
    }

    /// The highest activity sequence number seen; pass it to `perform`.
    pub fn seen_seq(&self) -> u64 {
        self.seen_seq
    }

    /// A step's AWS CLI command with what is known filled in (unknown placeholders stay).
    pub fn cli(&self, index: usize) -> Option<String> {
        let step = self.lesson.steps.get(index)?;
        let cli = step.cli.as_deref()?;
        Some(fill(cli, &step_vars(&step.action, &self.vars, &self.names)))
    }

    /// A step's request as it would be performed now.
    pub fn request(&self, index: usize) -> Result<LessonRequest, String> {
        let step = self
            .lesson
            .steps
            .get(index)
            .ok_or_else(|| format!("the lesson has no step {}", index + 1))?;
        build(&step.action, &self.vars, &self.names)
    }

    /// The step key: perform the current step.
    pub fn step_key(&mut self) -> StepKey {
        if self.is_finished() {
            return StepKey::Finished;
        }
        if self.in_flight.is_some() {
            return StepKey::Busy;
        }
        let i = self.current;
        match self.request(i) {
            Ok(LessonRequest::Narrate) => {
                self.done(i, Completion::StepKey, String::new());
                StepKey::Advanced
            }
            Ok(request) => {
                let ticket = Ticket {
                    step: i,
                    generation: self.generation,
                };
                self.in_flight = Some(ticket);
                self.status[i] = StepStatus::InFlight;
                StepKey::Perform { ticket, request }
            }
            Err(message) => {
                self.status[i] = StepStatus::Unexpected {
                    message: message.clone(),
                };
                StepKey::Failed(message)
            }
        }
    }

    /// The result of a request handed out by `step_key`. Returns the step's new status,
    /// or None for a ticket from before a replay or reset.
    pub fn complete(&mut self, ticket: Ticket, performed: Performed) -> Option<&StepStatus> {
        if self.in_flight != Some(ticket) {
            return None;
        }
        self.in_flight = None;
        self.seen_seq = self.seen_seq.max(performed.last_seq);
        let i = ticket.step;
        let step = self.lesson.steps.get(i)?.clone();
        if let LessonResult::Created(Ok(g)) = &performed.result {
            self.capture(&step.action, g);
        }
        match check_result(&step.action, &step.expect, &performed.result, &self.vars) {
            Ok(note) => self.done(i, Completion::StepKey, note),
            Err(message) => self.status[i] = StepStatus::Unexpected { message },
        }
        self.status.get(i)
    }

    /// Activity events from the backend (in any batches, each once or more): the current
    /// step completes when the presenter made its call through the UI (same operation,
    /// key, and caller when the step names one). Returns whether any status changed.
    pub fn observe(&mut self, events: &[ActivityEvent]) -> bool {
        let mut changed = false;
        for e in events {
            if e.seq <= self.seen_seq {
                continue;
            }
            self.seen_seq = e.seq;
            if self.in_flight.is_some() {
                continue;
            }
            let Some(step) = self.current_step().cloned() else {
                continue;
            };
            if !self.matches(&step.action, e) {
                continue;
            }
            let i = self.current;
            changed = true;
            match check_event(&step.action, &step.expect, e) {
                Ok(note) => {
                    if matches!(step.action, Action::CreateGrant { .. })
                        && e.outcome == EventOutcome::Allowed
                    {
                        if let Some(message) = self.wrong_grant.take() {
                            // Not the grant the step asks for: the step stays, and says why.
                            self.created = None;
                            self.status[i] = StepStatus::Unexpected { message };
                            continue;
                        }
                        match self.created.take() {
                            Some(g) => self.capture(&step.action, &g),
                            None => self.awaiting_capture = Some(i),
                        }
                    }
                    self.done(i, Completion::Observed, note);
                }
                Err(message) => self.status[i] = StepStatus::Unexpected { message },
            }
        }
        changed
    }

    /// The UI created a grant (its CreateGrant dialog succeeded), with these parameters:
    /// the GrantId and token a create-grant step done through the UI captures, once the
    /// grant is the one the step asks for (grantee, operations, retiring principal,
    /// constraints); when it is not, the step stays and says what differs and how to go on.
    pub fn note_created_grant(&mut self, grant: &CreatedGrant, made: &CreateGrantInput) {
        let step = self.awaiting_capture.unwrap_or(self.current);
        let wrong = self.grant_differs(step, made);
        match self.awaiting_capture.take() {
            // Its CreateGrant call was observed first: the step was taken as done.
            Some(i) => match wrong {
                Some(message) => {
                    self.status[i] = StepStatus::Unexpected { message };
                    self.current = i;
                    self.created = None;
                }
                None => {
                    if let Some(action) = self.lesson.steps.get(i).map(|s| s.action.clone()) {
                        self.capture(&action, grant);
                    }
                }
            },
            None => {
                self.created = Some(grant.clone());
                self.wrong_grant = wrong;
            }
        }
    }

    /// How `made` differs from the grant step `index` asks for (None: it is that grant, or
    /// the step asks for no grant).
    fn grant_differs(&self, index: usize, made: &CreateGrantInput) -> Option<String> {
        let Ok(LessonRequest::CreateGrant(want)) = self.request(index) else {
            return None;
        };
        let ops = |o: &[crate::kms::GrantOperation]| {
            let mut v: Vec<&str> = o.iter().map(|o| o.as_str()).collect();
            v.sort_unstable();
            v.join(", ")
        };
        let constraint =
            |c: &Option<crate::kms::GrantConstraints>| match c.as_ref().filter(|c| !c.is_empty()) {
                None => "no constraint".to_string(),
                Some(c) => {
                    let show = |m: &crate::kms::EncryptionContext| {
                        let pairs: Vec<String> =
                            m.iter().map(|(k, v)| format!("{k}={v}")).collect();
                        pairs.join(", ")
                    };
                    match (&c.encryption_context_subset, &c.encryption_context_equals) {
                        (Some(s), _) => format!("EncryptionContextSubset {{{}}}", show(s)),
                        (_, Some(e)) => format!("EncryptionContextEquals {{{}}}", show(e)),
                        _ => "no constraint".to_string(),
                    }
                }
            };
        let mut differences = Vec::new();
        if made.grantee != want.grantee {
            differences.push(format!(
                "the grantee is {}, the step asks for {}",
                made.grantee.display_name(),
                want.grantee.display_name()
            ));
        }
        if ops(&made.operations) != ops(&want.operations) {
            differences.push(format!(
                "it allows {}, the step asks for {}",
                ops(&made.operations),
                ops(&want.operations)
            ));
        }
        if made.retiring != want.retiring {
            let name = |r: &Option<crate::kms::Principal>| {
                r.as_ref().map_or("none".to_string(), |p| p.display_name())
            };
            differences.push(format!(
                "the retiring principal is {}, the step asks for {}",
                name(&made.retiring),
                name(&want.retiring)
            ));
        }
        if constraint(&made.constraints) != constraint(&want.constraints) {
            differences.push(format!(
                "it has {}, the step asks for {}",
                constraint(&made.constraints),
                constraint(&want.constraints)
            ));
        }
        (!differences.is_empty()).then(|| {
            format!(
                "this is not the grant the step asks for: {}. Revoke it (x in the grants pane) and create the one the step asks for, or press n to have it made.",
                differences.join("; ")
            )
        })
    }

    /// The presenter selected a key and/or principal (ARNs). Completes a select step that
    /// asks for them, and a list-grants step of that key (selecting it lists its grants).
    pub fn observe_selection(
        &mut self,
        key_arn: Option<&str>,
        principal_arn: Option<&str>,
    ) -> bool {
        if self.in_flight.is_some() {
            return false;
        }
        let Some(step) = self.current_step() else {
            return false;
        };
        let key_ok = |k: &str| key_arn.is_some() && self.names.key_arn(k) == key_arn;
        let hit = match &step.action {
            Action::Select { key, principal, .. } => {
                key.as_deref().is_none_or(key_ok)
                    && principal.as_deref().is_none_or(|p| {
                        principal_arn.is_some_and(|a| self.names.principal_arn(p) == a)
                    })
            }
            Action::ListGrants { key } => key_ok(key),
            _ => false,
        };
        if hit {
            let note = "selected in the UI".to_string();
            self.done(self.current, Completion::Observed, note);
        }
        hit
    }

    /// The presenter advanced the simulator's clock by `by`: completes an advance-clock
    /// step asking for no more than that.
    pub fn observe_clock(&mut self, by: Duration) -> bool {
        let hit = match self.current_step().map(|s| &s.action) {
            Some(Action::AdvanceClock { by: want }) => {
                crate::kms::time::parse_duration(want).is_ok_and(|w| w <= by)
            }
            _ => false,
        };
        if hit && self.in_flight.is_none() {
            self.done(
                self.current,
                Completion::Observed,
                format!("advanced {by:?} in the UI"),
            );
        }
        hit && self.in_flight.is_none()
    }

    /// The presenter ran the audit in the UI: completes an audit step (findings checked).
    pub fn observe_audit(&mut self, report: &Report) -> bool {
        let Some(step) = self.current_step().cloned() else {
            return false;
        };
        if !matches!(step.action, Action::Audit) || self.in_flight.is_some() {
            return false;
        }
        let i = self.current;
        match check_report(&step.expect, report, &self.vars) {
            Ok(note) => self.done(i, Completion::Observed, note),
            Err(message) => self.status[i] = StepStatus::Unexpected { message },
        }
        true
    }

    /// Go back to step `index` (0-based) to do it again; it and the steps after it become
    /// pending. The world is not changed: a replayed step meets the world as it is now.
    pub fn replay(&mut self, index: usize) -> bool {
        if index >= self.lesson.steps.len() {
            return false;
        }
        self.generation += 1;
        self.in_flight = None;
        self.current = index;
        self.created = None;
        self.awaiting_capture = None;
        self.wrong_grant = None;
        for s in &mut self.status[index..] {
            *s = StepStatus::Pending;
        }
        true
    }

    /// Move past the current step whatever its status (the presenter's choice).
    pub fn skip(&mut self) {
        if !self.is_finished() {
            self.generation += 1;
            self.in_flight = None;
            self.advance();
        }
    }

    /// Back to the lesson's start: every step pending, nothing captured, and a fresh world
    /// (the caller puts it in place, e.g. `WorldControls::replace_world`).
    pub fn reset(&mut self) -> Result<World, LessonError> {
        let world = self.lesson.build_world()?;
        *self = LessonRun {
            generation: self.generation + 1,
            ..LessonRun::new(self.lesson.clone(), &world)
        };
        Ok(world)
    }

    fn matches(&self, action: &Action, e: &ActivityEvent) -> bool {
        if action.observed_operation() != Some(e.operation.as_str()) {
            return false;
        }
        let (key, who) = match action {
            Action::Encrypt {
                key, as_principal, ..
            }
            | Action::Decrypt {
                key, as_principal, ..
            } => (key, Some(as_principal)),
            Action::RetireGrant {
                key, as_principal, ..
            } => (key, as_principal.as_ref()),
            Action::CreateGrant { key, .. } | Action::RevokeGrant { key, .. } => (key, None),
            _ => return false,
        };
        let key_ok = e.key.is_some() && self.names.key_arn(key) == e.key.as_deref();
        key_ok && who.is_none_or(|w| self.names.caller_is(w, &e.caller))
    }

    fn capture(&mut self, action: &Action, g: &CreatedGrant) {
        if let Action::CreateGrant { save_as, .. } = action {
            let mut put = |k: String, v: &str| {
                self.vars.insert(k, v.to_string());
            };
            put("grant_id".into(), &g.grant_id);
            put("grant_token".into(), &g.grant_token);
            if let Some(p) = save_as {
                put(format!("{p}.grant_id"), &g.grant_id);
                put(format!("{p}.grant_token"), &g.grant_token);
            }
        }
    }

    fn done(&mut self, i: usize, how: Completion, note: String) {
        if let Some(s) = self.status.get_mut(i) {
            *s = StepStatus::Done { how, note };
        }
        if i == self.current {
            self.advance();
        }
    }

    fn advance(&mut self) {
        self.current += 1;
        self.created = None;
        self.wrong_grant = None;
    }
}
