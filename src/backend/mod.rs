//! The async `Backend` trait the terminal UI talks to, and its data types in the KMS
//! vocabulary: key, grant and principal summaries, test-encrypt outcomes, activity events,
//! and `BackendError`, which carries AWS's error code and message.
//!
//! The UI holds an `Arc<dyn Backend>` and calls it only from spawned tasks. Implementations:
//! `sim` (the bundled simulator) and `aws` (aws-sdk-kms against an account, or a
//! KMS-compatible endpoint such as `grantscope serve`). The world controls (principals,
//! key states, the clock) are simulator-only and answer `UnsupportedOperationException` by
//! default.

pub mod aws;
pub mod sim;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use crate::kms::inventory::Inventory;
use crate::kms::{GrantConstraints, GrantOperation, KeySpec, KeyState, KmsError};
use crate::sim::Timestamp;

pub use aws::AwsBackend;
pub use sim::SimBackend;

/// An error as the backend reports it: AWS's error code (`AccessDeniedException`) and its
/// message. Codes are strings so that an AWS backend can pass through codes the simulator
/// never produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendError {
    pub code: String,
    pub message: String,
}

impl BackendError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn unsupported(what: &str) -> Self {
        Self::new(
            "UnsupportedOperationException",
            format!("{what} is only available on the simulator backend."),
        )
    }

    pub fn is_access_denied(&self) -> bool {
        self.code == "AccessDeniedException"
    }
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            f.write_str(&self.code)
        } else {
            write!(f, "{}: {}", self.code, self.message)
        }
    }
}

impl std::error::Error for BackendError {}

impl From<KmsError> for BackendError {
    fn from(e: KmsError) -> Self {
        Self::new(e.code.as_str(), e.message)
    }
}

pub type BackendResult<T> = Result<T, BackendError>;

/// What the status line shows about the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendInfo {
    /// "simulator" or "aws".
    pub kind: String,
    /// The scenario name (simulator) or profile (AWS).
    pub source: String,
    pub account: String,
    pub region: String,
    /// The operator's identity: the ARN every UI call is made as.
    pub identity: String,
    /// Does this backend offer the world's controls (principals, key states, clock)?
    pub world_controls: bool,
}

/// One key, as the keys pane lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeySummary {
    pub key_id: String,
    pub arn: String,
    /// Alias names (`alias/NAME`), sorted.
    pub aliases: Vec<String>,
    pub description: String,
    pub state: KeyState,
    pub spec: KeySpec,
    pub usage: String,
    pub manager: String,
    pub created: Timestamp,
    pub deletion_date: Option<Timestamp>,
    /// Listed (not retired or revoked) grants.
    pub grant_count: usize,
}

impl KeySummary {
    /// The first 8 characters of the key id, for narrow columns.
    pub fn short_id(&self) -> &str {
        self.key_id.get(..8).unwrap_or(&self.key_id)
    }

    /// The first alias, or the short id.
    pub fn label(&self) -> &str {
        self.aliases
            .first()
            .map(String::as_str)
            .unwrap_or_else(|| self.short_id())
    }
}

/// The keys of the account as `list_keys` gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyList {
    pub keys: Vec<KeySummary>,
    /// true when only ids, ARNs and aliases are known yet (AWS: ListKeys + ListAliases):
    /// state, spec, usage, manager, description, dates and grant counts are placeholders
    /// until `describe_keys` fills them in.
    pub details_later: bool,
}

/// One key's details from `describe_keys`, or why they could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyDetail {
    pub key_id: String,
    pub result: BackendResult<KeySummary>,
}

/// The principals pane's rows, and what could not be listed (e.g. IAM users and roles
/// when the caller may not list them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PrincipalList {
    pub principals: Vec<PrincipalSummary>,
    pub note: Option<String>,
}

/// One grant, as ListGrants reports it, with the principals' friendly names resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantSummary {
    pub grant_id: String,
    /// The key ARN.
    pub key_arn: String,
    /// The key id (the last part of the ARN).
    pub key_id: String,
    /// The key's first alias, if any (for the principal view across keys).
    pub key_alias: Option<String>,
    /// "" when unnamed.
    pub name: String,
    pub created: Option<Timestamp>,
    /// As ListGrants shows it: the ARN, or the IAM unique id of a deleted principal.
    pub grantee: String,
    /// A short name for the grantee (`granttestuser`, `deleted AIDA...`, `ec2.amazonaws.com`).
    pub grantee_name: String,
    pub retiring: Option<String>,
    pub retiring_name: Option<String>,
    pub issuing_account: String,
    pub operations: Vec<GrantOperation>,
    pub constraints: Option<GrantConstraints>,
}

impl GrantSummary {
    /// The first 12 characters of the grant id.
    pub fn short_id(&self) -> &str {
        self.grant_id.get(..12).unwrap_or(&self.grant_id)
    }
}

/// A page of ListGrants.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantPage {
    pub grants: Vec<GrantSummary>,
    /// Present when more grants follow.
    pub next_marker: Option<String>,
}

/// What kind of principal a row of the principals pane is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKindLabel {
    User,
    Role,
    Root,
    Service,
    AssumedRole,
    /// A principal that no longer exists: grants name its unique id.
    Deleted,
}

impl PrincipalKindLabel {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKindLabel::User => "user",
            PrincipalKindLabel::Role => "role",
            PrincipalKindLabel::Root => "root",
            PrincipalKindLabel::Service => "service",
            PrincipalKindLabel::AssumedRole => "session",
            PrincipalKindLabel::Deleted => "deleted",
        }
    }
}

/// A principal of the world (or one that grants name).
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalSummary {
    pub kind: PrincipalKindLabel,
    pub name: String,
    /// The string grants name it by (ARN, service name, or unique id when deleted).
    pub arn: String,
    pub unique_id: Option<String>,
    pub account: Option<String>,
    /// Names of attached IAM policies.
    pub policies: Vec<String>,
    /// Listed grants it holds as grantee, across all keys.
    pub grant_count: usize,
}

impl PrincipalSummary {
    /// The principals pane's order: by kind, then name; the ARN breaks ties (the same name
    /// in two accounts), so the order never depends on how the list was gathered.
    pub fn sort(list: &mut [PrincipalSummary]) {
        list.sort_by(|a, b| (a.kind as u8, &a.name, &a.arn).cmp(&(b.kind as u8, &b.name, &b.arn)));
    }
}

/// A CreateGrant request as the UI's form builds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CreateGrantInput {
    pub key_id: String,
    pub grantee: String,
    pub retiring: Option<String>,
    pub operations: Vec<GrantOperation>,
    pub constraints: Option<GrantConstraints>,
    pub name: Option<String>,
}

/// CreateGrant's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedGrant {
    pub grant_id: String,
    pub grant_token: String,
}

/// Encrypt as a chosen principal, then decrypt the result as the same principal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TestEncryptInput {
    pub key_id: String,
    /// The principal to act as (ARN or name).
    pub as_principal: String,
    pub plaintext: String,
    pub grant_tokens: Vec<String>,
    pub encryption_context: crate::kms::EncryptionContext,
}

/// A successful test-encrypt: the ciphertext and the decrypt round trip (which may itself
/// be denied, e.g. when a grant allows Encrypt only).
#[derive(Debug, Clone, PartialEq)]
pub struct EncryptOutcome {
    /// Who the calls were made as (the principal, or the ARN a profile resolved to).
    pub caller: String,
    pub key_arn: String,
    pub ciphertext_base64: String,
    pub decrypt: Result<String, BackendError>,
}

/// How a backend call ended, for the event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome {
    Allowed,
    Denied,
    Failed(String),
}

/// One backend call in the event log: who, what, the verdict and WHY.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityEvent {
    pub seq: u64,
    pub time: Timestamp,
    pub caller: String,
    pub operation: String,
    pub key: Option<String>,
    pub outcome: EventOutcome,
    pub why: String,
}

/// The simulator's key-state controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStateChange {
    Enable,
    Disable,
    ScheduleDeletion { days: u32 },
    CancelDeletion,
}

/// The backend the UI runs on. Object-safe: the UI holds `Arc<dyn Backend>`.
#[async_trait]
pub trait Backend: Send + Sync {
    /// Static facts for the status line.
    fn info(&self) -> BackendInfo;

    /// The backend's idea of now (the simulator's clock may be manual or advanced).
    fn now(&self) -> Timestamp;

    /// The keys of the account, with aliases, state and grant counts (or, when
    /// `details_later`, only what a quick listing gives).
    async fn list_keys(&self) -> BackendResult<KeyList>;

    /// The full summaries of these keys (DescribeKey and grant counts), for a `KeyList`
    /// that said `details_later`. The UI asks in small batches and shows its progress.
    async fn describe_keys(&self, _key_ids: Vec<String>) -> BackendResult<Vec<KeyDetail>> {
        Ok(vec![])
    }

    /// One page of the grants of a key (`marker` from the previous page).
    async fn list_grants(&self, key_id: &str, marker: Option<String>) -> BackendResult<GrantPage>;

    /// Principals of the account (and the ones grants name), with how many grants each holds.
    async fn list_principals(&self) -> BackendResult<PrincipalList>;

    /// The grants a principal holds as grantee, across all keys.
    async fn grants_of_principal(&self, principal: &str) -> BackendResult<Vec<GrantSummary>>;

    async fn create_grant(&self, input: CreateGrantInput) -> BackendResult<CreatedGrant>;

    async fn revoke_grant(&self, key_id: &str, grant_id: &str) -> BackendResult<()>;

    /// Retire a grant, as `as_principal` when given (the retiring principal or grantee),
    /// otherwise as the operator.
    async fn retire_grant(
        &self,
        key_id: &str,
        grant_id: &str,
        as_principal: Option<String>,
    ) -> BackendResult<()>;

    /// Encrypt and decrypt as `input.as_principal`: a principal of the simulator, or a
    /// profile configured on this machine (AWS).
    async fn test_encrypt(&self, input: TestEncryptInput) -> BackendResult<EncryptOutcome>;

    /// The profiles test-encrypt (and retire) may act as, when acting as someone else means
    /// using their credentials (AWS). Empty: act as any principal (the simulator).
    fn acting_profiles(&self) -> Vec<String> {
        Vec::new()
    }

    /// Backend calls after sequence number `seq`, oldest first.
    async fn activity_since(&self, seq: u64) -> BackendResult<Vec<ActivityEvent>>;

    /// Every key of the account with its grants (the stale-grant audit's input). Heavy: the
    /// simulator builds it on a blocking thread, AWS lists every key's grants.
    async fn inventory(&self) -> BackendResult<Inventory> {
        Err(BackendError::new(
            "UnsupportedOperationException",
            "This backend cannot take an inventory.",
        ))
    }

    // ---- the world's controls (simulator only)

    async fn create_principal(&self, _user: bool, _name: &str) -> BackendResult<String> {
        Err(BackendError::unsupported("Creating principals"))
    }

    async fn delete_principal(&self, _principal: &str) -> BackendResult<()> {
        Err(BackendError::unsupported("Deleting principals"))
    }

    /// Create a symmetric key with the default key policy, and an alias if given.
    async fn create_key(
        &self,
        _description: &str,
        _alias: Option<String>,
    ) -> BackendResult<String> {
        Err(BackendError::unsupported("Creating keys"))
    }

    async fn change_key_state(&self, _key_id: &str, _change: KeyStateChange) -> BackendResult<()> {
        Err(BackendError::unsupported("Changing key states"))
    }

    async fn advance_clock(&self, _by: Duration) -> BackendResult<()> {
        Err(BackendError::unsupported("Advancing the clock"))
    }
}
