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

use crate::kms::inventory::{Inventory, InventoryKey, UsageSource};

pub use config::AuditConfig;
pub use finding::Finding;
pub use index::{audit_indexed, IndexedAuditor, IndexedReport};

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
    let mut auditor = Auditor::new(inv, cfg);
    auditor.add(&inv.keys);
    auditor.finish()
}

/// An audit fed its keys a chunk at a time, so that a caller with a big world never holds
/// the whole inventory at once (the UI's audit of a simulated world: a chunk's inventory
/// is dropped before the next is built). Rules look at one key at a time, so the findings
/// are the same however the keys are cut up.
pub struct Auditor {
    ctx: rules::Context,
    /// Findings by severity (index `Severity as usize`), one exactly sized vector per chunk
    /// of keys, each in key then listing order.
    by_severity: [Vec<Vec<Finding>>; SEVERITIES],
    keys: usize,
    grants: usize,
    unreadable_keys: usize,
    usage_not_determined: usize,
}

impl Auditor {
    /// An audit of the inventory `header` describes (when it was taken, its usage data, the
    /// principals known to exist); its keys come through `add`.
    pub fn new(header: &Inventory, cfg: &AuditConfig) -> Self {
        Auditor {
            ctx: rules::Context::new(header, cfg),
            by_severity: Default::default(),
            keys: 0,
            grants: 0,
            unreadable_keys: 0,
            usage_not_determined: 0,
        }
    }

    /// Audit `keys`, which follow those already added.
    pub fn add(&mut self, keys: &[InventoryKey]) {
        self.add_with(keys, |_, _| {});
    }

    /// Audit `keys`, which follow those already added, showing `each_key` every key with
    /// its findings (any severity) before they join the rest.
    pub fn add_with<'k>(
        &mut self,
        keys: &'k [InventoryKey],
        mut each_key: impl FnMut(&'k InventoryKey, &mut dyn Iterator<Item = &Finding>),
    ) {
        self.keys += keys.len();
        self.grants += keys.iter().map(|k| k.grants.len()).sum::<usize>();
        self.unreadable_keys += keys.iter().filter(|k| !k.unreadable.is_empty()).count();
        self.usage_not_determined += keys
            .iter()
            .flat_map(|k| &k.grants)
            .filter(|g| {
                matches!(
                    g.evidence,
                    Some(crate::kms::usage::UsageEvidence::NotDetermined { .. })
                )
            })
            .count();
        let mut per_key = per_key_in_parallel(&self.ctx, keys);
        for (key, buckets) in keys.iter().zip(&per_key) {
            each_key(key, &mut buckets.iter().flatten());
        }
        // The chunk's findings in one exactly sized vector per severity; the keys' own
        // vectors are freed here, chunk by chunk.
        for (severity, out) in self.by_severity.iter_mut().enumerate() {
            let count = per_key.iter().map(|b| b[severity].len()).sum();
            let mut chunk = Vec::with_capacity(count);
            for buckets in &mut per_key {
                chunk.append(&mut buckets[severity]);
                buckets[severity].shrink_to_fit();
            }
            out.push(chunk);
        }
    }

    /// The report: findings most severe first; within a severity, in the order the keys
    /// came (key, then grant listing order).
    pub fn finish(mut self) -> Report {
        // Each finding is moved once, severity by severity, instead of concatenating then
        // sorting a million findings; each chunk's vector is freed as soon as it is moved.
        let total = self.by_severity.iter().flatten().map(Vec::len).sum();
        let mut findings = Vec::with_capacity(total);
        for severity in (0..SEVERITIES).rev() {
            for chunk in std::mem::take(&mut self.by_severity[severity]) {
                findings.extend(chunk);
            }
        }
        let mut by_severity = BTreeMap::new();
        let mut by_rule = BTreeMap::new();
        for f in &findings {
            *by_severity.entry(f.severity).or_insert(0) += 1;
            *by_rule.entry(f.rule).or_insert(0) += 1;
        }
        let unavailable = if self.ctx.usage == UsageSource::None {
            vec![Rule::Unused]
        } else {
            vec![]
        };
        Report {
            summary: Summary {
                keys: self.keys,
                grants: self.grants,
                findings: findings.len(),
                by_severity,
                by_rule,
                unavailable,
                unreadable_keys: self.unreadable_keys,
                usage_not_determined: self.usage_not_determined,
            },
            findings,
        }
    }
}

const SEVERITIES: usize = 4;

/// One key's findings by severity (index `Severity as usize`), each in listing order.
type Buckets = [Vec<Finding>; SEVERITIES];

fn key_buckets(ctx: &rules::Context, key: &InventoryKey) -> Buckets {
    let mut buckets: Buckets = Default::default();
    rules::key_findings(ctx, key, &mut buckets);
    buckets
}

/// Every key's findings, in the order given, the keys shared out over the machine's cores
/// (keys are independent: each rule looks at one key's grants).
fn per_key_in_parallel(ctx: &rules::Context, keys: &[InventoryKey]) -> Vec<Buckets> {
    let grants: usize = keys.iter().map(|k| k.grants.len()).sum();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(keys.len());
    // Small inventories are not worth a thread.
    if threads <= 1 || grants < 10_000 {
        return keys.iter().map(|key| key_buckets(ctx, key)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, Buckets)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(key) = keys.get(i) else { break };
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
