//! State snapshots: the whole world as one JSON file, written atomically (a temporary file
//! in the same directory, flushed to disk, then renamed over the old one), so a crash at
//! any moment leaves either the old snapshot or the new one, never half of one.

use std::io::Write;
use std::path::Path;

use super::world::World;

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot write state file {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    /// The reason is the source (`{:#}` shows it), so it is said once.
    #[error("cannot read state file {path}")]
    Read {
        path: String,
        source: crate::files::FileError,
    },
    #[error("state file {path} is not a grantscope world: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
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
        serde_json::from_slice(bytes).map_err(|source| SnapshotError::Parse {
            path: path.to_string(),
            source,
        })?;
    world.rebuild_indexes();
    Ok(world)
}

/// Save atomically.
pub fn save(world: &World, path: &Path) -> Result<(), SnapshotError> {
    save_bytes(&to_json(world), path)
}

/// Write already-serialized world bytes atomically.
pub fn save_bytes(bytes: &[u8], path: &Path) -> Result<(), SnapshotError> {
    let err = |source| SnapshotError::Write {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Load a world saved by [`save`] (a regular file only: a FIFO or a directory is refused
/// before it is opened).
pub fn load(path: &Path) -> Result<World, SnapshotError> {
    let bytes = crate::files::read_regular_bytes(path).map_err(|source| SnapshotError::Read {
        path: path.display().to_string(),
        source,
    })?;
    from_json(&bytes, &path.display().to_string())
}
