//! The journal of a durable world: `STATE.journal` beside the state file `STATE`, one
//! `ChangeRecord` per line (JSON), appended and flushed to disk (fdatasync) for every
//! acknowledged change. The state file is a snapshot at some revision; loading replays
//! the records above it. Compaction writes a new snapshot and keeps only the records
//! written after it (`JournalWriter::keep_from`).
//!
//! A kill -9 in the middle of an append leaves a last line without its newline: it was
//! never acknowledged, and it is ignored (and cut off when the journal is next opened for
//! writing). A failed append (disk full) is cut off at once, so a later record never
//! follows half of one. Appends open the journal by name without creating it: if its
//! directory was removed, the append fails (and the change is undone) instead of going
//! to a file nobody will read.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::changes::ChangeRecord;
use super::snapshot::{dir_of, temporary_prefix};

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot read journal {path}: {reason}")]
    Read {
        path: String,
        reason: std::io::Error,
    },
    #[error("journal {path}, line {line}: not a change record: {reason}")]
    Parse {
        path: String,
        line: usize,
        reason: serde_json::Error,
    },
}

/// `STATE.journal` for the state file `STATE`.
pub fn path_for(state: &Path) -> PathBuf {
    let mut name = state.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

/// A journal's complete records, and the length of the part that holds them.
#[derive(Debug, Default)]
pub struct Records {
    pub records: Vec<ChangeRecord>,
    pub complete_len: u64,
}

/// Read the journal at `path` (no file: no records).
pub fn read(path: &Path) -> Result<Records, JournalError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Records::default()),
        Err(reason) => {
            return Err(JournalError::Read {
                path: path.display().to_string(),
                reason,
            })
        }
    };
    let mut records = Vec::new();
    let mut start = 0;
    // Only lines that end with a newline were written whole; a last piece without one is
    // the torn tail of an append that was never acknowledged.
    for (i, end) in memchr::memchr_iter(b'\n', &bytes).enumerate() {
        let line = &bytes[start..end];
        start = end + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record = serde_json::from_slice(line).map_err(|reason| JournalError::Parse {
            path: path.display().to_string(),
            line: i + 1,
            reason,
        })?;
        records.push(record);
    }
    Ok(Records {
        records,
        complete_len: start as u64,
    })
}

/// Appends records to a journal (one writer at a time: the caller holds it in a mutex).
#[derive(Debug)]
pub struct JournalWriter {
    path: PathBuf,
    /// The length of the journal's complete records.
    len: u64,
}

impl JournalWriter {
    /// Open the journal at `path` for appending, creating it if needed; a torn last line
    /// (of complete length `complete_len`, from `read`) is cut off.
    pub fn open(path: &Path, complete_len: u64) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        if file.metadata()?.len() != complete_len {
            file.set_len(complete_len)?;
        }
        file.sync_all()?;
        sync_dir(dir_of(path));
        Ok(Self {
            path: path.to_path_buf(),
            len: complete_len,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The length of the journal's complete records.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Append one record and flush it to disk. On failure nothing of it stays.
    pub fn append(&mut self, record: &ChangeRecord) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
        line.push(b'\n');
        // By name, never created here: a journal whose directory is gone cannot take it.
        let mut file = std::fs::OpenOptions::new().append(true).open(&self.path)?;
        // A failed append whose cut failed too is cut now.
        if file.metadata()?.len() != self.len {
            file.set_len(self.len)?;
        }
        let written = file.write_all(&line).and_then(|()| file.sync_data());
        if let Err(e) = written {
            let _ = file.set_len(self.len);
            return Err(e);
        }
        self.len += line.len() as u64;
        Ok(())
    }

    /// Keep only the records from byte `offset` on (compaction: the ones before it are in
    /// the snapshot just written). Atomic: a new file renamed over the journal.
    pub fn keep_from(&mut self, offset: u64) -> std::io::Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        let offset = offset.min(self.len);
        let mut tail = Vec::with_capacity((self.len - offset) as usize);
        let mut file = std::fs::File::open(&self.path)?;
        file.seek(SeekFrom::Start(offset))?;
        file.take(self.len - offset).read_to_end(&mut tail)?;
        let dir = dir_of(&self.path);
        let mut tmp = tempfile::Builder::new()
            .prefix(&temporary_prefix(&self.path))
            .tempfile_in(dir)?;
        tmp.write_all(&tail)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        sync_dir(dir);
        self.len = tail.len() as u64;
        Ok(())
    }
}

/// Make a directory's entries (a created or renamed file) durable. Best effort: not every
/// platform can open a directory.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
