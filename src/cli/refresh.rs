//! `--refresh` on `inventory` and `report` (AWS): after a saved run, ask CloudTrail which
//! keys changed since then and list only those again; every other key comes from the
//! stored run. `--full` (the default without `--refresh`) lists everything.
//!
//! Decisions:
//! - The changes are CloudTrail's LookupEvents by EventName (`KEY_CHANGING_EVENTS`) from
//!   the stored run's time less `MARGIN` to now, at AWS's 2 requests a second. AWS: "You
//!   can look up events that occurred in a Region within the last 90 days"; a stored run
//!   older than that, a stored run without its inventory (schema v1), no stored run of
//!   the account and region, or CloudTrail not readable: the refresh says so on stderr and
//!   takes a full listing, never a silent partial one.
//! - `MARGIN` (15 minutes) covers calls made while the stored run was being listed and
//!   CloudTrail's delivery delay ("CloudTrail typically delivers events within an average
//!   of about 5 minutes of an API call"): a change younger than the delay may be missed by
//!   this refresh and is then found by the next one.
//! - ListKeys and ListAliases are always asked (new and deleted keys, alias changes).
//! - Reused keys drop their stored usage evidence: evidence is looked up afresh.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::backend::aws::{AwsConnection, CloudTrail};
use crate::history::{record, Store};
use crate::kms::inventory::{Inventory, InventoryKey};

/// How far before the stored run the change look-up starts.
pub const MARGIN: f64 = 15.0 * 60.0;

/// The inventory through `conn`, refreshed from the newest run of the same account and
/// region in `store` when CloudTrail allows; a full listing otherwise (said on stderr).
pub async fn inventory(
    conn: &AwsConnection,
    store: &Store,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> anyhow::Result<Inventory> {
    let identity = conn.caller_identity().await?;
    let last = record::last_inventory(store, "aws", &identity.account, &conn.region)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default();
    let (run, prev) = match last {
        None => {
            eprintln!(
                "refresh: no saved run of account {} in {}: full listing",
                identity.account, conn.region
            );
            return Ok(conn.inventory(progress).await?);
        }
        Some((run, _, None)) => {
            eprintln!(
                "refresh: run {run} was saved without its keys (an older grantscope): full listing"
            );
            return Ok(conn.inventory(progress).await?);
        }
        Some((run, _, Some(prev))) => (run, prev),
    };
    let retention = f64::from(crate::evidence::RETENTION_DAYS) * 86_400.0;
    if now - (prev.generated_at - MARGIN) > retention {
        eprintln!(
            "refresh: run {run} is older than CloudTrail's {} days: full listing",
            crate::evidence::RETENTION_DAYS
        );
        return Ok(conn.inventory(progress).await?);
    }
    let rate = std::num::NonZeroU32::new(crate::evidence::RATE_PER_SECOND)
        .unwrap_or(std::num::NonZeroU32::MIN);
    let changed = match CloudTrail::new(conn)
        .changed_keys(prev.generated_at - MARGIN, now, rate)
        .await
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("refresh: CloudTrail could not be read ({e}): full listing");
            return Ok(conn.inventory(progress).await?);
        }
    };
    let reused = AtomicUsize::new(0);
    let reuse = |id: &str, arn: &str| -> Option<InventoryKey> {
        if changed.contains(arn) || changed.contains(id) {
            return None;
        }
        let mut key = prev.keys.iter().find(|k| k.arn == arn)?.clone();
        for g in &mut key.grants {
            g.evidence = None;
            g.last_used = None;
        }
        reused.fetch_add(1, Ordering::Relaxed);
        Some(key)
    };
    let inv = conn.inventory_reusing(progress, &reuse).await?;
    let reused = reused.load(Ordering::Relaxed);
    eprintln!(
        "refresh: since run {run}, {} listed again, {} taken from the store",
        crate::kms::words::count(inv.keys.len() - reused, "key"),
        crate::kms::words::count(reused, "key")
    );
    Ok(inv)
}
