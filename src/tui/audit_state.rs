//! The stale-grant audit as the UI holds it: the configuration, whether a run is in flight
//! (and whether another was asked for meanwhile, so bursts of changes coalesce into one
//! rerun), the last result with the indexes the panes read every frame, the stale-only
//! toggle, the findings view's selection and a pending jump to a grant.
//!
//! `analyse` turns an inventory into an `AuditOutcome` (the report plus those indexes); it
//! is pure and heavy, so the executor runs it on a blocking thread.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::audit::{audit, AuditConfig, Finding, Report, Severity};
use crate::kms::inventory::Inventory;

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
pub struct AuditOutcome {
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

impl AuditOutcome {
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
pub fn analyse(inv: &Inventory, cfg: &AuditConfig) -> AuditOutcome {
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
    let mut grant_names: HashMap<(&str, &str), (String, String)> = HashMap::new();
    for k in &inv.keys {
        for g in &k.grants {
            let id = (k.arn.as_str(), g.entry.grant_id.as_str());
            if wanted.contains(&id) {
                let label = if g.entry.name.is_empty() {
                    g.entry.grant_id.chars().take(12).collect()
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
                            g.chars().take(12).collect(),
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
    AuditOutcome {
        report,
        labels,
        by_grant,
        by_key,
        worst,
    }
}

/// Where a jump from a finding is going: the grant to select once its key's grants load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JumpTarget {
    pub key_arn: String,
    pub grant_id: String,
}

/// The audit in the UI.
#[derive(Debug, Clone, Default)]
pub struct AuditState {
    pub config: AuditConfig,
    /// A run is in flight.
    pub running: bool,
    /// A change arrived while a run was in flight: run once more when it ends.
    pub rerun: bool,
    /// Bumped per run; an answer of another run is dropped.
    pub generation: u64,
    /// The latest result (kept, and shown, while a rerun is in flight).
    pub outcome: Option<Arc<AuditOutcome>>,
    /// Why the latest run failed.
    pub error: Option<String>,
    /// The grants pane shows only stale grants.
    pub stale_only: bool,
    /// The findings view is open.
    pub view_open: bool,
    /// The selected row of the findings view.
    pub selected: usize,
    /// A grant to select when its key's grants arrive.
    pub jump: Option<JumpTarget>,
}

impl AuditState {
    /// Number of findings of the latest result.
    pub fn len(&self) -> usize {
        self.outcome.as_ref().map_or(0, |o| o.report.findings.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The finding selected in the findings view.
    pub fn selected_finding(&self) -> Option<&Finding> {
        self.outcome.as_ref()?.finding(self.selected)
    }

    /// The first row and the number of rows of a `height`-row window that shows the
    /// selection (at the bottom edge when scrolled), as the panes' lists do.
    pub fn window(&self, height: usize) -> (usize, usize) {
        let height = height.max(1);
        let offset = (self.selected + 1).saturating_sub(height);
        (offset, self.len().saturating_sub(offset).min(height))
    }
}
