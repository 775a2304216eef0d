//! The AWS backend's event log: a bounded in-memory record of the calls this backend made
//! (time, caller, operation, key, verdict, AWS's message). AWS answers allowed or denied
//! but never says which statement or grant decided it, and the log says so.

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::backend::{ActivityEvent, BackendError, EventOutcome};
use crate::kms::ErrorCode;

/// How many calls the log keeps.
pub const CAPACITY: usize = 1000;

/// What an allowed call's WHY says.
pub const NO_WHY: &str =
    "Allowed. AWS does not say which statement or grant allowed it (CloudTrail records the call, not the reason).";

/// What a DryRun that would have succeeded says (AWS answers it with an error).
pub const DRY_RUN_WHY: &str =
    "DryRun: the request would have succeeded; nothing was done. AWS does not say which statement or grant would allow it.";

#[derive(Default)]
pub struct ActivityLog {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    seq: u64,
    events: VecDeque<ActivityEvent>,
}

impl ActivityLog {
    /// Record one call's outcome.
    pub fn record<T>(
        &self,
        caller: &str,
        operation: &str,
        key: Option<&str>,
        result: &Result<T, BackendError>,
    ) {
        let (outcome, why) = match result {
            Ok(_) => (EventOutcome::Allowed, NO_WHY.to_string()),
            Err(e) if e.is(ErrorCode::DryRunOperationException) => {
                (EventOutcome::DryRun, DRY_RUN_WHY.to_string())
            }
            Err(e) if e.is_access_denied() => (
                EventOutcome::Denied,
                format!("{} (AWS does not say which policy denied it)", e.message),
            ),
            Err(e) => (
                EventOutcome::Failed(e.label().to_string()),
                e.message.clone(),
            ),
        };
        // A poisoned lock only means a panic elsewhere mid-push; the log is still usable.
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.seq += 1;
        let event = ActivityEvent {
            seq: inner.seq,
            time: chrono::Utc::now(),
            caller: caller.to_string(),
            operation: operation.to_string(),
            key: key.map(str::to_string),
            outcome,
            why,
        };
        inner.events.push_back(event);
        while inner.events.len() > CAPACITY {
            inner.events.pop_front();
        }
    }

    /// Events after `seq`, oldest first.
    pub fn since(&self, seq: u64) -> Vec<ActivityEvent> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner
            .events
            .iter()
            .filter(|e| e.seq > seq)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_is_bounded_and_reads_after_a_sequence_number() {
        let log = ActivityLog::default();
        for _ in 0..CAPACITY + 5 {
            log.record::<()>("me", "Encrypt", None, &Ok(()));
        }
        let all = log.since(0);
        assert_eq!(all.len(), CAPACITY);
        assert_eq!(all[0].seq, 6);
        assert_eq!(log.since(CAPACITY as u64 + 3).len(), 2);
        log.record::<()>(
            "me",
            "Encrypt",
            Some("k"),
            &Err(BackendError::aws(
                crate::kms::ErrorCode::AccessDeniedException,
                "no",
            )),
        );
        let last = log.since(0).pop().unwrap();
        assert_eq!(last.outcome, EventOutcome::Denied);
        assert!(last.why.contains("AWS does not say"));
    }
}
