//! The activity log: every call the simulator answered, who made it, what it touched, and
//! why it was allowed or denied. The UI's event log and the "unused" audit rule read it.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::kms::{ApiOperation, ErrorCode, GrantId};

use crate::kms::Timestamp;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    /// The call succeeded.
    Allowed,
    /// Authorization denied it (AccessDeniedException).
    Denied,
    /// It failed for another reason (validation, key state, not found...).
    Failed { code: ErrorCode },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub seq: u64,
    pub time: Timestamp,
    /// The caller's ARN (or the access key / name it presented, if it never resolved).
    pub caller: String,
    pub operation: ApiOperation,
    /// The key ARN the call was about, when there was one.
    pub key: Option<String>,
    pub outcome: Outcome,
    /// Why: the statement or grant that allowed it, or the reason it was denied or failed.
    pub why: String,
    /// The grant that authorized it, if a grant did.
    pub grant: Option<GrantId>,
    /// Conditions the simulator could not evaluate (failed closed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unevaluated: Vec<String>,
}

/// The capacities a log may have (a state file edited by hand is checked against it: a
/// capacity of 0 would let the log grow without bound).
pub const CAPACITY_RANGE: std::ops::RangeInclusive<usize> = 1..=1_000_000;

/// A bounded log: old entries fall off the front.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityLog {
    entries: VecDeque<ActivityEntry>,
    next_seq: u64,
    capacity: usize,
}

impl Default for ActivityLog {
    fn default() -> Self {
        Self::with_capacity(10_000)
    }
}

impl ActivityLog {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            next_seq: 1,
            capacity: capacity.max(1),
        }
    }

    /// Append an entry, assigning its sequence number.
    pub fn push(&mut self, mut entry: ActivityEntry) -> u64 {
        entry.seq = self.next_seq;
        self.next_seq += 1;
        while self.entries.len() >= self.capacity.max(1) {
            self.entries.pop_front();
        }
        let seq = entry.seq;
        self.entries.push_back(entry);
        seq
    }

    /// Entries with a sequence number greater than `seq` (0 for all kept entries).
    pub fn since(&self, seq: u64) -> impl Iterator<Item = &ActivityEntry> {
        let start = self.entries.partition_point(|e| e.seq <= seq);
        self.entries.range(start..)
    }

    /// Entries with a sequence number at most `seq`, oldest first (reversible: CloudTrail's
    /// LookupEvents pages newest first from a position).
    pub fn up_to(&self, seq: u64) -> impl DoubleEndedIterator<Item = &ActivityEntry> {
        let end = self.entries.partition_point(|e| e.seq <= seq);
        self.entries.range(..end)
    }

    /// Keep at most `capacity` entries from now on (the oldest fall off at once).
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
        while self.entries.len() > self.capacity {
            self.entries.pop_front();
        }
    }

    pub fn last(&self) -> Option<&ActivityEntry> {
        self.entries.back()
    }

    /// The kept entry with sequence number `seq`.
    pub(crate) fn get_mut(&mut self, seq: u64) -> Option<&mut ActivityEntry> {
        let i = self.entries.partition_point(|e| e.seq < seq);
        self.entries.get_mut(i).filter(|e| e.seq == seq)
    }

    /// Put back an entry written before (replaying a journal): it keeps its sequence
    /// number; entries the log already holds are skipped.
    pub fn restore(&mut self, entry: ActivityEntry) {
        if entry.seq < self.next_seq {
            return;
        }
        self.next_seq = entry.seq + 1;
        while self.entries.len() >= self.capacity.max(1) {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    /// How many entries the log keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(op: ApiOperation) -> ActivityEntry {
        ActivityEntry {
            seq: 0,
            time: chrono::Utc::now(),
            caller: "arn:aws:iam::111122223333:user/a".into(),
            operation: op,
            key: None,
            outcome: Outcome::Allowed,
            why: String::new(),
            grant: None,
            unevaluated: vec![],
        }
    }

    #[test]
    fn log_is_bounded_and_reads_since_a_sequence() {
        let mut log = ActivityLog::with_capacity(3);
        for _ in 0..5 {
            log.push(entry(ApiOperation::Encrypt));
        }
        assert_eq!(log.len(), 3);
        let seqs: Vec<u64> = log.since(0).map(|e| e.seq).collect();
        assert_eq!(seqs, vec![3, 4, 5]);
        let seqs: Vec<u64> = log.since(4).map(|e| e.seq).collect();
        assert_eq!(seqs, vec![5]);
    }
}
