//! Every action with its key and label, and whether it changes the world. One table feeds
//! the action bar, the help screen and the key map (`keymap` says which are offered now),
//! so a hint is never out of date, and read-only mode removes mutating actions from all
//! three at once.

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
    /// Test a grant: perform (or DryRun) any operation a grant allows, as any principal.
    TestGrant,
    CopyGrantId,
    /// Copy the selected key's or principal's ARN (the caller's, in the event log).
    CopyArn,
    /// Sort the focused list by its next column (ascending, descending, then unsorted).
    Sort,
    NewKey,
    DisableKey,
    EnableKey,
    ScheduleKeyDeletion,
    CancelKeyDeletion,
    NewPrincipal,
    DeletePrincipal,
    AdvanceClock,
    /// Stop the simulator's clock (and `ThawClock` lets it run): a teacher's pause.
    FreezeClock,
    ThawClock,
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
    /// The scope selector (organization > account > region), across an organization.
    Scopes,
    CloseScopes,
    /// In the scope selector: the panes show the scope under the cursor.
    ChooseScope,
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
            TestGrant => 'e',
            CopyGrantId | CopyArn => 'y',
            Sort => 'o',
            NewKey => 'n',
            DisableKey | EnableKey => 'd',
            ScheduleKeyDeletion | CancelKeyDeletion => 'D',
            NewPrincipal => 'a',
            DeletePrincipal => 'D',
            AdvanceClock => '+',
            FreezeClock | ThawClock => 'p',
            StaleOnly | AllGrants => 's',
            Findings | CloseFindings => 'f',
            JumpToFinding => return Binding::Enter,
            RevokeFinding => 'x',
            LessonStep => 'n',
            LessonBack => 'b',
            LessonReset => 'R',
            Scopes | CloseScopes => 'S',
            ChooseScope => return Binding::Enter,
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
            TestGrant => "test a grant",
            CopyGrantId => "copy id",
            CopyArn => "copy ARN",
            Sort => "sort",
            NewKey => "new key",
            DisableKey => "disable key",
            EnableKey => "enable key",
            ScheduleKeyDeletion => "delete key",
            CancelKeyDeletion => "cancel deletion",
            NewPrincipal => "new principal",
            DeletePrincipal => "delete principal",
            AdvanceClock => "clock +5m",
            FreezeClock => "freeze time",
            ThawClock => "run time",
            StaleOnly => "stale only",
            AllGrants => "all grants",
            Findings => "findings",
            CloseFindings => "close findings",
            JumpToFinding => "go to grant",
            RevokeFinding => "revoke",
            LessonStep => "step",
            LessonBack => "back/replay",
            LessonReset => "reset lesson",
            Scopes => "scopes",
            CloseScopes => "close scopes",
            ChooseScope => "show scope",
        }
    }

    /// Does it change the world? (Removed in read-only mode.) Testing a grant stays:
    /// in read-only mode its CreateGrant and RetireGrant are DryRuns only.
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
                | FreezeClock
                | ThawClock
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
                | FreezeClock
                | ThawClock
        )
    }
}

/// The lesson's keys, first in lesson mode (so `n` is the step key, not "new key").
pub const LESSON_ACTIONS: [Action; 3] =
    [Action::LessonStep, Action::LessonBack, Action::LessonReset];
