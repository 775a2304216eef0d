//! A history that remembers: saved `inventory`/`report` runs in a local SQLite store
//! (rusqlite, SQLite bundled), so that grants keep their first-seen and last-seen times,
//! CloudTrail's evidence outlives CloudTrail's 90 days, and `diff` can say what changed
//! between two runs. `schema.rs` holds the versioned schema and migrations, `record.rs`
//! writes a run, `diff.rs` compares two.
//!
//! The store lives in the platform's data directory (`directories`: e.g.
//! `~/.local/share/grantscope/history.sqlite3` on Linux) unless `--store PATH` says
//! otherwise. A store written by a newer grantscope is refused with both versions named; a
//! damaged store (not SQLite, or failing SQLite's `quick_check`) is reported and left as it
//! is, never rebuilt.

pub mod diff;
pub mod record;
pub mod schema;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

/// What can go wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the history store was written by a newer grantscope (schema version {found}; this one knows up to {known}): use a newer grantscope; the store is left as it is")]
    TooNew { found: u32, known: u32 },
    #[error("the history store is damaged ({detail}); it is left as it is: move it aside to start a new history, or restore it from a backup")]
    Damaged { detail: String },
    #[error("{0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Usage(String),
}

/// The store's file when `--store` is not given: `history.sqlite3` in the platform's data
/// directory for grantscope.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "grantscope")
        .map(|d| d.data_dir().join("history.sqlite3"))
}

/// An open, migrated store.
pub struct Store {
    conn: Connection,
}

/// One saved run, as `history` lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Run {
    pub id: i64,
    /// Epoch seconds when the inventory was taken.
    pub taken_at: f64,
    pub backend: String,
    pub account: String,
    pub region: String,
    pub keys: i64,
    pub grants: i64,
    pub findings: i64,
    pub usage: String,
}

fn damaged(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            StoreError::Damaged {
                detail: e.to_string(),
            }
        }
        _ => StoreError::Sql(e),
    }
}

impl Store {
    /// Open the store at `path` (created with its directory when missing), check it and
    /// bring its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut conn = Connection::open(path).map_err(damaged)?;
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(damaged)?;
        if check != "ok" {
            return Err(StoreError::Damaged { detail: check });
        }
        conn.execute_batch("PRAGMA foreign_keys = ON")?;
        schema::migrate(&mut conn).map_err(|e| match e {
            StoreError::Sql(e) => damaged(e),
            other => other,
        })?;
        Ok(Self { conn })
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<Run>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, taken_at, backend, account, region, keys, grants, usage,
                    (SELECT COUNT(*) FROM findings f WHERE f.run_id = runs.id)
             FROM runs ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Run {
                id: r.get(0)?,
                taken_at: r.get(1)?,
                backend: r.get(2)?,
                account: r.get(3)?,
                region: r.get(4)?,
                keys: r.get(5)?,
                grants: r.get(6)?,
                usage: r.get(7)?,
                findings: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The first and last time a grant was seen in a saved run.
    pub fn seen(&self, key_arn: &str, grant_id: &str) -> Result<Option<(f64, f64)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT first_seen, last_seen FROM grants WHERE key_arn = ?1 AND grant_id = ?2",
        )?;
        let mut rows = stmt.query([key_arn, grant_id])?;
        Ok(match rows.next()? {
            Some(r) => Some((r.get(0)?, r.get(1)?)),
            None => None,
        })
    }
}
