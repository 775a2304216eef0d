//! The actions each pane offers, with their keys and labels. One table feeds the action
//! bar, the help screen and the key map, so a hint is never out of date, and read-only
//! mode removes mutating actions from all three at once.

use crate::kms::KeyState;

use super::app::{App, Pane};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    Filter,
    Refresh,
    Detail,
    CreateGrant,
    RevokeGrant,
    RetireGrant,
    TestEncrypt,
    CopyGrantId,
    NewKey,
    DisableKey,
    EnableKey,
    ScheduleKeyDeletion,
    CancelKeyDeletion,
    NewPrincipal,
    DeletePrincipal,
    AdvanceClock,
    /// The grants pane shows only stale grants (and `AllGrants` turns it back).
    StaleOnly,
    AllGrants,
    /// The findings view across all keys.
    Findings,
    CloseFindings,
    /// In the findings view: select the finding's key and grant.
    JumpToFinding,
    /// In the findings view: revoke the finding's grant (after the confirmation).
    RevokeFinding,
    /// Lesson mode: perform the current step (the step key).
    LessonStep,
    /// Lesson mode: go back one step to replay it (the world stays as it is).
    LessonBack,
    /// Lesson mode: back to the lesson's start with a fresh world (after a confirmation).
    LessonReset,
}

/// The key that triggers an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    Char(char),
    Enter,
}

impl Binding {
    pub fn label(self) -> String {
        match self {
            Binding::Char(c) => c.to_string(),
            Binding::Enter => "enter".into(),
        }
    }
}

impl Action {
    pub fn binding(self) -> Binding {
        use Action::*;
        Binding::Char(match self {
            Quit => 'q',
            Help => '?',
            Filter => '/',
            Refresh => 'r',
            Detail => return Binding::Enter,
            CreateGrant => 'c',
            RevokeGrant => 'x',
            RetireGrant => 't',
            TestEncrypt => 'e',
            CopyGrantId => 'y',
            NewKey => 'n',
            DisableKey | EnableKey => 'd',
            ScheduleKeyDeletion | CancelKeyDeletion => 'D',
            NewPrincipal => 'a',
            DeletePrincipal => 'D',
            AdvanceClock => '+',
            StaleOnly | AllGrants => 's',
            Findings | CloseFindings => 'f',
            JumpToFinding => return Binding::Enter,
            RevokeFinding => 'x',
            LessonStep => 'n',
            LessonBack => 'b',
            LessonReset => 'R',
        })
    }

    pub fn label(self) -> &'static str {
        use Action::*;
        match self {
            Quit => "quit",
            Help => "help",
            Filter => "filter",
            Refresh => "refresh",
            Detail => "detail",
            CreateGrant => "create grant",
            RevokeGrant => "revoke",
            RetireGrant => "retire",
            TestEncrypt => "test-encrypt",
            CopyGrantId => "copy id",
            NewKey => "new key",
            DisableKey => "disable key",
            EnableKey => "enable key",
            ScheduleKeyDeletion => "delete key",
            CancelKeyDeletion => "cancel deletion",
            NewPrincipal => "new principal",
            DeletePrincipal => "delete principal",
            AdvanceClock => "clock +5m",
            StaleOnly => "stale only",
            AllGrants => "all grants",
            Findings => "findings",
            CloseFindings => "close findings",
            JumpToFinding => "go to grant",
            RevokeFinding => "revoke",
            LessonStep => "step",
            LessonBack => "back/replay",
            LessonReset => "reset lesson",
        }
    }

    /// Does it change the world? (Removed in read-only mode.) Test-encrypt changes no
    /// key, grant or policy, so it stays.
    pub fn mutating(self) -> bool {
        use Action::*;
        matches!(
            self,
            CreateGrant
                | RevokeGrant
                | RetireGrant
                | NewKey
                | DisableKey
                | EnableKey
                | ScheduleKeyDeletion
                | CancelKeyDeletion
                | NewPrincipal
                | DeletePrincipal
                | AdvanceClock
                | RevokeFinding
        )
    }

    /// Simulator-only world controls.
    pub fn world_control(self) -> bool {
        use Action::*;
        matches!(
            self,
            NewKey
                | DisableKey
                | EnableKey
                | ScheduleKeyDeletion
                | CancelKeyDeletion
                | NewPrincipal
                | DeletePrincipal
                | AdvanceClock
        )
    }
}

/// The lesson's keys, first in lesson mode (so `n` is the step key, not "new key").
pub const LESSON_ACTIONS: [Action; 3] =
    [Action::LessonStep, Action::LessonBack, Action::LessonReset];

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
    let stale_toggle = if app.audit.stale_only {
        AllGrants
    } else {
        StaleOnly
    };
    if app.audit.view_open {
        let mut v = Vec::new();
        if let Some(f) = app.audit.selected_finding() {
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
                v.extend([CreateGrant, TestEncrypt]);
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
            v.push(NewKey);
            v
        }
        Pane::Grants => {
            let mut v = vec![Detail];
            if app.selected_grant().is_some() {
                v.extend([RevokeGrant, RetireGrant, CopyGrantId]);
            }
            if has_key {
                v.extend([CreateGrant, TestEncrypt]);
            }
            v.push(stale_toggle);
            v
        }
        Pane::Principals => {
            let mut v = vec![Detail];
            if has_key {
                v.extend([CreateGrant, TestEncrypt]);
            }
            v.push(NewPrincipal);
            if app.selected_principal().is_some_and(|p| {
                p.unique_id.is_some() && p.kind != crate::backend::PrincipalKindLabel::Deleted
            }) {
                v.push(DeletePrincipal);
            }
            v
        }
        Pane::Events => vec![Detail],
    };
    pane.extend([Findings, Filter, Help, Quit, Refresh, AdvanceClock]);
    pane.retain(|a| {
        let removed_by_read_only = app.read_only && a.mutating();
        let unsupported = a.world_control() && !app.info.world_controls;
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
