//! Multi-Region keys in process (`sim/multi_region.rs`): a primary and its replicas share
//! id and material, and nothing else; ReplicateKey and UpdatePrimaryRegion with AWS's
//! states, errors and authorization; a primary's deletion waits for its replicas; every
//! change replays from the journal.

mod common;

use std::time::Duration;

use grantscope::kms::api::*;
use grantscope::kms::multi_region::{
    MultiRegionKeyType, ReplicateKeyRequest, UpdatePrimaryRegionRequest,
};
use grantscope::kms::{ApiOperation, ErrorCode, KeyMetadata, KeyState};
use grantscope::sim::changes::ChangeRecord;
use grantscope::sim::{snapshot, Caller, Simulator};
use grantscope::wire::dispatch::dispatch;
use serde_json::{json, Value};

use common::*;

const US: &str = "us-east-1";
const AP: &str = "ap-south-1";

fn admin_in(region: &str) -> Caller {
    admin().in_region(region)
}

/// A multi-Region primary key made by the admin in eu-west-1.
fn primary(sim: &mut Simulator) -> KeyMetadata {
    sim.create_key(
        &admin(),
        CreateKeyRequest {
            multi_region: Some(true),
            description: Some("primary".into()),
            ..Default::default()
        },
    )
    .expect("primary created")
    .key_metadata
}

fn replicate(
    sim: &mut Simulator,
    key: &str,
    region: &str,
) -> Result<KeyMetadata, grantscope::kms::KmsError> {
    sim.replicate_key(
        &admin(),
        ReplicateKeyRequest {
            key_id: key.to_string(),
            replica_region: region.to_string(),
            ..Default::default()
        },
    )
    .map(|r| r.replica_key_metadata)
}

fn describe(sim: &mut Simulator, caller: &Caller, key: &str) -> KeyMetadata {
    sim.describe_key(
        caller,
        DescribeKeyRequest {
            key_id: key.to_string(),
            grant_tokens: None,
        },
    )
    .unwrap_or_else(|e| panic!("describe {key}: {e:?}"))
    .key_metadata
}

#[test]
fn a_multi_region_key_has_an_mrk_id_and_is_its_own_primary() {
    let mut sim = lab();
    let m = primary(&mut sim);
    assert!(
        m.key_id.starts_with("mrk-") && m.key_id.len() == 36,
        "{}",
        m.key_id
    );
    assert!(m.multi_region);
    let c = m.multi_region_configuration.expect("a configuration");
    assert_eq!(c.multi_region_key_type, MultiRegionKeyType::Primary);
    assert_eq!(c.primary_key.arn, m.arn);
    assert_eq!(c.primary_key.region, REGION);
    assert!(c.replica_keys.is_empty());
    // A single-Region key shows none.
    let single = describe(&mut sim, &admin(), K1);
    assert!(!single.multi_region && single.multi_region_configuration.is_none());
}

#[test]
fn a_replica_shares_id_and_material_and_decrypts_the_primarys_ciphertext() {
    let mut sim = lab();
    let m = primary(&mut sim);
    let r = replicate(&mut sim, &m.key_id, US).expect("replicated");
    assert_eq!(r.key_id, m.key_id);
    assert_eq!(r.arn, format!("arn:aws:kms:{US}:{HOME}:key/{}", m.key_id));
    // "the new replica key has a transient key state of Creating"
    assert_eq!(r.key_state, KeyState::Creating);
    assert_eq!(r.description, "", "not the primary's");
    let c = r.multi_region_configuration.unwrap();
    assert_eq!(c.multi_region_key_type, MultiRegionKeyType::Replica);
    assert_eq!(c.primary_key.arn, m.arn);
    assert_eq!(c.replica_keys.len(), 1);

    // Creating ends by the next call (no propagation delay in the lab).
    let now = describe(&mut sim, &admin_in(US), &m.key_id);
    assert_eq!(now.key_state, KeyState::Enabled);
    let from_primary = describe(&mut sim, &admin(), &m.key_id);
    let replicas = from_primary
        .multi_region_configuration
        .unwrap()
        .replica_keys;
    assert_eq!(replicas[0].arn, r.arn);
    assert_eq!(replicas[0].region, US);

    let blob = admin_ciphertext(&mut sim, &m.key_id, Default::default());
    let out = sim
        .decrypt(&admin_in(US), decrypt_req(&blob, Default::default()))
        .expect("the replica decrypts the primary's ciphertext");
    assert_eq!(out.plaintext, b"hello");
    assert_eq!(out.key_id, r.arn, "decrypted by the replica, in its region");
    // A single-Region key's ciphertext does not decrypt in another region.
    let single = admin_ciphertext(&mut sim, K1, Default::default());
    let e = expect_err(sim.decrypt(&admin_in(US), decrypt_req(&single, Default::default())));
    assert_eq!(e.code, ErrorCode::InvalidCiphertextException);
}

#[test]
fn a_replica_being_created_cannot_be_used_yet() {
    let mut sim = lab_with_delay(Duration::from_secs(5));
    let m = primary(&mut sim);
    replicate(&mut sim, &m.key_id, US).unwrap();
    let e = expect_err(sim.encrypt(
        &admin_in(US),
        encrypt_req(&m.key_id, Default::default(), &[]),
    ));
    assert_eq!(e.code, ErrorCode::KmsInvalidStateException);
    assert_eq!(
        e.message,
        format!("arn:aws:kms:{US}:{HOME}:key/{} is Creating.", m.key_id)
    );
    sim.advance_clock(Duration::from_secs(5));
    assert!(sim
        .encrypt(
            &admin_in(US),
            encrypt_req(&m.key_id, Default::default(), &[])
        )
        .is_ok());
}

#[test]
fn replicate_key_refuses_what_aws_refuses() {
    let mut sim = lab();
    let m = primary(&mut sim);
    let code = |r: Result<KeyMetadata, grantscope::kms::KmsError>| expect_err(r).code;
    assert_eq!(
        code(replicate(&mut sim, K1, US)),
        ErrorCode::UnsupportedOperationException,
        "a single-Region key"
    );
    assert_eq!(
        code(replicate(&mut sim, &m.key_id, REGION)),
        ErrorCode::ValidationException
    );
    let e = expect_err(replicate(&mut sim, &m.key_id, "not a region"));
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(e.message.contains("at 'replicaRegion'"), "{}", e.message);
    assert_eq!(
        code(replicate(&mut sim, &m.key_id, "xx-nowhere-1")),
        ErrorCode::UnsupportedOperationException
    );
    replicate(&mut sim, &m.key_id, US).unwrap();
    let e = expect_err(replicate(&mut sim, &m.key_id, US));
    assert_eq!(e.code, ErrorCode::AlreadyExistsException);
    assert_eq!(
        e.message,
        format!(
            "Key 'arn:aws:kms:{US}:{HOME}:key/{}' already exists",
            m.key_id
        )
    );
    // Only the primary is replicated.
    let e = expect_err(sim.replicate_key(
        &admin_in(US),
        ReplicateKeyRequest {
            key_id: m.key_id.clone(),
            replica_region: AP.into(),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::UnsupportedOperationException);
    assert_eq!(
        e.message,
        format!(
            "arn:aws:kms:{US}:{HOME}:key/{} is not a multi-Region primary key.",
            m.key_id
        )
    );
}

#[test]
fn replicate_key_needs_permission_on_the_primary() {
    let mut sim = lab();
    let m = primary(&mut sim);
    let e = expect_err(sim.replicate_key(
        &who("alice"),
        ReplicateKeyRequest {
            key_id: m.key_id.clone(),
            replica_region: US.into(),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert!(e.message.contains("kms:ReplicateKey"), "{}", e.message);
    assert!(e.message.contains(&m.arn), "{}", e.message);
}

#[test]
fn a_replica_has_its_own_policy_description_tags_and_grants() {
    let mut sim = lab();
    let m = primary(&mut sim);
    let out = sim
        .replicate_key(
            &admin(),
            ReplicateKeyRequest {
                key_id: m.arn.clone(),
                replica_region: US.into(),
                description: Some("the US copy".into()),
                tags: Some(vec![Tag {
                    tag_key: "team".into(),
                    tag_value: "blue".into(),
                }]),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(out.replica_key_metadata.description, "the US copy");
    assert_eq!(out.replica_tags.len(), 1);
    assert!(out
        .replica_policy
        .contains(&format!("arn:aws:iam::{HOME}:root")));
    assert_eq!(
        describe(&mut sim, &admin(), &m.key_id).description,
        "primary"
    );

    // A grant on the primary does not reach the replica: "Each multi-Region key is an
    // independent resource with a unique key ARN and key policy".
    grant(&mut sim, &m.key_id, "alice", &["Encrypt"]);
    assert!(sim
        .encrypt(
            &who("alice"),
            encrypt_req(&m.key_id, Default::default(), &[])
        )
        .is_ok());
    let e = expect_err(sim.encrypt(
        &who("alice").in_region(US),
        encrypt_req(&m.key_id, Default::default(), &[]),
    ));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    let listed = sim
        .list_grants(
            &admin_in(US),
            ListGrantsRequest {
                key_id: m.key_id.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(listed.grants.is_empty());
    // Aliases are per region too.
    sim.create_alias(
        &admin_in(US),
        CreateAliasRequest {
            alias_name: "alias/shared".into(),
            target_key_id: m.key_id.clone(),
        },
    )
    .unwrap();
    assert_eq!(
        describe(&mut sim, &admin_in(US), "alias/shared").arn,
        out.replica_key_metadata.arn
    );
    let e = expect_err(sim.describe_key(
        &admin(),
        DescribeKeyRequest {
            key_id: "alias/shared".into(),
            grant_tokens: None,
        },
    ));
    assert_eq!(e.code, ErrorCode::NotFoundException);
}

#[test]
fn update_primary_region_swaps_primary_and_replica_through_updating() {
    let mut sim = lab_with_delay(Duration::from_secs(3));
    let m = primary(&mut sim);
    replicate(&mut sim, &m.key_id, US).unwrap();
    sim.advance_clock(Duration::from_secs(3));
    sim.update_primary_region(
        &admin(),
        UpdatePrimaryRegionRequest {
            key_id: m.key_id.clone(),
            primary_region: US.into(),
        },
    )
    .expect("primary moved");
    let old = describe(&mut sim, &admin(), &m.key_id);
    let new = describe(&mut sim, &admin_in(US), &m.key_id);
    assert_eq!(old.key_state, KeyState::Updating);
    assert_eq!(new.key_state, KeyState::Updating);
    // "you can use the keys in cryptographic operations" while Updating.
    assert!(sim
        .encrypt(&admin(), encrypt_req(&m.key_id, Default::default(), &[]))
        .is_ok());
    sim.advance_clock(Duration::from_secs(3));
    let old = describe(&mut sim, &admin(), &m.key_id);
    let new = describe(&mut sim, &admin_in(US), &m.key_id);
    assert_eq!(old.key_state, KeyState::Enabled);
    let (oc, nc) = (
        old.multi_region_configuration.unwrap(),
        new.multi_region_configuration.unwrap(),
    );
    assert_eq!(oc.multi_region_key_type, MultiRegionKeyType::Replica);
    assert_eq!(nc.multi_region_key_type, MultiRegionKeyType::Primary);
    assert_eq!(oc.primary_key.region, US);
    assert_eq!(nc.replica_keys[0].region, REGION);
}

#[test]
fn update_primary_region_refuses_what_aws_refuses() {
    let mut sim = lab();
    let m = primary(&mut sim);
    let update = |sim: &mut Simulator, caller: &Caller, key: &str, region: &str| {
        expect_err(sim.update_primary_region(
            caller,
            UpdatePrimaryRegionRequest {
                key_id: key.to_string(),
                primary_region: region.to_string(),
            },
        ))
    };
    let e = update(&mut sim, &admin(), &m.key_id, US);
    assert_eq!(e.code, ErrorCode::NotFoundException, "no replica there");
    assert_eq!(
        e.message,
        format!(
            "Key 'arn:aws:kms:{US}:{HOME}:key/{}' does not exist",
            m.key_id
        )
    );
    assert_eq!(
        update(&mut sim, &admin(), K1, US).code,
        ErrorCode::UnsupportedOperationException
    );
    assert_eq!(
        update(&mut sim, &admin(), &m.key_id, REGION).code,
        ErrorCode::ValidationException
    );
    replicate(&mut sim, &m.key_id, US).unwrap();
    describe(&mut sim, &admin_in(US), &m.key_id); // Creating ends
    sim.disable_key(
        &admin_in(US),
        KeyIdRequest {
            key_id: m.key_id.clone(),
        },
    )
    .unwrap();
    // "Both the primary key and the replica key must be in the Enabled key state"
    let e = update(&mut sim, &admin(), &m.key_id, US);
    assert_eq!(e.code, ErrorCode::KmsInvalidStateException);
    assert_eq!(
        e.message,
        format!("arn:aws:kms:{US}:{HOME}:key/{} is Disabled.", m.key_id)
    );
    // Called on the replica: not the primary.
    assert_eq!(
        update(&mut sim, &admin_in(US), &m.key_id, REGION).code,
        ErrorCode::UnsupportedOperationException
    );
    // Without permission on the keys.
    assert_eq!(
        update(&mut sim, &who("alice"), &m.key_id, US).code,
        ErrorCode::AccessDeniedException
    );
}

#[test]
fn a_primary_with_replicas_waits_for_them_before_its_own_deletion_window() {
    let mut sim = lab();
    let m = primary(&mut sim);
    replicate(&mut sim, &m.key_id, US).unwrap();
    let out = sim
        .schedule_key_deletion(
            &admin(),
            ScheduleKeyDeletionRequest {
                key_id: m.key_id.clone(),
                pending_window_in_days: Some(7),
            },
        )
        .unwrap();
    assert_eq!(out.key_state, KeyState::PendingReplicaDeletion);
    assert_eq!(
        out.deletion_date, None,
        "unknown until the last replica is deleted"
    );
    let d = describe(&mut sim, &admin(), &m.key_id);
    assert_eq!(d.key_state, KeyState::PendingReplicaDeletion);
    assert_eq!(d.pending_deletion_window_in_days, Some(7));
    assert_eq!(d.deletion_date, None);
    // It cannot be used or replicated meanwhile.
    let e = expect_err(encrypt(&mut sim, "admin", &m.key_id));
    assert_eq!(e.code, ErrorCode::KmsInvalidStateException);
    assert_eq!(
        expect_err(replicate(&mut sim, &m.key_id, AP)).code,
        ErrorCode::KmsInvalidStateException
    );

    sim.schedule_key_deletion(
        &admin_in(US),
        ScheduleKeyDeletionRequest {
            key_id: m.key_id.clone(),
            pending_window_in_days: Some(7),
        },
    )
    .unwrap();
    sim.advance_clock(Duration::from_secs(7 * 86_400 + 1));
    // The replica is gone; the primary's own 7 days start now.
    let e = expect_err(sim.describe_key(
        &admin_in(US),
        DescribeKeyRequest {
            key_id: m.key_id.clone(),
            grant_tokens: None,
        },
    ));
    assert_eq!(e.code, ErrorCode::NotFoundException);
    let d = describe(&mut sim, &admin(), &m.key_id);
    assert_eq!(d.key_state, KeyState::PendingDeletion);
    assert!(d
        .multi_region_configuration
        .unwrap()
        .replica_keys
        .is_empty());
    let expected = grantscope::kms::time::epoch_seconds(sim.now() + chrono::Duration::days(7));
    assert_eq!(d.deletion_date, Some(expected));
    sim.advance_clock(Duration::from_secs(7 * 86_400 + 1));
    assert!(sim.world().key_in(REGION, &m.key_id).is_none());
}

#[test]
fn cancelling_a_primarys_pending_replica_deletion_disables_it() {
    let mut sim = lab();
    let m = primary(&mut sim);
    replicate(&mut sim, &m.key_id, US).unwrap();
    sim.schedule_key_deletion(
        &admin(),
        ScheduleKeyDeletionRequest {
            key_id: m.key_id.clone(),
            pending_window_in_days: None,
        },
    )
    .unwrap();
    sim.cancel_key_deletion(
        &admin(),
        KeyIdRequest {
            key_id: m.key_id.clone(),
        },
    )
    .unwrap();
    assert_eq!(
        describe(&mut sim, &admin(), &m.key_id).key_state,
        KeyState::Disabled
    );
}

// ------------------------------------------------------------------ journal

fn change(
    sim: &mut Simulator,
    journal: &mut Vec<ChangeRecord>,
    caller: &Caller,
    op: ApiOperation,
    body: Value,
) -> Value {
    sim.world_mut().begin_change();
    let out = dispatch(sim, caller, op, body.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("{op:?}: {}: {}", e.code, e.message));
    let (record, _undo) = sim
        .world_mut()
        .finish_change()
        .expect("changes are tracked");
    let line = serde_json::to_vec(&record).unwrap();
    journal.push(serde_json::from_slice(&line).unwrap());
    serde_json::from_slice(&out).unwrap_or(Value::Null)
}

#[test]
fn multi_region_changes_replay_onto_their_snapshot_to_the_same_world() {
    use ApiOperation::*;
    let mut sim = lab_with_delay(Duration::from_secs(2));
    sim.world_mut().track_changes();
    let start = snapshot::to_json(sim.world());
    let mut journal = Vec::new();
    let j = &mut journal;
    let eu = admin();
    let us = admin_in(US);

    let created = change(&mut sim, j, &eu, CreateKey, json!({"MultiRegion": true}));
    let id = created["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let replica = change(
        &mut sim,
        j,
        &eu,
        ReplicateKey,
        json!({"KeyId": id, "ReplicaRegion": US}),
    );
    assert_eq!(replica["ReplicaKeyMetadata"]["KeyState"], "Creating");
    assert_eq!(
        replica["ReplicaKeyMetadata"]["MultiRegionConfiguration"]["MultiRegionKeyType"],
        "REPLICA"
    );
    change(
        &mut sim,
        j,
        &eu,
        ReplicateKey,
        json!({"KeyId": id, "ReplicaRegion": AP}),
    );
    sim.advance_clock(Duration::from_secs(2));
    change(
        &mut sim,
        j,
        &us,
        CreateAlias,
        json!({"AliasName": "alias/us", "TargetKeyId": id}),
    );
    change(
        &mut sim,
        j,
        &eu,
        UpdatePrimaryRegion,
        json!({"KeyId": id, "PrimaryRegion": US}),
    );
    sim.advance_clock(Duration::from_secs(2));
    change(
        &mut sim,
        j,
        &admin_in(AP),
        ScheduleKeyDeletion,
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    );
    change(
        &mut sim,
        j,
        &us,
        ScheduleKeyDeletion,
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    );
    sim.advance_clock(Duration::from_secs(8 * 86_400));
    change(
        &mut sim,
        j,
        &eu,
        CreateAlias,
        json!({"AliasName": "alias/last", "TargetKeyId": K1}),
    );

    let world = {
        let mut w = snapshot::from_json(&start, "start.json").unwrap();
        for r in &journal {
            w.replay(r.clone());
        }
        w.rebuild_indexes();
        w
    };
    assert_eq!(
        String::from_utf8(snapshot::to_json(&world)).unwrap(),
        String::from_utf8(snapshot::to_json(sim.world())).unwrap()
    );
    let us_key = world
        .key_in(US, &id)
        .expect("the primary, waiting for its last replica");
    assert_eq!(us_key.state, KeyState::PendingReplicaDeletion);
    assert!(world.key_in(AP, &id).is_none());
    assert_eq!(world.key_in(REGION, &id).unwrap().state, KeyState::Enabled);
}

#[test]
fn policies_see_the_requested_region_and_whether_a_key_is_multi_region() {
    let mut sim = lab();
    let m = primary(&mut sim);
    replicate(&mut sim, &m.key_id, US).unwrap();
    // Alice may encrypt in us-east-1 only, and describe multi-Region replicas only.
    let policy = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"kms:Encrypt","Resource":"*",
         "Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}},
        {"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*",
         "Condition":{"Bool":{"kms:MultiRegion":"true"},
                      "StringEquals":{"kms:MultiRegionKeyType":"REPLICA"}}}]}"#;
    sim.world_mut()
        .put_identity_policy("alice", "regional", policy)
        .unwrap();
    let alice_us = who("alice").in_region(US);
    assert!(sim
        .encrypt(&alice_us, encrypt_req(&m.key_id, Default::default(), &[]))
        .is_ok());
    let e = expect_err(sim.encrypt(
        &who("alice"),
        encrypt_req(&m.key_id, Default::default(), &[]),
    ));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert_eq!(
        describe(&mut sim, &alice_us, &m.key_id).arn,
        format!("arn:aws:kms:{US}:{HOME}:key/{}", m.key_id)
    );
    let denied = |sim: &mut Simulator, caller: &Caller, key: &str| {
        expect_err(sim.describe_key(
            caller,
            DescribeKeyRequest {
                key_id: key.to_string(),
                grant_tokens: None,
            },
        ))
        .code
    };
    assert_eq!(
        denied(&mut sim, &who("alice"), &m.key_id),
        ErrorCode::AccessDeniedException,
        "the primary"
    );
    assert_eq!(
        denied(&mut sim, &who("alice"), K1),
        ErrorCode::AccessDeniedException,
        "single-Region"
    );
}

#[test]
fn an_undone_change_that_ended_a_transient_state_leaves_it_to_end_again() {
    let mut sim = lab_with_delay(Duration::from_secs(2));
    sim.world_mut().track_changes();
    let m = primary(&mut sim);
    replicate(&mut sim, &m.key_id, US).unwrap();
    sim.world_mut().finish_change();
    // Time passes with no call: the next call settles it.
    sim.world_mut().clock.advance(Duration::from_secs(2));
    // A change whose record could not be saved: the replica's Creating ended in it.
    sim.world_mut().begin_change();
    assert_eq!(
        describe(&mut sim, &admin_in(US), &m.key_id).key_state,
        KeyState::Enabled
    );
    let (record, undo) = sim.world_mut().finish_change().unwrap();
    sim.world_mut()
        .undo_change(&record, undo, "the journal is gone");
    assert_eq!(
        sim.world().key_in(US, &m.key_id).unwrap().state,
        KeyState::Creating,
        "undone"
    );
    // The next call ends it again.
    assert_eq!(
        describe(&mut sim, &admin_in(US), &m.key_id).key_state,
        KeyState::Enabled
    );
}
