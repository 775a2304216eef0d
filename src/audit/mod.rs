//! The stale-grant audit: pure functions over an inventory (`kms::inventory`) that find the
//! grants nobody needs any more and the risky ones (`../shared/stale-grant-rules.md`).
//! `rules.rs` holds one function per rule; this file holds findings, severities, the
//! configuration and the run over a whole inventory.

pub mod config;
pub mod rules;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::kms::inventory::{Inventory, UsageSource};

pub use config::AuditConfig;

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

/// One finding: which rule, how serious, where, why, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    /// The key ARN.
    pub key: String,
    /// The grant (none for key-level findings such as near-quota).
    pub grant_id: Option<String>,
    /// The grantee as ListGrants shows it.
    pub grantee: Option<String>,
    pub reason: String,
    pub action: String,
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

/// Audit a whole inventory. Findings come most severe first, then in inventory order.
pub fn audit(inv: &Inventory, cfg: &AuditConfig) -> Report {
    let mut findings = Vec::new();
    for key in &inv.keys {
        findings.extend(rules::key_findings(inv, key, cfg));
    }
    // Most severe first; within a severity, inventory order (key, then grant listing
    // order) — a stable sort on one byte, cheap for a million findings.
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
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
        },
        findings,
    }
}

/// Does any finding reach `threshold`?
pub fn fails(report: &Report, threshold: Severity) -> bool {
    report.findings.iter().any(|f| f.severity >= threshold)
}
