//! The UI's stale-grant audit job: the backend's inventory a chunk at a time, and, when
//! the UI was started with `--evidence cloudtrail` on a backend that has CloudTrail (AWS,
//! or `serve` through `--endpoint-url`), CloudTrail's evidence of use looked up for each
//! chunk with the backend's `usage_evidence` (the code `inventory` and `report` use), its
//! progress reported as keys complete; then each chunk audited on a blocking thread. The
//! job runs as a task: the screen never waits for it.
//!
//! Decision: an audit reruns after every change and refresh, and CloudTrail answers two
//! look-ups a second ("The rate of lookup requests is limited to two per second, per
//! account, per Region", AWS's LookupEvents reference), so a 200-key account takes minutes.
//! A rerun within [`EVIDENCE_REUSE`] of the previous look-up reuses its evidence for every
//! key whose grants all had some (a key with a new grant is asked again).

use std::sync::Arc;
use std::time::Duration;

use crate::audit::{AuditConfig, IndexedAuditor, IndexedReport};
use crate::backend::{Backend, BackendError, BackendResult};
use crate::evidence::{EvidenceOptions, Tally};
use crate::kms::inventory::{Inventory, InventoryKey, UsageSource};

/// How long CloudTrail's evidence of one run serves the reruns after it.
pub const EVIDENCE_REUSE: Duration = Duration::from_secs(10 * 60);

/// Keys per chunk of the audit's inventory (the simulator makes chunks bigger in a big
/// world; AWS answers its inventory as one).
const AUDIT_CHUNK: usize = 5_000;

/// What an audit run is asked to do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditRequest {
    pub config: AuditConfig,
    /// Look CloudTrail's evidence up (`--evidence cloudtrail`; window: `--unused-for`).
    pub evidence: Option<EvidenceOptions>,
    /// The previous result, whose evidence a rerun may reuse.
    pub previous: Option<Arc<IndexedReport>>,
}

/// `progress(done, total)`: keys whose evidence is in.
pub type Progress = Arc<dyn Fn(usize, usize) + Send + Sync>;

/// Run the audit (see the module comment).
pub async fn audit(
    b: &dyn Backend,
    request: AuditRequest,
    progress: Progress,
) -> BackendResult<IndexedReport> {
    let stopped =
        |e: tokio::task::JoinError| BackendError::internal(format!("the audit stopped: {e}"));
    let AuditRequest {
        config,
        evidence,
        previous,
    } = request;
    let (mut first, mut next) = b.inventory_chunk(None, AUDIT_CHUNK).await?;
    let mut tally = None;
    if let Some(opts) = evidence {
        tally = look_up(b, &mut first, opts, previous.as_deref(), &progress).await;
    }
    let mut auditor = tokio::task::spawn_blocking(move || {
        let mut auditor = IndexedAuditor::new(&first, &config);
        auditor.add(&first.keys);
        auditor
    })
    .await
    .map_err(stopped)?;
    while let Some(after) = next {
        let (mut chunk, more) = b.inventory_chunk(Some(after), AUDIT_CHUNK).await?;
        next = more;
        if let Some(opts) = evidence {
            let t = look_up(b, &mut chunk, opts, previous.as_deref(), &progress).await;
            tally = add(tally, t);
        }
        auditor = tokio::task::spawn_blocking(move || {
            auditor.add(&chunk.keys);
            auditor
        })
        .await
        .map_err(stopped)?;
    }
    if let Some(t) = tally {
        auditor.set_tally(t);
    }
    tokio::task::spawn_blocking(move || auditor.finish())
        .await
        .map_err(stopped)
}

fn add(a: Option<Tally>, b: Option<Tally>) -> Option<Tally> {
    match (a, b) {
        (Some(mut a), Some(b)) => {
            a += b;
            Some(a)
        }
        (a, b) => a.or(b),
    }
}

/// CloudTrail's evidence for `inv`: reused from `previous` where it may be, looked up
/// through the backend for the other keys. None: the backend has no CloudTrail.
async fn look_up(
    b: &dyn Backend,
    inv: &mut Inventory,
    opts: EvidenceOptions,
    previous: Option<&IndexedReport>,
    progress: &Progress,
) -> Option<Tally> {
    let reusable = previous
        .map(|p| &p.usage)
        .filter(|u| u.tally.is_some() && u.source == UsageSource::Principals)
        .filter(|u| inv.generated_at - u.taken_at < EVIDENCE_REUSE.as_secs_f64());
    // Keys whose evidence is reused stay aside; the rest are looked up.
    let mut kept: Vec<Option<InventoryKey>> = Vec::with_capacity(inv.keys.len());
    let mut ask = Vec::new();
    let mut reused = Tally::default();
    for mut key in std::mem::take(&mut inv.keys) {
        let known = reusable.and_then(|u| {
            u.key_evidence(
                &key.arn,
                key.grants.iter().map(|g| g.entry.grant_id.as_str()),
            )
        });
        match known {
            Some(evidence) if !key.grants.is_empty() => {
                for (g, e) in key.grants.iter_mut().zip(evidence) {
                    match e {
                        crate::kms::usage::UsageEvidence::NotDetermined { .. } => {
                            reused.undetermined += 1
                        }
                        _ => reused.decided += 1,
                    }
                    g.last_used = e.last_seen();
                    g.evidence = Some(e);
                }
                kept.push(Some(key));
            }
            _ => {
                kept.push(None);
                ask.push(key);
            }
        }
    }
    inv.keys = ask;
    let done_before = kept.iter().filter(|k| k.is_some()).count();
    let total = kept.len();
    let report = |done: usize, _: usize| progress(done_before + done, total);
    let tally = b.usage_evidence(inv, opts, &report).await;
    let mut asked = std::mem::take(&mut inv.keys).into_iter();
    inv.keys = kept
        .into_iter()
        .filter_map(|k| k.or_else(|| asked.next()))
        .collect();
    let mut tally = tally?;
    inv.usage = UsageSource::Principals;
    tally += reused;
    Some(tally)
}
