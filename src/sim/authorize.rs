//! Authorization: key policy + IAM identity policies (honoured only where the key policy
//! delegates to the account) + effective grants. An explicit deny wins, grants only allow,
//! and every decision says why, in words a person can act on.

use std::fmt;

use crate::kms::ids::PrincipalArn;
use crate::kms::policy::{Effect, PolicyDocument, PrincipalSpec, Statement};
use crate::kms::{EncryptionContext, GrantConstraints, GrantId, GrantOperation, KmsError};

use super::conditions::{evaluate, wildcard_match, RequestFacts, Truth};
use super::principals::{CallerKind, ResolvedCaller};
use super::world::{Key, World};
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
            Why::Grant { grant_id, by_token } => {
                write!(f, "allowed by grant {}", grant_id.short())?;
                if *by_token {
                    write!(f, " (effective now through its grant token)")
                } else {
                    write!(f, " (propagated)")
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
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub why: Why,
    /// Conditions that could not be evaluated (they failed closed).
    pub unevaluated: Vec<String>,
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
            Why::NoIdentityPolicy => {
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
        if kind != "AWS" {
            // Service principals in a key policy match calls made by the service itself;
            // the simulator's callers are IAM identities, so they never match here.
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
            Some(block) => evaluate(block, caller, req.key, &req.facts, &mut notes),
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
            if let Some((grant_id, by_token)) = find_grant(world, caller, req, now) {
                return decide(true, Why::Grant { grant_id, by_token }, unevaluated);
            }
            let why = if kp.allow_account.is_some() || (!same_account && kp.allow_direct.is_some())
            {
                Why::NoIdentityPolicy
            } else {
                Why::NoResourcePolicy
            };
            decide(false, why, unevaluated)
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
    }
}

/// An effective grant that authorizes the request, if any: only the caller's own grants on
/// this key are looked at, so the cost does not grow with grants held by others.
fn find_grant(
    world: &World,
    caller: &ResolvedCaller,
    req: &AuthRequest,
    now: Timestamp,
) -> Option<(GrantId, bool)> {
    let key = req.key?;
    if matches!(req.grant_use, GrantUse::Never) {
        return None;
    }
    let by_grantee = world.idx.grants_by_grantee.get(&key.id)?;
    for mk in caller.grant_match_keys() {
        let Some(ids) = by_grantee.get(mk) else {
            continue;
        };
        for id in ids {
            let Some(g) = world.grants.get(id) else {
                continue;
            };
            let by_token = req.token_grants.contains(id);
            if !g.is_effective(now, by_token) {
                continue;
            }
            let fits = match req.grant_use {
                GrantUse::Never => false,
                GrantUse::Operation { op, context } => {
                    g.allows_operation(op)
                        && match (context, &g.constraints) {
                            (Some(ctx), Some(c)) if op.takes_encryption_context() => c.allows(ctx),
                            (None, Some(c)) if op.takes_encryption_context() => {
                                c.allows(&EncryptionContext::new())
                            }
                            _ => true,
                        }
                }
                GrantUse::Delegate {
                    operations,
                    constraints,
                } => {
                    g.allows_operation(GrantOperation::CreateGrant)
                        && operations.iter().all(|o| g.allows_operation(*o))
                        && match &g.constraints {
                            None => true,
                            Some(parent) => constraints
                                .cloned()
                                .unwrap_or_default()
                                .at_least_as_strict_as(parent),
                        }
                }
            };
            if fits {
                let propagated = g.removal.is_some() || g.effective_at <= now;
                return Some((id.clone(), !propagated));
            }
        }
    }
    None
}
