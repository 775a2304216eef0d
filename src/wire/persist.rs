//! The `--state FILE` of `grantscope serve`: a snapshot of the world (`FILE`) and a journal
//! of the changes since (`FILE.journal`, see `sim::journal`). Every acknowledged change is
//! on disk before its response is sent, and costs what the change is: one record appended
//! and flushed, not the whole world rewritten.
//!
//! One change is in flight at a time (`begin` takes the writer lock, held until the change
//! is durable or undone); the simulator lock is held only to apply the change and take its
//! record, never while the record is flushed, so reads (and the signature checks of
//! other writes) proceed meanwhile.
//!
//! Visibility, decided: a read that runs while a change is being flushed sees it (as on
//! AWS, a ListKeys may show a key before its CreateKey answer arrives). If the flush fails
//! the change is undone (`World::undo_change`) before the 500 is sent, so such a read saw
//! a change that then never happened; no other change can have been built on it, because
//! none is applied until this one is settled.
//!
//! Compaction: once the journal is larger than the snapshot (and at least
//! `compact_at` bytes), a background thread copies the world at a cut (writer and
//! simulator locks held for the copy only), writes the snapshot without any lock, then
//! keeps only the journal records written since the cut. The snapshot carries its
//! revision, so a crash at any point of this leaves a snapshot and journal that load to
//! the same world.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::sim::changes::{ChangeRecord, UndoLog};
use crate::sim::journal::{self, JournalError, JournalWriter};
use crate::sim::snapshot::{self, SnapshotError};
use crate::sim::{SharedSimulator, World};

/// The journal is compacted once it is larger than the snapshot and than this.
pub const DEFAULT_COMPACT_AT: u64 = 1024 * 1024;

/// What the 500 answer to an unsaved change says (and the activity log).
pub const NOT_SAVED: &str = "The change could not be saved, and was not made";

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("cannot write journal {path}: {reason}")]
    JournalWrite {
        path: String,
        reason: std::io::Error,
    },
    #[error(
        "journal {journal} has changes but its state file {path} is missing; restore the state file or remove the journal"
    )]
    JournalWithoutSnapshot { path: String, journal: String },
    #[error(
        "journal {journal} does not continue state file {path}: the state file is at change {revision}, the journal's next record is change {found}; restore the state file that goes with the journal, or remove the journal"
    )]
    JournalGap {
        path: String,
        journal: String,
        revision: u64,
        found: u64,
    },
    #[error("the state file is not open for writing")]
    NotAttached,
}

#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    journal_path: PathBuf,
    compact_at: u64,
    /// The journal, once `attach` opened it. Held by the change in flight.
    writer: Mutex<Option<JournalWriter>>,
    /// One compaction at a time (background or at shutdown).
    compaction: Mutex<()>,
    compacting: AtomicBool,
    snapshot_len: AtomicU64,
    /// After a failed compaction, the journal length to reach before trying again (so a
    /// full disk is not hit by a compaction per change).
    retry_at: AtomicU64,
}

/// A change in flight: the journal's writer lock, from before the change is applied until
/// it is durable or undone.
pub struct Durable<'a>(MutexGuard<'a, Option<JournalWriter>>);

impl StateFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        Self {
            journal_path: journal::path_for(&path),
            path,
            compact_at: DEFAULT_COMPACT_AT,
            writer: Mutex::new(None),
            compaction: Mutex::new(()),
            compacting: AtomicBool::new(false),
            snapshot_len: AtomicU64::new(0),
            retry_at: AtomicU64::new(0),
        }
    }

    /// Compact once the journal is larger than the snapshot and than `bytes`.
    pub fn with_compaction_at(mut self, bytes: u64) -> Self {
        self.compact_at = bytes;
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn journal_path(&self) -> &Path {
        &self.journal_path
    }

    /// Load the world saved here (the snapshot, then the journal's records above it), if
    /// the state file exists. Temporary files left by a save that was killed are removed
    /// first.
    pub fn load(&self) -> Result<Option<World>, StateError> {
        self.remove_stray_temporaries();
        if !self.path.exists() {
            if !journal::read(&self.journal_path)?.records.is_empty() {
                return Err(StateError::JournalWithoutSnapshot {
                    path: self.path.display().to_string(),
                    journal: self.journal_path.display().to_string(),
                });
            }
            return Ok(None);
        }
        let mut world = snapshot::load(&self.path)?;
        for record in journal::read(&self.journal_path)?.records {
            // Records continue the snapshot without a gap: a state file restored from an
            // older copy, or another world's, beside this journal would replay onto the
            // wrong base.
            if record.revision > world.revision + 1 {
                return Err(StateError::JournalGap {
                    path: self.path.display().to_string(),
                    journal: self.journal_path.display().to_string(),
                    revision: world.revision,
                    found: record.revision,
                });
            }
            world.replay(record);
        }
        world.rebuild_indexes();
        Ok(Some(world))
    }

    fn remove_stray_temporaries(&self) {
        for p in [&self.path, &self.journal_path] {
            match snapshot::remove_stray_temporaries(p) {
                Ok(0) | Err(_) => {}
                Ok(n) => eprintln!(
                    "grantscope serve: removed {n} temporary file(s) left beside {} by an interrupted save",
                    p.display()
                ),
            }
        }
    }

    /// Start keeping `sim`'s world here: track its changes, write the snapshot if there is
    /// none (with an empty journal), open the journal.
    pub fn attach(&self, sim: &SharedSimulator) -> Result<(), StateError> {
        let mut writer = self.lock_writer();
        let mut sim = sim.lock();
        sim.world_mut().track_changes();
        let journal_err = |reason| StateError::JournalWrite {
            path: self.journal_path.display().to_string(),
            reason,
        };
        let complete_len = if self.path.exists() {
            self.snapshot_len.store(
                std::fs::metadata(&self.path).map_or(0, |m| m.len()),
                Ordering::Relaxed,
            );
            journal::read(&self.journal_path)?.complete_len
        } else {
            let bytes = snapshot::to_json(sim.world());
            snapshot::save_bytes(&bytes, &self.path)?;
            self.snapshot_len
                .store(bytes.len() as u64, Ordering::Relaxed);
            0
        };
        *writer = Some(JournalWriter::open(&self.journal_path, complete_len).map_err(journal_err)?);
        Ok(())
    }

    fn lock_writer(&self) -> MutexGuard<'_, Option<JournalWriter>> {
        // A panic while a change was in flight leaves the journal as it was: its length
        // is only updated after a complete append.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Take the writer lock for a change about to be applied.
    pub fn begin(&self) -> Durable<'_> {
        Durable(self.lock_writer())
    }

    /// Make a finished change durable, or undo it. Called with its `Durable` still held
    /// and the simulator lock released. Starts a compaction in the background when the
    /// journal has grown past its threshold.
    pub fn commit(
        self: &Arc<Self>,
        durable: &mut Durable<'_>,
        sim: &SharedSimulator,
        record: ChangeRecord,
        undo: UndoLog,
    ) -> Result<(), StateError> {
        let appended = match durable.0.as_mut() {
            Some(w) => w
                .append(&record)
                .map_err(|reason| StateError::JournalWrite {
                    path: w.path().display().to_string(),
                    reason,
                }),
            None => Err(StateError::NotAttached),
        };
        if let Err(e) = appended {
            sim.lock()
                .world_mut()
                .undo_change(&record, undo, &format!("{NOT_SAVED}: {e}"));
            return Err(e);
        }
        let len = durable.0.as_ref().map_or(0, JournalWriter::len);
        let threshold = self
            .compact_at
            .max(self.snapshot_len.load(Ordering::Relaxed));
        let due = len > threshold && len > self.retry_at.load(Ordering::Relaxed);
        if due && !self.compacting.swap(true, Ordering::AcqRel) {
            let this = Arc::clone(self);
            let sim = sim.clone();
            std::thread::spawn(move || {
                match this.compact(&sim) {
                    Ok(()) => this.retry_at.store(0, Ordering::Relaxed),
                    Err(e) => {
                        this.retry_at.store(len + threshold, Ordering::Relaxed);
                        eprintln!("grantscope serve: compaction failed (will retry): {e}");
                    }
                }
                this.compacting.store(false, Ordering::Release);
            });
        }
        Ok(())
    }

    /// Write a snapshot of the world as it is now and empty the journal (at shutdown: the
    /// grant use and activity since the last change are kept too).
    pub fn save_now(&self, sim: &SharedSimulator) -> Result<(), StateError> {
        self.compact(sim)
    }

    /// Snapshot at a cut, then keep only the journal records written after the cut.
    fn compact(&self, sim: &SharedSimulator) -> Result<(), StateError> {
        let _one = self.compaction.lock().unwrap_or_else(|p| p.into_inner());
        let (world, cut) = {
            let writer = self.lock_writer();
            let Some(w) = writer.as_ref() else {
                return Err(StateError::NotAttached);
            };
            let sim = sim.lock();
            (sim.world().data_copy(), w.len())
        };
        let bytes = snapshot::to_json(&world);
        drop(world);
        snapshot::save_bytes(&bytes, &self.path)?;
        self.snapshot_len
            .store(bytes.len() as u64, Ordering::Relaxed);
        let mut writer = self.lock_writer();
        if let Some(w) = writer.as_mut() {
            w.keep_from(cut)
                .map_err(|reason| StateError::JournalWrite {
                    path: self.journal_path.display().to_string(),
                    reason,
                })?;
        }
        Ok(())
    }
}
