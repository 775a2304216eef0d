//! Scenarios (the bundled ones and bad files) and state snapshots (round trips, atomic
//! writes, corrupt files).

mod common;

use std::time::Duration;

use common::*;
use grantscope::kms::api::*;
use grantscope::kms::ErrorCode;
use grantscope::sim::snapshot::{self, SnapshotError};
use grantscope::sim::{Clock, Scenario, Simulator};

// ------------------------------------------------------------------ scenarios

#[test]
fn both_bundled_scenarios_load_and_build() {
    let names = Scenario::builtin_names();
    assert_eq!(names, vec!["classroom", "stale-grants"]);
    for name in names {
        let s = Scenario::load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(s.name, name);
        let world = s
            .build_with_clock(Clock::manual(start()))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!world.keys.is_empty(), "{name} has keys");
    }
}

#[test]
fn the_classroom_has_an_admin_a_powerless_user_and_one_key() {
    let world = Scenario::load("classroom")
        .unwrap()
        .build_with_clock(Clock::manual(start()))
        .unwrap();
    assert_eq!(world.keys.len(), 1);
    assert!(world.grants.is_empty());
    let user = world.find_principal("granttestuser").unwrap();
    assert!(user.policies.is_empty());
    assert_eq!(world.propagation_delay, Duration::from_secs(5));
    let (p, _) = world
        .principal_for_access_key("AKIAIOSFODNN7EXAMPLE")
        .expect("the admin's access key");
    assert_eq!(p.name, "admin");
}

#[test]
fn the_stale_grants_world_holds_what_its_comments_promise() {
    let world = Scenario::load("stale-grants")
        .unwrap()
        .build_with_clock(Clock::manual(start()))
        .unwrap();
    let mut sim = Simulator::new(world);
    // The near-quota key.
    let tenant = sim
        .world()
        .aliases
        .values()
        .find(|a| a.name == "alias/tenant-data")
        .unwrap()
        .target_key_id
        .clone();
    assert_eq!(sim.world().listed_grant_count(&tenant), 45_500);
    // Bob was deleted after his grant was made: it names his unique id.
    let app = "0a1b2c3d-0000-4000-8000-000000000001";
    let grants = all_grants(&mut sim, app, Some(100));
    let bobs = grants.iter().find(|g| g.name == "bob-export").unwrap();
    assert_eq!(bobs.grantee(), "AIDASTALEBOB000000001");
    let partner = grants.iter().find(|g| g.name == "partner-feed").unwrap();
    assert_eq!(
        partner.grantee(),
        "arn:aws:iam::444455556666:role/partner-app"
    );
    // Ages count back from the moment the world loaded.
    let old = grants.iter().find(|g| g.name == "old-writer").unwrap();
    let expected = start() - chrono::Duration::days(400);
    assert_eq!(
        old.creation_date,
        Some(grantscope::kms::time::epoch_seconds(expected))
    );
    // Grants on the disabled and pending-deletion keys are listed too.
    for key in [
        "0a1b2c3d-0000-4000-8000-000000000002",
        "0a1b2c3d-0000-4000-8000-000000000003",
    ] {
        assert_eq!(all_grants(&mut sim, key, None).len(), 1, "{key}");
    }
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn build(path: &str) -> Result<grantscope::sim::World, grantscope::sim::scenario::ScenarioError> {
    Scenario::load(path)?.build_with_clock(Clock::manual(start()))
}

#[test]
fn a_scenario_with_an_unknown_field_names_the_file_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "typo.toml",
        "name = \"t\"\nregion = \"eu-west-1\"\n[[accounts]]\nid = \"111122223333\"\n[[keys]]\ndescripton = \"typo\"\n",
    );
    let e = build(&path).unwrap_err();
    assert_eq!(e.file, path);
    let text = e.to_string();
    assert!(text.contains(&path), "{text}");
    assert!(text.contains("descripton"), "{text}");
}

#[test]
fn a_scenario_with_a_bad_account_id_names_the_file_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "account.toml",
        "name = \"t\"\nregion = \"eu-west-1\"\n[[accounts]]\nid = \"1234\"\n",
    );
    let e = build(&path).unwrap_err();
    assert_eq!(e.file, path);
    assert!(e.message.contains("accounts[0].id"), "{}", e.message);
    assert!(e.message.contains("12 digits"), "{}", e.message);
}

#[test]
fn a_scenario_granting_to_an_unknown_principal_names_the_file_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "grantee.toml",
        &format!("{LAB}\n[[grants]]\nkey = \"alias/k1\"\ngrantee = \"mallory\"\noperations = [\"Encrypt\"]\n"),
    );
    let e = build(&path).unwrap_err();
    assert_eq!(e.file, path);
    assert!(e.message.contains("grants[0].grantee"), "{}", e.message);
    assert!(e.message.contains("mallory"), "{}", e.message);
}

#[test]
fn other_scenario_mistakes_are_reported_with_their_field() {
    let cases = [
        ("[[grants]]\nkey = \"alias/none\"\ngrantee = \"alice\"\noperations = [\"Encrypt\"]\n", "grants[0].key"),
        ("[[grants]]\nkey = \"alias/k1\"\ngrantee = \"alice\"\noperations = [\"Sign\"]\n", "grants[0].operations"),
        ("[[grants]]\nkey = \"alias/k1\"\ngrantee = \"alice\"\noperations = [\"Encrypt\"]\nage = \"yesterday\"\n", "grants[0].age"),
        ("[[grants]]\nkey = \"alias/k1\"\ngrantee = \"alice\"\noperations = [\"Encrypt\"]\ncount = 50001\n", "grants[0].count"),
    ];
    for (extra, field) in cases {
        let text = format!("{LAB}\n{extra}");
        let e = Scenario::parse(&text, "case.toml", true)
            .unwrap()
            .build_with_clock(Clock::manual(start()))
            .unwrap_err();
        assert_eq!(e.file, "case.toml");
        assert!(e.message.starts_with(field), "{field}: {}", e.message);
    }
    let e = Scenario::load("/no/such/scenario.toml").unwrap_err();
    assert!(
        e.message.contains("classroom"),
        "lists the bundled ones: {}",
        e.message
    );
}

// ------------------------------------------------------------------ snapshots

/// A world with some history: grants (one named, one constrained, one removed but not yet
/// propagated), a key pending deletion, an alias, activity.
fn busy_world() -> Simulator {
    let mut sim = lab_with_delay(Duration::from_secs(30));
    for i in 0..20 {
        let mut req = grant_req(
            K1,
            &user_arn(["alice", "bob", "carol"][i % 3]),
            &["Encrypt", "Decrypt"],
        );
        if i % 4 == 0 {
            req.name = Some(format!("g-{i}"));
        }
        if i % 5 == 0 {
            req.constraints = Some(grantscope::kms::GrantConstraints {
                source_arn: None,
                encryption_context_subset: Some(ctx(&[("n", &i.to_string())])),
                encryption_context_equals: None,
            });
        }
        sim.create_grant(&admin(), req).unwrap();
    }
    let first = all_grants(&mut sim, K1, None).remove(0);
    sim.revoke_grant(
        &admin(),
        RevokeGrantRequest {
            key_id: K1.into(),
            grant_id: first.grant_id,
            dry_run: None,
        },
    )
    .unwrap();
    sim.schedule_key_deletion(
        &admin(),
        ScheduleKeyDeletionRequest {
            key_id: K2.into(),
            pending_window_in_days: Some(7),
        },
    )
    .unwrap();
    let _ = encrypt(&mut sim, "alice", K1);
    sim
}

#[test]
fn a_saved_world_loads_identical() {
    let sim = busy_world();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    snapshot::save(sim.world(), &path).unwrap();
    let loaded = snapshot::load(&path).unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("snapshots are UTF-8 JSON");
    let original = text(snapshot::to_json(sim.world()));
    assert_eq!(text(snapshot::to_json(&loaded)), original);
    assert_eq!(
        text(std::fs::read(&path).unwrap()),
        original,
        "the file holds exactly the serialized world"
    );
    assert_eq!(loaded.grants.len(), sim.world().grants.len());
    assert_eq!(loaded.activity, sim.world().activity);
}

#[test]
fn managed_policies_are_told_from_inline_ones_and_survive_a_snapshot() {
    let mut world = Scenario::load("classroom")
        .unwrap()
        .build_with_clock(Clock::manual(start()))
        .unwrap();
    world
        .put_identity_policy(
            "admin",
            "read-keys",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:List*","Resource":"*"}]}"#,
        )
        .unwrap();
    let kinds = |w: &grantscope::sim::World| -> Vec<(String, Option<String>)> {
        let mut v: Vec<_> = w
            .find_principal("admin")
            .unwrap()
            .policies
            .iter()
            .map(|p| (p.name.clone(), p.managed_arn.clone()))
            .collect();
        v.sort();
        v
    };
    let expected = vec![
        (
            "AdministratorAccess".to_string(),
            Some("arn:aws:iam::aws:policy/AdministratorAccess".to_string()),
        ),
        ("read-keys".to_string(), None),
    ];
    assert_eq!(kinds(&world), expected);
    let loaded = snapshot::from_json(&snapshot::to_json(&world), "state.json").unwrap();
    assert_eq!(kinds(&loaded), expected);

    // A state file from before managed policies were told apart loads them as inline,
    // and they still authorize.
    let mut old: serde_json::Value = serde_json::from_slice(&snapshot::to_json(&world)).unwrap();
    for p in old["principals"].as_object_mut().unwrap().values_mut() {
        for pol in p["policies"].as_array_mut().unwrap() {
            pol.as_object_mut().unwrap().remove("managed_arn");
        }
    }
    let old = snapshot::from_json(&serde_json::to_vec(&old).unwrap(), "old.json").unwrap();
    assert!(kinds(&old).iter().all(|(_, arn)| arn.is_none()));
    let mut sim = Simulator::new(old);
    let encrypted = encrypt(&mut sim, "admin", "alias/classroom");
    assert!(
        encrypted.is_ok(),
        "AdministratorAccess still applies: {encrypted:?}"
    );
}

#[test]
fn a_loaded_world_behaves_like_the_original() {
    let mut sim = busy_world();
    let token = grant(&mut sim, K1, "alice", &["GenerateDataKey"]).grant_token;
    let blob = admin_ciphertext(&mut sim, K1, ctx(&[("a", "b")]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    snapshot::save(sim.world(), &path).unwrap();
    let mut loaded = Simulator::new(snapshot::load(&path).unwrap());
    // Same listing, same keys and ciphertexts, same tokens.
    assert_eq!(
        all_grants(&mut loaded, K1, Some(7)),
        all_grants(&mut sim, K1, Some(7))
    );
    let plain = loaded
        .decrypt(&admin(), decrypt_req(&blob, ctx(&[("a", "b")])))
        .unwrap();
    assert_eq!(plain.plaintext, b"hello");
    loaded
        .generate_data_key(
            &who("alice"),
            GenerateDataKeyRequest {
                key_id: K1.into(),
                number_of_bytes: Some(8),
                grant_tokens: Some(vec![token]),
                ..Default::default()
            },
        )
        .unwrap();
    // Pending changes still settle on time: the revoked grant is purged, the key deleted.
    let before = loaded.world().grants.len();
    loaded.advance_clock(Duration::from_secs(30));
    assert_eq!(loaded.world().grants.len(), before - 1);
    loaded.advance_clock(Duration::from_secs(7 * 86_400));
    let e = expect_err(loaded.describe_key(
        &admin(),
        DescribeKeyRequest {
            key_id: K2.into(),
            grant_tokens: None,
        },
    ));
    assert_eq!(e.code, ErrorCode::NotFoundException);
}

#[test]
fn saving_writes_atomically_and_leaves_no_temporary_files() {
    let sim = busy_world();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, b"old contents").unwrap();
    snapshot::save(sim.world(), &path).unwrap();
    snapshot::save(sim.world(), &path).unwrap();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["state.json".to_string()]);
    snapshot::load(&path).unwrap();
    // A save into a missing directory fails cleanly and names the path.
    let bad = dir.path().join("missing").join("state.json");
    let e = snapshot::save(sim.world(), &bad).unwrap_err();
    assert!(matches!(e, SnapshotError::Write { .. }));
    assert!(e.to_string().contains(&bad.display().to_string()), "{e}");
}

#[test]
fn a_corrupt_state_file_gives_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let sim = busy_world();
    let mut bytes = snapshot::to_json(sim.world());
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&path, &bytes).unwrap();
    let e = snapshot::load(&path).unwrap_err();
    assert!(matches!(e, SnapshotError::Parse { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains(&path.display().to_string()) && text.contains("is not a grantscope world"),
        "{text}"
    );
    std::fs::write(&path, b"{\"region\": 5}").unwrap();
    assert!(matches!(
        snapshot::load(&path),
        Err(SnapshotError::Parse { .. })
    ));
    let e = snapshot::load(&dir.path().join("absent.json")).unwrap_err();
    assert!(matches!(e, SnapshotError::Read { .. }), "{e}");
}
