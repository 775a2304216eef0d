//! Grants: ids, encryption-context constraints and the `GrantListEntry` shape that
//! ListGrants returns.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::operation::GrantOperation;

/// An encryption context: string pairs, compared as a map (order never matters).
pub type EncryptionContext = BTreeMap<String, String>;

/// A grant id: 64 lowercase hex characters. Shared, not copied: the simulator's indexes
/// name each grant several times, and a world holds hundreds of thousands of grants.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GrantId(std::sync::Arc<str>);

impl GrantId {
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(s.to_ascii_lowercase().into()))
    }

    /// A fresh random id.
    pub fn random() -> Self {
        Self::from_bytes(&rand::random())
    }

    /// The id whose 64 hex characters spell these 32 bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        let mut text = [0u8; 64];
        // 32 bytes always fit 64 hex characters, which are ASCII.
        hex::encode_to_slice(bytes, &mut text).expect("64 hex characters for 32 bytes");
        Self(std::str::from_utf8(&text).expect("hex is ASCII").into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 12 characters, for narrow displays.
    pub fn short(&self) -> &str {
        short_grant_id(&self.0)
    }
}

impl Serialize for GrantId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for GrantId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Self(s.into()))
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

/// `GrantConstraints`: the encryption-context maps (at most one is meaningful in practice,
/// but AWS accepts both and enforces both) and `SourceArn`, the AWS resource on whose
/// behalf every use of the grant must be made.
///
/// "In a grant constraint, the key in each key-value pair is not case sensitive, but the
/// value is case sensitive" (API Reference, GrantConstraints): pairs are matched here with
/// keys compared ignoring ASCII case and values exactly. Decision where AWS is silent: a
/// request context holding two keys that differ only by case (which AWS advises against)
/// meets a constraint pair when either of them carries the value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GrantConstraints {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub encryption_context_subset: Option<EncryptionContext>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub encryption_context_equals: Option<EncryptionContext>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_arn: Option<String>,
}

/// The values `context` holds under `key`, its key compared ignoring ASCII case.
fn values_ci<'a>(context: &'a EncryptionContext, key: &'a str) -> impl Iterator<Item = &'a String> {
    context
        .iter()
        .filter(move |(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// Does `context` hold the pair `key`=`value` (key ignoring case, value exactly)?
fn holds_ci(context: &EncryptionContext, key: &str, value: &str) -> bool {
    values_ci(context, key).any(|v| v == value)
}

/// Do two constraint maps say the same, keys ignoring case?
fn same_map_ci(a: &EncryptionContext, b: &EncryptionContext) -> bool {
    a.iter().all(|(k, v)| holds_ci(b, k, v)) && b.iter().all(|(k, v)| holds_ci(a, k, v))
}

impl GrantConstraints {
    pub fn is_empty(&self) -> bool {
        self.encryption_context_subset.is_none()
            && self.encryption_context_equals.is_none()
            && self.source_arn.is_none()
    }

    /// Does this carry an encryption-context constraint (Equals or Subset)?
    pub fn has_context_constraint(&self) -> bool {
        self.encryption_context_subset.is_some() || self.encryption_context_equals.is_some()
    }

    /// The constraint type names, as the `kms:GrantConstraintType` condition key reads them.
    pub fn type_names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.encryption_context_equals.is_some() {
            names.push("EncryptionContextEquals");
        }
        if self.encryption_context_subset.is_some() {
            names.push("EncryptionContextSubset");
        }
        if self.source_arn.is_some() {
            names.push("SourceArn");
        }
        names
    }

    /// Does a request's encryption context satisfy these constraints?
    pub fn allows(&self, context: &EncryptionContext) -> bool {
        self.mismatch(context).is_none()
    }

    /// Why a request made on behalf of `source` (its `aws:SourceArn`, None for a direct
    /// call) may not use a grant with these constraints; None when it may.
    pub fn source_mismatch(&self, source: Option<&str>) -> Option<String> {
        let want = self.source_arn.as_deref()?;
        match source {
            Some(s) if s == want => None,
            Some(s) => Some(format!(
                "its SourceArn constraint allows requests on behalf of {want} only, not {s}"
            )),
            None => Some(format!(
                "its SourceArn constraint allows requests made on behalf of {want} only (by an AWS service for that resource), not direct calls"
            )),
        }
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
                if holds_ci(context, k, v) {
                    continue;
                }
                match values_ci(context, k).next() {
                    None => return Some(format!("{k}={v} is missing")),
                    Some(got) => return Some(format!("{k} is {got}, not {v}")),
                }
            }
            if exact {
                if let Some((k, v)) = context.iter().find(|(k, v)| !holds_ci(want, k, v)) {
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
        if parent.source_arn.is_some() && self.source_arn != parent.source_arn {
            return false;
        }
        if let Some(p_eq) = &parent.encryption_context_equals {
            if !self
                .encryption_context_equals
                .as_ref()
                .is_some_and(|m| same_map_ci(m, p_eq))
            {
                return false;
            }
        }
        if let Some(p_sub) = &parent.encryption_context_subset {
            let covered_by = |m: &Option<EncryptionContext>| {
                m.as_ref()
                    .is_some_and(|m| p_sub.iter().all(|(k, v)| holds_ci(m, k, v)))
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

/// One entry of ListGrants / ListRetirableGrants, in AWS's shape. A grant names its
/// grantee either as `GranteePrincipal` (an ARN, or an IAM unique id once the principal is
/// deleted) or as `GranteeServicePrincipal` (a service principal, with a `SourceArn`
/// constraint), never both; the same for the retiring principal.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub grantee_principal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retiring_principal: Option<String>,
    /// `arn:aws:iam::ACCOUNT:root`
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub issuing_account: Option<String>,
    pub operations: Vec<GrantOperation>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub constraints: Option<GrantConstraints>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub grantee_service_principal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retiring_service_principal: Option<String>,
}

impl GrantListEntry {
    /// The grantee, however the grant names it (principal or service principal).
    pub fn grantee(&self) -> &str {
        self.grantee_principal
            .as_deref()
            .or(self.grantee_service_principal.as_deref())
            .unwrap_or_default()
    }

    /// The retiring principal, however the grant names it.
    pub fn retiring(&self) -> Option<&str> {
        self.retiring_principal
            .as_deref()
            .or(self.retiring_service_principal.as_deref())
    }

    /// The resource the grant may be used on behalf of (its `SourceArn` constraint).
    pub fn source_arn(&self) -> Option<&str> {
        self.constraints.as_ref()?.source_arn.as_deref()
    }
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
