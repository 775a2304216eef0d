//! The `--state FILE` of `grantscope serve`: every acknowledged change is on disk before
//! its response is sent. The world is serialized under the simulator lock (a consistent
//! cut); writes are ordered by a version number so an older cut never overwrites a newer
//! one, and each write is atomic (see `sim::snapshot`).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::sim::snapshot::{self, SnapshotError};
use crate::sim::World;

#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    /// The version last written.
    written: Mutex<u64>,
}

impl StateFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            written: Mutex::new(0),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Load the world saved here, if the file exists.
    pub fn load(&self) -> Result<Option<World>, SnapshotError> {
        if !self.path.exists() {
            return Ok(None);
        }
        snapshot::load(&self.path).map(Some)
    }

    /// Write `world` as version `version`, unless a newer version is already on disk.
    pub fn write(&self, world_json: &[u8], version: u64) -> Result<(), SnapshotError> {
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        if version <= *written {
            return Ok(());
        }
        snapshot::save_bytes(world_json, &self.path)?;
        *written = version;
        Ok(())
    }
}
