//! What changed between two saved runs: grants created (in the second run only), removed
//! (in the first only) and changed (in both, but ListGrants describes them differently:
//! a grantee deleted since shows as its unique id; the creation date is left out of the
//! comparison: AWS never changes it, and a simulator scenario dates its grants from the
//! moment it loads), and the findings of the second run
//! that the first did not have (by rule, key and grant), which `grantscope diff
//! --fail-on` turns into an exit status for CI.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::params;
use serde::Serialize;

use crate::audit::Severity;
use crate::kms::GrantListEntry;

use super::{Store, StoreError};

/// A grant in a diff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffGrant {
    pub key: String,
    pub grant_id: String,
    /// The grant in the later run (the earlier one for removed grants).
    pub grant: GrantListEntry,
    /// For a changed grant: how the earlier run listed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<GrantListEntry>,
}

/// A finding the later run has and the earlier did not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewFinding {
    pub rule: String,
    pub severity: Severity,
    pub key: String,
    pub grant_id: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    pub from_run: i64,
    pub to_run: i64,
    pub created: Vec<DiffGrant>,
    pub removed: Vec<DiffGrant>,
    pub changed: Vec<DiffGrant>,
    pub new_findings: Vec<NewFinding>,
}

impl Diff {
    /// Does a new finding reach `threshold`?
    pub fn fails(&self, threshold: Severity) -> bool {
        self.new_findings.iter().any(|f| f.severity >= threshold)
    }
}

type Grants = BTreeMap<(String, String), GrantListEntry>;

fn grants(store: &Store, run: i64) -> Result<Grants, StoreError> {
    let mut stmt = store
        .conn()
        .prepare("SELECT key_arn, grant_id, grant_json FROM run_grants WHERE run_id = ?1")?;
    let rows = stmt.query_map(params![run], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Grants::new();
    for row in rows {
        let (key, id, json) = row?;
        out.insert((key, id), serde_json::from_str(&json)?);
    }
    Ok(out)
}

fn findings(store: &Store, run: i64) -> Result<Vec<NewFinding>, StoreError> {
    let mut stmt = store.conn().prepare(
        "SELECT rule, severity, key_arn, grant_id, reason FROM findings WHERE run_id = ?1
         ORDER BY rowid",
    )?;
    let rows = stmt.query_map(params![run], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (rule, severity, key, grant_id, reason) = row?;
        let severity = Severity::parse(&severity).ok_or_else(|| StoreError::Damaged {
            detail: format!("a finding has the unknown severity {severity:?}"),
        })?;
        out.push(NewFinding {
            rule,
            severity,
            key,
            grant_id,
            reason,
        });
    }
    Ok(out)
}

/// The runs a diff compares: both given; only the earlier given (to the latest); or none
/// (the two latest runs).
pub fn resolve(store: &Store, a: Option<i64>, b: Option<i64>) -> Result<(i64, i64), StoreError> {
    let ids: Vec<i64> = store.runs()?.iter().map(|r| r.id).collect();
    let known = |id: i64| {
        if ids.contains(&id) {
            Ok(id)
        } else {
            Err(StoreError::Usage(format!(
                "there is no run {id} in the history (`grantscope history` lists them)"
            )))
        }
    };
    match (a, b) {
        (Some(a), Some(b)) => Ok((known(a)?, known(b)?)),
        (Some(a), None) => Ok((known(a)?, *ids.last().unwrap_or(&a))),
        _ => match ids.as_slice() {
            [.., a, b] => Ok((*a, *b)),
            _ => Err(StoreError::Usage(format!(
                "a diff needs two saved runs; the history has {} (save one with --save)",
                ids.len()
            ))),
        },
    }
}

/// The same grant, as far as a diff is concerned (creation date aside).
fn same(a: &GrantListEntry, b: &GrantListEntry) -> bool {
    GrantListEntry {
        creation_date: None,
        ..a.clone()
    } == GrantListEntry {
        creation_date: None,
        ..b.clone()
    }
}

/// Compare run `a` with run `b`.
pub fn diff(store: &Store, a: i64, b: i64) -> Result<Diff, StoreError> {
    let before = grants(store, a)?;
    let after = grants(store, b)?;
    let item = |(key, id): &(String, String), g: &GrantListEntry, prev: Option<&GrantListEntry>| {
        DiffGrant {
            key: key.clone(),
            grant_id: id.clone(),
            grant: g.clone(),
            before: prev.cloned(),
        }
    };
    let mut created = Vec::new();
    let mut changed = Vec::new();
    for (k, g) in &after {
        match before.get(k) {
            None => created.push(item(k, g, None)),
            Some(old) if !same(old, g) => changed.push(item(k, g, Some(old))),
            Some(_) => {}
        }
    }
    let removed = before
        .iter()
        .filter(|(k, _)| !after.contains_key(*k))
        .map(|(k, g)| item(k, g, None))
        .collect();
    let old: BTreeSet<(String, String, Option<String>)> = findings(store, a)?
        .into_iter()
        .map(|f| (f.rule, f.key, f.grant_id))
        .collect();
    let new_findings = findings(store, b)?
        .into_iter()
        .filter(|f| !old.contains(&(f.rule.clone(), f.key.clone(), f.grant_id.clone())))
        .collect();
    Ok(Diff {
        from_run: a,
        to_run: b,
        created,
        removed,
        changed,
        new_findings,
    })
}
