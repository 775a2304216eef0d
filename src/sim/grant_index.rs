//! The grants one grantee holds on one key, indexed by what they allow, so that deciding a
//! request looks at the grants that could allow it and not at every grant the grantee
//! holds (a grantee may hold all 50,000 grants of a key).
//!
//! Grants are held by their sequence number (creation order, unique in the world); the
//! candidates of a request come back in creation order, so the grant that decides is the
//! oldest that fits, as a scan in creation order would find it.
//!
//! For an operation that takes an encryption context, the candidates are: the grants
//! without constraints; the EncryptionContextEquals grants whose map equals the request's
//! (keys compared ignoring case, as grant constraints compare them); the
//! EncryptionContextSubset grants whose first pair the request holds; and the rest (a
//! SourceArn, both maps) one by one. For other operations (constraints on context do not
//! apply) every grant allowing the operation is a candidate.

use std::collections::{BTreeMap, BTreeSet};

// A fast non-cryptographic hasher: the world's maps are keyed by ids it made or read once.
use foldhash::HashMap;

use crate::kms::{EncryptionContext, GrantConstraints, GrantId, GrantOperation};

/// A constraint map with its keys lowercased, in order: how grant constraints compare.
pub type NormalContext = Vec<(String, String)>;

/// `context` with lowercased keys; None when two keys differ only by case (the lookup
/// cannot say which one a constraint means: the caller then checks every grant).
pub fn normalize(context: &EncryptionContext) -> Option<NormalContext> {
    let mut out: NormalContext = context
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    out.sort();
    let before = out.len();
    out.dedup_by(|a, b| a.0 == b.0);
    (out.len() == before).then_some(out)
}

/// How a grant is filed for lookups.
enum Filing {
    Plain,
    Equals(NormalContext),
    Subset((String, String)),
    Other,
}

fn filing(constraints: Option<&GrantConstraints>) -> Filing {
    let Some(c) = constraints.filter(|c| !c.is_empty()) else {
        return Filing::Plain;
    };
    if c.source_arn.is_some() {
        return Filing::Other;
    }
    match (&c.encryption_context_equals, &c.encryption_context_subset) {
        (Some(eq), None) => normalize(eq).map_or(Filing::Other, Filing::Equals),
        (None, Some(sub)) => match normalize(sub).and_then(|n| n.into_iter().next()) {
            Some(first) => Filing::Subset(first),
            None => Filing::Plain,
        },
        _ => Filing::Other,
    }
}

/// The grants of one grantee on one key.
#[derive(Debug, Default, Clone)]
pub struct GranteeGrants {
    /// seq -> grant id: all of them, in creation order.
    all: BTreeMap<u64, GrantId>,
    /// op -> every grant allowing it.
    any: HashMap<GrantOperation, BTreeSet<u64>>,
    /// op -> grants allowing it with no constraint.
    plain: HashMap<GrantOperation, BTreeSet<u64>>,
    equals: HashMap<(GrantOperation, NormalContext), BTreeSet<u64>>,
    subset: HashMap<(GrantOperation, (String, String)), BTreeSet<u64>>,
    other: HashMap<GrantOperation, BTreeSet<u64>>,
}

impl GranteeGrants {
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// Every grant id, in creation order.
    pub fn ids(&self) -> impl Iterator<Item = &GrantId> {
        self.all.values()
    }

    pub fn insert(
        &mut self,
        seq: u64,
        id: &GrantId,
        operations: &[GrantOperation],
        constraints: Option<&GrantConstraints>,
    ) {
        self.all.insert(seq, id.clone());
        let filed = filing(constraints);
        for &op in operations {
            self.any.entry(op).or_default().insert(seq);
            match &filed {
                Filing::Plain => {
                    self.plain.entry(op).or_default().insert(seq);
                }
                Filing::Equals(n) => {
                    self.equals.entry((op, n.clone())).or_default().insert(seq);
                }
                Filing::Subset(p) => {
                    self.subset.entry((op, p.clone())).or_default().insert(seq);
                }
                Filing::Other => {
                    self.other.entry(op).or_default().insert(seq);
                }
            }
        }
    }

    pub fn remove(
        &mut self,
        seq: u64,
        operations: &[GrantOperation],
        constraints: Option<&GrantConstraints>,
    ) {
        self.all.remove(&seq);
        let filed = filing(constraints);
        fn drop_from<K: std::hash::Hash + Eq>(m: &mut HashMap<K, BTreeSet<u64>>, k: K, seq: u64) {
            if let Some(set) = m.get_mut(&k) {
                set.remove(&seq);
                if set.is_empty() {
                    m.remove(&k);
                }
            }
        }
        for &op in operations {
            drop_from(&mut self.any, op, seq);
            match &filed {
                Filing::Plain => drop_from(&mut self.plain, op, seq),
                Filing::Equals(n) => drop_from(&mut self.equals, (op, n.clone()), seq),
                Filing::Subset(p) => drop_from(&mut self.subset, (op, p.clone()), seq),
                Filing::Other => drop_from(&mut self.other, op, seq),
            }
        }
    }

    /// The grants that could allow `op` with this request context, in creation order
    /// (None when constraints do not apply to the operation). A superset of the grants
    /// that fit; each is still checked.
    pub fn candidates(
        &self,
        op: GrantOperation,
        context: Option<&EncryptionContext>,
    ) -> Vec<&GrantId> {
        let empty = EncryptionContext::new();
        let seqs: BTreeSet<u64> = if !op.takes_encryption_context() {
            self.any.get(&op).cloned().unwrap_or_default()
        } else {
            let ctx = context.unwrap_or(&empty);
            match normalize(ctx) {
                // Keys that differ only by case: no lookup can say which one a constraint
                // means, so every grant allowing the operation is looked at.
                None => self.any.get(&op).cloned().unwrap_or_default(),
                Some(n) => {
                    let mut s = BTreeSet::new();
                    let mut add = |set: Option<&BTreeSet<u64>>| {
                        if let Some(set) = set {
                            s.extend(set.iter().copied());
                        }
                    };
                    add(self.plain.get(&op));
                    add(self.other.get(&op));
                    for pair in &n {
                        add(self.subset.get(&(op, pair.clone())));
                    }
                    add(self.equals.get(&(op, n)));
                    s
                }
            }
        };
        seqs.iter().filter_map(|s| self.all.get(s)).collect()
    }

    /// The grants allowing `op`, in creation order.
    pub fn allowing(&self, op: GrantOperation) -> Vec<&GrantId> {
        self.any
            .get(&op)
            .map(|s| s.iter().filter_map(|seq| self.all.get(seq)).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(pairs: &[(&str, &str)]) -> EncryptionContext {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn id(n: u8) -> GrantId {
        GrantId::parse(&format!("{n:02x}").repeat(32)).unwrap()
    }

    #[test]
    fn candidates_are_the_grants_that_could_fit_in_creation_order() {
        let mut g = GranteeGrants::default();
        let enc = [GrantOperation::Encrypt];
        let subset = |p: &[(&str, &str)]| GrantConstraints {
            encryption_context_subset: Some(ctx(p)),
            ..Default::default()
        };
        let equals = |p: &[(&str, &str)]| GrantConstraints {
            encryption_context_equals: Some(ctx(p)),
            ..Default::default()
        };
        g.insert(5, &id(5), &enc, Some(&subset(&[("Tenant", "t1")])));
        g.insert(6, &id(6), &enc, Some(&subset(&[("tenant", "t2")])));
        g.insert(
            7,
            &id(7),
            &enc,
            Some(&equals(&[("app", "a"), ("Env", "p")])),
        );
        g.insert(8, &id(8), &[GrantOperation::Decrypt], None);
        g.insert(9, &id(9), &enc, None);
        let got = |g: &GranteeGrants, c: &[(&str, &str)]| -> Vec<GrantId> {
            g.candidates(GrantOperation::Encrypt, Some(&ctx(c)))
                .into_iter()
                .cloned()
                .collect()
        };
        assert_eq!(got(&g, &[("TENANT", "t1"), ("x", "y")]), vec![id(5), id(9)]);
        assert_eq!(got(&g, &[("env", "p"), ("APP", "a")]), vec![id(7), id(9)]);
        assert_eq!(
            got(&g, &[("tenant", "T1")]),
            vec![id(9)],
            "values are exact"
        );
        // DescribeKey and friends ignore context constraints.
        assert_eq!(g.candidates(GrantOperation::Decrypt, None), vec![&id(8)]);
        g.remove(9, &enc, None);
        assert_eq!(got(&g, &[("tenant", "t2")]), vec![id(6)]);
        assert_eq!(g.len(), 4);
    }

    #[test]
    fn keys_that_differ_only_by_case_cannot_be_normalized() {
        assert!(normalize(&ctx(&[("a", "1"), ("A", "2")])).is_none());
        assert_eq!(
            normalize(&ctx(&[("B", "1"), ("a", "2")])),
            Some(vec![("a".into(), "2".into()), ("b".into(), "1".into())])
        );
    }
}
