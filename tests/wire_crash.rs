//! Kill -9 while CreateGrant calls stream in; restart on the same `--state`: every grant the
//! server acknowledged is still there (also while the journal is being compacted), and the
//! temporary files a killed save leaves behind are removed at the next start.

mod support;

use std::sync::{Arc, Mutex};

use support::Server;

const KEY: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const GRANTEE: &str = "arn:aws:iam::111122223333:user/granttestuser";

fn client(url: &str) -> aws_sdk_kms::Client {
    support::sdk_client(url)
}

async fn all_grant_ids(client: &aws_sdk_kms::Client) -> Vec<String> {
    let mut ids = Vec::new();
    let mut marker = None;
    loop {
        let page = client
            .list_grants()
            .key_id(KEY)
            .limit(100)
            .set_marker(marker)
            .send()
            .await
            .expect("list grants after restart");
        ids.extend(
            page.grants()
                .iter()
                .filter_map(|g| g.grant_id().map(str::to_string)),
        );
        if !page.truncated() {
            return ids;
        }
        marker = page.next_marker().map(str::to_string);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_grants_survive_kill_9() {
    grants_survive_kill_9(&[]).await;
}

/// With a tiny compaction threshold, the snapshot is rewritten and the journal cut every
/// few dozen changes, so the kill lands around (or in) a compaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_grants_survive_kill_9_while_the_journal_compacts() {
    grants_survive_kill_9(&["--journal-compact-at", "1"]).await;
}

async fn grants_survive_kill_9(extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("world.json");
    let state_arg = state.display().to_string();
    let mut args = vec!["--state", state_arg.as_str(), "--propagation-delay", "0s"];
    args.extend_from_slice(extra);
    let mut server = Server::start(&args);
    let kms = client(&server.url);

    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let kms = kms.clone();
        let acked = acked.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..1000 {
                match kms
                    .create_grant()
                    .key_id(KEY)
                    .grantee_principal(GRANTEE)
                    .operations(aws_sdk_kms::types::GrantOperation::Encrypt)
                    .send()
                    .await
                {
                    Ok(out) => acked
                        .lock()
                        .unwrap()
                        .push(out.grant_id().unwrap().to_string()),
                    Err(_) => return,
                }
            }
        }));
    }
    // Let a stream build up, then crash the server in the middle of it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let n = acked.lock().unwrap().len();
        if n >= 60 {
            break;
        }
        assert!(
            !tasks.iter().all(|t| t.is_finished()),
            "every client stopped (on an error) after {n} grants, before the crash"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "only {n} grants acknowledged in 60 s"
        );
    }
    server.kill();
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 60);

    let server = Server::start(&["--state", &state_arg]);
    let listed = all_grant_ids(&client(&server.url)).await;
    let missing: Vec<&String> = acked.iter().filter(|id| !listed.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged grants lost: {missing:?}",
        missing.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temporary_files_of_a_killed_save_are_removed_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("world.json");
    let state_arg = state.display().to_string();
    // A state file to start from.
    let mut server = Server::start(&["--state", &state_arg]);
    server.kill();
    let world = std::fs::read(&state).unwrap();
    // What kill -9 in the middle of saves leaves: a snapshot's and a journal's temporary
    // file, and one named the way earlier versions named them.
    let strays = [
        ".world.json.tmpA1b2C3",
        ".world.json.journal.tmpZ9y8X7",
        ".tmpQ1w2E3",
    ];
    for name in strays {
        std::fs::write(dir.path().join(name), &world[..world.len() / 2]).unwrap();
    }
    // Someone else's files stay.
    std::fs::write(dir.path().join(".tmpOther"), b"not ours").unwrap();
    std::fs::write(dir.path().join(".tmp123456"), b"not a world").unwrap();

    let server = Server::start(&["--state", &state_arg]);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".tmp123456",
            ".tmpOther",
            "world.json",
            "world.json.journal"
        ]
    );
    assert!(all_grant_ids(&client(&server.url)).await.is_empty());
}
