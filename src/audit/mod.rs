//! The stale-grant audit: pure functions over an inventory (`kms::inventory`) that find the
//! grants nobody needs any more and the risky ones (`../shared/stale-grant-rules.md`).
//! `rules.rs` holds one function per rule, `finding.rs` the findings and their sentences,
//! `config.rs` the thresholds; this file holds severities, rule ids and the run over a
//! whole inventory.

pub mod config;
pub mod finding;
pub mod index;
pub mod rules;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::kms::inventory::{Inventory, UsageSource};

pub use config::AuditConfig;
pub use finding::Finding;
pub use index::{audit_indexed, IndexedReport};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Severity::Info,
            Severity::Low,
            Severity::Medium,
            Severity::High,
        ]
        .into_iter()
        .find(|v| v.as_str() == s.to_ascii_lowercase())
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rules, by their ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    OrphanedGrantee,
    KeyNotEnabled,
    Old,
    Unused,
    CrossAccount,
    ReDelegation,
    PlaintextAccess,
    Unconstrained,
    Duplicate,
    NoRetiringPrincipal,
    ServiceGrant,
    NearQuota,
}

impl Rule {
    pub const ALL: [Rule; 12] = [
        Rule::OrphanedGrantee,
        Rule::KeyNotEnabled,
        Rule::Old,
        Rule::Unused,
        Rule::CrossAccount,
        Rule::ReDelegation,
        Rule::PlaintextAccess,
        Rule::Unconstrained,
        Rule::Duplicate,
        Rule::NoRetiringPrincipal,
        Rule::ServiceGrant,
        Rule::NearQuota,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::OrphanedGrantee => "orphaned-grantee",
            Rule::KeyNotEnabled => "key-not-enabled",
            Rule::Old => "old",
            Rule::Unused => "unused",
            Rule::CrossAccount => "cross-account",
            Rule::ReDelegation => "re-delegation",
            Rule::PlaintextAccess => "plaintext-access",
            Rule::Unconstrained => "unconstrained",
            Rule::Duplicate => "duplicate",
            Rule::NoRetiringPrincipal => "no-retiring-principal",
            Rule::ServiceGrant => "service-grant",
            Rule::NearQuota => "near-quota",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Rule::CrossAccount | Rule::ReDelegation => Severity::High,
            Rule::OrphanedGrantee | Rule::Unused | Rule::PlaintextAccess | Rule::NearQuota => {
                Severity::Medium
            }
            Rule::KeyNotEnabled
            | Rule::Old
            | Rule::Unconstrained
            | Rule::Duplicate
            | Rule::NoRetiringPrincipal => Severity::Low,
            Rule::ServiceGrant => Severity::Info,
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub keys: usize,
    pub grants: usize,
    pub findings: usize,
    pub by_severity: BTreeMap<Severity, usize>,
    pub by_rule: BTreeMap<Rule, usize>,
    /// Rules the backend's data cannot support (e.g. `unused` without usage data).
    pub unavailable: Vec<Rule>,
    /// Keys the caller could not fully read (DescribeKey or ListGrants denied): their
    /// grants are not all audited.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unreadable_keys: usize,
    /// Grants whose use CloudTrail could not settle (`--evidence cloudtrail`): the
    /// `unused` rule says nothing of them.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub usage_not_determined: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

/// Audit a whole inventory. Findings come most severe first, then in inventory order.
pub fn audit(inv: &Inventory, cfg: &AuditConfig) -> Report {
    // Most severe first; within a severity, inventory order (key, then grant listing
    // order). Each finding is moved once, severity by severity, instead of concatenating
    // then sorting a million findings.
    let mut per_key = per_key_in_parallel(&rules::Context::new(inv, cfg));
    let total = per_key.iter().flatten().map(Vec::len).sum();
    let mut findings = Vec::with_capacity(total);
    for severity in (0..SEVERITIES).rev() {
        for buckets in &mut per_key {
            findings.append(&mut buckets[severity]);
        }
    }
    let mut by_severity = BTreeMap::new();
    let mut by_rule = BTreeMap::new();
    for f in &findings {
        *by_severity.entry(f.severity).or_insert(0) += 1;
        *by_rule.entry(f.rule).or_insert(0) += 1;
    }
    let unavailable = if inv.usage == UsageSource::None {
        vec![Rule::Unused]
    } else {
        vec![]
    };
    Report {
        summary: Summary {
            keys: inv.keys.len(),
            grants: inv.keys.iter().map(|k| k.grants.len()).sum(),
            findings: findings.len(),
            by_severity,
            by_rule,
            unavailable,
            unreadable_keys: inv.keys.iter().filter(|k| !k.unreadable.is_empty()).count(),
            usage_not_determined: inv
                .keys
                .iter()
                .flat_map(|k| &k.grants)
                .filter(|g| {
                    matches!(
                        g.evidence,
                        Some(crate::kms::usage::UsageEvidence::NotDetermined { .. })
                    )
                })
                .count(),
        },
        findings,
    }
}

const SEVERITIES: usize = 4;

/// One key's findings by severity (index `Severity as usize`), each in listing order.
type Buckets = [Vec<Finding>; SEVERITIES];

fn key_buckets(ctx: &rules::Context, key: &crate::kms::inventory::InventoryKey) -> Buckets {
    let mut buckets: Buckets = Default::default();
    rules::key_findings(ctx, key, &mut buckets);
    buckets
}

/// Every key's findings, in inventory order, the keys shared out over the machine's cores
/// (keys are independent: each rule looks at one key's grants).
fn per_key_in_parallel(ctx: &rules::Context) -> Vec<Buckets> {
    let inv = ctx.inv;
    let grants: usize = inv.keys.iter().map(|k| k.grants.len()).sum();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(inv.keys.len());
    // Small inventories are not worth a thread.
    if threads <= 1 || grants < 10_000 {
        return inv.keys.iter().map(|key| key_buckets(ctx, key)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, Buckets)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(key) = inv.keys.get(i) else { break };
                        mine.push((i, key_buckets(ctx, key)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            // A worker only panics if a rule does; re-raise it here rather than lose keys.
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, f)| f).collect()
}

/// Does any finding reach `threshold`?
pub fn fails(report: &Report, threshold: Severity) -> bool {
    report.findings.iter().any(|f| f.severity >= threshold)
}
