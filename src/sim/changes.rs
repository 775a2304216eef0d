//! Change tracking for a durable world (`serve --state`): which keys, aliases and grants a
//! change touched, so that one change can be written as a small record (the touched
//! entities as they are after it: a `ChangeRecord`) and replayed onto a snapshot, or
//! undone from the images they had before it (an `UndoLog`) when it could not be saved.
//!
//! Every mutation of `World::keys`, `World::aliases` and `World::grants` made by the
//! simulator goes through a `touch_*` call first (in `world.rs`, `keys.rs`, `mod.rs`);
//! `tests/state_journal.rs` proves it by replaying the records of every mutating
//! operation onto the snapshot they started from and comparing the worlds.
//!
//! Tracking is off unless `World::track_changes` is called (the TUI and in-memory servers
//! pay nothing). Records hold after-images, not requests: replay is deterministic without
//! re-running the simulator (no random key ids, key material or clock to reproduce), and
//! time-driven effects (a grant purged once its removal propagated, a key deleted at the
//! end of its window) are recorded like any other change.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::kms::{ErrorCode, GrantId};

use super::activity::{ActivityEntry, Outcome};
use super::clock::Clock;
use super::world::{Alias, Grant, Key, World};

/// What has changed since the last record was taken, and, while a change is open, what
/// the touched entities were before it.
#[derive(Debug, Clone, Default)]
pub struct ChangeTracker {
    keys: BTreeSet<String>,
    aliases: BTreeSet<String>,
    grants: BTreeSet<GrantId>,
    /// The last activity entry written in a record.
    activity_seq: u64,
    undo: Option<UndoLog>,
}

/// The state a change started from, for undoing it.
#[derive(Debug, Clone, Default)]
pub struct UndoLog {
    keys: BTreeMap<String, Option<Key>>,
    aliases: BTreeMap<String, Option<Alias>>,
    grants: HashMap<GrantId, Option<Grant>>,
    next_grant_seq: u64,
    revision: u64,
    activity_seq: u64,
    clock: Option<Clock>,
}

/// One durable change: the touched entities as they are after it (`None`: removed), the
/// world's counters, and the activity entries logged since the previous record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRecord {
    /// The world's revision after this change (records apply in revision order).
    pub revision: u64,
    pub clock: Clock,
    pub next_grant_seq: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub keys: BTreeMap<String, Option<Key>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aliases: BTreeMap<String, Option<Alias>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub grants: BTreeMap<GrantId, Option<Grant>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activity: Vec<ActivityEntry>,
}

impl World {
    /// Start tracking changes (a durable world). Idempotent.
    pub fn track_changes(&mut self) {
        if self.changes.is_none() {
            self.changes = Some(ChangeTracker {
                activity_seq: self.activity.last().map_or(0, |e| e.seq),
                ..ChangeTracker::default()
            });
        }
    }

    /// About to change key `id`.
    pub fn touch_key(&mut self, id: &str) {
        let Some(t) = self.changes.as_mut() else {
            return;
        };
        t.keys.insert(id.to_string());
        if let Some(u) = t.undo.as_mut() {
            u.keys
                .entry(id.to_string())
                .or_insert_with(|| self.keys.get(id).cloned());
        }
    }

    /// About to change the alias in `slot` (`World::alias_slot`).
    pub fn touch_alias(&mut self, slot: &str) {
        let Some(t) = self.changes.as_mut() else {
            return;
        };
        t.aliases.insert(slot.to_string());
        if let Some(u) = t.undo.as_mut() {
            u.aliases
                .entry(slot.to_string())
                .or_insert_with(|| self.aliases.get(slot).cloned());
        }
    }

    /// About to change grant `id`.
    pub fn touch_grant(&mut self, id: &GrantId) {
        let Some(t) = self.changes.as_mut() else {
            return;
        };
        t.grants.insert(id.clone());
        if let Some(u) = t.undo.as_mut() {
            u.grants
                .entry(id.clone())
                .or_insert_with(|| self.grants.get(id).map(|g| Grant::clone(g)));
        }
    }

    /// Open a change: from here until `finish_change` or `cancel_change`, the touched
    /// entities' images before the change are kept.
    pub fn begin_change(&mut self) {
        let (next_grant_seq, revision, clock) =
            (self.next_grant_seq, self.revision, self.clock.clone());
        if let Some(t) = self.changes.as_mut() {
            t.undo = Some(UndoLog {
                next_grant_seq,
                revision,
                activity_seq: t.activity_seq,
                clock: Some(clock),
                ..UndoLog::default()
            });
        }
    }

    /// The open change did not happen (the operation failed): nothing to undo, and what
    /// it touched (time-driven purges) stays to be written with the next record.
    pub fn cancel_change(&mut self) {
        if let Some(t) = self.changes.as_mut() {
            t.undo = None;
        }
    }

    /// Close the open change: the world's revision moves on, and the record of everything
    /// touched since the last record (this change, and the grant use and time-driven
    /// purges of the calls before it) is taken, with what undoes this change.
    /// `None` when changes are not tracked.
    pub fn finish_change(&mut self) -> Option<(ChangeRecord, UndoLog)> {
        let t = self.changes.as_mut()?;
        let undo = t.undo.take().unwrap_or_default();
        let keys = std::mem::take(&mut t.keys);
        let aliases = std::mem::take(&mut t.aliases);
        let grants = std::mem::take(&mut t.grants);
        let since = t.activity_seq;
        t.activity_seq = self.activity.last().map_or(since, |e| e.seq);
        self.revision += 1;
        let record = ChangeRecord {
            revision: self.revision,
            clock: self.clock.clone(),
            next_grant_seq: self.next_grant_seq,
            keys: keys
                .into_iter()
                .map(|id| {
                    let k = self.keys.get(&id).cloned();
                    (id, k)
                })
                .collect(),
            aliases: aliases
                .into_iter()
                .map(|slot| {
                    let a = self.aliases.get(&slot).cloned();
                    (slot, a)
                })
                .collect(),
            grants: grants
                .into_iter()
                .map(|id| {
                    let g = self.grants.get(&id).map(|g| Grant::clone(g));
                    (id, g)
                })
                .collect(),
            activity: self.activity.since(since).cloned().collect(),
        };
        Some((record, undo))
    }

    /// Undo a finished change that could not be saved: the entities it touched get their
    /// images from before it back (with their indexes), the revision and counters step
    /// back, everything in `record` stays to be written with the next record, and the
    /// activity entry of the call says it failed. Only the last finished change can be
    /// undone (callers hold one change in flight at a time).
    pub fn undo_change(&mut self, record: &ChangeRecord, undo: UndoLog, why: &str) {
        // Restoring is not itself a change to track.
        let tracker = self.changes.take();
        for (id, before) in undo.grants {
            self.purge_grant(&id);
            if let Some(g) = before {
                self.insert_grant(g);
            }
        }
        for (id, before) in undo.keys {
            if let Some(old) = self.keys.get(&id) {
                if let Some(d) = old.deletion_date {
                    self.idx.deletion_queue.remove(&(d, id.clone()));
                }
            }
            match before {
                Some(k) => {
                    if let (crate::kms::KeyState::PendingDeletion, Some(d)) =
                        (k.state, k.deletion_date)
                    {
                        self.idx.deletion_queue.insert((d, id.clone()));
                    }
                    // A transient state restored ends when it would have (`related_keys.rs`).
                    if let Some(t) = &k.transition {
                        self.idx.transition_queue.insert((t.until, id.clone()));
                    }
                    self.keys.insert(id, k);
                }
                None => {
                    self.keys.remove(&id);
                }
            }
        }
        for (slot, before) in undo.aliases {
            match before {
                Some(a) => self.aliases.insert(slot, a),
                None => self.aliases.remove(&slot),
            };
        }
        self.next_grant_seq = undo.next_grant_seq;
        self.revision = undo.revision;
        if let Some(c) = undo.clock {
            self.clock = c;
        }
        // The change's own call is the last entry of its record (calls logged after it,
        // reads meanwhile, keep theirs).
        if let Some(e) = record
            .activity
            .last()
            .and_then(|r| self.activity.get_mut(r.seq))
        {
            e.outcome = Outcome::Failed {
                code: ErrorCode::KmsInternalException,
            };
            e.why = why.to_string();
        }
        self.changes = tracker;
        if let Some(t) = self.changes.as_mut() {
            t.keys.extend(record.keys.keys().cloned());
            t.aliases.extend(record.aliases.keys().cloned());
            t.grants.extend(record.grants.keys().cloned());
            t.activity_seq = undo.activity_seq;
        }
    }

    /// A copy of the world's data, without its indexes or change tracking (a snapshot to
    /// write while the world goes on changing). Lists every field, so a field added to
    /// `World` must be decided on here.
    pub fn data_copy(&self) -> World {
        World {
            region: self.region.clone(),
            clock: self.clock.clone(),
            propagation_delay: self.propagation_delay,
            accounts: self.accounts.clone(),
            principals: self.principals.clone(),
            deleted_principals: self.deleted_principals.clone(),
            keys: self.keys.clone(),
            aliases: self.aliases.clone(),
            grants: self.grants.clone(),
            next_grant_seq: self.next_grant_seq,
            token_secret: self.token_secret.clone(),
            activity: self.activity.clone(),
            revision: self.revision,
            organization: self.organization.clone(),
            changes: None,
            idx: Default::default(),
        }
    }

    /// Replay a record onto the world it follows (loading a journal). Records at or below
    /// the world's revision are already in it and are skipped. Indexes are not kept up to
    /// date: call `rebuild_indexes` after the last record.
    pub fn replay(&mut self, record: ChangeRecord) {
        if record.revision <= self.revision {
            return;
        }
        self.revision = record.revision;
        self.idx.built = false;
        self.clock = record.clock;
        self.next_grant_seq = record.next_grant_seq;
        for (id, k) in record.keys {
            match k {
                Some(k) => self.keys.insert(id, k),
                None => self.keys.remove(&id),
            };
        }
        for (slot, a) in record.aliases {
            match a {
                Some(a) => self.aliases.insert(slot, a),
                None => self.aliases.remove(&slot),
            };
        }
        for (id, g) in record.grants {
            match g {
                Some(g) => self.grants.insert(id, Box::new(g)),
                None => self.grants.remove(&id),
            };
        }
        for e in record.activity {
            self.activity.restore(e);
        }
    }
}
