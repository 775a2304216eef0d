//! Messages into the update function (what the person did, what the backend answered,
//! time passing) and commands out of it (backend work for the runtime to run).

use std::time::Duration;

use crate::audit::AuditConfig;
use crate::backend::{
    ActivityEvent, BackendResult, CreateGrantInput, CreatedGrant, EncryptOutcome, GrantPage,
    GrantSummary, KeyDetail, KeyList, KeyStateChange, PrincipalList, TestEncryptInput,
};
use crate::sim::Timestamp;

use super::actions::Action;
use super::audit_state::AuditOutcome;
use super::lesson_state::{LessonSim, LessonWorld};

/// A key press inside a dialog, already decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogKey {
    Char(char),
    Backspace,
    /// Tab: the next field.
    Next,
    /// Shift-Tab: the previous field.
    Prev,
    Up,
    Down,
    Left,
    Right,
    /// Enter.
    Submit,
    /// Esc.
    Cancel,
}

/// A key press while typing a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKey {
    Char(char),
    Backspace,
    /// Enter: keep the filter, leave typing.
    Done,
    /// Esc: clear the filter, leave typing.
    Cancel,
}

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
    /// An action of the action bar (only available ones reach update via input).
    Act(Action),
    Filter(FilterKey),
    Dialog(DialogKey),
    /// A second passed (spinner, ages, activity polling).
    Tick(Timestamp),
    // ---- backend results
    KeysLoaded(BackendResult<KeyList>),
    /// A batch of key details (AWS fills them in after the quick key list).
    KeysDescribed {
        generation: u64,
        result: BackendResult<Vec<KeyDetail>>,
    },
    GrantsLoaded {
        generation: u64,
        /// The first page replaces the list; later pages extend it.
        first_page: bool,
        result: BackendResult<GrantPage>,
    },
    PrincipalGrantsLoaded {
        generation: u64,
        result: BackendResult<Vec<GrantSummary>>,
    },
    PrincipalsLoaded(BackendResult<PrincipalList>),
    ActivityLoaded(BackendResult<Vec<ActivityEvent>>),
    GrantCreated {
        key_id: String,
        result: BackendResult<CreatedGrant>,
    },
    GrantRemoved {
        verb: &'static str,
        result: BackendResult<()>,
    },
    EncryptTested(BackendResult<EncryptOutcome>),
    WorldChanged {
        what: String,
        result: BackendResult<String>,
    },
    /// The stale-grant audit of run `generation`.
    AuditDone {
        generation: u64,
        result: BackendResult<std::sync::Arc<AuditOutcome>>,
    },
    // ---- lessons and presenter aids
    /// A key the presenter pressed, as the keys overlay shows it (`n`, `↓`, `Enter`).
    KeyPressed(String),
    /// Wall time since the UI started (the keys overlay fades with it).
    WallClock(Duration),
    /// The step key's request was performed.
    LessonStepDone {
        ticket: crate::lesson::Ticket,
        performed: crate::lesson::Performed,
    },
    /// The lesson's world was replaced by a fresh one (a reset).
    LessonReset(BackendResult<()>),
}

/// The world's controls (simulator only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorldCommand {
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
        key_id: String,
        change: KeyStateChange,
    },
    AdvanceClock(Duration),
}

/// Work for the runtime: backend calls (run as tasks, answered by a `Msg`) and terminal
/// effects.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    LoadKeys,
    /// Details of a batch of keys the key list left as placeholders.
    DescribeKeys {
        key_ids: Vec<String>,
        generation: u64,
    },
    LoadGrants {
        key_id: String,
        marker: Option<String>,
        generation: u64,
    },
    LoadPrincipalGrants {
        arn: String,
        generation: u64,
    },
    LoadPrincipals,
    LoadActivity {
        since: u64,
    },
    CreateGrant(CreateGrantInput),
    RevokeGrant {
        key_id: String,
        grant_id: String,
    },
    RetireGrant {
        key_id: String,
        grant_id: String,
        as_principal: Option<String>,
    },
    TestEncrypt(TestEncryptInput),
    World(WorldCommand),
    /// Take an inventory and audit it (on a blocking thread), answering `Msg::AuditDone`.
    RunAudit {
        generation: u64,
        config: AuditConfig,
    },
    /// Put text on the clipboard with OSC 52 (a terminal effect, no backend call).
    CopyToClipboard(String),
    /// Perform a lesson step's request (`lesson::perform`), answering `LessonStepDone`.
    LessonStep {
        ticket: crate::lesson::Ticket,
        request: crate::lesson::LessonRequest,
        since: u64,
        sim: LessonSim,
    },
    /// Replace the lesson simulator's world (a reset), answering `LessonReset`.
    LessonReset {
        sim: LessonSim,
        world: LessonWorld,
    },
}

impl Command {
    /// Does the spinner turn for this command? (Background polling does not.)
    pub fn shows_spinner(&self) -> bool {
        !matches!(
            self,
            Command::LoadActivity { .. } | Command::CopyToClipboard(_)
        )
    }
}
