//! The lesson file format (TOML, documented in `assets/lessons/README.md`): a title, the
//! scenario the lesson starts from, principals its setup adds, and the steps. Each step
//! narrates, shows the equivalent AWS CLI command, names the action the step key performs
//! and the outcome the lesson expects. Unknown fields are errors everywhere.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::sim::scenario::ConstraintSpec;
use crate::sim::PrincipalKind;

/// A lesson file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonFile {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// A bundled scenario name (`classroom`, `stale-grants`) or a path, relative to the
    /// lesson file, of a scenario file.
    pub scenario: String,
    /// Overrides the scenario's propagation delay (e.g. "5s").
    #[serde(default)]
    pub propagation_delay: Option<String>,
    #[serde(default)]
    pub setup: Setup,
    #[serde(default)]
    pub steps: Vec<StepSpec>,
}

/// What the lesson adds to the scenario's world before the first step.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    #[serde(default)]
    pub principals: Vec<SetupPrincipal>,
}

/// A principal (no policies) created in the home account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupPrincipal {
    pub name: String,
    #[serde(default = "user_kind")]
    pub kind: PrincipalKind,
}

fn user_kind() -> PrincipalKind {
    PrincipalKind::User
}

/// One step of a lesson.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// Unique within the lesson (`create-grant`).
    pub id: String,
    pub title: String,
    /// What is about to happen and why, for the class.
    pub narration: String,
    /// The equivalent AWS CLI command, with placeholders (`{key}`, `{grant_token}`).
    #[serde(default)]
    pub cli: Option<String>,
    /// What the step key does; absent: a narration-only step.
    #[serde(default)]
    pub action: Option<Action>,
    /// The outcome the lesson expects; absent: allowed.
    #[serde(default)]
    pub expect: Option<Expect>,
}

/// What a step does, tagged by `do`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Action {
    /// Nothing: the step only narrates.
    Narrate,
    /// Encrypt (and decrypt the result) as a principal.
    Encrypt {
        key: String,
        #[serde(rename = "as")]
        as_principal: String,
        #[serde(default = "hello")]
        plaintext: String,
        /// Grant tokens to present, usually `["{grant_token}"]`.
        #[serde(default)]
        grant_tokens: Vec<String>,
        #[serde(default)]
        context: BTreeMap<String, String>,
    },
    /// Encrypt then Decrypt as a principal; the expectation is about the Decrypt call.
    Decrypt {
        key: String,
        #[serde(rename = "as")]
        as_principal: String,
        #[serde(default = "hello")]
        plaintext: String,
        #[serde(default)]
        grant_tokens: Vec<String>,
        #[serde(default)]
        context: BTreeMap<String, String>,
    },
    /// CreateGrant as the operator; captures `{grant_id}` and `{grant_token}` (and
    /// `{NAME.grant_id}`, `{NAME.grant_token}` with `save_as = "NAME"`).
    CreateGrant {
        key: String,
        grantee: String,
        operations: Vec<String>,
        #[serde(default)]
        retiring: Option<String>,
        #[serde(default)]
        constraints: Option<ConstraintSpec>,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        save_as: Option<String>,
    },
    /// ListGrants of a key, as the operator.
    ListGrants { key: String },
    /// RevokeGrant as the operator (the key administrator).
    RevokeGrant { key: String, grant: String },
    /// RetireGrant as a principal (default: the operator).
    RetireGrant {
        key: String,
        grant: String,
        #[serde(default, rename = "as")]
        as_principal: Option<String>,
    },
    /// Move the simulator's clock forward ("5s"), e.g. to let a grant change propagate.
    AdvanceClock { by: String },
    /// Select a key and/or a principal in the UI; with `grant` (a GrantId, or a
    /// placeholder such as `{grant_id}`), that grant of the key is selected too.
    Select {
        #[serde(default)]
        key: Option<String>,
        #[serde(default)]
        principal: Option<String>,
        #[serde(default)]
        grant: Option<String>,
    },
    /// Run the stale-grant audit over the world.
    Audit,
}

fn hello() -> String {
    "hello".to_string()
}

impl Action {
    /// The `do` tag, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Narrate => "narrate",
            Action::Encrypt { .. } => "encrypt",
            Action::Decrypt { .. } => "decrypt",
            Action::CreateGrant { .. } => "create-grant",
            Action::ListGrants { .. } => "list-grants",
            Action::RevokeGrant { .. } => "revoke-grant",
            Action::RetireGrant { .. } => "retire-grant",
            Action::AdvanceClock { .. } => "advance-clock",
            Action::Select { .. } => "select",
            Action::Audit => "audit",
        }
    }

    /// The KMS operation the step calls, whose outcome is allowed or denied.
    pub fn kms_operation(&self) -> Option<&'static str> {
        match self {
            Action::Encrypt { .. } => Some("Encrypt"),
            Action::Decrypt { .. } => Some("Decrypt"),
            Action::CreateGrant { .. } => Some("CreateGrant"),
            Action::ListGrants { .. } => Some("ListGrants"),
            Action::RevokeGrant { .. } => Some("RevokeGrant"),
            Action::RetireGrant { .. } => Some("RetireGrant"),
            _ => None,
        }
    }

    /// The operation whose activity event shows the presenter did the step in the UI.
    /// Not ListGrants: the UI lists grants on every refresh, so a list-grants step is
    /// observed as the presenter selecting the key instead.
    pub fn observed_operation(&self) -> Option<&'static str> {
        self.kms_operation().filter(|op| *op != "ListGrants")
    }

    /// Does the step make a KMS call whose outcome can be allowed or denied?
    pub fn calls_kms(&self) -> bool {
        self.kms_operation().is_some()
    }
}

/// The verdict of a KMS call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Allowed,
    /// AccessDeniedException.
    Denied,
}

/// What the lesson expects of a step. Every field is optional; a KMS step without
/// `outcome` or `error` expects `allowed`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub outcome: Option<Verdict>,
    /// Another AWS error code (`NotFoundException`): the call fails with it.
    pub error: Option<String>,
    /// encrypt: the verdict of the decrypt round trip.
    pub decrypt: Option<Verdict>,
    /// list-grants: how many grants are listed.
    pub grants: Option<usize>,
    /// audit: findings that must be present.
    #[serde(default)]
    pub findings: Vec<FindingSpec>,
    /// audit: findings that must be absent.
    #[serde(default)]
    pub absent: Vec<FindingSpec>,
}

/// A finding by rule id, optionally on one grant (id or placeholder).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingSpec {
    pub rule: String,
    #[serde(default)]
    pub grant: Option<String>,
}

/// A step's operation names as grant operations; the first unknown one is the error.
pub fn grant_operations(names: &[String]) -> Result<Vec<crate::kms::GrantOperation>, String> {
    names
        .iter()
        .map(|o| o.parse().map_err(|()| format!("unknown operation {o:?}")))
        .collect()
}
