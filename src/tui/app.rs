//! The UI's model: everything the screen shows, in plain data. `update` changes it (through
//! the features and `effects`), the view only reads it. The panes' lists are `Rows`; the
//! dialogs, the findings view and the lesson keep their own state here; background work
//! is tracked in one place, `jobs`.

use std::collections::{HashMap, HashSet};

use crate::backend::{
    ActivityEvent, BackendInfo, GrantSummary, KeySummary, PrincipalKindLabel, PrincipalSummary,
};
use crate::kms::Timestamp;

use super::dialogs::{Choice, CliSession, Dialog};
use super::effect::KnownToken;
use super::findings::Findings;
use super::jobs::{Jobs, Slot};
use super::keys_overlay::KeyTrail;
use super::lesson::LessonUi;
use super::pane::Pane;
use super::rows::Rows;
use super::scopes::Scopes;
use super::text_field::TextField;
use super::theme::Theme;

/// Whose grants the grants pane shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantScope {
    None,
    Key { key_arn: String, label: String },
    Principal { arn: String, name: String },
}

/// A message in the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// Key details being filled in after a quick key list (AWS): which keys still show
/// placeholders, which could not be described, and the progress of the current round
/// (the round itself is the `KeyDetails` job).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyDetails {
    /// Keys not asked for yet in this round.
    pub queue: std::collections::VecDeque<String>,
    /// Keys never described: their row shows placeholders.
    pub pending: HashSet<String>,
    /// Keys whose details could not be read, with why.
    pub failed: HashMap<String, String>,
    pub done: usize,
    pub total: usize,
}

/// A grant to select once its key's grants are listed (going to a finding's grant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JumpTarget {
    pub key_arn: String,
    pub grant_id: String,
    /// Said once there.
    pub note: String,
}

/// The whole UI state.
#[derive(Debug)]
pub struct App {
    pub info: BackendInfo,
    /// The backend has world controls (the simulator).
    pub world_controls: bool,
    pub read_only: bool,
    pub now: Timestamp,
    pub focus: Pane,
    pub keys: Rows<KeySummary>,
    /// The listed keys are in more than one region: the keys pane shows a Region column
    /// and the key detail the key's region (`panes/keys.rs`).
    pub several_regions: bool,
    /// The listed keys are in more than one account: the keys pane shows an Account column.
    pub several_accounts: bool,
    /// The scopes of a backend across an organization, and which the panes show.
    pub scopes: Scopes,
    pub key_details: KeyDetails,
    pub grants: Rows<GrantSummary>,
    pub grant_scope: GrantScope,
    /// How much of a grant id tells the listed grants apart (`distinct_prefix_len`).
    pub grant_id_len: usize,
    pub principals: Rows<PrincipalSummary>,
    /// What the principals pane could not list (e.g. IAM users and roles).
    pub principals_note: Option<String>,
    /// Profiles a grant test may act as (AWS); empty: the principals pane's principals.
    pub acting_profiles: Vec<String>,
    pub events: Rows<ActivityEvent>,
    pub last_event_seq: u64,
    /// The focused pane's filter while it is being typed.
    pub filter: Option<TextField>,
    pub dialog: Option<Dialog>,
    pub status: Option<Status>,
    /// Background work in flight.
    pub jobs: Jobs,
    pub spinner: usize,
    pub tokens: Vec<KnownToken>,
    /// The stale-grant audit: its result, the stale-only toggle, the findings view.
    pub findings: Findings,
    pub jump: Option<JumpTarget>,
    /// A classroom lesson being presented (`grantscope lesson`), with its narration panel.
    pub lesson: Option<LessonUi>,
    /// The keys-pressed overlay (`--show-keys`, on in lessons).
    pub keys_trail: KeyTrail,
    pub theme: Theme,
    /// The simulator's clock stands still (a teacher's pause, or a lesson's manual clock).
    pub time_frozen: bool,
    /// Something this session changed in a simulated world (lost on quitting).
    pub changed: bool,
    /// Whom a grant test acted as last (it opens acting as them again).
    pub last_actor: Option<String>,
    /// The terminal's size as last reported (mouse clicks are placed with it).
    pub screen: ratatui::layout::Rect,
    pub should_quit: bool,
}

/// How many events the log keeps.
pub const EVENT_LOG_CAPACITY: usize = 1000;

impl App {
    pub fn new(info: BackendInfo, read_only: bool, now: Timestamp) -> Self {
        Self {
            info,
            world_controls: false,
            read_only,
            now,
            focus: Pane::Keys,
            keys: Rows::new(),
            several_regions: false,
            several_accounts: false,
            scopes: Scopes::default(),
            key_details: KeyDetails::default(),
            grants: Rows::new(),
            grant_scope: GrantScope::None,
            grant_id_len: 12,
            principals: Rows::new(),
            principals_note: None,
            acting_profiles: Vec::new(),
            events: Rows::new(),
            last_event_seq: 0,
            filter: None,
            dialog: None,
            status: None,
            jobs: Jobs::default(),
            spinner: 0,
            tokens: Vec::new(),
            findings: Findings::default(),
            jump: None,
            lesson: None,
            keys_trail: KeyTrail::default(),
            theme: Theme::default(),
            time_frozen: false,
            changed: false,
            last_actor: None,
            screen: ratatui::layout::Rect::default(),
            should_quit: false,
        }
    }

    pub fn selected_key(&self) -> Option<&KeySummary> {
        self.keys.selected()
    }

    pub fn selected_grant(&self) -> Option<&GrantSummary> {
        self.grants.selected()
    }

    pub fn selected_principal(&self) -> Option<&PrincipalSummary> {
        self.principals.selected()
    }

    /// The spinner turns.
    pub fn is_busy(&self) -> bool {
        self.jobs.busy()
    }

    /// The grants pane's listing is still coming in.
    pub fn grants_loading(&self) -> bool {
        self.jobs.running(Slot::Grants)
    }

    /// The stale-grant audit is running.
    pub fn auditing(&self) -> bool {
        self.jobs.running(Slot::Audit)
    }

    /// "key details 40/1000" while a round of key details runs.
    pub fn key_details_progress(&self) -> Option<String> {
        self.jobs.running(Slot::KeyDetails).then(|| {
            format!(
                "key details {}/{}",
                self.key_details.done, self.key_details.total
            )
        })
    }

    /// The principals a grant can name, for Up/Down in the forms (deleted ones aside).
    pub fn principal_choices(&self) -> Vec<Choice> {
        self.principals
            .all()
            .iter()
            .filter(|p| p.kind != PrincipalKindLabel::Deleted)
            .map(|p| (format!("{} {}", p.kind.as_str(), p.name), p.arn.clone()))
            .collect()
    }

    /// This session's grant tokens for a key, newest first, for Up/Down in a grant test.
    pub fn token_choices(&self, key_id: &str) -> Vec<Choice> {
        self.tokens
            .iter()
            .rev()
            .filter(|t| t.key_id == key_id)
            .map(|t| {
                (
                    format!("token of grant {}", crate::kms::short_grant_id(&t.grant_id)),
                    t.token.clone(),
                )
            })
            .collect()
    }

    /// How the equivalent AWS CLI commands reach what this session works on.
    pub fn cli_session(&self) -> CliSession {
        let aws = self.info.kind == "aws";
        CliSession {
            aws,
            profile: (aws && self.info.source != "default").then(|| self.info.source.clone()),
            region: aws.then(|| self.info.region.clone()),
            endpoint: self.info.endpoint.clone(),
        }
    }

    pub fn set_error(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: true,
        });
    }

    pub fn set_info(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }
}
