//! What goes into the update function and what comes out of it. In: `Msg`, what the person
//! did, time passing, and a job's answer. Out: `Command`, a job for the runtime to run
//! (`Work` on the backend, answered by `Msg::Done` with an `Answer`) or a terminal effect.

use std::sync::Arc;
use std::time::Duration;

pub use super::audit_job::AuditRequest;
use crate::audit::{AuditConfig, IndexedReport};
use crate::backend::{
    ActivityEvent, Actor, BackendResult, CreateGrantInput, CreatedGrant, GrantPage, GrantSummary,
    KeyDetail, KeyList, KeyStateChange, PrincipalList, Scope, ScopePlan, TestCall, TestOutcome,
};
use crate::kms::{GrantId, KeyRef, Timestamp};
use crate::lesson::{LessonRequest, Performed, Ticket};
use crate::sim::World;

use super::actions::Action;
use super::jobs::{Job, Slot};
use super::rows::MaskRequest;

/// A key press, decoded: what dialogs, text fields and the filter act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    /// Ctrl + a letter (Ctrl-U clears a line, Ctrl-A/E go to its start/end...).
    Ctrl(char),
    Backspace,
    Delete,
    /// Tab: the next field.
    Next,
    /// Shift-Tab: the previous field.
    Prev,
    Up,
    Down,
    Left,
    Right,
    /// Ctrl-Left / Alt-b: a word back.
    WordLeft,
    /// Ctrl-Right / Alt-f: a word on.
    WordRight,
    Home,
    End,
    PageUp,
    PageDown,
    /// Enter.
    Submit,
    /// Esc.
    Cancel,
}

// Messages and commands are made a few at a time and moved once: their size costs
// nothing, boxing their payloads would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    // ---- navigation
    FocusNext,
    FocusPrev,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Esc outside dialogs: leave the filter, or go back to the keys pane.
    Back,
    /// Ctrl-C: leave at once, whatever is open.
    Quit,
    /// An action of the action bar (only available ones reach update via input).
    Act(Action),
    /// A key while the filter is being typed.
    Filter(Key),
    /// A key inside the open dialog.
    Dialog(Key),
    /// Text pasted into the terminal (bracketed paste): goes to the field being typed in.
    Paste(String),
    /// The terminal's size (at the start and on every resize): where a click lands.
    Resize(u16, u16),
    /// A click (left button) at this column and row.
    Click {
        column: u16,
        row: u16,
    },
    /// The mouse wheel over this column and row, `down` or up.
    Wheel {
        column: u16,
        row: u16,
        down: bool,
    },
    // ---- time
    /// A second passed (spinner, ages, activity polling), with the backend's clock.
    Tick(Timestamp),
    /// Wall time since the UI started (the keys overlay fades with it).
    WallClock(Duration),
    /// A key the presenter pressed, as the keys overlay shows it (`n`, `↓`, `Enter`).
    KeyPressed(String),
    // ---- answers
    /// How a running audit's CloudTrail look-up goes: keys done of all.
    EvidenceProgress {
        job: Job,
        done: usize,
        total: usize,
    },
    /// A job's answer.
    Done {
        job: Job,
        work: Work,
        result: BackendResult<Answer>,
    },
}

/// What the runtime does for the update function.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Run `work` on the backend as a task; its answer comes back as `Msg::Done`.
    Run { job: Job, work: Work },
    /// Put text on the clipboard (OSC 52): a terminal effect, no backend call.
    Copy(String),
}

/// A change to the simulated world (its controls; simulator only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorldChange {
    CreatePrincipal {
        user: bool,
        name: String,
    },
    DeletePrincipal {
        arn: String,
    },
    CreateKey {
        description: String,
        alias: Option<String>,
    },
    KeyState {
        key: KeyRef,
        change: KeyStateChange,
    },
    AdvanceClock(Duration),
    /// Stop (`true`) or restart the simulator's clock.
    FreezeClock(bool),
}

impl WorldChange {
    /// What the status line says once it is done.
    pub fn done_text(&self) -> String {
        match self {
            WorldChange::CreatePrincipal { user, name } => {
                format!("Created {} {name}", if *user { "user" } else { "role" })
            }
            WorldChange::DeletePrincipal { arn } => format!("Deleted {arn}"),
            WorldChange::CreateKey { .. } => "Created key".into(),
            WorldChange::KeyState { key, change } => {
                let verb = match change {
                    KeyStateChange::Enable => "Enabled",
                    KeyStateChange::Disable => "Disabled",
                    KeyStateChange::ScheduleDeletion { .. } => "Scheduled the deletion of",
                    KeyStateChange::CancelDeletion => "Cancelled the deletion of",
                };
                format!("{verb} {key}")
            }
            WorldChange::AdvanceClock(by) => format!(
                "Advanced the simulator's clock by {}",
                humantime::format_duration(*by)
            ),
            WorldChange::FreezeClock(true) => {
                "Time is frozen: new grants wait to propagate until it runs again (p)".into()
            }
            WorldChange::FreezeClock(false) => "Time runs again".into(),
        }
    }

    /// What the status line says when the change could not be made.
    pub fn failure_text(&self) -> String {
        match self {
            WorldChange::CreatePrincipal { user, name } => {
                format!(
                    "Could not create {} {name}",
                    if *user { "user" } else { "role" }
                )
            }
            WorldChange::DeletePrincipal { arn } => format!("Could not delete {arn}"),
            WorldChange::CreateKey { .. } => "Could not create a key".into(),
            WorldChange::KeyState { key, change } => {
                let verb = match change {
                    KeyStateChange::Enable => "enable",
                    KeyStateChange::Disable => "disable",
                    KeyStateChange::ScheduleDeletion { .. } => "schedule the deletion of",
                    KeyStateChange::CancelDeletion => "cancel the deletion of",
                };
                format!("Could not {verb} {key}")
            }
            WorldChange::AdvanceClock(_) => "Could not advance the simulator's clock".into(),
            WorldChange::FreezeClock(true) => "Could not freeze the simulator's clock".into(),
            WorldChange::FreezeClock(false) => "Could not let time run".into(),
        }
    }
}

/// A fresh world on its way to the simulator (a lesson's reset). Compared by identity:
/// commands are compared in tests by what they ask.
#[derive(Clone)]
pub struct FreshWorld(pub Arc<World>);

impl std::fmt::Debug for FreshWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FreshWorld(..)")
    }
}

impl PartialEq for FreshWorld {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Backend work.
#[derive(Debug, Clone, PartialEq)]
pub enum Work {
    ListKeys,
    /// The scopes of a backend across an organization (discovered on the first ask).
    ListScopes,
    /// The keys of one scope, complete.
    ListKeysIn(Scope),
    /// Details of a batch of keys the key list left as placeholders.
    DescribeKeys(Vec<String>),
    ListGrants {
        key: KeyRef,
        marker: Option<String>,
    },
    /// The grants a principal holds, across keys.
    GrantsOf {
        principal: String,
    },
    ListPrincipals,
    Activity {
        since: u64,
    },
    CreateGrant(CreateGrantInput),
    RevokeGrant {
        key: KeyRef,
        grant: GrantId,
    },
    RetireGrant {
        key: KeyRef,
        grant: GrantId,
        actor: Option<Actor>,
    },
    /// Test a grant operation as a principal (the test-a-grant dialog).
    TestGrant(TestCall),
    World(WorldChange),
    /// Take an inventory (with CloudTrail's evidence when asked) and audit it.
    Audit(AuditRequest),
    /// Work out which grants of the grants pane pass its filter (stale only): a long list's
    /// answers are worked out off the UI thread.
    GrantMask(MaskRequest<GrantSummary>),
    /// Perform a lesson step's request (`lesson::perform`).
    LessonStep {
        ticket: Ticket,
        request: LessonRequest,
        since: u64,
        audit: AuditConfig,
    },
    /// Put a fresh world in place (a lesson's reset).
    ReplaceWorld(FreshWorld),
}

impl Work {
    /// The slot its job runs in.
    pub fn slot(&self) -> Slot {
        match self {
            Work::ListKeys | Work::ListScopes | Work::ListKeysIn(_) => Slot::Keys,
            Work::DescribeKeys(_) => Slot::KeyDetails,
            Work::ListGrants { .. } | Work::GrantsOf { .. } => Slot::Grants,
            Work::ListPrincipals => Slot::Principals,
            Work::Activity { .. } => Slot::Activity,
            Work::Audit(_) => Slot::Audit,
            Work::GrantMask(_) => Slot::Mask,
            Work::LessonStep { .. } => Slot::Lesson,
            Work::ReplaceWorld(_) => Slot::Reset,
            Work::CreateGrant(_)
            | Work::RevokeGrant { .. }
            | Work::RetireGrant { .. }
            | Work::TestGrant(_)
            | Work::World(_) => Slot::Change,
        }
    }

    /// What the status line says when it fails (before the error itself).
    pub fn failure_text(&self) -> String {
        match self {
            Work::ListKeys => "Could not list keys".into(),
            Work::ListScopes => "Could not list the accounts and regions to read".into(),
            Work::ListKeysIn(scope) => format!("Could not read {scope}"),
            Work::DescribeKeys(ids) => {
                format!(
                    "Could not describe {}",
                    crate::kms::words::count(ids.len(), "key")
                )
            }
            Work::ListGrants { .. } => "Could not list grants".into(),
            Work::GrantsOf { .. } => "Could not list the principal's grants".into(),
            Work::ListPrincipals => "Could not list principals".into(),
            Work::Activity { .. } => "Could not read the activity log".into(),
            Work::CreateGrant(_) => "CreateGrant failed".into(),
            Work::RevokeGrant { .. } | Work::RetireGrant { .. } => {
                "The grant was not removed".into()
            }
            Work::TestGrant(call) => format!(
                "The {} test could not be made",
                crate::backend::api_name(call.operation)
            ),
            Work::World(change) => change.failure_text(),
            Work::Audit(_) => "The stale-grant audit failed".into(),
            Work::GrantMask(_) => "Could not filter the grants".into(),
            Work::LessonStep { .. } => "The lesson step failed".into(),
            Work::ReplaceWorld(_) => "The lesson could not be reset".into(),
        }
    }
}

/// What a job came back with (the error of a failed one is `Msg::Done`'s `Err`).
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Keys(KeyList),
    Scopes(ScopePlan),
    KeyDetails(Vec<KeyDetail>),
    GrantPage(GrantPage),
    Grants(Vec<GrantSummary>),
    Principals(PrincipalList),
    Activity(Vec<ActivityEvent>),
    Created(CreatedGrant),
    Tested(TestOutcome),
    /// A change with nothing to return (revoke, retire, a world change); the text says
    /// what it made, when it made something (a key id, a principal's ARN).
    Done(String),
    Audited(Arc<IndexedReport>),
    /// A `GrantMask`'s answers: for the grants list of `revision`, which pass.
    Mask {
        revision: u64,
        passes: Vec<bool>,
    },
    LessonStep(Performed),
}
