//! One finding, compact: the rule, where (key, grant, grantee as shared strings) and the
//! few facts its sentence needs. The reason and the suggested action are written when they
//! are read or serialized, not when the audit runs: a million-grant audit makes over a
//! million findings, and formatting two sentences for each one up front was most of its
//! cost.

use std::fmt::Write;
use std::sync::Arc;

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::kms::inventory::UsageSource;
use crate::kms::{GrantOperation, KeyState};

use super::{Rule, Severity};

/// One finding: which rule, how serious, where, why, and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    /// The key ARN.
    pub key: Arc<str>,
    /// The grant (none for key-level findings such as near-quota).
    pub grant_id: Option<Arc<str>>,
    /// The grantee as ListGrants shows it.
    pub grantee: Option<Arc<str>>,
    pub(super) detail: Detail,
}

/// The facts a rule's sentences need beyond the key and the grant.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Detail {
    /// Nothing beyond the rule, the key and the grant.
    Plain,
    /// The retiring principal that no longer exists (`None`: the grantee).
    Orphaned {
        retiring: Option<Arc<str>>,
    },
    KeyState(KeyState),
    Old {
        age_days: i64,
        threshold_days: i64,
    },
    Unused {
        source: UsageSource,
        used_before: bool,
        idle_days: i64,
    },
    /// CloudTrail shows no call by the grantee on the key with the grant's operations in
    /// the last `window_days` days.
    NoCallsInWindow {
        window_days: u32,
    },
    /// The foreign account (12 digits) and whether it is the retiring principal's.
    CrossAccount {
        account: u64,
        retiring: bool,
    },
    /// The grant's operations that return plaintext, as a bit set.
    Plaintext(u32),
    /// The earlier grant this one repeats.
    DuplicateOf(Arc<str>),
    /// How many grants the key holds.
    Grants(usize),
}

impl Finding {
    pub(super) fn new(
        rule: Rule,
        key: Arc<str>,
        grant: Option<(Arc<str>, Arc<str>)>,
        detail: Detail,
    ) -> Self {
        let (grant_id, grantee) = grant.unzip();
        Finding {
            rule,
            severity: rule.severity(),
            key,
            grant_id,
            grantee,
            detail,
        }
    }

    /// The key's account (the fifth part of its ARN).
    fn key_account(&self) -> &str {
        self.key.split(':').nth(4).unwrap_or_default()
    }

    fn revoke_command(&self) -> String {
        match &self.grant_id {
            Some(id) => format!("aws kms revoke-grant --key-id {} --grant-id {id}", self.key),
            None => String::new(),
        }
    }

    /// One sentence saying why.
    pub fn reason(&self) -> String {
        let grantee = self.grantee.as_deref().unwrap_or_default();
        match (&self.rule, &self.detail) {
            (_, Detail::Orphaned { retiring: None }) => format!(
                "The grantee {grantee} no longer exists (IAM shows its unique id), so nobody can use this grant; it is dead weight on the key."
            ),
            (_, Detail::Orphaned { retiring: Some(r) }) => format!(
                "The retiring principal {r} no longer exists, so only key administrators can remove this grant."
            ),
            (_, Detail::KeyState(state)) => format!(
                "The key is {state}: the grant is dormant, and alive again if the key is re-enabled."
            ),
            (_, Detail::Old { age_days, threshold_days }) => format!(
                "Created {age_days} days ago (threshold {threshold_days} days); grants never expire, so old ones outlive their task."
            ),
            (_, Detail::Unused { source, used_before, idle_days }) => {
                match (source, used_before) {
                    (UsageSource::Principals, true) => {
                        format!("The grantee has not used this key for {idle_days} days.")
                    }
                    (UsageSource::Principals, false) => format!(
                        "The grantee has not used this key since the grant was created {idle_days} days ago."
                    ),
                    (_, true) => format!(
                        "This grant has not authorized any call for {idle_days} days."
                    ),
                    (_, false) => format!(
                        "This grant has never authorized a call since it was created {idle_days} days ago."
                    ),
                }
            }
            (_, Detail::NoCallsInWindow { window_days }) => format!(
                "The grantee has not used this key: CloudTrail (LookupEvents) shows no call by it on the key with the grant's operations in the last {window_days} days."
            ),
            (_, Detail::CrossAccount { account, retiring }) => format!(
                "The {} is in account {account:012}, not the key's account {}, and that account is not trusted.",
                if *retiring { "retiring principal" } else { "grantee" },
                self.key_account()
            ),
            (_, Detail::Plaintext(ops)) => {
                let names: Vec<&str> = GrantOperation::ALL
                    .iter()
                    .filter(|o| ops & (1 << (**o as u32)) != 0)
                    .map(|o| o.as_str())
                    .collect();
                format!(
                    "The grant allows {}, which {} plaintext to the grantee.",
                    names.join(", "),
                    if names.len() == 1 { "returns" } else { "return" }
                )
            }
            (_, Detail::DuplicateOf(original)) => {
                format!("Same grantee, operations, constraints and name as grant {original}.")
            }
            (_, Detail::Grants(n)) => format!(
                "The key holds {n} grants of the 50,000 a key may hold; CreateGrant fails beyond that."
            ),
            (Rule::ReDelegation, _) => {
                "The grant includes CreateGrant: the grantee can hand the key on to others.".into()
            }
            (Rule::Unconstrained, _) => "The grant has no encryption-context constraint: it works for any data under the key.".into(),
            (Rule::NoRetiringPrincipal, _) => "The grant has no retiring principal: nobody but key administrators can remove it.".into(),
            (Rule::ServiceGrant, _) => "An AWS service created this grant for one of its resources; revoking it breaks that resource.".into(),
            (rule, Detail::Plain) => format!("The {rule} rule applies to this grant."),
        }
    }

    /// What to do about it (with the command, where one applies).
    pub fn action(&self) -> String {
        let advice = match self.rule {
            Rule::OrphanedGrantee => "Revoke it",
            Rule::KeyNotEnabled => "Revoke it unless the key is meant to come back",
            Rule::Old => "Confirm it is still needed, or retire or revoke it",
            Rule::Unused => "Retire or revoke it if its task is done",
            Rule::ReDelegation => "Replace it with a grant without CreateGrant, then revoke it",
            Rule::Duplicate => "Revoke the duplicate",
            Rule::CrossAccount => {
                let mut s = String::from("Confirm the access is intended");
                if let Detail::CrossAccount { account, .. } = self.detail {
                    let _ = write!(s, " (then add --trusted-account {account:012})");
                }
                let _ = write!(s, ", or revoke it: {}", self.revoke_command());
                return s;
            }
            Rule::PlaintextAccess => {
                return "Check the grantee needs plaintext; prefer encryption-context constraints that narrow it.".into()
            }
            Rule::Unconstrained => {
                return "Replace it with a grant constrained by EncryptionContextSubset or EncryptionContextEquals.".into()
            }
            Rule::NoRetiringPrincipal => {
                return "Name a retiring principal when you create grants, so the workflow that made it can retire it.".into()
            }
            Rule::ServiceGrant => {
                return "Leave it unless the resource it serves is gone; the service retires it itself.".into()
            }
            Rule::NearQuota => {
                return "Retire grants whose task is done; spread new grants over more keys.".into()
            }
        };
        format!("{advice}: {}", self.revoke_command())
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Finding", 7)?;
        s.serialize_field("rule", &self.rule)?;
        s.serialize_field("severity", &self.severity)?;
        s.serialize_field("key", &*self.key)?;
        s.serialize_field("grant_id", &self.grant_id.as_deref())?;
        s.serialize_field("grantee", &self.grantee.as_deref())?;
        s.serialize_field("reason", &self.reason())?;
        s.serialize_field("action", &self.action())?;
        s.end()
    }
}
