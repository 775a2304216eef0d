//! Authorization: key policy + IAM identity policies (honoured only where the key policy
//! delegates to the account) + effective grants. An explicit deny wins, grants only allow,
//! and every decision says why, in words a person can act on.

use std::fmt;

use crate::kms::ids::PrincipalArn;
use crate::kms::policy::{Effect, PolicyDocument, PrincipalSpec, Statement};
use crate::kms::{EncryptionContext, GrantConstraints, GrantId, GrantOperation, KmsError};

use super::conditions::{evaluate_in, wildcard_match, PolicyScope, RequestFacts, Truth};
use super::principals::{CallerKind, ResolvedCaller};
use super::world::{Key, RemovalKind, World};
use crate::kms::Timestamp;

/// How grants may authorize the call being decided.
#[derive(Debug, Clone, Copy)]
pub enum GrantUse<'a> {
    /// Grants cannot authorize this action (ListGrants, RevokeGrant, key management...).
    Never,
    /// A grant for this operation, whose constraints hold for this encryption context
    /// (`None`: the operation carries no context, constraints do not apply).
    Operation {
        op: GrantOperation,
        context: Option<&'a EncryptionContext>,
    },
    /// CreateGrant through a grant: the new grant's operations must be a subset and its
    /// constraints at least as strict.
    Delegate {
        operations: &'a [GrantOperation],
        constraints: Option<&'a GrantConstraints>,
    },
}

/// Everything a decision depends on besides the world and the caller.
pub struct AuthRequest<'a> {
    /// The IAM action, `kms:Encrypt`.
    pub action: &'a str,
    /// The key (None: the resource is `*`, as for CreateKey and ListKeys).
    pub key: Option<&'a Key>,
    pub grant_use: GrantUse<'a>,
    /// Grants whose tokens the request presented (already validated).
    pub token_grants: &'a [GrantId],
    pub facts: RequestFacts<'a>,
}

/// A retired or revoked grant that still authorizes: what happened to it, how long ago,
/// and when it stops (whole seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedGrant {
    pub revoked: bool,
    pub secs_ago: i64,
    pub stops_in_secs: i64,
}

/// A span of seconds as people say it: `3 s`, `5 min`, `2 min 10 s`, `3 h`.
pub fn say_secs(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 && s % 60 == 0 => format!("{} min", s / 60),
        s if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        // Hours and whole minutes (seconds are noise at that scale; no "0 min").
        s if (s % 3600) / 60 == 0 => format!("{} h", s / 3600),
        s => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// Why a call was allowed or denied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    KeyPolicy {
        statement: String,
    },
    IdentityPolicy {
        policy: String,
        statement: String,
        delegated_by: Option<String>,
    },
    Grant {
        grant_id: GrantId,
        by_token: bool,
        /// The grant was retired or revoked, but the removal has not propagated yet.
        removed: Option<RemovedGrant>,
    },
    /// The account root acting on IAM-only resources of its own account.
    AccountRoot,
    ExplicitDenyInKeyPolicy {
        statement: String,
    },
    ExplicitDenyInIdentityPolicy {
        policy: String,
        statement: String,
    },
    /// The key policy delegates to IAM, but no identity policy allows the action.
    NoIdentityPolicy,
    /// Neither the key policy nor any grant allows the action.
    NoResourcePolicy,
    /// A retire by someone the grant names (or the issuing account).
    RetireRight {
        who: &'static str,
    },
    /// A retire by an IAM principal to whom an account delegated `kms:RetireGrant`.
    RetireDelegated {
        policy: String,
        statement: String,
        account: &'static str,
    },
    /// Nobody the grant names, and no delegated `kms:RetireGrant`.
    NoRetireRight,
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::KeyPolicy { statement } => write!(f, "allowed by key policy statement {statement}"),
            Why::IdentityPolicy {
                policy,
                statement,
                delegated_by,
            } => {
                write!(f, "allowed by IAM policy \"{policy}\" statement {statement}")?;
                if let Some(d) = delegated_by {
                    write!(f, " (the key policy delegates to IAM in statement {d})")?;
                }
                Ok(())
            }
            Why::Grant {
                grant_id,
                by_token,
                removed,
            } => {
                write!(f, "allowed by grant {}", grant_id.short())?;
                match removed {
                    Some(r) => write!(
                        f,
                        ", which was {} {} ago and stops working in {} (a removal takes time to propagate)",
                        if r.revoked { "revoked" } else { "retired" },
                        say_secs(r.secs_ago),
                        say_secs(r.stops_in_secs)
                    ),
                    None if *by_token => write!(f, " (effective now through its grant token)"),
                    None => write!(f, " (propagated)"),
                }
            }
            Why::AccountRoot => write!(f, "allowed: the account root"),
            Why::ExplicitDenyInKeyPolicy { statement } => {
                write!(f, "denied by an explicit Deny in key policy statement {statement}")
            }
            Why::ExplicitDenyInIdentityPolicy { policy, statement } => write!(
                f,
                "denied by an explicit Deny in IAM policy \"{policy}\" statement {statement}"
            ),
            Why::NoIdentityPolicy => write!(
                f,
                "denied: the key policy delegates to IAM, but no IAM policy of the caller allows it and no effective grant does"
            ),
            Why::NoResourcePolicy => write!(
                f,
                "denied: no key policy statement and no effective grant allows it"
            ),
            Why::RetireRight { who } => write!(f, "allowed: the caller is {who}"),
            Why::RetireDelegated {
                policy,
                statement,
                account,
            } => write!(
                f,
                "allowed by IAM policy \"{policy}\" statement {statement}: {account} delegates kms:RetireGrant to its IAM principals"
            ),
            Why::NoRetireRight => write!(
                f,
                "denied: not the grant's retiring principal, nor its grantee with RetireGrant, nor the issuing account, and no IAM policy delegates kms:RetireGrant"
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub why: Why,
    /// Conditions that could not be evaluated (they failed closed).
    pub unevaluated: Vec<String>,
    /// For a denial: a grant of the caller's that would allow the call but does not yet,
    /// or not for this context, and why (what to do about it).
    pub near_miss: Option<String>,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.why)?;
        if let Some(n) = &self.near_miss {
            write!(f, "; {n}")?;
        }
        Ok(())
    }
}

impl Decision {
    pub fn grant(&self) -> Option<&GrantId> {
        match &self.why {
            Why::Grant { grant_id, .. } => Some(grant_id),
            _ => None,
        }
    }

    /// AWS's AccessDeniedException for this denial.
    pub fn denial(&self, caller_arn: &str, action: &str, resource: &str) -> KmsError {
        let because = match &self.why {
            Why::ExplicitDenyInKeyPolicy { .. } => {
                "with an explicit deny in a resource-based policy".to_string()
            }
            Why::ExplicitDenyInIdentityPolicy { .. } => {
                "with an explicit deny in an identity-based policy".to_string()
            }
            Why::NoIdentityPolicy | Why::NoRetireRight => {
                format!("because no identity-based policy allows the {action} action")
            }
            _ => format!("because no resource-based policy allows the {action} action"),
        };
        KmsError::access_denied(format!(
            "User: {caller_arn} is not authorized to perform: {action} on resource: {resource} {because}"
        ))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PrincipalMatch {
    No,
    /// The statement names the caller (or everyone).
    Direct,
    /// The statement names the caller's account: IAM decides (delegation).
    Account,
}

fn match_principal(
    spec: &PrincipalSpec,
    caller: &ResolvedCaller,
    caller_arn: &Option<PrincipalArn>,
) -> PrincipalMatch {
    let map = match spec {
        PrincipalSpec::Anyone => return PrincipalMatch::Direct,
        PrincipalSpec::Map(m) => m,
    };
    let mut best = PrincipalMatch::No;
    for (kind, values) in map {
        if kind == "Service" {
            // A service principal in a key policy matches calls the service makes itself.
            if caller.kind == CallerKind::Service && values.iter().any(|v| v == caller.arn) {
                return PrincipalMatch::Direct;
            }
            continue;
        }
        if kind != "AWS" || caller.kind == CallerKind::Service {
            continue;
        }
        for v in values.iter() {
            let m = match_aws_principal(v, caller, caller_arn);
            if m == PrincipalMatch::Direct {
                return m;
            }
            if m == PrincipalMatch::Account {
                best = m;
            }
        }
    }
    best
}

fn match_aws_principal(
    v: &str,
    caller: &ResolvedCaller,
    caller_arn: &Option<PrincipalArn>,
) -> PrincipalMatch {
    if v == "*" {
        return PrincipalMatch::Direct;
    }
    let account_match = |account: &str| {
        if account != caller.account.as_str() {
            PrincipalMatch::No
        } else if caller.kind == CallerKind::Root {
            PrincipalMatch::Direct
        } else {
            PrincipalMatch::Account
        }
    };
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        return account_match(v);
    }
    if caller.unique_id.as_deref() == Some(v) {
        return PrincipalMatch::Direct;
    }
    let hit = match (PrincipalArn::parse(v), caller_arn) {
        (Some(PrincipalArn::Root { account }), _) => return account_match(&account),
        (
            Some(PrincipalArn::User { account, name }),
            Some(PrincipalArn::User {
                account: a,
                name: n,
            }),
        ) => account == *a && name == *n,
        (Some(role @ PrincipalArn::Role { .. }), Some(session)) => session.is_session_of(&role),
        (Some(p @ PrincipalArn::AssumedRole { .. }), Some(c)) => p == *c,
        _ => false,
    };
    if hit {
        PrincipalMatch::Direct
    } else {
        PrincipalMatch::No
    }
}

fn action_matches(s: &Statement, action: &str) -> bool {
    if let Some(a) = &s.action {
        a.iter().any(|p| wildcard_match(p, action, true))
    } else if let Some(na) = &s.not_action {
        !na.iter().any(|p| wildcard_match(p, action, true))
    } else {
        false
    }
}

fn resource_matches(s: &Statement, resource: &str) -> bool {
    if let Some(r) = &s.resource {
        r.iter().any(|p| wildcard_match(p, resource, false))
    } else if let Some(nr) = &s.not_resource {
        !nr.iter().any(|p| wildcard_match(p, resource, false))
    } else {
        // Key policies may omit Resource in practice; it means this key.
        true
    }
}

/// One policy's verdict for a request.
struct PolicyVerdict {
    deny: Option<String>,
    allow_direct: Option<String>,
    allow_account: Option<String>,
}

fn evaluate_policy(
    doc: &PolicyDocument,
    is_key_policy: bool,
    caller: &ResolvedCaller,
    caller_arn: &Option<PrincipalArn>,
    req: &AuthRequest,
    resource: &str,
    unevaluated: &mut Vec<String>,
) -> PolicyVerdict {
    let mut v = PolicyVerdict {
        deny: None,
        allow_direct: None,
        allow_account: None,
    };
    for (i, s) in doc.statement.iter().enumerate() {
        if !action_matches(s, req.action) || !resource_matches(s, resource) {
            continue;
        }
        let pm = if is_key_policy {
            match (&s.principal, &s.not_principal) {
                (Some(p), _) => match_principal(p, caller, caller_arn),
                (None, Some(np)) => match match_principal(np, caller, caller_arn) {
                    PrincipalMatch::No => PrincipalMatch::Direct,
                    _ => PrincipalMatch::No,
                },
                (None, None) => PrincipalMatch::No,
            }
        } else {
            PrincipalMatch::Direct
        };
        if pm == PrincipalMatch::No {
            continue;
        }
        let mut notes = Vec::new();
        let cond = match &s.condition {
            Some(block) => {
                let scope = if is_key_policy {
                    PolicyScope::KeyPolicy
                } else {
                    PolicyScope::Identity
                };
                evaluate_in(block, caller, req.key, &req.facts, scope, &mut notes)
            }
            None => Truth::True,
        };
        let label = s.label(i);
        for n in notes {
            unevaluated.push(format!("statement {label}: {n}"));
        }
        match (s.effect, cond) {
            (Effect::Deny, Truth::True | Truth::Unknown) if v.deny.is_none() => {
                v.deny = Some(label);
            }
            (Effect::Allow, Truth::True) => match pm {
                PrincipalMatch::Direct if v.allow_direct.is_none() => v.allow_direct = Some(label),
                PrincipalMatch::Account if v.allow_account.is_none() => {
                    v.allow_account = Some(label)
                }
                _ => {}
            },
            _ => {}
        }
    }
    v
}

/// Decide a request.
pub fn authorize(
    world: &World,
    caller: &ResolvedCaller,
    req: &AuthRequest,
    now: Timestamp,
) -> Decision {
    let mut unevaluated = Vec::new();
    let caller_arn = PrincipalArn::parse(&caller.arn);
    let resource = req.key.map_or("*", |k| k.arn.as_str());
    let decide = |allowed, why, unevaluated| Decision {
        allowed,
        why,
        unevaluated,
        near_miss: None,
    };

    // The key policy.
    let mut key_policy = None;
    if let Some(key) = req.key {
        let v = match &key.parsed_policy {
            Some(doc) => evaluate_policy(
                doc,
                true,
                caller,
                &caller_arn,
                req,
                resource,
                &mut unevaluated,
            ),
            None => PolicyVerdict {
                deny: None,
                allow_direct: None,
                allow_account: None,
            },
        };
        if let Some(statement) = v.deny {
            return decide(
                false,
                Why::ExplicitDenyInKeyPolicy { statement },
                unevaluated,
            );
        }
        key_policy = Some(v);
    }

    // The caller's IAM identity policies.
    let identity_allow =
        match identity_policies(world, caller, &caller_arn, req, resource, &mut unevaluated) {
            Ok(allow) => allow,
            Err(deny) => return decide(false, deny, unevaluated),
        };

    let is_root = caller.kind == CallerKind::Root;
    match &key_policy {
        None => {
            // Resource "*": IAM alone decides, in the caller's own account.
            if is_root {
                return decide(true, Why::AccountRoot, unevaluated);
            }
            if let Some((policy, statement)) = identity_allow {
                return decide(
                    true,
                    Why::IdentityPolicy {
                        policy,
                        statement,
                        delegated_by: None,
                    },
                    unevaluated,
                );
            }
            decide(false, Why::NoIdentityPolicy, unevaluated)
        }
        Some(kp) => {
            let key = req.key.expect("key policy implies a key");
            // A service principal is let in by the key policy alone (no IAM, no account).
            if caller.kind == CallerKind::Service {
                if let Some(statement) = &kp.allow_direct {
                    return decide(
                        true,
                        Why::KeyPolicy {
                            statement: statement.clone(),
                        },
                        unevaluated,
                    );
                }
            }
            let same_account = key.account == caller.account;
            if same_account {
                if let Some(statement) = &kp.allow_direct {
                    return decide(
                        true,
                        Why::KeyPolicy {
                            statement: statement.clone(),
                        },
                        unevaluated,
                    );
                }
            } else if kp.allow_direct.is_some() || kp.allow_account.is_some() {
                // Cross-account: the key policy must let the account in, and the caller's
                // own account must allow it through IAM (its root needs no IAM policy).
                if is_root {
                    let statement = kp
                        .allow_direct
                        .clone()
                        .or(kp.allow_account.clone())
                        .unwrap_or_default();
                    return decide(true, Why::KeyPolicy { statement }, unevaluated);
                }
                if let Some((policy, statement)) = identity_allow.clone() {
                    return decide(
                        true,
                        Why::IdentityPolicy {
                            policy,
                            statement,
                            delegated_by: kp.allow_direct.clone().or(kp.allow_account.clone()),
                        },
                        unevaluated,
                    );
                }
            }
            if same_account {
                if let (Some(delegated_by), Some((policy, statement))) =
                    (&kp.allow_account, identity_allow.clone())
                {
                    return decide(
                        true,
                        Why::IdentityPolicy {
                            policy,
                            statement,
                            delegated_by: Some(delegated_by.clone()),
                        },
                        unevaluated,
                    );
                }
            }
            let near_miss = match find_grant(world, caller, req, now) {
                Ok(found) => {
                    let why = Why::Grant {
                        grant_id: found.id,
                        by_token: found.by_token,
                        removed: found.removed,
                    };
                    return decide(true, why, unevaluated);
                }
                Err(near_miss) => near_miss,
            };
            let why = if kp.allow_account.is_some() || (!same_account && kp.allow_direct.is_some())
            {
                Why::NoIdentityPolicy
            } else {
                Why::NoResourcePolicy
            };
            Decision {
                near_miss,
                ..decide(false, why, unevaluated)
            }
        }
    }
}

/// The caller's identity policies on `resource`: the first statement that allows the
/// request (policy name, statement label), or the explicit deny that wins over any allow.
fn identity_policies(
    world: &World,
    caller: &ResolvedCaller,
    caller_arn: &Option<PrincipalArn>,
    req: &AuthRequest,
    resource: &str,
    unevaluated: &mut Vec<String>,
) -> Result<Option<(String, String)>, Why> {
    let mut allow = None;
    let Some(p) = caller
        .unique_id
        .as_ref()
        .and_then(|id| world.principals.get(id))
    else {
        return Ok(None);
    };
    for pol in &p.policies {
        let Some(doc) = &pol.parsed else { continue };
        let v = evaluate_policy(doc, false, caller, caller_arn, req, resource, unevaluated);
        if let Some(statement) = v.deny {
            return Err(Why::ExplicitDenyInIdentityPolicy {
                policy: pol.name.clone(),
                statement,
            });
        }
        if allow.is_none() {
            allow = v.allow_direct.map(|s| (pol.name.clone(), s));
        }
    }
    Ok(allow)
}

/// Decide an action on a resource that only identity policies govern, such as IAM's own
/// listings (`iam:ListUsers` on `arn:aws:iam::ACCOUNT:user/`), in the caller's account:
/// the account root may; anyone else needs an identity policy that allows the action on
/// `resource`, and an explicit deny wins. No key, no grants.
pub fn authorize_identity(
    world: &World,
    caller: &ResolvedCaller,
    action: &str,
    resource: &str,
) -> Decision {
    let req = AuthRequest {
        action,
        key: None,
        grant_use: GrantUse::Never,
        token_grants: &[],
        facts: RequestFacts::default(),
    };
    let mut unevaluated = Vec::new();
    let caller_arn = PrincipalArn::parse(&caller.arn);
    let why = match identity_policies(world, caller, &caller_arn, &req, resource, &mut unevaluated)
    {
        Err(deny) => deny,
        Ok(_) if caller.kind == CallerKind::Root => Why::AccountRoot,
        Ok(Some((policy, statement))) => Why::IdentityPolicy {
            policy,
            statement,
            delegated_by: None,
        },
        Ok(None) => Why::NoIdentityPolicy,
    };
    Decision {
        allowed: matches!(why, Why::AccountRoot | Why::IdentityPolicy { .. }),
        why,
        unevaluated,
        near_miss: None,
    }
}

/// RetireGrant: who may retire is set by the grant, not by the key policy (Developer
/// Guide, "Retiring and revoking grants"). "A grant can be retired by any of the following:
/// the retiring principal or retiring service principal specified in the grant; the
/// grantee principal or grantee service principal, if the grant includes the RetireGrant
/// operation; the AWS account in which the grant was created." And: "To deny permission to
/// retire a grant, you can use a Deny action with the kms:RetireGrant permission in your
/// IAM policies"; "The AWS account that owns the KMS key can delegate the kms:RetireGrant
/// permission to an IAM principal in the account"; "If the retiring principal is a
/// different AWS account, administrators in the other account can use kms:RetireGrant to
/// delegate permission to retire the grant to an IAM principal in that account." The
/// permission "is not effective in a key policy", so the key policy is not read.
///
/// Decision where AWS is silent: a delegation is an IAM Allow of `kms:RetireGrant` on the
/// key's ARN (or `*`) in the caller's identity policies; the key policy need not delegate
/// to IAM for it.
pub fn authorize_retire(
    world: &World,
    caller: &ResolvedCaller,
    grant: &super::world::Grant,
    key: &Key,
) -> Decision {
    let req = AuthRequest {
        action: "kms:RetireGrant",
        key: Some(key),
        grant_use: GrantUse::Never,
        token_grants: &[],
        facts: RequestFacts::default(),
    };
    let mut unevaluated = Vec::new();
    let caller_arn = PrincipalArn::parse(&caller.arn);
    let identity = identity_policies(world, caller, &caller_arn, &req, &key.arn, &mut unevaluated);
    let decide = |why: Why, unevaluated: Vec<String>| Decision {
        allowed: matches!(why, Why::RetireRight { .. } | Why::RetireDelegated { .. }),
        why,
        unevaluated,
        near_miss: None,
    };
    let delegated = match identity {
        Err(deny) => return decide(deny, unevaluated),
        Ok(allow) => allow,
    };
    let named =
        |r: &super::world::PrincipalRef| caller.grant_match_keys().any(|k| k == r.match_key());
    let who = if grant.retiring.as_ref().is_some_and(named) {
        Some("the grant's retiring principal")
    } else if grant.allows_operation(GrantOperation::RetireGrant) && named(&grant.grantee) {
        Some("the grantee, and the grant includes RetireGrant")
    } else if caller.kind == CallerKind::Root && caller.account == grant.issuing_account {
        Some("the account that issued the grant")
    } else {
        None
    };
    if let Some(who) = who {
        return decide(Why::RetireRight { who }, unevaluated);
    }
    if let Some((policy, statement)) = delegated {
        let retiring_account =
            grant
                .retiring
                .as_ref()
                .and_then(|r| match PrincipalArn::parse(r.match_key()) {
                    Some(PrincipalArn::Root { account }) => Some(account),
                    _ => None,
                });
        let account = if caller.account == grant.issuing_account {
            Some("the account that owns the key")
        } else if retiring_account.as_deref() == Some(caller.account.as_str()) {
            Some("the retiring account")
        } else {
            None
        };
        if let Some(account) = account {
            return decide(
                Why::RetireDelegated {
                    policy,
                    statement,
                    account,
                },
                unevaluated,
            );
        }
    }
    decide(Why::NoRetireRight, unevaluated)
}

/// The grant that authorizes a request.
struct GrantMatch {
    id: GrantId,
    by_token: bool,
    removed: Option<RemovedGrant>,
}

/// How one of the caller's grants meets a request.
enum GrantCheck {
    /// It authorizes the request now.
    Found(GrantMatch),
    /// It would, once propagated (what to do about it).
    Pending(String),
    /// It would, but its constraints do not hold (which and why).
    Mismatch(String),
    No,
}

/// How many of the caller's grants allowing the operation are looked at for a near-miss
/// explanation once none authorizes the request (the explanation needs one, not all).
const NEAR_MISS_SCAN: usize = 64;

/// An effective grant that authorizes the request; else, when one of the caller's grants on
/// the key would, why it does not (it has not propagated yet, or its constraints do not
/// hold for this context). Only the caller's own grants on this key are looked at, and of
/// those only the ones that could fit (`GranteeGrants::candidates`), so the cost does not
/// grow with grants held by others, nor with the caller's grants for other contexts.
fn find_grant(
    world: &World,
    caller: &ResolvedCaller,
    req: &AuthRequest,
    now: Timestamp,
) -> Result<GrantMatch, Option<String>> {
    let Some(key) = req.key else {
        return Err(None);
    };
    let op = match req.grant_use {
        GrantUse::Never => return Err(None),
        GrantUse::Operation { op, .. } => op,
        GrantUse::Delegate { .. } => GrantOperation::CreateGrant,
    };
    let Some(by_grantee) = world.idx.grants_by_grantee.get(key.slot().as_ref()) else {
        return Err(None);
    };
    let mut pending: Option<String> = None;
    let mut mismatch: Option<String> = None;
    let mut note = |check: GrantCheck| -> Option<GrantMatch> {
        match check {
            GrantCheck::Found(m) => return Some(m),
            GrantCheck::Pending(p) if pending.is_none() => pending = Some(p),
            GrantCheck::Mismatch(m) if mismatch.is_none() => mismatch = Some(m),
            _ => {}
        }
        None
    };
    for mk in caller.grant_match_keys() {
        let Some(held) = by_grantee.get(mk) else {
            continue;
        };
        let candidates = match req.grant_use {
            GrantUse::Operation { op, context } => held.candidates(op, context),
            _ => held.allowing(op),
        };
        for id in candidates {
            if let Some(found) = note(check_grant(world, caller, req, now, id)) {
                return Ok(found);
            }
        }
    }
    // None authorizes: say why one of the caller's grants for this operation does not.
    for mk in caller.grant_match_keys() {
        let Some(held) = by_grantee.get(mk) else {
            continue;
        };
        for id in held.allowing(op).into_iter().take(NEAR_MISS_SCAN) {
            note(check_grant(world, caller, req, now, id));
        }
    }
    Err(pending.or(mismatch))
}

/// How the grant `id` meets the request.
fn check_grant(
    world: &World,
    caller: &ResolvedCaller,
    req: &AuthRequest,
    now: Timestamp,
    id: &GrantId,
) -> GrantCheck {
    let Some(g) = world.grants.get(id) else {
        return GrantCheck::No;
    };
    let by_token = req.token_grants.contains(id);
    let effective = g.is_effective(now, by_token);
    // SourceArn: every use on behalf of that resource, except that DescribeKey is held to
    // it only when the request names a source (API Reference, GrantConstraints: it "can
    // also be applied to the DescribeKey operation when specified in the request").
    let source_applies = match req.grant_use {
        GrantUse::Operation {
            op: GrantOperation::DescribeKey,
            ..
        } => caller.source_arn.is_some(),
        _ => true,
    };
    let source_miss = g
        .constraints
        .as_ref()
        .filter(|_| source_applies)
        .and_then(|c| c.source_mismatch(caller.source_arn.as_deref()));
    let fits = match req.grant_use {
        GrantUse::Never => Ok(false),
        GrantUse::Operation { op, context } => {
            if !g.allows_operation(op) {
                Ok(false)
            } else {
                let empty = EncryptionContext::new();
                match (&g.constraints, op.takes_encryption_context()) {
                    (Some(c), true) if c.has_context_constraint() => {
                        match c.mismatch(context.unwrap_or(&empty)) {
                            None => Ok(true),
                            Some(why) => Err(why),
                        }
                    }
                    _ => Ok(true),
                }
            }
        }
        GrantUse::Delegate {
            operations,
            constraints,
        } => Ok(g.allows_operation(GrantOperation::CreateGrant)
            && operations.iter().all(|o| g.allows_operation(*o))
            && match &g.constraints {
                None => true,
                Some(parent) => constraints
                    .cloned()
                    .unwrap_or_default()
                    .at_least_as_strict_as(parent),
            }),
    };
    let fits = match (fits, source_miss) {
        (Ok(true), Some(why)) => Err(why),
        (fits, _) => fits,
    };
    match (fits, effective) {
        (Ok(true), true) => {
            let removed = g.removal.as_ref().map(|r| RemovedGrant {
                revoked: r.kind == RemovalKind::Revoked,
                secs_ago: (now - r.at).num_seconds(),
                stops_in_secs: (r.effective_at - now).num_seconds().max(1),
            });
            let propagated = g.removal.is_some() || g.effective_at <= now;
            GrantCheck::Found(GrantMatch {
                id: id.clone(),
                by_token: !propagated,
                removed,
            })
        }
        // Would allow it, once propagated: say so, and how to use it now.
        (Ok(true), false) if g.removal.is_none() => GrantCheck::Pending(format!(
            "grant {} exists but has not propagated yet (effective in {}); pass its token to use it now",
            id.short(),
            say_secs((g.effective_at - now).num_seconds().max(1))
        )),
        (Err(why), _) if g.removal.is_none() => {
            GrantCheck::Mismatch(format!("grant {} would allow this but {why}", id.short()))
        }
        _ => GrantCheck::No,
    }
}

#[cfg(test)]
mod tests {
    use super::say_secs;

    #[test]
    fn durations_read_as_a_person_says_them() {
        assert_eq!(say_secs(-3), "0 s");
        assert_eq!(say_secs(5), "5 s");
        assert_eq!(say_secs(120), "2 min");
        assert_eq!(say_secs(125), "2 min 5 s");
        assert_eq!(say_secs(3600), "1 h");
        assert_eq!(say_secs(3601), "1 h");
        assert_eq!(say_secs(3 * 3600 + 15 * 60 + 9), "3 h 15 min");
    }
}
