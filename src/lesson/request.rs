//! What a step asks of the backend: `LessonRequest`, built from the step's action with its
//! placeholders filled and names resolved to ARNs (`Names`, read from the lesson's world);
//! `perform`, the async helper the UI and the tests share to run one against any
//! `&dyn Backend`; and `LessonResult`, what came back.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::audit::{AuditConfig, Report};
use crate::backend::{
    Actor, Backend, BackendError, BackendResult, CreateGrantInput, CreatedGrant, GrantSummary,
    TestAnswer, TestCall,
};
use crate::kms::{GrantConstraints, GrantId, GrantOperation, KeyRef, Principal};
use crate::sim::World;

use super::placeholders::fill_all;
use super::schema::Action;

/// A step's request, ready for a backend.
#[derive(Debug, Clone, PartialEq)]
pub enum LessonRequest {
    /// Nothing to call (narration).
    Narrate,
    /// Test Encrypt (and its round trip); the expectation is about the Encrypt call.
    Encrypt(TestCall),
    /// Test Encrypt; the expectation is about the Decrypt round trip.
    Decrypt(TestCall),
    CreateGrant(CreateGrantInput),
    ListGrants {
        key: KeyRef,
    },
    RevokeGrant {
        key: KeyRef,
        grant: GrantId,
    },
    RetireGrant {
        key: KeyRef,
        grant: GrantId,
        actor: Option<Actor>,
    },
    AdvanceClock(Duration),
    /// The UI selects these (key ARN, principal ARN, a grant of the key); the backend is
    /// not called.
    Select {
        key: Option<String>,
        principal: Option<String>,
        grant: Option<GrantId>,
    },
    /// The stale-grant audit over the backend's inventory.
    Audit,
}

/// What a request came back with.
#[derive(Debug, Clone, PartialEq)]
pub enum LessonResult {
    /// Narration and selection: nothing was called.
    Nothing,
    Encrypted(BackendResult<RoundTrip>),
    Created(BackendResult<CreatedGrant>),
    /// Every listed grant of the key (all pages).
    Listed(BackendResult<Vec<GrantSummary>>),
    /// Revoke, retire, clock.
    Done(BackendResult<()>),
    Audited(BackendResult<Report>),
}

/// An Encrypt test as a step reads it: who made it, the ciphertext, and the Decrypt of it
/// as the same principal (which may itself be denied).
#[derive(Debug, Clone, PartialEq)]
pub struct RoundTrip {
    pub caller: String,
    pub ciphertext_base64: String,
    pub decrypt: Result<String, BackendError>,
}

/// The round trip of an Encrypt test, or the Encrypt call's error.
async fn round_trip(backend: &dyn Backend, call: TestCall) -> BackendResult<RoundTrip> {
    let out = backend.test_operation(call).await?;
    match out.result? {
        TestAnswer::Encrypted {
            ciphertext_base64,
            round_trip,
        } => Ok(RoundTrip {
            caller: out.caller,
            ciphertext_base64,
            decrypt: round_trip,
        }),
        other => Err(BackendError::response(format!(
            "An Encrypt test answered {other:?}"
        ))),
    }
}

/// A performed request: its result, and the last activity sequence number once it was
/// done (so the runner does not mistake the request's own activity for the presenter's).
#[derive(Debug, Clone, PartialEq)]
pub struct Performed {
    pub result: LessonResult,
    pub last_seq: u64,
}

/// Perform `request` on `backend`. `since` is the runner's `seen_seq()`; `audit` the
/// settings an audit step runs with (the UI passes its own, so the lesson's findings are
/// the ones on screen). The clock step needs the backend's world controls.
pub async fn perform(
    backend: &dyn Backend,
    request: &LessonRequest,
    since: u64,
    audit: &AuditConfig,
) -> Performed {
    let result = match request.clone() {
        LessonRequest::Narrate | LessonRequest::Select { .. } => LessonResult::Nothing,
        LessonRequest::Encrypt(input) | LessonRequest::Decrypt(input) => {
            LessonResult::Encrypted(round_trip(backend, input).await)
        }
        LessonRequest::CreateGrant(input) => {
            LessonResult::Created(backend.create_grant(input).await)
        }
        LessonRequest::ListGrants { key } => LessonResult::Listed(list_all(backend, &key).await),
        LessonRequest::RevokeGrant { key, grant } => {
            LessonResult::Done(backend.revoke_grant(&key, &grant).await)
        }
        LessonRequest::RetireGrant { key, grant, actor } => {
            LessonResult::Done(backend.retire_grant(&key, &grant, actor.as_ref()).await)
        }
        LessonRequest::AdvanceClock(by) => LessonResult::Done(match backend.world() {
            Some(w) => w.advance_clock(by).await,
            None => Err(BackendError::configuration(
                "The lesson's clock step needs the simulator.",
            )),
        }),
        LessonRequest::Audit => LessonResult::Audited(audit_now(backend, audit).await),
    };
    let last_seq = match backend.activity_since(since).await {
        Ok(events) => events.last().map_or(since, |e| e.seq),
        Err(_) => since,
    };
    Performed { result, last_seq }
}

/// The backend's inventory audited with `config`, on a blocking thread (pure CPU work over
/// every grant).
async fn audit_now(backend: &dyn Backend, config: &AuditConfig) -> BackendResult<Report> {
    let inventory = backend.inventory().await?;
    let config = config.clone();
    tokio::task::spawn_blocking(move || crate::audit::audit(&inventory, &config))
        .await
        .map_err(|e| BackendError::internal(format!("the audit stopped: {e}")))
}

async fn list_all(backend: &dyn Backend, key: &KeyRef) -> BackendResult<Vec<GrantSummary>> {
    let mut grants = Vec::new();
    let mut marker = None;
    loop {
        let page = backend.list_grants(key, marker).await?;
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
        Action::Select {
            key: k,
            principal,
            grant,
        } => {
            if let Some(k) = k {
                key(&mut v, k);
            }
            if let Some(p) = principal {
                v.insert("principal".into(), names.principal_arn(p));
            }
            if let Some(g) = grant {
                v.insert("grant".into(), g.clone());
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
    let key_ref = |k: &str| KeyRef::parse(names.key_arn(k).unwrap_or(k));
    let principal = |who: &str| {
        let arn = names.principal_arn(who);
        Principal::parse(&arn)
            .ok_or_else(|| format!("{who:?} is not a principal of the lesson's world, nor an ARN"))
    };
    let grant_id = |g: &str| {
        let id = fill(g)?;
        GrantId::parse(&id).ok_or_else(|| format!("{id:?} is not a grant id"))
    };
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
            let mut input = TestCall::new(
                key_ref(key),
                Actor::Principal(principal(as_principal)?),
                GrantOperation::Encrypt,
            );
            input.plaintext = plaintext.clone();
            input.grant_tokens = grant_tokens
                .iter()
                .map(|t| fill(t))
                .collect::<Result<_, _>>()?;
            input.encryption_context = context
                .iter()
                .map(|(k, v)| Ok((k.clone(), fill(v)?)))
                .collect::<Result<_, String>>()?;
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
            key: key_ref(key),
            grantee: principal(grantee)?,
            retiring: retiring.as_deref().map(principal).transpose()?,
            operations: super::schema::grant_operations(operations)?,
            constraints: constraints.as_ref().map(|c| GrantConstraints {
                encryption_context_subset: c.subset.clone(),
                encryption_context_equals: c.equals.clone(),
                source_arn: c.source_arn.clone(),
            }),
            name: name.clone(),
        }),
        Action::ListGrants { key } => LessonRequest::ListGrants { key: key_ref(key) },
        Action::RevokeGrant { key, grant } => LessonRequest::RevokeGrant {
            key: key_ref(key),
            grant: grant_id(grant)?,
        },
        Action::RetireGrant {
            key,
            grant,
            as_principal,
        } => LessonRequest::RetireGrant {
            key: key_ref(key),
            grant: grant_id(grant)?,
            actor: as_principal
                .as_deref()
                .map(|p| principal(p).map(Actor::Principal))
                .transpose()?,
        },
        Action::AdvanceClock { by } => LessonRequest::AdvanceClock(
            crate::kms::time::parse_duration(by).map_err(|e| e.to_string())?,
        ),
        Action::Select {
            key,
            principal,
            grant,
        } => LessonRequest::Select {
            key: key
                .as_deref()
                .map(|k| names.key_arn(k).unwrap_or(k).to_string()),
            principal: principal.as_deref().map(|p| names.principal_arn(p)),
            grant: grant.as_deref().map(grant_id).transpose()?,
        },
        Action::Audit => LessonRequest::Audit,
    })
}
