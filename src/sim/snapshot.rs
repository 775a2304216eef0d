//! State snapshots: the whole world as one JSON file, written atomically (a temporary file
//! in the same directory, flushed to disk, then renamed over the old one), so a crash at
//! any moment leaves either the old snapshot or the new one, never half of one.
//!
//! Temporary files are named `.NAME.tmpXXXXXX` beside `NAME`; a kill -9 in the middle of a
//! save leaves one behind, and `remove_stray_temporaries` (called when a state file is
//! opened) deletes them.

use std::io::Write;
use std::path::Path;

use super::activity::CAPACITY_RANGE;
use super::world::World;

/// Why a state file could not be saved or loaded. The reason is part of the message and
/// not a separate `source`, so a cause chain (`{:#}`) says it, and its position, once.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot write state file {path}: {reason}")]
    Write {
        path: String,
        reason: std::io::Error,
    },
    #[error("cannot read state file {path}: {reason}")]
    Read {
        path: String,
        reason: crate::files::FileError,
    },
    #[error("state file {path} is not a grantscope world: {reason}")]
    Parse {
        path: String,
        reason: serde_json::Error,
    },
    /// A value that parses but cannot be used (a file edited by hand).
    #[error("state file {path}: `{field}` is {value}; it must be {expected}")]
    Invalid {
        path: String,
        field: &'static str,
        value: String,
        expected: String,
    },
}

/// Serialize a world.
pub fn to_json(world: &World) -> Vec<u8> {
    // Serializing plain data with string keys cannot fail.
    serde_json::to_vec(world).unwrap_or_default()
}

/// Rebuild a world from its serialized form.
pub fn from_json(bytes: &[u8], path: &str) -> Result<World, SnapshotError> {
    let mut world: World =
        serde_json::from_slice(bytes).map_err(|reason| SnapshotError::Parse {
            path: path.to_string(),
            reason,
        })?;
    validate(&world, path)?;
    world.rebuild_indexes();
    Ok(world)
}

/// Values that parse but would break the simulator.
fn validate(world: &World, path: &str) -> Result<(), SnapshotError> {
    let capacity = world.activity.capacity();
    if !CAPACITY_RANGE.contains(&capacity) {
        return Err(SnapshotError::Invalid {
            path: path.to_string(),
            field: "activity.capacity",
            value: capacity.to_string(),
            expected: format!(
                "between {} and {}",
                CAPACITY_RANGE.start(),
                CAPACITY_RANGE.end()
            ),
        });
    }
    Ok(())
}

/// Save atomically.
pub fn save(world: &World, path: &Path) -> Result<(), SnapshotError> {
    save_bytes(&to_json(world), path)
}

/// Write already-serialized world bytes atomically.
pub fn save_bytes(bytes: &[u8], path: &Path) -> Result<(), SnapshotError> {
    let err = |reason| SnapshotError::Write {
        path: path.display().to_string(),
        reason,
    };
    let dir = dir_of(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(&temporary_prefix(path))
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The directory a file is in (`.` for a bare name).
pub fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// The start of the names of the temporary files written while saving `path`.
pub fn temporary_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.tmp")
}

/// Delete the temporary files a save of `path` left behind when it was killed: files named
/// `.NAME.tmp*` beside it, and, from versions that named them `.tmpXXXXXX`, those that
/// hold a grantscope world. Returns how many were removed.
pub fn remove_stray_temporaries(path: &Path) -> std::io::Result<usize> {
    let prefix = temporary_prefix(path);
    let mut removed = 0;
    for entry in std::fs::read_dir(dir_of(path))? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name.starts_with(&prefix)
            || (is_legacy_temporary(&name) && holds_a_world(&entry.path()));
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// `.tmpXXXXXX`: the name `tempfile` gives by default.
fn is_legacy_temporary(name: &str) -> bool {
    name.strip_prefix(".tmp")
        .is_some_and(|rest| rest.len() == 6 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Does the file start as a serialized world does?
fn holds_a_world(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 10];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == b"{\"region\":")
}

/// Load a world saved by [`save`] (a regular file only: a FIFO or a directory is refused
/// before it is opened).
pub fn load(path: &Path) -> Result<World, SnapshotError> {
    let bytes = crate::files::read_regular_bytes(path).map_err(|reason| SnapshotError::Read {
        path: path.display().to_string(),
        reason,
    })?;
    from_json(&bytes, &path.display().to_string())
}
