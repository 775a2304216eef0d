//! One function per audit rule. Each looks at a single grant of a key (`duplicate` also
//! remembers the grants before it; `near-quota` counts the key's grants) and answers the
//! facts its finding needs, or nothing. Grants that AWS services create for their
//! resources only get the informational `service-grant` finding: revoking them breaks the
//! service. `key_findings` runs them all over one key.

use std::collections::hash_map::Entry;
use std::collections::HashSet;
use std::sync::Arc;

// A fast non-cryptographic hasher: these maps hold one key's grants, hashed once each.
use foldhash::{HashMap, HashMapExt};

use crate::kms::ids::{is_iam_unique_id, is_service_principal, Arn, PrincipalArn};
use crate::kms::inventory::{Inventory, InventoryGrant, InventoryKey, UsageSource};
use crate::kms::usage::UsageEvidence;
use crate::kms::{GrantConstraints, GrantOperation, KeyState};

use super::finding::Detail;
use super::{AuditConfig, Buckets, Finding, Rule};

const DAY: f64 = 86_400.0;

fn days(seconds: f64) -> i64 {
    (seconds / DAY).floor() as i64
}

/// What every key's audit shares: when the inventory was taken, where its usage data
/// comes from, the configuration, and the IAM users and roles known to exist (parsed once,
/// when the backend could list them). Built from an inventory's header: its keys may come
/// later, a chunk at a time (`Auditor`).
pub struct Context {
    pub generated_at: f64,
    pub usage: UsageSource,
    pub cfg: AuditConfig,
    known: Option<HashSet<PrincipalArn>>,
}

impl Context {
    pub fn new(header: &Inventory, cfg: &AuditConfig) -> Self {
        let known = header
            .principals
            .as_ref()
            .map(|list| list.iter().filter_map(|p| PrincipalArn::parse(p)).collect());
        Context {
            generated_at: header.generated_at,
            usage: header.usage,
            cfg: cfg.clone(),
            known,
        }
    }
}

/// A service principal (`ec2.amazonaws.com`) or a session of a service-linked role
/// (`arn:aws:sts::ACCOUNT:assumed-role/aws:ec2-infrastructure/...`).
fn service_principal(p: &str) -> bool {
    if p.starts_with("arn:") {
        Arn::parse(p)
            .is_some_and(|a| a.service == "sts" && a.resource.starts_with("assumed-role/aws:"))
    } else {
        is_service_principal(p)
    }
}

/// The account of an IAM or STS principal ARN, borrowed (no allocation).
fn principal_account(p: &str) -> Option<&str> {
    Arn::parse(p)
        .filter(|a| matches!(a.service, "iam" | "sts") && a.region.is_empty())
        .map(|a| a.account)
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
}

fn age_seconds(ctx: &Context, g: &InventoryGrant) -> Option<f64> {
    g.entry
        .creation_date
        .map(|c| (ctx.generated_at - c).max(0.0))
}

/// A set of operations as bits (each fieldless variant's discriminant is its bit).
fn operation_set<'a>(ops: impl IntoIterator<Item = &'a GrantOperation>) -> u32 {
    ops.into_iter().fold(0, |set, &op| set | 1 << (op as u32))
}

/// The identity two grants are duplicates under: grantee (its shared string's address: one
/// per distinct principal of the key), the set of operations (order and repeats never
/// matter), constraints (maps are ordered, so pair order never matters) and name.
type DuplicateKey<'a> = (usize, u32, Option<&'a GrantConstraints>, &'a str);

/// What the rules ask of a principal string, worked out once per distinct principal of a
/// key (a key's grants name few principals, many times over).
#[derive(Clone)]
struct PrincipalFacts<'a> {
    shared: Arc<str>,
    service: bool,
    /// The account of an IAM or STS principal ARN.
    account: Option<&'a str>,
}

impl<'a> PrincipalFacts<'a> {
    fn of(p: &'a str) -> Self {
        PrincipalFacts {
            shared: Arc::from(p),
            service: service_principal(p),
            account: principal_account(p),
        }
    }
}

/// Every finding for one key, grant by grant in listing order, then the key's own; each
/// goes to `out[severity]`.
pub(super) fn key_findings<'k>(ctx: &Context, key: &'k InventoryKey, out: &mut Buckets) {
    let key_arn: Arc<str> = Arc::from(key.arn.as_str());
    let account = key.arn.split(':').nth(4).unwrap_or_default();
    let mut principals: HashMap<&'k str, PrincipalFacts<'k>> = HashMap::new();
    let mut facts = |p: &'k str| {
        principals
            .entry(p)
            .or_insert_with(|| PrincipalFacts::of(p))
            .clone()
    };
    let mut first_of: HashMap<DuplicateKey, &InventoryGrant> =
        HashMap::with_capacity(key.grants.len());
    // The key's state is the same for each of its grants: worked out once.
    let key_state = key_not_enabled(key);
    for g in &key.grants {
        let grantee = facts(g.entry.grantee());
        let retiring = g.entry.retiring().map(&mut facts);
        let people = Principals {
            grantee: &grantee,
            retiring: retiring.as_ref(),
        };
        // The grant's id, made once it has a finding and shared by all of them.
        let mut grant_id: Option<Arc<str>> = None;
        let mut emit = |rule: Rule, detail: Option<Detail>| {
            if let Some(detail) = detail {
                let id = grant_id
                    .get_or_insert_with(|| Arc::from(g.entry.grant_id.as_str()))
                    .clone();
                out[rule.severity() as usize].push(Finding::new(
                    rule,
                    key_arn.clone(),
                    Some((id, grantee.shared.clone())),
                    detail,
                ));
            }
        };
        if people.grantee.service || people.retiring.is_some_and(|r| r.service) {
            emit(Rule::ServiceGrant, Some(Detail::Plain));
            continue;
        }
        emit(
            Rule::OrphanedGrantee,
            orphaned_grantee(ctx, account, g, &people),
        );
        emit(Rule::KeyNotEnabled, key_state.clone());
        emit(Rule::Old, old(ctx, g));
        emit(Rule::Unused, unused(ctx, g));
        emit(
            Rule::CrossAccount,
            cross_account(&ctx.cfg, account, &people),
        );
        // Decision: on an AWS managed key the grants are the service's own (it creates and
        // retires them for the resources it protects, with the operations and constraints
        // it chooses); their shape is AWS's default, not something the account can fix, so
        // the shape rules stay quiet there. Who the grant names and how long it has lived
        // still count.
        if key.manager == crate::kms::KeyManager::Customer {
            emit(Rule::ReDelegation, re_delegation(g));
            emit(Rule::PlaintextAccess, plaintext_access(g));
            emit(Rule::Unconstrained, unconstrained(g));
            emit(Rule::NoRetiringPrincipal, no_retiring_principal(g));
        }
        emit(Rule::Duplicate, duplicate(&mut first_of, g, people.grantee));
    }
    if let Some(detail) = near_quota(&ctx.cfg, key) {
        out[Rule::NearQuota.severity() as usize].push(Finding::new(
            Rule::NearQuota,
            key_arn,
            None,
            detail,
        ));
    }
}

/// The grant's grantee and retiring principal, worked out.
struct Principals<'p, 'a> {
    grantee: &'p PrincipalFacts<'a>,
    retiring: Option<&'p PrincipalFacts<'a>>,
}

/// The principal is gone: IAM shows its unique id, or (when the inventory lists IAM) a user
/// or role ARN of the key's account that does not exist.
fn is_orphan(ctx: &Context, key_account: &str, principal: &PrincipalFacts) -> bool {
    if is_iam_unique_id(&principal.shared) {
        return true;
    }
    let Some(known) = &ctx.known else {
        return false;
    };
    // Only users and roles of the key's account can be checked against the list.
    if principal.account != Some(key_account) {
        return false;
    }
    match PrincipalArn::parse(&principal.shared) {
        Some(p @ (PrincipalArn::User { .. } | PrincipalArn::Role { .. })) => !known.contains(&p),
        _ => false,
    }
}

fn orphaned_grantee(
    ctx: &Context,
    account: &str,
    g: &InventoryGrant,
    people: &Principals,
) -> Option<Detail> {
    if age_seconds(ctx, g).is_some_and(|a| a < ctx.cfg.orphan_grace.as_secs_f64()) {
        return None;
    }
    if is_orphan(ctx, account, people.grantee) {
        return Some(Detail::Orphaned { retiring: None });
    }
    let retiring = people.retiring?;
    is_orphan(ctx, account, retiring).then(|| Detail::Orphaned {
        retiring: Some(retiring.shared.clone()),
    })
}

fn key_not_enabled(key: &InventoryKey) -> Option<Detail> {
    // A key whose DescribeKey was denied has no known state: nothing to say about it.
    (key.details_known() && key.state != KeyState::Enabled).then_some(Detail::KeyState(key.state))
}

fn old(ctx: &Context, g: &InventoryGrant) -> Option<Detail> {
    let age = age_seconds(ctx, g)?;
    let threshold = ctx.cfg.older_than.as_secs_f64();
    (age > threshold).then(|| Detail::Old {
        age_days: days(age),
        threshold_days: days(threshold),
    })
}

fn unused(ctx: &Context, g: &InventoryGrant) -> Option<Detail> {
    if ctx.usage == UsageSource::None {
        return None;
    }
    // CloudTrail's evidence, when it was looked up (an inventory may also carry the
    // grantee's last use without it: then the last use decides, as below).
    if ctx.usage == UsageSource::Principals && g.evidence.is_some() {
        return unused_by_evidence(g);
    }
    let since = g.last_used.or(g.entry.creation_date)?;
    let idle = ctx.generated_at - since;
    (idle > ctx.cfg.unused_for.as_secs_f64()).then(|| Detail::Unused {
        source: ctx.usage,
        used_before: g.last_used.is_some(),
        idle_days: days(idle),
    })
}

/// On AWS: CloudTrail's evidence (`crate::evidence`). Only "no call in the window" is a
/// finding, and only for a grant older than the window; "possibly used" and "not
/// determined" are not (the summary counts the latter).
fn unused_by_evidence(g: &InventoryGrant) -> Option<Detail> {
    let Some(UsageEvidence::Unused {
        since, window_days, ..
    }) = &g.evidence
    else {
        return None;
    };
    // A grant created inside the window has not been idle for the whole of it.
    if g.entry.creation_date.is_some_and(|c| c > *since) {
        return None;
    }
    Some(Detail::NoCallsInWindow {
        window_days: *window_days,
    })
}

fn cross_account(cfg: &AuditConfig, key_account: &str, people: &Principals) -> Option<Detail> {
    let foreign = |p: &PrincipalFacts| {
        p.account
            .filter(|a| *a != key_account && !cfg.trusted_accounts.iter().any(|t| t == a))
            // 12 digits (principal_account checked), so it fits a u64.
            .and_then(|a| a.parse::<u64>().ok())
    };
    if let Some(account) = foreign(people.grantee) {
        return Some(Detail::CrossAccount {
            account,
            retiring: false,
        });
    }
    let account = people.retiring.and_then(foreign)?;
    Some(Detail::CrossAccount {
        account,
        retiring: true,
    })
}

fn re_delegation(g: &InventoryGrant) -> Option<Detail> {
    g.entry
        .operations
        .contains(&GrantOperation::CreateGrant)
        .then_some(Detail::Plain)
}

fn plaintext_access(g: &InventoryGrant) -> Option<Detail> {
    let set = operation_set(g.entry.operations.iter().filter(|o| o.returns_plaintext()));
    (set != 0).then_some(Detail::Plaintext(set))
}

fn unconstrained(g: &InventoryGrant) -> Option<Detail> {
    // The rule is about encryption context: a SourceArn constraint alone does not meet it.
    let constrained = g
        .entry
        .constraints
        .as_ref()
        .is_some_and(|c| c.has_context_constraint());
    let takes_context = g
        .entry
        .operations
        .iter()
        .any(|o| o.takes_encryption_context());
    (!constrained && takes_context).then_some(Detail::Plain)
}

fn no_retiring_principal(g: &InventoryGrant) -> Option<Detail> {
    g.entry.retiring().is_none().then_some(Detail::Plain)
}

/// Does this grant repeat an earlier one of the key? (Remembers it otherwise.)
fn duplicate<'a>(
    first_of: &mut HashMap<DuplicateKey<'a>, &'a InventoryGrant>,
    g: &'a InventoryGrant,
    grantee: &PrincipalFacts,
) -> Option<Detail> {
    let id = (
        Arc::as_ptr(&grantee.shared) as *const u8 as usize,
        operation_set(&g.entry.operations),
        g.entry.constraints.as_ref().filter(|c| !c.is_empty()),
        g.entry.name.as_str(),
    );
    match first_of.entry(id) {
        Entry::Occupied(original) => Some(Detail::DuplicateOf(Arc::from(
            original.get().entry.grant_id.as_str(),
        ))),
        Entry::Vacant(slot) => {
            slot.insert(g);
            None
        }
    }
}

fn near_quota(cfg: &AuditConfig, key: &InventoryKey) -> Option<Detail> {
    let n = key.grants.len();
    (n >= cfg.near_quota).then_some(Detail::Grants(n))
}
