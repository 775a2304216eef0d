//! An audit report indexed for a screen that reads it every frame: findings by key and by
//! grant, each grant's worst severity, and what a findings list shows beside a finding (key
//! alias, grant name or short id, grantee), worked out off the UI thread. Pure, like the
//! rest of the audit.
//!
//! Memory: a 100k-key world has millions of findings, so nothing here is kept per finding
//! but the finding itself. Labels are kept once per key and per grant (shared strings) and
//! put together for the rows a screen draws (`labels`); the keys and grant ids of the maps
//! are the findings' own shared strings. The audit can be fed a chunk of keys at a time
//! (`IndexedAuditor`), so its caller never holds the whole inventory.
//!
//! It also keeps what is known of each grant's use (the UI's "Seen" column and `LastSeen`
//! field): only for grants that have something to keep (a last use, or CloudTrail's
//! evidence), in a side map, so a 500k-grant world that is mostly unused adds little.

use std::collections::HashMap;
use std::sync::Arc;

use crate::evidence::Tally;
use crate::kms::inventory::{Inventory, InventoryKey, UsageSource};
use crate::kms::usage::{LastUse, UsageEvidence};
use crate::kms::{distinct_prefix_len, grant_id_label};

use super::{AuditConfig, Auditor, Finding, Report, Severity};

/// What the findings view shows beside a finding.
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFindings {
    /// Grants with at least one finding above `info`.
    pub stale_grants: usize,
    /// The most severe finding on the key or any of its grants.
    pub worst: Option<Severity>,
    /// Findings about the key itself (near-quota), as indexes into the report.
    pub key_level: Vec<u32>,
    /// The key's first alias, or its short id.
    label: Arc<str>,
    /// The key's grants that have findings, by grant id.
    grants: HashMap<Arc<str>, GrantFindings>,
}

/// The findings of one grant.
#[derive(Debug, Clone, PartialEq, Eq)]
struct GrantFindings {
    worst: Severity,
    /// Indexes into the report, most severe first.
    findings: Vec<u32>,
    /// What a list calls the grant and its grantee.
    names: GrantNames,
}

/// A grant's name (none when unnamed) and its grantee's short name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct GrantNames {
    name: Option<Arc<str>>,
    grantee: Arc<str>,
}

/// A key's label and the names of its grants that have findings, by grant id.
type KeyNames = (Arc<str>, HashMap<Arc<str>, GrantNames>);

/// What is known of the use of a key's grants, by grant id (grants with nothing known
/// are not kept).
type KeyUses = HashMap<Box<str>, LastUse>;

/// What the audited inventory knew of use: where it came from, when the inventory was
/// taken, each grant's last use, and CloudTrail's tally when it was looked up.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageKnown {
    pub source: UsageSource,
    /// Epoch seconds when the inventory was taken.
    pub taken_at: f64,
    /// The look-up's tally (`--evidence cloudtrail` on AWS); None without a look-up.
    pub tally: Option<Tally>,
    by_key: HashMap<Box<str>, KeyUses>,
}

impl UsageKnown {
    fn new(header: &Inventory) -> Self {
        UsageKnown {
            source: header.usage,
            taken_at: header.generated_at,
            tally: None,
            by_key: HashMap::new(),
        }
    }

    /// Keep what `keys` say of their grants' use.
    fn add(&mut self, keys: &[InventoryKey]) {
        for k in keys {
            let uses: KeyUses = k
                .grants
                .iter()
                .filter_map(|g| {
                    LastUse::of(g.last_used, g.evidence.as_ref())
                        .map(|u| (Box::from(g.entry.grant_id.as_str()), u))
                })
                .collect();
            if !uses.is_empty() {
                self.by_key.insert(Box::from(k.arn.as_str()), uses);
            }
        }
    }

    /// What is known of a grant's last use.
    pub fn last_use(&self, key_arn: &str, grant_id: &str) -> Option<&LastUse> {
        self.by_key.get(key_arn)?.get(grant_id)
    }

    /// CloudTrail's evidence for every grant of the key, when all of `grant_ids` have it
    /// (an audit rerun reuses it instead of asking CloudTrail again).
    pub fn key_evidence<'a>(
        &self,
        key_arn: &str,
        mut grant_ids: impl Iterator<Item = &'a str>,
    ) -> Option<Vec<UsageEvidence>> {
        let uses = self.by_key.get(key_arn)?;
        grant_ids.try_fold(Vec::new(), |mut out, id| match uses.get(id) {
            Some(LastUse::Evidence(e)) => {
                out.push(e.clone());
                Some(out)
            }
            _ => None,
        })
    }

    /// Why CloudTrail could not be read, when it could not for some grant (AccessDenied
    /// on LookupEvents, throttling past the SDK's retries, the network): AWS's message.
    pub fn not_readable(&self) -> Option<&str> {
        self.by_key
            .values()
            .flat_map(|k| k.values())
            .find_map(|u| match u {
                LastUse::Evidence(UsageEvidence::NotDetermined {
                    reason: crate::kms::usage::Undetermined::NotReadable { error },
                }) => Some(error.as_str()),
                _ => None,
            })
    }

    /// The distinct reasons usage was not determined, with how many grants each (as
    /// `report` lists them).
    pub fn undetermined_reasons(&self) -> Vec<(String, usize)> {
        let mut reasons: std::collections::BTreeMap<String, usize> = Default::default();
        for u in self.by_key.values().flat_map(|k| k.values()) {
            if let LastUse::Evidence(UsageEvidence::NotDetermined { reason }) = u {
                *reasons.entry(reason.sentence()).or_default() += 1;
            }
        }
        reasons.into_iter().collect()
    }
}

/// One audit run's result, indexed for the panes.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexedReport {
    /// Findings most severe first (as `audit` sorts them).
    pub report: Report,
    /// By key ARN.
    by_key: HashMap<Arc<str>, KeyFindings>,
    /// Unnamed grants are shown by as much of their id as tells them apart.
    id_len: usize,
    /// What the inventory knew of each grant's use.
    pub usage: UsageKnown,
}

impl IndexedReport {
    pub fn finding(&self, i: usize) -> Option<&Finding> {
        self.report.findings.get(i)
    }

    /// What a list shows beside finding `i` (built for the rows on screen only).
    pub fn labels(&self, i: usize) -> Option<FindingLabels> {
        let f = self.finding(i)?;
        let key = self.by_key.get(&*f.key);
        let key_label = key.map_or_else(|| f.key.to_string(), |k| k.label.to_string());
        let Some(grant_id) = f.grant_id.as_deref() else {
            return Some(FindingLabels {
                key: key_label,
                grant: "-".into(),
                grantee: "-".into(),
            });
        };
        let names = key.and_then(|k| k.grants.get(grant_id)).map(|g| &g.names);
        Some(FindingLabels {
            key: key_label,
            grant: names
                .and_then(|n| n.name.as_deref())
                .map_or_else(|| grant_id_label(grant_id, self.id_len), str::to_string),
            grantee: names
                .map(|n| n.grantee.to_string())
                .or_else(|| f.grantee.as_deref().map(str::to_string))
                .unwrap_or_else(|| "-".into()),
        })
    }

    /// The findings of a grant, most severe first.
    pub fn grant_findings<'a>(
        &'a self,
        key_arn: &str,
        grant_id: &str,
    ) -> impl Iterator<Item = &'a Finding> + 'a {
        self.grant(key_arn, grant_id)
            .into_iter()
            .flat_map(|g| g.findings.iter())
            .filter_map(|&i| self.report.findings.get(i as usize))
    }

    /// The most severe finding of a grant, if it has any.
    pub fn grant_worst(&self, key_arn: &str, grant_id: &str) -> Option<Severity> {
        self.grant(key_arn, grant_id).map(|g| g.worst)
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

    fn grant(&self, key_arn: &str, grant_id: &str) -> Option<&GrantFindings> {
        self.by_key.get(key_arn)?.grants.get(grant_id)
    }
}

/// Audit an inventory and index the result (heavy: run it off the UI thread).
pub fn audit_indexed(inv: &Inventory, cfg: &AuditConfig) -> IndexedReport {
    let mut auditor = IndexedAuditor::new(inv, cfg);
    auditor.add(&inv.keys);
    auditor.finish()
}

/// An indexed audit fed a chunk of keys at a time (see `Auditor`): what the index needs of
/// each chunk's inventory (labels of the keys and grants that have findings) is kept as
/// the chunk goes by.
pub struct IndexedAuditor {
    auditor: Auditor,
    /// Key ARN -> (label, names of its grants that have findings).
    names: HashMap<Arc<str>, KeyNames>,
    usage: UsageKnown,
}

impl IndexedAuditor {
    pub fn new(header: &Inventory, cfg: &AuditConfig) -> Self {
        IndexedAuditor {
            auditor: Auditor::new(header, cfg),
            names: HashMap::new(),
            usage: UsageKnown::new(header),
        }
    }

    /// The tally of the CloudTrail look-up that gave the inventory its evidence.
    pub fn set_tally(&mut self, tally: Tally) {
        self.usage.tally = Some(tally);
    }

    /// Audit `keys` (which follow those already added) and keep their labels.
    pub fn add(&mut self, keys: &[InventoryKey]) {
        self.usage.add(keys);
        let names = &mut self.names;
        self.auditor.add_with(keys, |key, findings| {
            // Grant ids with findings: the findings' own shared strings.
            let mut arn = None;
            let mut wanted: HashMap<&str, Arc<str>> = HashMap::new();
            for f in findings {
                arn.get_or_insert_with(|| f.key.clone());
                if let Some(g) = &f.grant_id {
                    wanted.entry(g).or_insert_with(|| g.clone());
                }
            }
            let Some(arn) = arn else {
                return;
            };
            // One shared string per distinct grantee name of the key.
            let mut grantees: HashMap<&str, Arc<str>> = HashMap::new();
            let mut grants = HashMap::with_capacity(wanted.len());
            for g in &key.grants {
                if let Some(id) = wanted.get(g.entry.grant_id.as_str()) {
                    let grantee = grantees
                        .entry(g.grantee_name.as_str())
                        .or_insert_with(|| Arc::from(g.grantee_name.as_str()))
                        .clone();
                    let name = (!g.entry.name.is_empty()).then(|| Arc::from(g.entry.name.as_str()));
                    grants.insert(id.clone(), GrantNames { name, grantee });
                }
            }
            let label: Arc<str> = match key.aliases.first() {
                Some(alias) => Arc::from(alias.as_str()),
                None => Arc::from(key.key_id.chars().take(8).collect::<String>()),
            };
            names.insert(arn, (label, grants));
        });
    }

    /// The report, indexed.
    pub fn finish(mut self) -> IndexedReport {
        let report = self.auditor.finish();
        let id_len =
            distinct_prefix_len(report.findings.iter().filter_map(|f| f.grant_id.as_deref()));
        let mut by_key: HashMap<Arc<str>, KeyFindings> = HashMap::with_capacity(self.names.len());
        for (i, f) in report.findings.iter().enumerate() {
            let i = i as u32;
            let entry = by_key.entry(f.key.clone()).or_insert_with(|| {
                let (label, _) = self
                    .names
                    .get(&f.key)
                    .cloned()
                    .unwrap_or_else(|| (f.key.clone(), HashMap::new()));
                KeyFindings {
                    stale_grants: 0,
                    worst: None,
                    key_level: Vec::new(),
                    label,
                    grants: HashMap::new(),
                }
            });
            entry.worst = entry.worst.max(Some(f.severity));
            let Some(g) = &f.grant_id else {
                entry.key_level.push(i);
                continue;
            };
            let grant = entry.grants.entry(g.clone()).or_insert_with(|| {
                let names = self
                    .names
                    .get_mut(&f.key)
                    .and_then(|(_, grants)| grants.remove(&**g))
                    .unwrap_or_else(|| GrantNames {
                        name: None,
                        grantee: f.grantee.clone().unwrap_or_else(|| Arc::from("-")),
                    });
                GrantFindings {
                    worst: f.severity,
                    findings: Vec::new(),
                    names,
                }
            });
            // Findings come most severe first: the first is the grant's worst.
            if grant.findings.is_empty() && f.severity > Severity::Info {
                entry.stale_grants += 1;
            }
            grant.findings.push(i);
        }
        IndexedReport {
            report,
            by_key,
            id_len,
            usage: self.usage,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kms::inventory::InventoryGrant;
    use crate::kms::{GrantListEntry, GrantOperation, KeyManager, KeyState};

    fn grant(id: &str, last_used: Option<f64>, evidence: Option<UsageEvidence>) -> InventoryGrant {
        InventoryGrant {
            entry: GrantListEntry {
                grant_id: id.into(),
                key_id: "arn:aws:kms:eu-west-1:111122223333:key/k".into(),
                grantee_principal: Some("arn:aws:iam::111122223333:user/a".into()),
                operations: vec![GrantOperation::Decrypt],
                ..Default::default()
            },
            grantee_name: "a".into(),
            retiring_name: None,
            last_used,
            evidence,
        }
    }

    fn inventory(usage: UsageSource, grants: Vec<InventoryGrant>) -> Inventory {
        Inventory {
            backend: "aws".into(),
            account: "111122223333".into(),
            region: "eu-west-1".into(),
            generated_at: 1_800_000_000.0,
            usage,
            principals: None,
            keys: vec![InventoryKey {
                key_id: "k".into(),
                arn: "arn:aws:kms:eu-west-1:111122223333:key/k".into(),
                aliases: vec![],
                state: KeyState::Enabled,
                manager: KeyManager::Customer,
                description: String::new(),
                creation_date: None,
                unreadable: vec![],
                grants,
            }],
        }
    }

    const KEY: &str = "arn:aws:kms:eu-west-1:111122223333:key/k";

    #[test]
    fn only_grants_with_something_known_are_kept() {
        let inv = inventory(
            UsageSource::Grants,
            vec![grant("used", Some(1.0), None), grant("never", None, None)],
        );
        let o = audit_indexed(&inv, &AuditConfig::default());
        assert_eq!(o.usage.source, UsageSource::Grants);
        assert_eq!(o.usage.last_use(KEY, "used"), Some(&LastUse::At(1.0)));
        assert_eq!(o.usage.last_use(KEY, "never"), None);
        assert_eq!(o.usage.by_key[KEY].len(), 1);
        let idle = inventory(UsageSource::Grants, vec![grant("never", None, None)]);
        let o = audit_indexed(&idle, &AuditConfig::default());
        assert!(o.usage.by_key.is_empty(), "no entry for a key nobody used");
    }

    #[test]
    fn a_key_s_evidence_is_reusable_only_when_every_grant_has_some() {
        let unused = UsageEvidence::Unused {
            since: 0.0,
            window_days: 30,
            source: crate::evidence::SOURCE.into(),
        };
        let denied = UsageEvidence::NotDetermined {
            reason: crate::kms::usage::Undetermined::NotReadable {
                error: "AccessDeniedException: no".into(),
            },
        };
        let inv = inventory(
            UsageSource::Principals,
            vec![
                grant("a", None, Some(unused.clone())),
                grant("b", None, Some(denied.clone())),
            ],
        );
        let o = audit_indexed(&inv, &AuditConfig::default());
        assert_eq!(
            o.usage.key_evidence(KEY, ["a", "b"].into_iter()),
            Some(vec![unused, denied])
        );
        assert_eq!(o.usage.key_evidence(KEY, ["a", "new"].into_iter()), None);
        assert_eq!(o.usage.not_readable(), Some("AccessDeniedException: no"));
        assert_eq!(
            o.usage.undetermined_reasons(),
            vec![(
                "CloudTrail not readable: AccessDeniedException: no".to_string(),
                1
            )]
        );
    }
}
