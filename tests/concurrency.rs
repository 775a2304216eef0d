//! Many callers at once through `SharedSimulator`: every acknowledged CreateGrant and
//! RevokeGrant is reflected in the final state, no grant is revoked twice, and concurrent
//! idempotent creates yield one grant.

mod common;

use std::collections::{BTreeSet, HashMap};

use common::*;
use grantscope::kms::api::*;
use grantscope::kms::{ApiOperation, ErrorCode};
use grantscope::sim::{Outcome, SharedSimulator};

const USERS: [&str; 3] = ["alice", "bob", "carol"];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_revokes_and_encrypts_lose_nothing() {
    let shared = SharedSimulator::new(lab());
    let mut tasks = Vec::new();
    for t in 0..8usize {
        let sim = shared.clone();
        tasks.push(tokio::spawn(async move {
            let mut created = Vec::new();
            let mut revoked = Vec::new();
            for i in 0..40usize {
                let grantee = USERS[(t + i) % USERS.len()];
                let key = if i % 2 == 0 { K1 } else { K2 };
                let id = sim
                    .with(move |s| {
                        s.create_grant(&admin(), grant_req(key, &user_arn(grantee), &["Encrypt"]))
                    })
                    .await
                    .expect("the admin's CreateGrant succeeds")
                    .grant_id;
                created.push((key, id.clone()));
                let r = sim.with(move |s| encrypt(s, grantee, key)).await;
                if let Err(e) = r {
                    assert_eq!(e.code, ErrorCode::AccessDeniedException, "{e}");
                }
                if i % 3 == 0 {
                    let revoke = sim
                        .with(move |s| {
                            s.revoke_grant(
                                &admin(),
                                RevokeGrantRequest {
                                    key_id: key.into(),
                                    grant_id: id.clone(),
                                    dry_run: None,
                                },
                            )
                            .map(|_| id)
                        })
                        .await;
                    match revoke {
                        Ok(id) => revoked.push(id),
                        Err(e) => assert_eq!(e.code, ErrorCode::NotFoundException, "{e}"),
                    }
                }
                tokio::task::yield_now().await;
            }
            (created, revoked)
        }));
    }
    // A reaper races the owners, revoking whatever it sees first on K1.
    let reaper = {
        let sim = shared.clone();
        tokio::spawn(async move {
            let mut revoked = Vec::new();
            for _ in 0..60 {
                let listed = sim
                    .with(|s| {
                        s.list_grants(
                            &admin(),
                            ListGrantsRequest {
                                key_id: K1.into(),
                                limit: Some(2),
                                ..Default::default()
                            },
                        )
                    })
                    .await
                    .expect("listing works");
                for g in listed.grants {
                    let id = g.grant_id.clone();
                    let r = sim
                        .with(move |s| {
                            s.revoke_grant(
                                &admin(),
                                RevokeGrantRequest {
                                    key_id: K1.into(),
                                    grant_id: id,
                                    dry_run: None,
                                },
                            )
                        })
                        .await;
                    match r {
                        Ok(_) => revoked.push(g.grant_id),
                        Err(e) => assert_eq!(e.code, ErrorCode::NotFoundException, "{e}"),
                    }
                }
                tokio::task::yield_now().await;
            }
            revoked
        })
    };

    let mut created: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let mut revoked_acks = Vec::new();
    for t in tasks {
        let (c, r) = t.await.expect("task finished");
        for (key, id) in c {
            assert!(
                created.entry(key).or_default().insert(id),
                "grant ids are unique"
            );
        }
        revoked_acks.extend(r);
    }
    revoked_acks.extend(reaper.await.expect("reaper finished"));
    let revoked: BTreeSet<String> = revoked_acks.iter().cloned().collect();
    assert_eq!(
        revoked.len(),
        revoked_acks.len(),
        "no grant was revoked twice"
    );

    let mut sim = shared.lock();
    let total_created: usize = created.values().map(BTreeSet::len).sum();
    assert_eq!(total_created, 8 * 40);
    for key in [K1, K2] {
        let want: BTreeSet<String> = created[key].difference(&revoked).cloned().collect();
        let listed = all_grants(&mut sim, key, Some(37));
        let got: BTreeSet<String> = listed.iter().map(|g| g.grant_id.clone()).collect();
        assert_eq!(got.len(), listed.len(), "no duplicates on {key}");
        assert_eq!(got, want, "final grants of {key}");
        assert_eq!(sim.world().listed_grant_count(key), want.len());
    }
    // The activity log saw every acknowledged create and revoke.
    let entries = sim.activity_since(0);
    let count = |op: ApiOperation| {
        entries
            .iter()
            .filter(|e| e.operation == op && e.outcome == Outcome::Allowed)
            .count()
    };
    assert_eq!(count(ApiOperation::CreateGrant), total_created);
    assert_eq!(count(ApiOperation::RevokeGrant), revoked.len());
}

#[test]
fn concurrent_idempotent_creates_make_one_grant() {
    let shared = SharedSimulator::new(lab());
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let sim = shared.clone();
            std::thread::spawn(move || {
                (0..25)
                    .map(|_| {
                        let mut req = grant_req(K1, &user_arn("alice"), &["Encrypt", "Decrypt"]);
                        req.name = Some("shared-name".into());
                        let r = sim.lock().create_grant(&admin(), req).unwrap();
                        (r.grant_id, r.grant_token)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let results: Vec<(String, String)> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("thread finished"))
        .collect();
    let ids: BTreeSet<&String> = results.iter().map(|(id, _)| id).collect();
    assert_eq!(ids.len(), 1, "every caller got the same grant");
    let tokens: BTreeSet<&String> = results.iter().map(|(_, t)| t).collect();
    assert_eq!(tokens.len(), results.len(), "every call got a fresh token");
    let mut sim = shared.lock();
    assert_eq!(grant_ids(&mut sim, K1).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_caller_does_not_take_the_simulator_down() {
    let shared = SharedSimulator::new(lab());
    let before = {
        let sim = shared.clone();
        sim.with(|s| grant(s, K1, "alice", &["Encrypt"]).grant_id)
            .await
    };
    let crashing = {
        let sim = shared.clone();
        tokio::spawn(async move {
            sim.with(|s| {
                let _ = encrypt(s, "alice", K1);
                panic!("a caller bug while holding the lock");
            })
            .await
        })
    };
    assert!(crashing.await.is_err(), "the panic reaches its own caller");
    let sim = shared.clone();
    let (ids, encrypted) = sim
        .with(|s| (grant_ids(s, K1), encrypt(s, "alice", K1).is_ok()))
        .await;
    assert_eq!(ids, vec![before]);
    assert!(encrypted, "others carry on with the same world");
}
