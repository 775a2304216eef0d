//! Writing a run to the store, and reading CloudTrail's evidence back from it.
//!
//! A run saves: its row in `runs`; each grant into `grants` (first seen kept, last seen
//! moved to this run) and `run_grants` (as ListGrants returned it); the audit's findings;
//! each grant's CloudTrail evidence when it was looked up (answers only: "not determined"
//! is not evidence); the whole inventory (`run_inventory`, read back by `last_inventory`
//! for `--refresh`). All in one transaction: a run is saved whole or not at all.
//!
//! Remembered evidence (`remember`): a window longer than CloudTrail's 90 days is answered
//! from the store when its look-ups chain back far enough: each look-up covered
//! [window_start, looked_up_at]; if the chain of overlapping look-ups reaches back to the
//! window's start and none of them saw a call, the grantee has not used the key for the
//! whole window; any call seen within the window makes it "possibly used".

use rusqlite::params;

use crate::audit::Report;
use crate::kms::inventory::Inventory;
use crate::kms::usage::{Undetermined, UsageEvidence};

use super::{Store, StoreError};

/// Where remembered evidence comes from, as findings name it.
pub const REMEMBERED: &str = "CloudTrail LookupEvents, remembered by the history store";

/// Save a run; its id.
pub fn save(store: &mut Store, inv: &Inventory, report: &Report) -> Result<i64, StoreError> {
    let tx = store.conn_mut().transaction()?;
    let grants: usize = inv.keys.iter().map(|k| k.grants.len()).sum();
    tx.execute(
        "INSERT INTO runs (taken_at, backend, account, region, keys, grants, usage)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            inv.generated_at,
            inv.backend,
            inv.account,
            inv.region,
            inv.keys.len() as i64,
            grants as i64,
            serde_json::to_value(inv.usage)?
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ],
    )?;
    let run = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO run_inventory (run_id, inventory_json) VALUES (?1, ?2)",
        params![run, serde_json::to_string(inv)?],
    )?;
    {
        let mut seen = tx.prepare(
            "INSERT INTO grants (key_arn, grant_id, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (key_arn, grant_id) DO UPDATE SET
               last_seen = max(last_seen, excluded.last_seen),
               first_seen = min(first_seen, excluded.first_seen)",
        )?;
        let mut member = tx.prepare(
            "INSERT OR REPLACE INTO run_grants (run_id, key_arn, grant_id, grant_json)
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut evidence = tx.prepare(
            "INSERT OR REPLACE INTO evidence
               (key_arn, grant_id, looked_up_at, window_start, usage, last_seen, operation)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for k in &inv.keys {
            for g in &k.grants {
                let id = g.entry.grant_id.as_str();
                seen.execute(params![k.arn, id, inv.generated_at])?;
                member.execute(params![run, k.arn, id, serde_json::to_string(&g.entry)?])?;
                match &g.evidence {
                    Some(UsageEvidence::Unused { since, .. }) => evidence.execute(params![
                        k.arn,
                        id,
                        inv.generated_at,
                        since,
                        "unused",
                        None::<f64>,
                        None::<String>
                    ])?,
                    Some(UsageEvidence::PossiblyUsed {
                        last_seen,
                        operation,
                    }) => evidence.execute(params![
                        k.arn,
                        id,
                        inv.generated_at,
                        // Unknown how far back the look-up reached: only up to the call.
                        last_seen,
                        "possibly-used",
                        last_seen,
                        operation
                    ])?,
                    _ => 0,
                };
            }
        }
        let mut finding = tx.prepare(
            "INSERT INTO findings (run_id, rule, severity, key_arn, grant_id, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for f in &report.findings {
            finding.execute(params![
                run,
                f.rule.id(),
                f.severity.as_str(),
                &*f.key,
                f.grant_id.as_deref(),
                f.reason()
            ])?;
        }
    }
    tx.commit()?;
    Ok(run)
}

/// The newest saved run of `backend`'s `account` in `region`: its id and time, and its
/// inventory when the run was saved with one (schema version 2 on); None: no such run.
pub fn last_inventory(
    store: &Store,
    backend: &str,
    account: &str,
    region: &str,
) -> Result<Option<(i64, f64, Option<Inventory>)>, StoreError> {
    let mut stmt = store.conn().prepare(
        "SELECT r.id, r.taken_at, i.inventory_json FROM runs r
         LEFT JOIN run_inventory i ON i.run_id = r.id
         WHERE r.backend = ?1 AND r.account = ?2 AND r.region = ?3
         ORDER BY r.taken_at DESC, r.id DESC LIMIT 1",
    )?;
    let mut rows = stmt.query(params![backend, account, region])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let json: Option<String> = row.get(2)?;
    let inv = json.map(|j| serde_json::from_str(&j)).transpose()?;
    Ok(Some((row.get(0)?, row.get(1)?, inv)))
}

/// One stored look-up of a grant.
struct LookUp {
    at: f64,
    start: f64,
    last_seen: Option<f64>,
    operation: Option<String>,
}

/// Answer, from the store, the grants whose window reached past CloudTrail's retention
/// (`BeyondRetention`); how many were answered. The inventory's own look-up counts as the
/// newest link of the chain.
pub fn remember(store: &Store, inv: &mut Inventory, window_days: u32) -> Result<usize, StoreError> {
    let window_start = inv.generated_at - f64::from(window_days) * 86_400.0;
    let mut stmt = store.conn().prepare(
        "SELECT looked_up_at, window_start, last_seen, operation FROM evidence
         WHERE key_arn = ?1 AND grant_id = ?2 ORDER BY looked_up_at DESC",
    )?;
    let mut answered = 0;
    let kept = f64::from(crate::evidence::RETENTION_DAYS) * 86_400.0;
    for k in &mut inv.keys {
        for g in &mut k.grants {
            let Some(UsageEvidence::NotDetermined {
                reason: Undetermined::BeyondRetention { .. },
            }) = &g.evidence
            else {
                continue;
            };
            let looks: Vec<LookUp> = stmt
                .query_map(params![k.arn, g.entry.grant_id], |r| {
                    Ok(LookUp {
                        at: r.get(0)?,
                        start: r.get(1)?,
                        last_seen: r.get(2)?,
                        operation: r.get(3)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            if let Some(used) = looks
                .iter()
                .filter(|l| l.last_seen.is_some_and(|t| t >= window_start))
                .max_by(|a, b| {
                    a.last_seen
                        .partial_cmp(&b.last_seen)
                        .unwrap_or(std::cmp::Ordering::Equal)
                })
            {
                g.evidence = Some(UsageEvidence::PossiblyUsed {
                    last_seen: used.last_seen.unwrap_or_default(),
                    operation: used.operation.clone().unwrap_or_default(),
                });
                g.last_used = used.last_seen;
                answered += 1;
                continue;
            }
            // The chain: this look-up reached back to `reach`; an older one that ended at
            // or after `reach` extends it to its own start (a look-up that saw a call saw
            // none after it: it covers from that call on).
            let mut reach = inv.generated_at - kept;
            for l in &looks {
                if l.at >= reach && l.start < reach {
                    reach = l.start;
                }
            }
            // A grant younger than the window needs covering from its creation only.
            let need = g
                .entry
                .creation_date
                .map_or(window_start, |c| c.max(window_start));
            if reach <= need {
                g.evidence = Some(UsageEvidence::Unused {
                    since: window_start,
                    window_days,
                    source: REMEMBERED.to_string(),
                });
                answered += 1;
            }
        }
    }
    Ok(answered)
}
