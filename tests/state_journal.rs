//! `serve --state`: the journal of changes beside the state file. A change is recorded as
//! the entities it touched; replaying the records onto the snapshot they started from
//! gives the same world; a change that cannot be saved is undone; a change costs one
//! appended record, not a rewritten world; a state file edited into something unusable is
//! refused with a message that names the file, the field and the position once.

mod common;
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_kms::error::ProvideErrorMetadata;
use grantscope::kms::ApiOperation;
use grantscope::sim::changes::ChangeRecord;
use grantscope::sim::{snapshot, Caller, SharedSimulator, Simulator};
use grantscope::wire::dispatch::dispatch;
use grantscope::wire::StateFile;
use serde_json::{json, Value};

use common::{key_arn, lab_with_delay, user_arn, K1, K2};

// ------------------------------------------------------------------ records and replay

fn call(sim: &mut Simulator, caller: &str, op: ApiOperation, body: Value) -> Value {
    let out = dispatch(sim, &Caller::new(caller), op, body.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("{op:?}: {}: {}", e.code, e.message));
    serde_json::from_slice(&out).unwrap_or(Value::Null)
}

/// A change as `serve --state` makes it: opened, run, finished; its record goes through
/// JSON as the journal holds it.
fn change(
    sim: &mut Simulator,
    journal: &mut Vec<ChangeRecord>,
    caller: &str,
    op: ApiOperation,
    body: Value,
) -> Value {
    sim.world_mut().begin_change();
    let out = call(sim, caller, op, body);
    let (record, _undo) = sim
        .world_mut()
        .finish_change()
        .expect("changes are tracked");
    let line = serde_json::to_vec(&record).unwrap();
    journal.push(serde_json::from_slice(&line).unwrap());
    out
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

fn replayed(start: &[u8], journal: &[ChangeRecord]) -> grantscope::sim::World {
    let mut world = snapshot::from_json(start, "start.json").unwrap();
    for r in journal {
        world.replay(r.clone());
    }
    world.rebuild_indexes();
    world
}

/// A lab that tracks its changes, with a propagation delay so that removals wait and are
/// purged later by time.
fn tracked_lab() -> Simulator {
    let mut sim = lab_with_delay(Duration::from_secs(30));
    sim.world_mut().track_changes();
    sim
}

#[test]
fn every_mutating_operation_replays_onto_its_snapshot_to_the_same_world() {
    use ApiOperation::*;
    let mut sim = tracked_lab();
    let start = snapshot::to_json(sim.world());
    let mut journal = Vec::new();
    let j = &mut journal;

    let created = change(
        &mut sim,
        j,
        "admin",
        CreateKey,
        json!({"Description": "journal"}),
    );
    let new_key = created["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    change(
        &mut sim,
        j,
        "admin",
        CreateAlias,
        json!({"AliasName": "alias/j", "TargetKeyId": new_key}),
    );
    let g1 = change(
        &mut sim,
        j,
        "admin",
        CreateGrant,
        json!({"KeyId": K1, "GranteePrincipal": user_arn("alice"), "Operations": ["Encrypt"]}),
    );
    let g1 = g1["GrantId"].as_str().unwrap().to_string();
    let g2 = change(
        &mut sim,
        j,
        "admin",
        CreateGrant,
        json!({"KeyId": K1, "GranteePrincipal": user_arn("bob"), "RetiringPrincipal": user_arn("alice"), "Operations": ["Decrypt"], "Name": "two"}),
    );
    let g2 = g2["GrantId"].as_str().unwrap().to_string();
    // Propagated by time; then used (grant use is written with the next record).
    sim.advance_clock(Duration::from_secs(31));
    call(
        &mut sim,
        "alice",
        Encrypt,
        json!({"KeyId": key_arn(K1), "Plaintext": "aGk="}),
    );
    change(
        &mut sim,
        j,
        "alice",
        RetireGrant,
        json!({"KeyId": key_arn(K1), "GrantId": g2}),
    );
    change(&mut sim, j, "admin", DisableKey, json!({"KeyId": new_key}));
    change(&mut sim, j, "admin", EnableKey, json!({"KeyId": new_key}));
    let policy = call(&mut sim, "admin", GetKeyPolicy, json!({"KeyId": new_key}));
    change(
        &mut sim,
        j,
        "admin",
        PutKeyPolicy,
        json!({"KeyId": new_key, "Policy": policy["Policy"]}),
    );
    change(
        &mut sim,
        j,
        "admin",
        ScheduleKeyDeletion,
        json!({"KeyId": K2, "PendingWindowInDays": 7}),
    );
    change(
        &mut sim,
        j,
        "admin",
        CancelKeyDeletion,
        json!({"KeyId": K2}),
    );
    change(
        &mut sim,
        j,
        "admin",
        DeleteAlias,
        json!({"AliasName": "alias/j"}),
    );
    change(
        &mut sim,
        j,
        "admin",
        RevokeGrant,
        json!({"KeyId": K1, "GrantId": g1}),
    );
    change(
        &mut sim,
        j,
        "admin",
        CreateAlias,
        json!({"AliasName": "alias/doomed", "TargetKeyId": new_key}),
    );
    change(
        &mut sim,
        j,
        "admin",
        ScheduleKeyDeletion,
        json!({"KeyId": new_key, "PendingWindowInDays": 7}),
    );
    // Time purges the revoked grant and deletes the key with its alias, outside any
    // request; the next change's record carries that.
    sim.advance_clock(Duration::from_secs(8 * 24 * 3600));
    change(
        &mut sim,
        j,
        "admin",
        CreateAlias,
        json!({"AliasName": "alias/last", "TargetKeyId": K1}),
    );

    assert!(
        !sim.world().keys.contains_key(&new_key),
        "the key's window ended"
    );
    assert_eq!(journal.len(), 15);
    let world = replayed(&start, &journal);
    assert_eq!(
        text(snapshot::to_json(&world)),
        text(snapshot::to_json(sim.world()))
    );
    // Replaying twice changes nothing (records at or below the revision are skipped).
    let mut again = world.clone();
    for r in &journal {
        again.replay(r.clone());
    }
    assert_eq!(
        text(snapshot::to_json(&again)),
        text(snapshot::to_json(&world))
    );
}

/// The world without its activity log (which an undone change keeps, saying it failed).
fn kms_state(sim: &Simulator) -> Value {
    let mut v: Value = serde_json::from_slice(&snapshot::to_json(sim.world())).unwrap();
    v.as_object_mut().unwrap().remove("activity");
    v
}

#[test]
fn an_undone_change_leaves_the_world_as_it_was_and_later_records_still_replay() {
    use ApiOperation::*;
    let mut sim = tracked_lab();
    let start = snapshot::to_json(sim.world());
    let mut journal = Vec::new();
    let g = change(
        &mut sim,
        &mut journal,
        "admin",
        CreateGrant,
        json!({"KeyId": K1, "GranteePrincipal": user_arn("alice"), "Operations": ["Encrypt"]}),
    );
    let g = g["GrantId"].as_str().unwrap().to_string();
    sim.advance_clock(Duration::from_secs(31));

    let undone: Vec<(ApiOperation, Value)> = vec![
        (CreateKey, json!({})),
        (
            CreateGrant,
            json!({"KeyId": K1, "GranteePrincipal": user_arn("bob"), "Operations": ["Decrypt"]}),
        ),
        (RevokeGrant, json!({"KeyId": K1, "GrantId": g})),
        (
            ScheduleKeyDeletion,
            json!({"KeyId": K2, "PendingWindowInDays": 7}),
        ),
        (DisableKey, json!({"KeyId": K1})),
        (DeleteAlias, json!({"AliasName": "alias/k2"})),
        (
            CreateAlias,
            json!({"AliasName": "alias/new", "TargetKeyId": K1}),
        ),
    ];
    for (op, body) in undone {
        let before = kms_state(&sim);
        let listed = sim.world().listed_grant_count(K1);
        sim.world_mut().begin_change();
        call(&mut sim, "admin", op, body);
        let (record, undo) = sim.world_mut().finish_change().unwrap();
        sim.world_mut().undo_change(&record, undo, "not saved");
        assert_eq!(kms_state(&sim), before, "{op:?} was not undone");
        assert_eq!(sim.world().listed_grant_count(K1), listed, "{op:?}: index");
        let last = sim.world().activity.last().unwrap();
        assert_eq!(last.operation, op);
        assert_eq!(last.why, "not saved");
    }
    // The grant still authorizes (its index is back), and changes go on being recorded.
    call(
        &mut sim,
        "alice",
        Encrypt,
        json!({"KeyId": K1, "Plaintext": "aGk="}),
    );
    change(
        &mut sim,
        &mut journal,
        "admin",
        CreateAlias,
        json!({"AliasName": "alias/after", "TargetKeyId": K1}),
    );
    assert_eq!(
        text(snapshot::to_json(&replayed(&start, &journal))),
        text(snapshot::to_json(sim.world()))
    );
}

// ------------------------------------------------------------------ the journal on disk

/// A change through a state file, as the router makes it.
fn durable_grant(file: &Arc<StateFile>, sim: &SharedSimulator) -> Result<String, String> {
    let mut durable = file.begin();
    let (out, record, undo) = {
        let mut s = sim.lock();
        s.world_mut().begin_change();
        let out = call(
            &mut s,
            "admin",
            ApiOperation::CreateGrant,
            json!({"KeyId": K1, "GranteePrincipal": user_arn("alice"), "Operations": ["Encrypt"]}),
        );
        let (record, undo) = s.world_mut().finish_change().unwrap();
        (out, record, undo)
    };
    file.commit(&mut durable, sim, record, undo)
        .map_err(|e| e.to_string())?;
    Ok(out["GrantId"].as_str().unwrap().to_string())
}

#[test]
fn a_torn_last_record_is_ignored_and_a_corrupt_or_discontinuous_journal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let file = Arc::new(StateFile::new(&path));
    let sim = SharedSimulator::new(tracked_lab());
    file.attach(&sim).unwrap();
    let g = durable_grant(&file, &sim).unwrap();
    let journal = file.journal_path().to_path_buf();
    let whole = std::fs::read(&journal).unwrap();

    // Killed in the middle of an append: the last line has no newline.
    let mut torn = whole.clone();
    torn.extend_from_slice(br#"{"revision":99,"clock""#);
    std::fs::write(&journal, &torn).unwrap();
    let world = StateFile::new(&path).load().unwrap().unwrap();
    assert!(world.grants.keys().any(|id| id.as_str() == g));
    // Opening it for writing cuts the torn tail off.
    let sim = SharedSimulator::new(Simulator::new(world));
    StateFile::new(&path).attach(&sim).unwrap();
    assert_eq!(std::fs::read(&journal).unwrap(), whole);

    // A journal that does not continue the state file (a state file restored from an
    // older copy) is refused, not replayed onto the wrong base.
    let line = String::from_utf8(whole.clone()).unwrap();
    let ahead = line.replacen("\"revision\":1,", "\"revision\":3,", 1);
    assert_ne!(ahead, line);
    std::fs::write(&journal, ahead).unwrap();
    let e = StateFile::new(&path).load().unwrap_err().to_string();
    assert!(e.contains("does not continue"), "{e}");

    let mut corrupt = b"not a record\n".to_vec();
    corrupt.extend_from_slice(&whole);
    std::fs::write(&journal, &corrupt).unwrap();
    let e = StateFile::new(&path).load().unwrap_err().to_string();
    assert!(
        e.contains(&journal.display().to_string()) && e.contains("line 1"),
        "{e}"
    );
}

#[test]
fn a_change_whose_journal_is_gone_is_undone_in_process() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let file = Arc::new(StateFile::new(sub.join("state.json")));
    let sim = SharedSimulator::new(tracked_lab());
    file.attach(&sim).unwrap();
    durable_grant(&file, &sim).unwrap();
    let before = kms_state(&sim.lock());
    std::fs::remove_dir_all(&sub).unwrap();
    let e = durable_grant(&file, &sim).unwrap_err();
    assert!(e.contains("cannot write journal"), "{e}");
    assert_eq!(kms_state(&sim.lock()), before);
}

// ------------------------------------------------------------------ the real server

const CLASSROOM_KEY: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const GRANTEE: &str = "arn:aws:iam::111122223333:user/granttestuser";

fn client(url: &str) -> aws_sdk_kms::Client {
    support::sdk_client(url)
}

async fn key_count(kms: &aws_sdk_kms::Client) -> usize {
    kms.list_keys().send().await.expect("ListKeys").keys().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_that_cannot_be_saved_is_not_made() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let state = sub.join("state.json").display().to_string();
    let server = support::Server::start(&["--state", &state]);
    let kms = client(&server.url);
    let keys = key_count(&kms).await;

    std::fs::remove_dir_all(&sub).unwrap();
    for attempt in 0..2 {
        let e = kms
            .create_key()
            .send()
            .await
            .expect_err("a change that cannot be saved fails");
        let raw = e.raw_response().map(|r| r.status().as_u16());
        assert_eq!(raw, Some(500), "attempt {attempt}");
        assert_eq!(e.code(), Some("KMSInternalException"));
        let message = e.message().unwrap_or_default();
        assert!(
            message.starts_with("The change could not be saved, and was not made"),
            "{message}"
        );
        // Not made: a client that retries does not get a second key.
        assert_eq!(key_count(&kms).await, keys, "attempt {attempt}");
    }
}

fn journal_of(state: &Path) -> std::path::PathBuf {
    let mut p = state.as_os_str().to_owned();
    p.push(".journal");
    p.into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_appends_a_record_and_leaves_the_snapshot_alone() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let arg = state.display().to_string();
    let mut server = support::Server::start(&["--state", &arg]);
    let kms = client(&server.url);
    let snapshot_before = std::fs::read(&state).unwrap();
    let mut ids = Vec::new();
    for _ in 0..5 {
        let out = kms
            .create_grant()
            .key_id(CLASSROOM_KEY)
            .grantee_principal(GRANTEE)
            .operations(aws_sdk_kms::types::GrantOperation::Encrypt)
            .send()
            .await
            .expect("CreateGrant");
        ids.push(out.grant_id().unwrap().to_string());
    }
    assert_eq!(
        std::fs::read(&state).unwrap(),
        snapshot_before,
        "a change rewrote the state file"
    );
    let journal = std::fs::read_to_string(journal_of(&state)).unwrap();
    assert_eq!(journal.lines().count(), 5, "one record per change");
    assert!(
        journal.len() < 5 * 8 * 1024,
        "records are small: {}",
        journal.len()
    );

    server.kill();
    let server = support::Server::start(&["--state", &arg]);
    let listed = client(&server.url)
        .list_grants()
        .key_id(CLASSROOM_KEY)
        .send()
        .await
        .unwrap();
    let listed: Vec<&str> = listed
        .grants()
        .iter()
        .filter_map(|g| g.grant_id())
        .collect();
    for id in &ids {
        assert!(listed.contains(&id.as_str()), "grant {id} lost");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_is_compacted_into_the_snapshot_as_it_grows() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let arg = state.display().to_string();
    let server = support::Server::start(&["--state", &arg, "--journal-compact-at", "1"]);
    let kms = client(&server.url);
    for _ in 0..120 {
        kms.create_grant()
            .key_id(CLASSROOM_KEY)
            .grantee_principal(GRANTEE)
            .operations(aws_sdk_kms::types::GrantOperation::Encrypt)
            .send()
            .await
            .expect("CreateGrant");
    }
    // Compaction runs in the background; give it a moment.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let snap = std::fs::metadata(&state).unwrap().len();
        let journal = std::fs::metadata(journal_of(&state)).unwrap().len();
        if journal <= snap + 8 * 1024 {
            let world = snapshot::load(&state).unwrap();
            assert!(
                world.revision > 0,
                "the snapshot was rewritten with its revision"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "journal {journal} bytes next to a snapshot of {snap}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Run `grantscope serve ARGS` expecting it to refuse to start; its stderr.
fn refused(args: &[&str]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_grantscope"))
        .arg("serve")
        .args(["--bind", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("grantscope serve {args:?} started instead of refusing");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn a_state_file_that_does_not_parse_names_its_position_once() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut bytes = snapshot::to_json(tracked_lab().world());
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&state, bytes).unwrap();
    let stderr = refused(&["--state", &state.display().to_string()]);
    assert!(stderr.contains(&state.display().to_string()), "{stderr}");
    assert_eq!(stderr.matches("line 1 column").count(), 1, "{stderr}");
}

#[test]
fn an_activity_capacity_outside_its_range_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    for capacity in [0u64, 1_000_001] {
        let mut world: Value =
            serde_json::from_slice(&snapshot::to_json(tracked_lab().world())).unwrap();
        world["activity"]["capacity"] = json!(capacity);
        std::fs::write(&state, serde_json::to_vec(&world).unwrap()).unwrap();
        let stderr = refused(&["--state", &state.display().to_string()]);
        assert!(
            stderr.contains(&state.display().to_string())
                && stderr.contains("`activity.capacity` is")
                && stderr.contains("between 1 and 1000000"),
            "{stderr}"
        );
    }
}

/// The journal replaced by a named pipe: a change's append waits in `open` until someone
/// reads the pipe, as a slow disk would hold its flush. Reads must not wait for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_are_answered_while_a_change_is_being_flushed() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let arg = state.display().to_string();
    let server = support::Server::start(&["--state", &arg]);
    let kms = client(&server.url);
    let journal = journal_of(&state);
    std::fs::remove_file(&journal).unwrap();
    let c_path = std::ffi::CString::new(journal.display().to_string()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo has no other preconditions.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);

    let writer = {
        let kms = kms.clone();
        tokio::spawn(async move {
            kms.create_grant()
                .key_id(CLASSROOM_KEY)
                .grantee_principal(GRANTEE)
                .operations(aws_sdk_kms::types::GrantOperation::Encrypt)
                .send()
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !writer.is_finished(),
        "the change did not wait for its flush"
    );
    for _ in 0..3 {
        let started = Instant::now();
        let n = tokio::time::timeout(Duration::from_secs(5), key_count(&kms))
            .await
            .expect("ListKeys waited for the change being flushed");
        assert_eq!(n, 1);
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    // Let the flush through (a pipe cannot be fsynced: the change fails and is undone).
    let reader = tokio::task::spawn_blocking(move || std::fs::read(journal).unwrap());
    let answer = tokio::time::timeout(Duration::from_secs(10), writer)
        .await
        .expect("the change was answered")
        .unwrap();
    reader.await.unwrap();
    if let Err(e) = answer {
        assert_eq!(e.code(), Some("KMSInternalException"));
        let listed = kms
            .list_grants()
            .key_id(CLASSROOM_KEY)
            .send()
            .await
            .unwrap();
        assert!(listed.grants().is_empty(), "an unsaved grant stayed");
    }
}
