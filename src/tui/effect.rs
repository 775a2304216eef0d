//! What a feature (a dialog, the findings view, the lesson) asks of the rest of the UI.
//! Features own their state and never touch the model around them: they answer a key or
//! an answer with `Effect`s, and `effects::apply` carries them out on the model. That is
//! what keeps the features free of one another and of the dispatcher.

use super::message::Work;
use crate::kms::GrantId;

/// A grant token obtained in this session (offered in the test-a-grant dialog).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownToken {
    pub key_id: String,
    pub grant_id: String,
    pub token: String,
}

/// What a confirmation confirms.
// One exists at a time (in the open dialog): boxing would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ConfirmAction {
    /// Backend work (revoke, retire, a key state, deleting a principal).
    Run(Work),
    /// Back to the lesson's start: a fresh world, every step pending.
    ResetLesson,
    /// Leave grantscope.
    Quit,
}

/// A confirmation to ask: its title, what it will do, the verb on its button and the
/// action it carries. Its default (and Esc) is always "Cancel".
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmRequest {
    pub title: String,
    pub lines: Vec<String>,
    pub verb: &'static str,
    pub action: ConfirmAction,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Close the open dialog.
    CloseDialog,
    /// Run backend work (in the slot `Work::slot` names).
    Run(Work),
    /// Put text on the clipboard.
    Copy(String),
    Info(String),
    Error(String),
    /// Ask before doing something.
    Confirm(ConfirmRequest),
    /// A confirmation was accepted.
    Confirmed(ConfirmAction),
    /// Select a key and then, when given, one of its grants (a finding's).
    GoToGrant {
        key_arn: String,
        grant_id: Option<String>,
        /// Said in the status line once there.
        note: String,
        /// The grant is not stale (an informational finding): show every grant.
        informational: bool,
    },
    /// Select a key and/or principal as a presenter would (a lesson's select step).
    Select {
        key: Option<String>,
        principal: Option<String>,
        grant: Option<GrantId>,
    },
    /// Remember a grant token for testing a grant.
    Token(KnownToken),
    OpenFindings,
    /// Reload every pane and rerun the audit (after a change).
    Reload,
    /// The world was replaced: the panes, the event log and the tokens start over.
    ForgetWorld,
}
