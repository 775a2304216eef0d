//! The store's schema and its migrations, versioned with SQLite's `PRAGMA user_version`.
//!
//! Decision (the issue left the choice open): `user_version` and a list of migrations in
//! this file rather than the rusqlite_migration crate: the list is short, each step runs in
//! one transaction, and the refusal of a newer store must say, in grantscope's words, which
//! version the file has and which this binary knows. `MIGRATIONS[i]` takes a store from
//! version `i` to `i + 1`; a migration is never edited once released, only appended.
//!
//! Version 1, the tables:
//! - `runs`: one row per saved `inventory`/`report` (time taken, backend, account, region,
//!   counts, usage source).
//! - `grants`: every grant ever seen, by key ARN and grant id, with the first and last run
//!   time it was seen.
//! - `run_grants`: the grants of each run as ListGrants returned them (JSON), for `diff`.
//! - `findings`: each run's audit findings (rule, severity, key, grant, reason).
//! - `evidence`: CloudTrail's usage evidence per grant and look-up (window start, time of
//!   the look-up, answer, last call seen and its operation).
//!
//! Version 2 (for `--refresh`, issue #18 part 3):
//! - `run_inventory`: each run's whole inventory as JSON, so that a refresh can take the
//!   keys CloudTrail shows unchanged from the last saved run instead of listing them again.
//!   Decision: the whole document rather than columns per key field: it is read back whole,
//!   never queried inside, and stays in step with `Inventory` through serde. Runs saved by
//!   version 1 have no row: a refresh after one of them is a full listing.

use rusqlite::Connection;

use super::StoreError;

/// The schema version this binary writes.
pub const VERSION: u32 = 2;

/// The migrations, in order: `MIGRATIONS[i]` takes version `i` to `i + 1`.
const MIGRATIONS: [&str; VERSION as usize] = [
    r#"
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    taken_at REAL NOT NULL,
    backend TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    keys INTEGER NOT NULL,
    grants INTEGER NOT NULL,
    usage TEXT NOT NULL
);
CREATE TABLE grants (
    key_arn TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    PRIMARY KEY (key_arn, grant_id)
);
CREATE TABLE run_grants (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    key_arn TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    grant_json TEXT NOT NULL,
    PRIMARY KEY (run_id, key_arn, grant_id)
);
CREATE TABLE findings (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    key_arn TEXT NOT NULL,
    grant_id TEXT,
    reason TEXT NOT NULL
);
CREATE INDEX findings_by_run ON findings (run_id);
CREATE TABLE evidence (
    key_arn TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    looked_up_at REAL NOT NULL,
    window_start REAL NOT NULL,
    usage TEXT NOT NULL,
    last_seen REAL,
    operation TEXT,
    PRIMARY KEY (key_arn, grant_id, looked_up_at)
);
"#,
    r#"
CREATE TABLE run_inventory (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id),
    inventory_json TEXT NOT NULL
);
"#,
];

/// The store's version.
pub fn version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, u32>(0))?)
}

/// Bring the store to `VERSION`, one migration per transaction; refuse a store written by
/// a newer grantscope.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found = version(conn)?;
    if found > VERSION {
        return Err(StoreError::TooNew {
            found,
            known: VERSION,
        });
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        // `user_version` takes no bound parameter; the number is ours.
        tx.execute_batch(&format!("PRAGMA user_version = {}", from + 1))?;
        tx.commit()?;
    }
    Ok(())
}
