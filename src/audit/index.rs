//! An audit report indexed for a screen that reads it every frame: findings by grant and
//! by key, each grant's worst severity, and the labels a findings list shows beside each
//! finding (key alias, grant name or short id, grantee), all worked out once, off the UI
//! thread. Pure, like the rest of the audit.

use std::collections::{HashMap, HashSet};

use crate::kms::inventory::Inventory;
use crate::kms::{distinct_prefix_len, grant_id_label};

use super::{audit, AuditConfig, Finding, Report, Severity};

/// What the findings view shows beside a finding (resolved once, off the UI thread).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FindingLabels {
    /// The key's first alias, or its short id.
    pub key: String,
    /// The grant's name, or its short id; "-" for key-level findings.
    pub grant: String,
    /// The grantee's short name; "-" for key-level findings.
    pub grantee: String,
}

/// The findings of one key, for the keys pane and the key's detail.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyFindings {
    /// Grants with at least one finding above `info`.
    pub stale_grants: usize,
    /// The most severe finding on the key or any of its grants.
    pub worst: Option<Severity>,
    /// Findings about the key itself (near-quota), as indexes into the report.
    pub key_level: Vec<u32>,
}

/// One audit run's result, indexed for the panes.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexedReport {
    /// Findings most severe first (as `audit` sorts them).
    pub report: Report,
    /// Parallel to `report.findings`.
    pub labels: Vec<FindingLabels>,
    /// Finding indexes by grant id (check the finding's key too: ids are unique per key).
    pub by_grant: HashMap<String, Vec<u32>>,
    /// By key ARN.
    pub by_key: HashMap<String, KeyFindings>,
    /// The most severe finding of each grant, by key ARN then grant id (the grants pane
    /// asks for every row it draws, and stale-only for every grant of the key).
    pub worst: HashMap<String, HashMap<String, Severity>>,
}

impl IndexedReport {
    pub fn finding(&self, i: usize) -> Option<&Finding> {
        self.report.findings.get(i)
    }

    /// The findings of a grant, most severe first.
    pub fn grant_findings<'a>(
        &'a self,
        key_arn: &'a str,
        grant_id: &str,
    ) -> impl Iterator<Item = &'a Finding> + 'a {
        self.by_grant
            .get(grant_id)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.report.findings.get(i as usize))
            .filter(move |f| &*f.key == key_arn)
    }

    /// The most severe finding of a grant, if it has any.
    pub fn grant_worst(&self, key_arn: &str, grant_id: &str) -> Option<Severity> {
        self.worst.get(key_arn)?.get(grant_id).copied()
    }

    /// Is the grant stale: a finding above `info`? (A service grant alone is informational:
    /// revoking it breaks the service's resource.)
    pub fn is_stale(&self, key_arn: &str, grant_id: &str) -> bool {
        self.grant_worst(key_arn, grant_id)
            .is_some_and(|s| s > Severity::Info)
    }

    pub fn key(&self, key_arn: &str) -> Option<&KeyFindings> {
        self.by_key.get(key_arn)
    }
}

/// Audit an inventory and index the result (heavy: run it off the UI thread).
pub fn audit_indexed(inv: &Inventory, cfg: &AuditConfig) -> IndexedReport {
    let report = audit(inv, cfg);
    let key_labels: HashMap<&str, String> = inv
        .keys
        .iter()
        .map(|k| {
            let label = k
                .aliases
                .first()
                .cloned()
                .unwrap_or_else(|| k.key_id.chars().take(8).collect());
            (k.arn.as_str(), label)
        })
        .collect();
    // Names of only the grants that have findings.
    let wanted: HashSet<(&str, &str)> = report
        .findings
        .iter()
        .filter_map(|f| f.grant_id.as_deref().map(|g| (&*f.key, g)))
        .collect();
    // Unnamed grants are shown by as much of their id as tells them apart.
    let id_len = distinct_prefix_len(wanted.iter().map(|(_, g)| *g));
    let mut grant_names: HashMap<(&str, &str), (String, String)> = HashMap::new();
    for k in &inv.keys {
        for g in &k.grants {
            let id = (k.arn.as_str(), g.entry.grant_id.as_str());
            if wanted.contains(&id) {
                let label = if g.entry.name.is_empty() {
                    grant_id_label(&g.entry.grant_id, id_len)
                } else {
                    g.entry.name.clone()
                };
                grant_names.insert(id, (label, g.grantee_name.clone()));
            }
        }
    }
    let mut labels = Vec::with_capacity(report.findings.len());
    let mut by_grant: HashMap<String, Vec<u32>> = HashMap::new();
    let mut by_key: HashMap<String, KeyFindings> = HashMap::new();
    let mut stale: HashSet<(&str, &str)> = HashSet::new();
    let mut worst: HashMap<String, HashMap<String, Severity>> = HashMap::new();
    for (i, f) in report.findings.iter().enumerate() {
        let key = key_labels
            .get(&*f.key)
            .cloned()
            .unwrap_or_else(|| f.key.to_string());
        let entry = by_key.entry(f.key.to_string()).or_default();
        entry.worst = entry.worst.max(Some(f.severity));
        match f.grant_id.as_deref() {
            Some(g) => {
                by_grant.entry(g.to_string()).or_default().push(i as u32);
                let w = worst
                    .entry(f.key.to_string())
                    .or_default()
                    .entry(g.to_string())
                    .or_insert(f.severity);
                *w = (*w).max(f.severity);
                if f.severity > Severity::Info && stale.insert((&*f.key, g)) {
                    entry.stale_grants += 1;
                }
                let (grant, grantee) =
                    grant_names.get(&(&*f.key, g)).cloned().unwrap_or_else(|| {
                        (
                            grant_id_label(g, id_len),
                            f.grantee.as_deref().unwrap_or("-").to_string(),
                        )
                    });
                labels.push(FindingLabels {
                    key,
                    grant,
                    grantee,
                });
            }
            None => {
                entry.key_level.push(i as u32);
                labels.push(FindingLabels {
                    key,
                    grant: "-".into(),
                    grantee: "-".into(),
                });
            }
        }
    }
    IndexedReport {
        report,
        labels,
        by_grant,
        by_key,
        worst,
    }
}
