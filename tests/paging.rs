//! Paging: ListKeys, ListAliases, ListGrants and ListRetirableGrants return every item
//! exactly once across pages, whatever the page size, and grant listings stay whole when
//! grants come and go between pages.

mod common;

use std::collections::BTreeSet;

use common::*;
use grantscope::kms::api::*;
use grantscope::kms::ErrorCode;
use grantscope::sim::Simulator;

/// Page through any listing; `fetch(marker)` returns (items, next marker, truncated).
fn collect<T>(mut fetch: impl FnMut(Option<String>) -> (Vec<T>, Option<String>, bool)) -> Vec<T> {
    let mut out = Vec::new();
    let mut marker = None;
    for _ in 0..10_000 {
        let (items, next, truncated) = fetch(marker.take());
        assert_eq!(truncated, next.is_some(), "Truncated goes with NextMarker");
        out.extend(items);
        match next {
            Some(m) => marker = Some(m),
            None => return out,
        }
    }
    panic!("paging never ended");
}

fn assert_unique_and_equal(got: Vec<String>, want: &BTreeSet<String>, what: &str) {
    let set: BTreeSet<String> = got.iter().cloned().collect();
    assert_eq!(set.len(), got.len(), "{what}: no duplicates");
    assert_eq!(&set, want, "{what}: nothing lost");
}

fn make_keys(sim: &mut Simulator, n: usize) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = [K1.to_string(), K2.to_string()].into();
    for i in 0..n {
        let id = sim
            .create_key(&admin(), CreateKeyRequest::default())
            .unwrap()
            .key_metadata
            .key_id;
        sim.create_alias(
            &admin(),
            CreateAliasRequest {
                alias_name: format!("alias/key-{i:03}"),
                target_key_id: id.clone(),
            },
        )
        .unwrap();
        ids.insert(id);
    }
    ids
}

#[test]
fn list_keys_pages_without_loss_or_duplication() {
    let mut sim = lab();
    let want = make_keys(&mut sim, 130);
    for limit in [None, Some(1), Some(7), Some(100), Some(1000)] {
        let got = collect(|marker| {
            let r = sim
                .list_keys(&admin(), ListKeysRequest { limit, marker })
                .unwrap();
            if let Some(l) = limit {
                assert!(r.keys.len() <= l as usize);
            }
            (
                r.keys.into_iter().map(|k| k.key_id).collect(),
                r.next_marker,
                r.truncated,
            )
        });
        assert_unique_and_equal(got, &want, &format!("ListKeys limit {limit:?}"));
    }
    let e = expect_err(sim.list_keys(
        &admin(),
        ListKeysRequest {
            limit: None,
            marker: Some("junk".into()),
        },
    ));
    assert_eq!(e.code, ErrorCode::InvalidMarkerException);
    for bad in [0, 1001] {
        let e = expect_err(sim.list_keys(
            &admin(),
            ListKeysRequest {
                limit: Some(bad),
                marker: None,
            },
        ));
        assert_eq!(e.code, ErrorCode::ValidationException);
    }
}

#[test]
fn list_aliases_pages_without_loss_or_duplication() {
    let mut sim = lab();
    make_keys(&mut sim, 120);
    let want: BTreeSet<String> = (0..120)
        .map(|i| format!("alias/key-{i:03}"))
        .chain(["alias/k1".to_string(), "alias/k2".to_string()])
        .collect();
    for limit in [None, Some(1), Some(13), Some(100)] {
        let got = collect(|marker| {
            let r = sim
                .list_aliases(
                    &admin(),
                    ListAliasesRequest {
                        key_id: None,
                        limit,
                        marker,
                    },
                )
                .unwrap();
            (
                r.aliases.into_iter().map(|a| a.alias_name).collect(),
                r.next_marker,
                r.truncated,
            )
        });
        assert_unique_and_equal(got, &want, &format!("ListAliases limit {limit:?}"));
    }
    let e = expect_err(sim.list_aliases(
        &admin(),
        ListAliasesRequest {
            key_id: None,
            limit: None,
            marker: Some("junk".into()),
        },
    ));
    assert_eq!(e.code, ErrorCode::InvalidMarkerException);
}

/// A ListKeys or ListAliases marker names the next item, not a position: keys and aliases
/// created (or deleted) between pages never make a page repeat or skip one of the others.
#[test]
fn keys_and_aliases_created_or_deleted_between_pages_do_not_shift_the_others() {
    let mut sim = lab();
    let want_keys = make_keys(&mut sim, 40);
    let list_keys = |sim: &mut Simulator, marker| {
        let r = sim
            .list_keys(
                &admin(),
                ListKeysRequest {
                    limit: Some(7),
                    marker,
                },
            )
            .unwrap();
        let ids: Vec<String> = r.keys.into_iter().map(|k| k.key_id).collect();
        (ids, r.next_marker)
    };
    let (mut got, mut marker) = list_keys(&mut sim, None);
    let mut pages = 1;
    while let Some(m) = marker.take() {
        pages += 1;
        // 42 keys in pages of 7, plus those created after the marker as it moves on; a
        // positional marker would page forever (each page adds more keys than it lists).
        assert!(
            pages < 200,
            "ListKeys paging did not end after {pages} pages"
        );
        // 20 new keys with random ids between pages: most sort before the marker.
        for _ in 0..20 {
            sim.create_key(&admin(), CreateKeyRequest::default())
                .unwrap();
        }
        let (ids, next) = list_keys(&mut sim, Some(m));
        got.extend(ids);
        marker = next;
    }
    let got: Vec<String> = got
        .into_iter()
        .filter(|id| want_keys.contains(id))
        .collect();
    assert_unique_and_equal(got, &want_keys, "ListKeys with keys created between pages");

    let list_aliases = |sim: &mut Simulator, marker| {
        let r = sim
            .list_aliases(
                &admin(),
                ListAliasesRequest {
                    key_id: None,
                    limit: Some(5),
                    marker,
                },
            )
            .unwrap();
        let names: Vec<String> = r.aliases.into_iter().map(|a| a.alias_name).collect();
        (names, r.next_marker)
    };
    let (first, marker) = list_aliases(&mut sim, None);
    assert_eq!(first[0], "alias/k1");
    // Before page 2: two aliases that sort first appear, and one already listed goes.
    let target = sim
        .create_key(&admin(), CreateKeyRequest::default())
        .unwrap()
        .key_metadata
        .key_id;
    for name in ["alias/aaa", "alias/aab"] {
        sim.create_alias(
            &admin(),
            CreateAliasRequest {
                alias_name: name.into(),
                target_key_id: target.clone(),
            },
        )
        .unwrap();
    }
    sim.delete_alias(
        &admin(),
        DeleteAliasRequest {
            alias_name: first[0].clone(),
        },
    )
    .unwrap();
    let (second, _) = list_aliases(&mut sim, marker);
    assert_eq!(
        second,
        [
            "alias/key-003",
            "alias/key-004",
            "alias/key-005",
            "alias/key-006",
            "alias/key-007"
        ],
        "page 2 goes on after page 1's last alias ({:?})",
        first.last()
    );
}

#[test]
fn list_grants_pages_without_loss_or_duplication() {
    let mut sim = lab();
    let want: BTreeSet<String> = (0..237)
        .map(|i| grant(&mut sim, K1, ["alice", "bob"][i % 2], &["Encrypt"]).grant_id)
        .collect();
    grant(&mut sim, K2, "alice", &["Encrypt"]);
    for limit in [None, Some(1), Some(7), Some(99), Some(100)] {
        let got: Vec<String> = all_grants(&mut sim, K1, limit)
            .into_iter()
            .map(|g| g.grant_id)
            .collect();
        assert_unique_and_equal(got, &want, &format!("ListGrants limit {limit:?}"));
    }
    // Filtered by grantee, the pages hold just that grantee's grants.
    let bobs = collect(|marker| {
        let r = sim
            .list_grants(
                &admin(),
                ListGrantsRequest {
                    key_id: K1.into(),
                    limit: Some(10),
                    marker,
                    grantee_principal: Some(user_arn("bob")),
                    ..Default::default()
                },
            )
            .unwrap();
        (r.grants, r.next_marker, r.truncated)
    });
    assert_eq!(bobs.len(), 118);
    assert!(bobs.iter().all(|g| g.grantee() == user_arn("bob")));
}

#[test]
fn grants_removed_or_added_between_pages_do_not_disturb_the_others() {
    let mut sim = lab();
    let ids: Vec<String> = (0..30)
        .map(|_| grant(&mut sim, K1, "alice", &["Encrypt"]).grant_id)
        .collect();
    let page = |sim: &mut Simulator, marker: Option<String>| {
        sim.list_grants(
            &admin(),
            ListGrantsRequest {
                key_id: K1.into(),
                limit: Some(10),
                marker,
                ..Default::default()
            },
        )
        .unwrap()
    };
    let first = page(&mut sim, None);
    // Revoke two grants already seen, add a new one.
    for id in &ids[..2] {
        sim.revoke_grant(
            &admin(),
            RevokeGrantRequest {
                key_id: K1.into(),
                grant_id: id.clone(),
                dry_run: None,
            },
        )
        .unwrap();
    }
    let added = grant(&mut sim, K1, "bob", &["Encrypt"]).grant_id;
    let mut seen: Vec<String> = first.grants.into_iter().map(|g| g.grant_id).collect();
    let mut marker = first.next_marker;
    while let Some(m) = marker.take() {
        let p = page(&mut sim, Some(m));
        seen.extend(p.grants.into_iter().map(|g| g.grant_id));
        marker = p.next_marker;
    }
    let want: BTreeSet<String> = ids.iter().cloned().chain([added]).collect();
    assert_unique_and_equal(seen, &want, "ListGrants across changes");
}

fn retirable_page(
    sim: &mut Simulator,
    limit: Option<i64>,
    marker: Option<String>,
) -> ListGrantsResponse {
    sim.list_retirable_grants(
        &admin(),
        ListRetirableGrantsRequest {
            retiring_principal: Some(user_arn("bob")),
            limit,
            marker,
            ..Default::default()
        },
    )
    .unwrap()
}

fn retirable_by_bob(sim: &mut Simulator, key: &str, grantee: &str) -> CreateGrantResponse {
    let mut req = grant_req(key, &user_arn(grantee), &["Encrypt"]);
    req.retiring_principal = Some(user_arn("bob"));
    sim.create_grant(&admin(), req).unwrap()
}

#[test]
fn list_retirable_grants_pages_without_loss_or_duplication() {
    let mut sim = lab();
    let mut want = BTreeSet::new();
    for i in 0..75 {
        let key = if i % 3 == 0 { K2 } else { K1 };
        want.insert(retirable_by_bob(&mut sim, key, "alice").grant_id);
    }
    // Not Bob's to retire.
    grant(&mut sim, K1, "alice", &["Encrypt"]);
    for limit in [None, Some(1), Some(8), Some(100)] {
        let got = collect(|marker| {
            let r = retirable_page(&mut sim, limit, marker);
            (
                r.grants.into_iter().map(|g| g.grant_id).collect(),
                r.next_marker,
                r.truncated,
            )
        });
        assert_unique_and_equal(got, &want, &format!("ListRetirableGrants limit {limit:?}"));
    }
    let e = expect_err(sim.list_retirable_grants(
        &admin(),
        ListRetirableGrantsRequest {
            retiring_principal: Some(user_arn("bob")),
            marker: Some("junk".into()),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::InvalidMarkerException);
}

#[test]
fn retiring_between_pages_loses_no_other_retirable_grant() {
    let mut sim = lab();
    let created: Vec<CreateGrantResponse> = (0..20)
        .map(|i| retirable_by_bob(&mut sim, if i % 2 == 0 { K1 } else { K2 }, "alice"))
        .collect();
    let first = retirable_page(&mut sim, Some(5), None);
    let seen_first: Vec<String> = first.grants.iter().map(|g| g.grant_id.clone()).collect();
    // Bob retires what he has seen so far, as a clean-up script would.
    for g in &first.grants {
        sim.retire_grant(
            &who("bob"),
            RetireGrantRequest {
                key_id: Some(g.key_id.clone()),
                grant_id: Some(g.grant_id.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    }
    let mut seen = seen_first;
    let mut marker = first.next_marker;
    while let Some(m) = marker.take() {
        let p = retirable_page(&mut sim, Some(5), Some(m));
        seen.extend(p.grants.into_iter().map(|g| g.grant_id));
        marker = p.next_marker;
    }
    let want: BTreeSet<String> = created.into_iter().map(|g| g.grant_id).collect();
    assert_unique_and_equal(seen, &want, "ListRetirableGrants across retirements");
}
