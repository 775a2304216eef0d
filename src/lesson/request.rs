//! What a step asks of the backend: `LessonRequest`, built from the step's action with its
//! placeholders filled and names resolved to ARNs (`Names`, read from the lesson's world);
//! `perform`, the async helper the UI and the tests share to run one against any
//! `&dyn Backend`; and `LessonResult`, what came back.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::audit::{AuditConfig, Report};
use crate::backend::{
    Backend, BackendError, BackendResult, CreateGrantInput, CreatedGrant, EncryptOutcome,
    GrantSummary, TestEncryptInput,
};
use crate::kms::GrantConstraints;
use crate::sim::{SharedSimulator, World};

use super::placeholders::fill_all;
use super::schema::Action;

/// A step's request, ready for a backend.
#[derive(Debug, Clone, PartialEq)]
pub enum LessonRequest {
    /// Nothing to call (narration).
    Narrate,
    /// Test-encrypt; the expectation is about the Encrypt call.
    Encrypt(TestEncryptInput),
    /// Test-encrypt; the expectation is about the Decrypt round trip.
    Decrypt(TestEncryptInput),
    CreateGrant(CreateGrantInput),
    ListGrants {
        key_id: String,
    },
    RevokeGrant {
        key_id: String,
        grant_id: String,
    },
    RetireGrant {
        key_id: String,
        grant_id: String,
        as_principal: Option<String>,
    },
    AdvanceClock(Duration),
    /// The UI selects these (key ARN, principal ARN); the backend is not called.
    Select {
        key: Option<String>,
        principal: Option<String>,
    },
    /// The stale-grant audit over the simulator's inventory.
    Audit,
}

/// What a request came back with.
#[derive(Debug, Clone, PartialEq)]
pub enum LessonResult {
    /// Narration and selection: nothing was called.
    Nothing,
    Encrypted(BackendResult<EncryptOutcome>),
    Created(BackendResult<CreatedGrant>),
    /// Every listed grant of the key (all pages).
    Listed(BackendResult<Vec<GrantSummary>>),
    /// Revoke, retire, clock.
    Done(BackendResult<()>),
    Audited(BackendResult<Report>),
}

/// A performed request: its result, and the last activity sequence number once it was
/// done (so the runner does not mistake the request's own activity for the presenter's).
#[derive(Debug, Clone, PartialEq)]
pub struct Performed {
    pub result: LessonResult,
    pub last_seq: u64,
}

/// Perform `request` on `backend`. `sim` is the simulator behind it, needed by the audit
/// step only; `since` is the runner's `seen_seq()`.
pub async fn perform(
    backend: &dyn Backend,
    sim: Option<&SharedSimulator>,
    request: &LessonRequest,
    since: u64,
) -> Performed {
    let result = match request.clone() {
        LessonRequest::Narrate | LessonRequest::Select { .. } => LessonResult::Nothing,
        LessonRequest::Encrypt(input) | LessonRequest::Decrypt(input) => {
            LessonResult::Encrypted(backend.test_encrypt(input).await)
        }
        LessonRequest::CreateGrant(input) => {
            LessonResult::Created(backend.create_grant(input).await)
        }
        LessonRequest::ListGrants { key_id } => {
            LessonResult::Listed(list_all(backend, &key_id).await)
        }
        LessonRequest::RevokeGrant { key_id, grant_id } => {
            LessonResult::Done(backend.revoke_grant(&key_id, &grant_id).await)
        }
        LessonRequest::RetireGrant {
            key_id,
            grant_id,
            as_principal,
        } => LessonResult::Done(backend.retire_grant(&key_id, &grant_id, as_principal).await),
        LessonRequest::AdvanceClock(by) => LessonResult::Done(backend.advance_clock(by).await),
        LessonRequest::Audit => LessonResult::Audited(match sim {
            Some(sim) => Ok(sim
                .with(|s| {
                    let inv = crate::sim::inventory::inventory(s.world());
                    crate::audit::audit(&inv, &AuditConfig::default())
                })
                .await),
            None => Err(BackendError::unsupported("The lesson's audit step")),
        }),
    };
    let last_seq = match backend.activity_since(since).await {
        Ok(events) => events.last().map_or(since, |e| e.seq),
        Err(_) => since,
    };
    Performed { result, last_seq }
}

async fn list_all(backend: &dyn Backend, key_id: &str) -> BackendResult<Vec<GrantSummary>> {
    let mut grants = Vec::new();
    let mut marker = None;
    loop {
        let page = backend.list_grants(key_id, marker).await?;
        grants.extend(page.grants);
        match page.next_marker {
            Some(m) => marker = Some(m),
            None => return Ok(grants),
        }
    }
}

/// The lesson world's names: principal names and key references (alias, id, ARN) to ARNs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Names {
    pub account: String,
    pub region: String,
    principals: BTreeMap<String, String>,
    /// Role name -> the prefix of its session ARNs (`arn:aws:sts::ACCT:assumed-role/NAME/`).
    role_sessions: BTreeMap<String, String>,
    keys: BTreeMap<String, String>,
}

impl Names {
    pub fn from_world(w: &World) -> Self {
        let home = w.home_account().cloned();
        let mut names = Names {
            account: home.as_ref().map(|a| a.to_string()).unwrap_or_default(),
            region: w.region.clone(),
            ..Default::default()
        };
        for p in w.principals.values() {
            let mine = Some(&p.account) == home.as_ref();
            if mine || !names.principals.contains_key(&p.name) {
                names.principals.insert(p.name.clone(), p.arn.clone());
            }
            if p.kind == crate::sim::PrincipalKind::Role {
                let prefix = format!("arn:aws:sts::{}:assumed-role/{}/", p.account, p.name);
                names.role_sessions.insert(p.arn.clone(), prefix);
            }
        }
        for k in w.keys.values() {
            names.keys.insert(k.id.clone(), k.arn.clone());
            names.keys.insert(k.arn.clone(), k.arn.clone());
        }
        for a in w.aliases.values() {
            if let Some(k) = w.keys.get(&a.target_key_id) {
                names.keys.insert(a.name.clone(), k.arn.clone());
            }
        }
        names
    }

    /// A principal name's ARN; ARNs and service principals as written.
    pub fn principal_arn(&self, who: &str) -> String {
        self.principals
            .get(who)
            .cloned()
            .unwrap_or_else(|| who.to_string())
    }

    /// The key ARN of an alias, key id or key ARN.
    pub fn key_arn(&self, key: &str) -> Option<&str> {
        self.keys.get(key).map(String::as_str)
    }

    /// Is an activity event's caller this principal (name or ARN)? A role matches its
    /// sessions.
    pub fn caller_is(&self, who: &str, caller: &str) -> bool {
        let arn = self.principal_arn(who);
        caller == arn
            || self
                .role_sessions
                .get(&arn)
                .is_some_and(|prefix| caller.starts_with(prefix.as_str()))
    }
}

/// The variables of one step: the lesson's (globals and captures) plus the step's own
/// (`{key}`, `{as}`, `{grantee}`, `{retiring}`, `{grant}`, `{principal}`).
pub fn step_vars(
    action: &Action,
    vars: &BTreeMap<String, String>,
    names: &Names,
) -> BTreeMap<String, String> {
    let mut v = vars.clone();
    let key = |v: &mut BTreeMap<String, String>, k: &str| {
        v.insert("key".into(), names.key_arn(k).unwrap_or(k).to_string());
    };
    match action {
        Action::Encrypt {
            key: k,
            as_principal,
            ..
        }
        | Action::Decrypt {
            key: k,
            as_principal,
            ..
        } => {
            key(&mut v, k);
            v.insert("as".into(), as_principal.clone());
        }
        Action::CreateGrant {
            key: k,
            grantee,
            retiring,
            ..
        } => {
            key(&mut v, k);
            v.insert("grantee".into(), names.principal_arn(grantee));
            if let Some(r) = retiring {
                v.insert("retiring".into(), names.principal_arn(r));
            }
        }
        Action::ListGrants { key: k } => key(&mut v, k),
        Action::RevokeGrant { key: k, grant } | Action::RetireGrant { key: k, grant, .. } => {
            key(&mut v, k);
            let filled = super::placeholders::fill(grant, vars);
            v.insert("grant".into(), filled);
            if let Action::RetireGrant {
                as_principal: Some(p),
                ..
            } = action
            {
                v.insert("as".into(), p.clone());
            }
        }
        Action::Select { key: k, principal } => {
            if let Some(k) = k {
                key(&mut v, k);
            }
            if let Some(p) = principal {
                v.insert("principal".into(), names.principal_arn(p));
            }
        }
        Action::Narrate | Action::AdvanceClock { .. } | Action::Audit => {}
    }
    v
}

/// Build a step's request. Errors name a placeholder that is not known yet.
pub fn build(
    action: &Action,
    vars: &BTreeMap<String, String>,
    names: &Names,
) -> Result<LessonRequest, String> {
    let fill = |s: &str| {
        fill_all(s, vars)
            .map_err(|m| format!("{{{m}}} is not known yet (do the step that captures it first)"))
    };
    let key_id = |k: &str| names.key_arn(k).unwrap_or(k).to_string();
    Ok(match action {
        Action::Narrate => LessonRequest::Narrate,
        Action::Encrypt {
            key,
            as_principal,
            plaintext,
            grant_tokens,
            context,
        }
        | Action::Decrypt {
            key,
            as_principal,
            plaintext,
            grant_tokens,
            context,
        } => {
            let input = TestEncryptInput {
                key_id: key_id(key),
                as_principal: names.principal_arn(as_principal),
                plaintext: plaintext.clone(),
                grant_tokens: grant_tokens
                    .iter()
                    .map(|t| fill(t))
                    .collect::<Result<_, _>>()?,
                encryption_context: context
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), fill(v)?)))
                    .collect::<Result<_, String>>()?,
            };
            if matches!(action, Action::Decrypt { .. }) {
                LessonRequest::Decrypt(input)
            } else {
                LessonRequest::Encrypt(input)
            }
        }
        Action::CreateGrant {
            key,
            grantee,
            operations,
            retiring,
            constraints,
            name,
            ..
        } => LessonRequest::CreateGrant(CreateGrantInput {
            key_id: key_id(key),
            grantee: names.principal_arn(grantee),
            retiring: retiring.as_deref().map(|r| names.principal_arn(r)),
            operations: super::schema::grant_operations(operations)?,
            constraints: constraints.as_ref().map(|c| GrantConstraints {
                encryption_context_subset: c.subset.clone(),
                encryption_context_equals: c.equals.clone(),
            }),
            name: name.clone(),
        }),
        Action::ListGrants { key } => LessonRequest::ListGrants {
            key_id: key_id(key),
        },
        Action::RevokeGrant { key, grant } => LessonRequest::RevokeGrant {
            key_id: key_id(key),
            grant_id: fill(grant)?,
        },
        Action::RetireGrant {
            key,
            grant,
            as_principal,
        } => LessonRequest::RetireGrant {
            key_id: key_id(key),
            grant_id: fill(grant)?,
            as_principal: as_principal.as_deref().map(|p| names.principal_arn(p)),
        },
        Action::AdvanceClock { by } => {
            LessonRequest::AdvanceClock(crate::sim::scenario::parse_duration(by)?)
        }
        Action::Select { key, principal } => LessonRequest::Select {
            key: key.as_deref().map(key_id),
            principal: principal.as_deref().map(|p| names.principal_arn(p)),
        },
        Action::Audit => LessonRequest::Audit,
    })
}
