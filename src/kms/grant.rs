//! Grants: ids, encryption-context constraints and the `GrantListEntry` shape that
//! ListGrants returns.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::operation::GrantOperation;

/// An encryption context: string pairs, compared as a map (order never matters).
pub type EncryptionContext = BTreeMap<String, String>;

/// A grant id: 64 lowercase hex characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GrantId(String);

impl GrantId {
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(s.to_ascii_lowercase()))
    }

    /// A fresh random id.
    pub fn random() -> Self {
        let bytes: [u8; 32] = rand::random();
        Self(hex::encode(bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 12 characters, for narrow displays.
    pub fn short(&self) -> &str {
        short_grant_id(&self.0)
    }
}

impl fmt::Display for GrantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a grant id is shortened wherever it is shown narrow: its first 12 characters
/// (all of it when shorter; never cut inside a character).
pub fn short_grant_id(id: &str) -> &str {
    id.char_indices().nth(12).map_or(id, |(i, _)| &id[..i])
}

/// How many leading characters tell these grant ids apart: at least the 12 of
/// `short_grant_id`, more when two ids share a longer start (at most the whole id).
pub fn distinct_prefix_len<'a>(ids: impl IntoIterator<Item = &'a str>) -> usize {
    let mut ids: Vec<&str> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let shared = ids
        .windows(2)
        .map(|w| {
            w[0].chars()
                .zip(w[1].chars())
                .take_while(|(a, b)| a == b)
                .count()
        })
        .max()
        .unwrap_or(0);
    (shared + 1).max(12)
}

/// A grant id shown in `len` characters or so, where `len` comes from
/// `distinct_prefix_len`: its start when that is short enough, else its first 6 and last 5
/// characters (ids that share a long start, as generated ones do, differ at the end).
pub fn grant_id_label(id: &str, len: usize) -> String {
    if len <= 12 {
        return short_grant_id(id).to_string();
    }
    super::words::cut_middle(id, 12)
}

/// `GrantConstraints`: at most one of the two maps is meaningful in practice, but AWS
/// accepts both and enforces both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GrantConstraints {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub encryption_context_subset: Option<EncryptionContext>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub encryption_context_equals: Option<EncryptionContext>,
}

impl GrantConstraints {
    pub fn is_empty(&self) -> bool {
        self.encryption_context_subset.is_none() && self.encryption_context_equals.is_none()
    }

    /// Does a request's encryption context satisfy these constraints?
    pub fn allows(&self, context: &EncryptionContext) -> bool {
        if let Some(equals) = &self.encryption_context_equals {
            if equals != context {
                return false;
            }
        }
        if let Some(subset) = &self.encryption_context_subset {
            if !subset.iter().all(|(k, v)| context.get(k) == Some(v)) {
                return false;
            }
        }
        true
    }

    /// Why a request's encryption context does not meet these constraints, in words: the
    /// constraint, its pairs, the request's, and the pair that differs (missing, extra, or
    /// with another value). None when the context meets them.
    pub fn mismatch(&self, context: &EncryptionContext) -> Option<String> {
        let show = |m: &EncryptionContext| {
            let pairs: Vec<String> = m.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{{{}}}", pairs.join(", "))
        };
        let differs = |want: &EncryptionContext, exact: bool| -> Option<String> {
            for (k, v) in want {
                match context.get(k) {
                    None => return Some(format!("{k}={v} is missing")),
                    Some(got) if got != v => return Some(format!("{k} is {got}, not {v}")),
                    _ => {}
                }
            }
            if exact {
                if let Some((k, v)) = context.iter().find(|(k, _)| !want.contains_key(*k)) {
                    return Some(format!("{k}={v} is extra"));
                }
            }
            None
        };
        let checks = [
            (
                "EncryptionContextEquals",
                &self.encryption_context_equals,
                true,
            ),
            (
                "EncryptionContextSubset",
                &self.encryption_context_subset,
                false,
            ),
        ];
        for (name, want, exact) in checks {
            if let Some(want) = want {
                if let Some(why) = differs(want, exact) {
                    return Some(format!(
                        "its {name} {} does not match the request's context {} ({why})",
                        show(want),
                        show(context)
                    ));
                }
            }
        }
        None
    }

    /// Are `self` at least as strict as `parent`? (Any context `self` allows, `parent`
    /// allows too.) Used when a grant is created through another grant.
    pub fn at_least_as_strict_as(&self, parent: &GrantConstraints) -> bool {
        if let Some(p_eq) = &parent.encryption_context_equals {
            if self.encryption_context_equals.as_ref() != Some(p_eq) {
                return false;
            }
        }
        if let Some(p_sub) = &parent.encryption_context_subset {
            let covered_by = |m: &Option<EncryptionContext>| {
                m.as_ref()
                    .is_some_and(|m| p_sub.iter().all(|(k, v)| m.get(k) == Some(v)))
            };
            if !covered_by(&self.encryption_context_subset)
                && !covered_by(&self.encryption_context_equals)
            {
                return false;
            }
        }
        true
    }

    /// Total number of context pairs (AWS allows at most 8 per map).
    pub fn max_pairs(&self) -> usize {
        let a = self
            .encryption_context_subset
            .as_ref()
            .map_or(0, |m| m.len());
        let b = self
            .encryption_context_equals
            .as_ref()
            .map_or(0, |m| m.len());
        a.max(b)
    }
}

/// One entry of ListGrants / ListRetirableGrants, in AWS's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GrantListEntry {
    /// The key ARN.
    pub key_id: String,
    pub grant_id: String,
    /// "" when the grant has no name.
    #[serde(default)]
    pub name: String,
    /// Epoch seconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub creation_date: Option<f64>,
    /// The grantee's ARN, or its IAM unique id once the principal is deleted.
    pub grantee_principal: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retiring_principal: Option<String>,
    /// `arn:aws:iam::ACCOUNT:root`
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub issuing_account: Option<String>,
    pub operations: Vec<GrantOperation>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub constraints: Option<GrantConstraints>,
}

/// Is this a valid grant name (`^[a-zA-Z0-9:/_-]+$`, 1-256)?
pub fn is_valid_grant_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'/' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mismatch_names_the_constraint_and_the_pair_that_differs() {
        let subset = GrantConstraints {
            encryption_context_subset: Some(ctx(&[("app", "orders")])),
            ..Default::default()
        };
        assert_eq!(
            subset.mismatch(&ctx(&[("app", "billing")])).as_deref(),
            Some("its EncryptionContextSubset {app=orders} does not match the request's context {app=billing} (app is billing, not orders)")
        );
        assert_eq!(
            subset.mismatch(&ctx(&[("app", "orders"), ("env", "prod")])),
            None
        );
        let equals = GrantConstraints {
            encryption_context_equals: Some(ctx(&[("app", "orders")])),
            ..Default::default()
        };
        let extra = equals.mismatch(&ctx(&[("app", "orders"), ("env", "prod")]));
        assert!(
            extra
                .as_deref()
                .is_some_and(|m| m.ends_with("(env=prod is extra)")),
            "{extra:?}"
        );
        let missing = equals.mismatch(&ctx(&[]));
        assert!(
            missing
                .as_deref()
                .is_some_and(|m| m.ends_with("(app=orders is missing)")),
            "{missing:?}"
        );
    }

    #[test]
    fn ids_that_share_a_long_start_are_told_apart() {
        let random = ["8f2b14def89c78c2", "0f1e2d3c4b5a6978"];
        assert_eq!(distinct_prefix_len(random), 12);
        let a = "5a1e000000000000000000000000000000000000000000000000000000000005";
        let b = "5a1e00000000000000000000000000000000000000000000000000000000000c";
        assert_eq!(distinct_prefix_len([a, b, a]), 64);
        assert_eq!(grant_id_label(a, 64), "5a1e00…00005");
        assert_ne!(grant_id_label(a, 64), grant_id_label(b, 64));
        assert_eq!(grant_id_label(random[0], 12), "8f2b14def89c");
    }

    fn ctx(pairs: &[(&str, &str)]) -> EncryptionContext {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn subset_allows_extra_pairs_equals_does_not() {
        let subset = GrantConstraints {
            encryption_context_subset: Some(ctx(&[("dept", "it")])),
            ..Default::default()
        };
        assert!(subset.allows(&ctx(&[("dept", "it"), ("x", "y")])));
        assert!(!subset.allows(&ctx(&[("dept", "hr")])));
        assert!(!subset.allows(&ctx(&[])));
        let equals = GrantConstraints {
            encryption_context_equals: Some(ctx(&[("dept", "it")])),
            ..Default::default()
        };
        assert!(equals.allows(&ctx(&[("dept", "it")])));
        assert!(!equals.allows(&ctx(&[("dept", "it"), ("x", "y")])));
    }

    #[test]
    fn strictness_between_parent_and_child() {
        let none = GrantConstraints::default();
        let sub = GrantConstraints {
            encryption_context_subset: Some(ctx(&[("a", "1")])),
            ..Default::default()
        };
        let sub2 = GrantConstraints {
            encryption_context_subset: Some(ctx(&[("a", "1"), ("b", "2")])),
            ..Default::default()
        };
        let eq = GrantConstraints {
            encryption_context_equals: Some(ctx(&[("a", "1"), ("b", "2")])),
            ..Default::default()
        };
        assert!(sub.at_least_as_strict_as(&none));
        assert!(!none.at_least_as_strict_as(&sub));
        assert!(sub2.at_least_as_strict_as(&sub));
        assert!(eq.at_least_as_strict_as(&sub));
        assert!(!sub2.at_least_as_strict_as(&eq));
        assert!(eq.at_least_as_strict_as(&eq));
    }

    #[test]
    fn grant_names_follow_aws_pattern() {
        assert!(is_valid_grant_name("ebs:vol-123/attach_1"));
        assert!(!is_valid_grant_name("has space"));
        assert!(!is_valid_grant_name(""));
        assert!(!is_valid_grant_name(&"a".repeat(257)));
    }

    #[test]
    fn grant_ids_are_64_hex() {
        let id = GrantId::random();
        assert_eq!(id.as_str().len(), 64);
        assert_eq!(GrantId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(GrantId::parse("xyz"), None);
    }
}
