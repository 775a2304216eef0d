//! Classroom lessons (issue #7): data files under `assets/lessons/` that walk a class
//! through KMS grants step by step on the simulator. Layering: `lesson -> backend, sim,
//! audit, kms`; nothing here knows the terminal.
//!
//! - `schema`: the file format; `load`: shipped lessons, paths, validation.
//! - `request`: what a step asks of a backend (`LessonRequest`), the async `perform`
//!   helper the UI and the tests share, and what came back (`LessonResult`).
//! - `run`: `LessonRun`, the runner as plain state: current step, captured variables,
//!   per-step status, step key, observation of the UI's activity, replay and reset.

pub mod expect;
pub mod load;
pub mod placeholders;
pub mod request;
pub mod run;
pub mod schema;

use chrono::Utc;

use crate::backend::{BackendResult, SimBackend};
use crate::sim::{Clock, Scenario, SharedSimulator, Simulator, World};

pub use request::{perform, LessonRequest, LessonResult, Names, Performed, RoundTrip};
pub use run::{Completion, LessonRun, StepKey, StepStatus, Ticket};
pub use schema::{Action, Expect, FindingSpec, Verdict};

/// A lesson that loaded and validated.
#[derive(Debug, Clone)]
pub struct Lesson {
    /// The file stem (`walkthrough`).
    pub name: String,
    /// Where it came from, for messages (`assets/lessons/walkthrough.toml`).
    pub file: String,
    pub title: String,
    pub summary: String,
    /// The world the lesson starts from, with the lesson's setup and propagation delay.
    pub scenario: Scenario,
    pub steps: Vec<Step>,
}

/// One validated step.
#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub narration: String,
    /// The equivalent AWS CLI command, placeholders unfilled.
    pub cli: Option<String>,
    pub action: Action,
    pub expect: Expect,
}

/// A lesson that cannot be loaded or started: the file, the step (1-based number and id)
/// when one is at fault, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct LessonError {
    pub file: String,
    pub step: Option<(usize, String)>,
    pub message: String,
}

impl LessonError {
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            step: None,
            message: message.into(),
        }
    }

    /// An error in the step at `index` (0-based; shown 1-based).
    pub fn step(file: &str, index: usize, id: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            step: Some((index + 1, id.to_string())),
            message: message.into(),
        }
    }

    fn render(&self) -> String {
        match &self.step {
            Some((n, id)) => format!("{}: step {n} {id:?}: {}", self.file, self.message),
            None => format!("{}: {}", self.file, self.message),
        }
    }
}

impl Lesson {
    /// A fresh world at the lesson's start. The clock is manual (it moves only when a
    /// step or the presenter advances it), so "not propagated yet" stays true until the
    /// lesson says otherwise, however long the class talks.
    pub fn build_world(&self) -> Result<World, LessonError> {
        self.build_world_at(Utc::now())
    }

    /// The same, with the manual clock starting at `now` (screens that must not change
    /// from run to run, e.g. snapshots).
    pub fn build_world_at(&self, now: crate::kms::Timestamp) -> Result<World, LessonError> {
        self.scenario
            .build_with_clock(Clock::manual(now))
            .map_err(|e| LessonError::file(&self.file, e.to_string()))
    }

    /// The runner and the world it starts on.
    pub fn start(&self) -> Result<(LessonRun, World), LessonError> {
        let world = self.build_world()?;
        Ok((LessonRun::new(self.clone(), &world), world))
    }

    /// `start`, with the world's clock at `now`.
    pub fn start_at(&self, now: crate::kms::Timestamp) -> Result<(LessonRun, World), LessonError> {
        let world = self.build_world_at(now)?;
        Ok((LessonRun::new(self.clone(), &world), world))
    }
}

/// The simulator backend (acting as the scenario's administrator) over a lesson's world:
/// what the UI and `lesson --check` run on. A reset swaps a fresh world in through its
/// world controls (`WorldControls::replace_world`).
pub fn backend_for(world: World, source: &str) -> BackendResult<SimBackend> {
    SimBackend::new(SharedSimulator::new(Simulator::new(world)), source, None)
}
