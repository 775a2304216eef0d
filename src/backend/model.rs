//! The data the `Backend` trait speaks, in the KMS vocabulary: key, grant and principal
//! summaries as the panes show them, the typed inputs of the calls that change or test
//! something, and activity events with their verdict and WHY.

use crate::kms::time::from_epoch_seconds;
use crate::kms::{
    short_grant_id, GrantConstraints, GrantListEntry, GrantOperation, KeyRef, KeySpec, KeyState,
    Principal, Timestamp,
};

use super::BackendResult;

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
    /// The endpoint calls go to, when it is not AWS's own (`--endpoint-url`).
    pub endpoint: Option<String>,
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
    /// A multi-Region key's type, primary and replicas (issue #15, part C).
    pub multi_region: Option<crate::kms::multi_region::MultiRegionConfiguration>,
}

impl KeySummary {
    /// The region the key is in (its ARN's).
    pub fn region(&self) -> &str {
        self.arn.split(':').nth(3).unwrap_or_default()
    }

    /// The account the key is in (its ARN's).
    pub fn account(&self) -> &str {
        self.arn.split(':').nth(4).unwrap_or_default()
    }

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

/// One account in one region: what a backend across an organization reads separately
/// (each with the account's credentials and its own request rates).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Scope {
    pub account: String,
    pub region: String,
}

impl Scope {
    /// The scope a key (or any KMS resource) ARN names, when it is an ARN.
    pub fn of_arn(arn: &str) -> Option<Scope> {
        crate::kms::ids::Arn::parse(arn).map(|a| Scope {
            account: a.account.to_string(),
            region: a.region.to_string(),
        })
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.account, self.region)
    }
}

/// A scope (or a whole account, `region` None) that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnreadScope {
    pub account: String,
    pub region: Option<String>,
    pub why: String,
}

/// The scopes a backend across an organization reads, and the accounts it could not even
/// list the regions of.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScopePlan {
    pub scopes: Vec<Scope>,
    pub unread: Vec<UnreadScope>,
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
    /// The grant names its grantee as `GranteeServicePrincipal` (a service, acting for the
    /// resource of the grant's `SourceArn` constraint).
    pub grantee_is_service: bool,
    pub retiring: Option<String>,
    pub retiring_name: Option<String>,
    pub issuing_account: String,
    pub operations: Vec<GrantOperation>,
    pub constraints: Option<GrantConstraints>,
}

impl GrantSummary {
    /// A ListGrants entry in the panes' shape: the key id read from the entry's key ARN,
    /// the creation date from the API's epoch seconds, and the principals' short names
    /// (`names` gives them: a backend may know more than the ARN says, e.g. that the
    /// principal was deleted).
    pub fn from_entry(
        e: GrantListEntry,
        key_alias: Option<String>,
        names: impl Fn(&str) -> String,
    ) -> Self {
        let key_id = KeyRef::parse(&e.key_id)
            .key_id()
            .unwrap_or(&e.key_id)
            .to_string();
        let grantee = e.grantee().to_string();
        let grantee_is_service = e.grantee_service_principal.is_some();
        let retiring = e.retiring().map(str::to_string);
        Self {
            grantee_name: names(e.grantee()),
            retiring_name: e.retiring().map(&names),
            grant_id: e.grant_id,
            key_arn: e.key_id,
            key_id,
            key_alias,
            name: e.name,
            created: e.creation_date.and_then(from_epoch_seconds),
            grantee,
            grantee_is_service,
            retiring,
            issuing_account: e.issuing_account.unwrap_or_default(),
            operations: e.operations,
            constraints: e.constraints,
        }
    }

    /// The first 12 characters of the grant id.
    pub fn short_id(&self) -> &str {
        short_grant_id(&self.grant_id)
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

/// A CreateGrant request as the UI's form (or a lesson) builds it, typed: the strings
/// were parsed where they were typed or read.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateGrantInput {
    pub key: KeyRef,
    pub grantee: Principal,
    pub retiring: Option<Principal>,
    pub operations: Vec<GrantOperation>,
    pub constraints: Option<GrantConstraints>,
    pub name: Option<String>,
}

/// Who a call is made as when it is not the operator: a principal (the simulator acts as
/// it; AWS finds the configured profile that resolves to it), or a profile by name (AWS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Principal(Principal),
    Profile(String),
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Principal(p) => write!(f, "{p}"),
            Actor::Profile(p) => write!(f, "profile {p}"),
        }
    }
}

/// CreateGrant's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedGrant {
    pub grant_id: String,
    pub grant_token: String,
}

/// How a backend call ended, for the event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome {
    Allowed,
    Denied,
    /// A DryRun that would have succeeded (AWS's DryRunOperationException): nothing was done.
    DryRun,
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
