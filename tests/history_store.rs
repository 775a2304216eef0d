//! The history store: runs saved by `report --save` / `inventory --save` and listed by
//! `grantscope history`; `grantscope diff` between runs with its exit status for CI; a
//! store from a newer grantscope refused, a damaged one reported, both left untouched;
//! evidence remembered past CloudTrail's 90 days.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use grantscope::history::{record, Store};
use grantscope::kms::inventory::{Inventory, InventoryGrant, InventoryKey, UsageSource};
use grantscope::kms::usage::{Undetermined, UsageEvidence};
use grantscope::kms::{GrantListEntry, GrantOperation, KeyManager, KeyState};
use serde_json::Value;
use support::{credentials_file, kms_as, profile_keys, Server};

fn grantscope(creds: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_grantscope"));
    cmd.args(args)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_REGION")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            creds.unwrap_or(Path::new("/dev/null")),
        );
    cmd.output().expect("run grantscope")
}

fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "JSON expected: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A small world with grants of fixed ids, written into `dir`; its path.
fn small_scenario(dir: &Path) -> String {
    let path = dir.join("small.toml");
    std::fs::write(
        &path,
        r#"
name = "small"
description = "One key, three grants."
region = "eu-west-1"

[[accounts]]
id = "111122223333"

[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]

[[principals]]
name = "alice"

[[keys]]
id = "0a1b2c3d-0000-4000-8000-000000000001"
aliases = ["alias/app-data"]
age = "500d"

[[grants]]
id = "5a1e000000000000000000000000000000000000000000000000000000000001"
key = "alias/app-data"
grantee = "alice"
operations = ["Encrypt"]
age = "10d"

[[grants]]
id = "5a1e000000000000000000000000000000000000000000000000000000000003"
key = "alias/app-data"
grantee = "alice"
retiring = "admin"
operations = ["Decrypt"]
name = "reader"
age = "400d"
"#,
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn saved_report_runs_are_listed_by_history() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = small_scenario(dir.path());
    let store = dir.path().join("nested/history.sqlite3");
    let store = store.to_str().unwrap();
    for _ in 0..2 {
        let out = grantscope(
            None,
            &[
                "report",
                "--scenario",
                &scenario,
                "--save",
                "--store",
                store,
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("saved as run"));
    }
    let runs = stdout_json(&grantscope(
        None,
        &["history", "--store", store, "--format", "json"],
    ));
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["backend"], "simulator");
    assert!(runs[0]["findings"].as_i64().unwrap() > 0);
    let table = grantscope(None, &["history", "--store", store]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with(" RUN  TAKEN"), "{text}");
    // Same world twice: nothing created or removed, no new finding, exit 0.
    let same = grantscope(None, &["diff", "--store", store]);
    assert_eq!(same.status.code(), Some(0));
    let text = String::from_utf8_lossy(&same.stdout);
    assert_eq!(
        text,
        "From run 1 to run 2:\n0 grants created, 0 removed, 0 changed; 0 new findings.\n"
    );
}

#[test]
fn diff_shows_created_and_removed_grants_and_fails_on_a_new_high_finding() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = small_scenario(dir.path());
    let server = Server::start(&["--scenario", &scenario, "--propagation-delay", "0s"]);
    let creds = credentials_file(dir.path(), &server.url, &["--scenario", &scenario]);
    let store = dir.path().join("h.sqlite3");
    let store = store.to_str().unwrap();
    let save = |cmd: &str| {
        let out = grantscope(
            Some(&creds),
            &[
                cmd,
                "--profile",
                "admin",
                "--save",
                "--store",
                store,
                "--format",
                "json",
            ],
        );
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    save("inventory");
    // Between the runs: a re-delegating grant appears, a grant is revoked.
    let key = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000001";
    let revoked = "5a1e000000000000000000000000000000000000000000000000000000000003";
    let text = std::fs::read_to_string(&creds).unwrap();
    let created = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let kms = kms_as(&server.url, profile_keys(&text, "admin"));
        let out = kms
            .create_grant()
            .key_id(key)
            .grantee_principal("arn:aws:iam::111122223333:user/alice")
            .operations(aws_sdk_kms::types::GrantOperation::CreateGrant)
            .operations(aws_sdk_kms::types::GrantOperation::Encrypt)
            .send()
            .await
            .unwrap();
        kms.revoke_grant()
            .key_id(key)
            .grant_id(revoked)
            .send()
            .await
            .unwrap();
        out.grant_id().unwrap().to_string()
    });
    save("report");

    let out = grantscope(None, &["diff", "--store", store, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a new high finding fails the diff"
    );
    let d = stdout_json(&out);
    assert_eq!(d["from_run"], 1);
    assert_eq!(d["to_run"], 2);
    assert_eq!(d["created"][0]["grant_id"], created.as_str());
    assert_eq!(d["removed"][0]["grant_id"], revoked);
    assert_eq!(d["changed"], serde_json::json!([]));
    assert!(d["new_findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "re-delegation"
            && f["severity"] == "high"
            && f["grant_id"] == created.as_str()));
    // Backwards, nothing is new; CSV names each change.
    let back = grantscope(
        None,
        &["diff", "2", "1", "--store", store, "--format", "csv"],
    );
    assert_eq!(back.status.code(), Some(0));
    let csv = String::from_utf8_lossy(&back.stdout);
    assert!(csv.starts_with("change,key,grant_id,grant_name,grantee,operations,detail\n"));
    assert!(csv.contains(&format!("created,{key},{revoked}")), "{csv}");
    assert!(csv.contains(&format!("removed,{key},{created}")), "{csv}");
    // An unknown run is an error (2), as is a threshold that is not a severity.
    assert_eq!(
        grantscope(None, &["diff", "1", "9", "--store", store])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        grantscope(None, &["diff", "--store", store, "--fail-on", "bad"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_store_from_a_newer_grantscope_is_refused_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let out = grantscope(None, &["history", "--store", path.to_str().unwrap()]);
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("written by a newer grantscope (schema version 99; this one knows up to 2)"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_damaged_store_is_reported_and_never_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite3");
    let garbage = b"this is not an SQLite database, it is a note somebody saved here\n".repeat(100);
    std::fs::write(&path, &garbage).unwrap();
    let out = grantscope(
        None,
        &[
            "report",
            "--scenario",
            "classroom",
            "--save",
            "--store",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the history store is damaged"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

fn inventory(at: f64, evidence: UsageEvidence) -> Inventory {
    let arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000001";
    Inventory {
        backend: "aws".into(),
        account: "111122223333".into(),
        region: "eu-west-1".into(),
        generated_at: at,
        usage: UsageSource::Principals,
        principals: None,
        keys: vec![InventoryKey {
            key_id: "00000000-0000-4000-8000-000000000001".into(),
            arn: arn.into(),
            aliases: vec![],
            state: KeyState::Enabled,
            manager: KeyManager::Customer,
            description: String::new(),
            creation_date: Some(at - 400.0 * DAY),
            unreadable: vec![],
            grants: vec![InventoryGrant {
                entry: GrantListEntry {
                    key_id: arn.into(),
                    grant_id: "ab".repeat(32),
                    creation_date: Some(at - 300.0 * DAY),
                    grantee_principal: Some("arn:aws:iam::111122223333:user/alice".into()),
                    operations: vec![GrantOperation::Decrypt],
                    ..Default::default()
                },
                grantee_name: "alice".into(),
                retiring_name: None,
                last_used: None,
                evidence: Some(evidence),
            }],
        }],
    }
}

const DAY: f64 = 86_400.0;
const T0: f64 = 1_800_000_000.0;

fn beyond() -> UsageEvidence {
    UsageEvidence::NotDetermined {
        reason: Undetermined::BeyondRetention {
            window_days: 170,
            kept_days: 90,
        },
    }
}

#[test]
fn unused_for_longer_than_cloudtrail_keeps_is_answered_from_remembered_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
    let cfg = grantscope::audit::AuditConfig::default();
    // 85 days ago, CloudTrail saw no call in the 90 days before.
    let first = inventory(
        T0,
        UsageEvidence::Unused {
            since: T0 - 90.0 * DAY,
            window_days: 90,
            source: "CloudTrail LookupEvents".into(),
        },
    );
    record::save(&mut store, &first, &grantscope::audit::audit(&first, &cfg)).unwrap();
    // Today, 170 days are asked: CloudTrail alone cannot say; with the store it can.
    let mut now = inventory(T0 + 85.0 * DAY, beyond());
    assert_eq!(record::remember(&store, &mut now, 170).unwrap(), 1);
    let evidence = now.keys[0].grants[0].evidence.clone().unwrap();
    assert!(
        matches!(&evidence, UsageEvidence::Unused { window_days: 170, source, .. } if source == record::REMEMBERED),
        "{evidence:?}"
    );
    // With a gap between the look-ups (100 days later), it stays not determined.
    let mut later = inventory(T0 + 100.0 * DAY, beyond());
    assert_eq!(record::remember(&store, &mut later, 170).unwrap(), 0);
    // A call remembered inside the window makes it possibly used.
    let used = inventory(
        T0 + 90.0 * DAY,
        UsageEvidence::PossiblyUsed {
            last_seen: T0 + 10.0 * DAY,
            operation: "Decrypt".into(),
        },
    );
    record::save(&mut store, &used, &grantscope::audit::audit(&used, &cfg)).unwrap();
    let mut after = inventory(T0 + 120.0 * DAY, beyond());
    record::remember(&store, &mut after, 170).unwrap();
    assert_eq!(after.keys[0].grants[0].last_used, Some(T0 + 10.0 * DAY));
    // First and last seen are kept per grant.
    let (first_seen, last_seen) = store
        .seen(&first.keys[0].arn, &first.keys[0].grants[0].entry.grant_id)
        .unwrap()
        .unwrap();
    assert_eq!((first_seen, last_seen), (T0, T0 + 90.0 * DAY));
}

#[test]
fn a_version_1_store_upgrades_keeping_its_runs_and_new_runs_keep_their_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.sqlite3");
    {
        // Version 1 exactly as released (schema.rs' first migration), with one run.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE runs (id INTEGER PRIMARY KEY, taken_at REAL NOT NULL,
               backend TEXT NOT NULL, account TEXT NOT NULL, region TEXT NOT NULL,
               keys INTEGER NOT NULL, grants INTEGER NOT NULL, usage TEXT NOT NULL);
             CREATE TABLE grants (key_arn TEXT NOT NULL, grant_id TEXT NOT NULL,
               first_seen REAL NOT NULL, last_seen REAL NOT NULL,
               PRIMARY KEY (key_arn, grant_id));
             CREATE TABLE run_grants (run_id INTEGER NOT NULL REFERENCES runs(id),
               key_arn TEXT NOT NULL, grant_id TEXT NOT NULL, grant_json TEXT NOT NULL,
               PRIMARY KEY (run_id, key_arn, grant_id));
             CREATE TABLE findings (run_id INTEGER NOT NULL REFERENCES runs(id),
               rule TEXT NOT NULL, severity TEXT NOT NULL, key_arn TEXT NOT NULL,
               grant_id TEXT, reason TEXT NOT NULL);
             CREATE INDEX findings_by_run ON findings (run_id);
             CREATE TABLE evidence (key_arn TEXT NOT NULL, grant_id TEXT NOT NULL,
               looked_up_at REAL NOT NULL, window_start REAL NOT NULL, usage TEXT NOT NULL,
               last_seen REAL, operation TEXT,
               PRIMARY KEY (key_arn, grant_id, looked_up_at));
             INSERT INTO runs VALUES (1, 1800000000.0, 'aws', '111122223333', 'eu-west-1',
               1, 1, 'principals');
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(
        grantscope::history::schema::version(store_conn(&path).as_ref().unwrap()).unwrap(),
        2
    );
    assert_eq!(store.runs().unwrap().len(), 1, "the version 1 run is kept");
    // The old run has no inventory: a refresh after it must list everything.
    let (id, _, inv) = record::last_inventory(&store, "aws", "111122223333", "eu-west-1")
        .unwrap()
        .unwrap();
    assert_eq!((id, inv), (1, None));
    // A run saved now carries its whole inventory, read back equal.
    let saved = inventory(T0 + DAY, beyond());
    let report = grantscope::audit::audit(&saved, &Default::default());
    let id = record::save(&mut store, &saved, &report).unwrap();
    let (last, at, inv) = record::last_inventory(&store, "aws", "111122223333", "eu-west-1")
        .unwrap()
        .unwrap();
    assert_eq!((last, at), (id, T0 + DAY));
    assert_eq!(inv, Some(saved));
    assert!(
        record::last_inventory(&store, "aws", "111122223333", "us-east-1")
            .unwrap()
            .is_none()
    );
}

fn store_conn(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    rusqlite::Connection::open(path)
}
