//! One function per audit rule. Per-grant rules look at a single grant of a key; `duplicate`
//! and `near-quota` look at the key's grants together. Grants that AWS services create for
//! their resources only get the informational `service-grant` finding: revoking them breaks
//! the service.

use std::collections::HashMap;

use crate::kms::ids::{is_iam_unique_id, is_service_principal, Arn, PrincipalArn};
use crate::kms::inventory::{Inventory, InventoryGrant, InventoryKey, UsageSource};
use crate::kms::{GrantConstraints, GrantOperation, KeyState};

use super::{AuditConfig, Finding, Rule};

const DAY: f64 = 86_400.0;

fn days(seconds: f64) -> i64 {
    (seconds / DAY).floor() as i64
}

fn revoke_cmd(key: &InventoryKey, g: &InventoryGrant) -> String {
    format!(
        "aws kms revoke-grant --key-id {} --grant-id {}",
        key.arn, g.entry.grant_id
    )
}

fn finding(
    rule: Rule,
    key: &InventoryKey,
    g: Option<&InventoryGrant>,
    reason: String,
    action: String,
) -> Finding {
    Finding {
        rule,
        severity: rule.severity(),
        key: key.arn.clone(),
        grant_id: g.map(|g| g.entry.grant_id.clone()),
        grantee: g.map(|g| g.entry.grantee_principal.clone()),
        reason,
        action,
    }
}

/// Created by an AWS service for one of its resources?
pub fn is_service_grant(g: &InventoryGrant) -> bool {
    service_principal(&g.entry.grantee_principal)
        || g.entry
            .retiring_principal
            .as_deref()
            .is_some_and(service_principal)
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

/// The account of an ARN principal, borrowed (no allocation).
fn principal_account(p: &str) -> Option<&str> {
    Arn::parse(p)
        .filter(|a| matches!(a.service, "iam" | "sts") && a.region.is_empty())
        .map(|a| a.account)
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
}

fn age_seconds(inv: &Inventory, g: &InventoryGrant) -> Option<f64> {
    g.entry
        .creation_date
        .map(|c| (inv.generated_at - c).max(0.0))
}

/// Every finding for one key.
pub fn key_findings(inv: &Inventory, key: &InventoryKey, cfg: &AuditConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    let service: Vec<bool> = key.grants.iter().map(is_service_grant).collect();
    for (g, &is_service) in key.grants.iter().zip(&service) {
        if is_service {
            out.push(service_grant(key, g));
            continue;
        }
        out.extend(orphaned_grantee(inv, key, g, cfg));
        out.extend(key_not_enabled(key, g));
        out.extend(old(inv, key, g, cfg));
        out.extend(unused(inv, key, g, cfg));
        out.extend(cross_account(key, g, cfg));
        out.extend(re_delegation(key, g));
        out.extend(plaintext_access(key, g));
        out.extend(unconstrained(key, g));
        out.extend(no_retiring_principal(key, g));
    }
    out.extend(duplicates_among(key, &service));
    out.extend(near_quota(key, cfg));
    out
}

/// The principal is gone: IAM shows its unique id, or (when the inventory lists IAM) an ARN
/// of the key's account that does not exist.
fn is_orphan(inv: &Inventory, key_account: &str, principal: &str) -> bool {
    if is_iam_unique_id(principal) {
        return true;
    }
    match (PrincipalArn::parse(principal), &inv.principals) {
        (Some(p @ (PrincipalArn::User { .. } | PrincipalArn::Role { .. })), Some(known)) => {
            p.account() == Some(key_account)
                && !known
                    .iter()
                    .any(|k| PrincipalArn::parse(k).as_ref() == Some(&p))
        }
        _ => false,
    }
}

pub fn orphaned_grantee(
    inv: &Inventory,
    key: &InventoryKey,
    g: &InventoryGrant,
    cfg: &AuditConfig,
) -> Option<Finding> {
    if age_seconds(inv, g).is_some_and(|a| a < cfg.orphan_grace.as_secs_f64()) {
        return None;
    }
    let account = key.arn.split(':').nth(4).unwrap_or_default();
    let grantee = is_orphan(inv, account, &g.entry.grantee_principal);
    let retiring = g
        .entry
        .retiring_principal
        .as_deref()
        .is_some_and(|r| is_orphan(inv, account, r));
    let reason = match (grantee, retiring) {
        (true, _) => format!(
            "The grantee {} no longer exists (IAM shows its unique id), so nobody can use this grant; it is dead weight on the key.",
            g.entry.grantee_principal
        ),
        (false, true) => format!(
            "The retiring principal {} no longer exists, so only key administrators can remove this grant.",
            g.entry.retiring_principal.as_deref().unwrap_or_default()
        ),
        _ => return None,
    };
    Some(finding(
        Rule::OrphanedGrantee,
        key,
        Some(g),
        reason,
        format!("Revoke it: {}", revoke_cmd(key, g)),
    ))
}

pub fn key_not_enabled(key: &InventoryKey, g: &InventoryGrant) -> Option<Finding> {
    if key.state == KeyState::Enabled {
        return None;
    }
    Some(finding(
        Rule::KeyNotEnabled,
        key,
        Some(g),
        format!(
            "The key is {}: the grant is dormant, and alive again if the key is re-enabled.",
            key.state
        ),
        format!(
            "Revoke it unless the key is meant to come back: {}",
            revoke_cmd(key, g)
        ),
    ))
}

pub fn old(
    inv: &Inventory,
    key: &InventoryKey,
    g: &InventoryGrant,
    cfg: &AuditConfig,
) -> Option<Finding> {
    let age = age_seconds(inv, g)?;
    if age <= cfg.older_than.as_secs_f64() {
        return None;
    }
    Some(finding(
        Rule::Old,
        key,
        Some(g),
        format!(
            "Created {} days ago (threshold {} days); grants never expire, so old ones outlive their task.",
            days(age),
            days(cfg.older_than.as_secs_f64())
        ),
        format!("Confirm it is still needed, or retire or revoke it: {}", revoke_cmd(key, g)),
    ))
}

pub fn unused(
    inv: &Inventory,
    key: &InventoryKey,
    g: &InventoryGrant,
    cfg: &AuditConfig,
) -> Option<Finding> {
    let since = match (g.last_used, g.entry.creation_date) {
        (Some(u), _) => u,
        (None, Some(c)) => c,
        (None, None) => return None,
    };
    let idle = inv.generated_at - since;
    if idle <= cfg.unused_for.as_secs_f64() {
        return None;
    }
    let reason = match (inv.usage, g.last_used) {
        (UsageSource::None, _) => return None,
        (UsageSource::Grants, Some(_)) => format!(
            "This grant has not authorized any call for {} days.",
            days(idle)
        ),
        (UsageSource::Grants, None) => {
            format!(
                "This grant has never authorized a call since it was created {} days ago.",
                days(idle)
            )
        }
        (UsageSource::Principals, Some(_)) => {
            format!("The grantee has not used this key for {} days.", days(idle))
        }
        (UsageSource::Principals, None) => format!(
            "The grantee has not used this key since the grant was created {} days ago.",
            days(idle)
        ),
    };
    Some(finding(
        Rule::Unused,
        key,
        Some(g),
        reason,
        format!(
            "Retire or revoke it if its task is done: {}",
            revoke_cmd(key, g)
        ),
    ))
}

pub fn cross_account(key: &InventoryKey, g: &InventoryGrant, cfg: &AuditConfig) -> Option<Finding> {
    let key_account = key.arn.split(':').nth(4).unwrap_or_default();
    let foreign = |p: &str| {
        principal_account(p)
            .filter(|a| *a != key_account && !cfg.trusted_accounts.iter().any(|t| t == a))
            .map(str::to_string)
    };
    let (who, account) = if let Some(a) = foreign(&g.entry.grantee_principal) {
        ("grantee", a)
    } else if let Some(a) = g.entry.retiring_principal.as_deref().and_then(foreign) {
        ("retiring principal", a)
    } else {
        return None;
    };
    Some(finding(
        Rule::CrossAccount,
        key,
        Some(g),
        format!("The {who} is in account {account}, not the key's account {key_account}, and that account is not trusted."),
        format!(
            "Confirm the access is intended (then add --trusted-account {account}), or revoke it: {}",
            revoke_cmd(key, g)
        ),
    ))
}

pub fn re_delegation(key: &InventoryKey, g: &InventoryGrant) -> Option<Finding> {
    if !g.entry.operations.contains(&GrantOperation::CreateGrant) {
        return None;
    }
    Some(finding(
        Rule::ReDelegation,
        key,
        Some(g),
        "The grant includes CreateGrant: the grantee can hand the key on to others.".to_string(),
        format!(
            "Replace it with a grant without CreateGrant, then revoke it: {}",
            revoke_cmd(key, g)
        ),
    ))
}

pub fn plaintext_access(key: &InventoryKey, g: &InventoryGrant) -> Option<Finding> {
    let ops: Vec<&str> = g
        .entry
        .operations
        .iter()
        .filter(|o| o.returns_plaintext())
        .map(|o| o.as_str())
        .collect();
    if ops.is_empty() {
        return None;
    }
    Some(finding(
        Rule::PlaintextAccess,
        key,
        Some(g),
        format!(
            "The grant allows {}, which {} plaintext to the grantee.",
            ops.join(", "),
            if ops.len() == 1 { "returns" } else { "return" }
        ),
        "Check the grantee needs plaintext; prefer encryption-context constraints that narrow it."
            .to_string(),
    ))
}

pub fn unconstrained(key: &InventoryKey, g: &InventoryGrant) -> Option<Finding> {
    let constrained = g.entry.constraints.as_ref().is_some_and(|c| !c.is_empty());
    let takes_context = g
        .entry
        .operations
        .iter()
        .any(|o| o.takes_encryption_context());
    if constrained || !takes_context {
        return None;
    }
    Some(finding(
        Rule::Unconstrained,
        key,
        Some(g),
        "The grant has no encryption-context constraint: it works for any data under the key.".to_string(),
        "Replace it with a grant constrained by EncryptionContextSubset or EncryptionContextEquals.".to_string(),
    ))
}

pub fn no_retiring_principal(key: &InventoryKey, g: &InventoryGrant) -> Option<Finding> {
    if g.entry.retiring_principal.is_some() {
        return None;
    }
    Some(finding(
        Rule::NoRetiringPrincipal,
        key,
        Some(g),
        "The grant has no retiring principal: nobody but key administrators can remove it.".to_string(),
        "Name a retiring principal when you create grants, so the workflow that made it can retire it.".to_string(),
    ))
}

pub fn service_grant(key: &InventoryKey, g: &InventoryGrant) -> Finding {
    finding(
        Rule::ServiceGrant,
        key,
        Some(g),
        "An AWS service created this grant for one of its resources; revoking it breaks that resource.".to_string(),
        "Leave it unless the resource it serves is gone; the service retires it itself.".to_string(),
    )
}

/// The identity two grants are duplicates under: grantee, the set of operations (as a
/// bit set, so order and repeats never matter), constraints (maps are ordered, so pair
/// order never matters) and name.
type DuplicateKey<'a> = (&'a str, u32, Option<&'a GrantConstraints>, &'a str);

fn operation_set(ops: &[GrantOperation]) -> u32 {
    // 17 fieldless variants: each one's discriminant is its bit.
    ops.iter().fold(0, |set, &op| set | 1 << (op as u32))
}

/// Grants of the key that repeat an earlier one (service grants aside).
pub fn duplicates(key: &InventoryKey) -> Vec<Finding> {
    let service: Vec<bool> = key.grants.iter().map(is_service_grant).collect();
    duplicates_among(key, &service)
}

fn duplicates_among(key: &InventoryKey, service: &[bool]) -> Vec<Finding> {
    let mut first_of: HashMap<DuplicateKey, &InventoryGrant> =
        HashMap::with_capacity(key.grants.len());
    let mut out = Vec::new();
    for (g, _) in key.grants.iter().zip(service).filter(|(_, &s)| !s) {
        let id = (
            g.entry.grantee_principal.as_str(),
            operation_set(&g.entry.operations),
            g.entry.constraints.as_ref().filter(|c| !c.is_empty()),
            g.entry.name.as_str(),
        );
        match first_of.get(&id) {
            Some(original) => out.push(finding(
                Rule::Duplicate,
                key,
                Some(g),
                format!(
                    "Same grantee, operations, constraints and name as grant {}.",
                    original.entry.grant_id
                ),
                format!("Revoke the duplicate: {}", revoke_cmd(key, g)),
            )),
            None => {
                first_of.insert(id, g);
            }
        }
    }
    out
}

pub fn near_quota(key: &InventoryKey, cfg: &AuditConfig) -> Option<Finding> {
    let n = key.grants.len();
    if n < cfg.near_quota {
        return None;
    }
    Some(finding(
        Rule::NearQuota,
        key,
        None,
        format!(
            "The key holds {n} grants of the 50,000 a key may hold; CreateGrant fails beyond that."
        ),
        "Retire grants whose task is done; spread new grants over more keys.".to_string(),
    ))
}
