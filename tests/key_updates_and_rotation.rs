//! UpdateAlias, UpdateKeyDescription, ListKeyPolicies and key rotation in-process: new
//! ciphertext uses new material and older ciphertext (and blobs and snapshots made before
//! rotation existed) still decrypts; automatic rotation by the clock; quotas and key
//! states; grants never allow key administration.

mod common;
mod key_admin_common;

use std::time::Duration;

use grantscope::kms::{ApiOperation, ErrorCode};
use grantscope::sim::{snapshot, Simulator};
use serde_json::json;

use common::{key_arn, lab, K1, K2};
use key_admin_common::*;

#[test]
fn update_alias_moves_an_alias_between_keys_of_the_same_type_and_usage() {
    use ApiOperation::*;
    let mut sim = lab();
    ok(
        &mut sim,
        "admin",
        UpdateAlias,
        json!({"AliasName": "alias/k1", "TargetKeyId": K2}),
    );
    let d = ok(&mut sim, "admin", DescribeKey, json!({"KeyId": "alias/k1"}));
    assert_eq!(d["KeyMetadata"]["KeyId"], K2);
    let rsa = ok(
        &mut sim,
        "admin",
        CreateKey,
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    );
    let rsa_id = rsa["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let e = err(
        &mut sim,
        "admin",
        UpdateAlias,
        json!({"AliasName": "alias/k1", "TargetKeyId": rsa_id}),
    );
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(e.message.contains("same type"), "{}", e.message);
    let e = err(
        &mut sim,
        "admin",
        UpdateAlias,
        json!({"AliasName": "alias/none", "TargetKeyId": K1}),
    );
    assert_eq!(e.code, ErrorCode::NotFoundException);
    ok(
        &mut sim,
        "admin",
        ScheduleKeyDeletion,
        json!({"KeyId": K1, "PendingWindowInDays": 7}),
    );
    let e = err(
        &mut sim,
        "admin",
        UpdateAlias,
        json!({"AliasName": "alias/k2", "TargetKeyId": K1}),
    );
    assert_eq!(e.code, ErrorCode::KmsInvalidStateException);
    let e = err(
        &mut sim,
        "alice",
        UpdateAlias,
        json!({"AliasName": "alias/k2", "TargetKeyId": K2}),
    );
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert!(e.message.contains("kms:UpdateAlias"), "{}", e.message);
}

#[test]
fn update_key_description_changes_describe_key_except_pending_deletion() {
    use ApiOperation::*;
    let mut sim = lab();
    ok(
        &mut sim,
        "admin",
        UpdateKeyDescription,
        json!({"KeyId": K1, "Description": "renamed"}),
    );
    let d = ok(&mut sim, "admin", DescribeKey, json!({"KeyId": K1}));
    assert_eq!(d["KeyMetadata"]["Description"], "renamed");
    let e = err(
        &mut sim,
        "admin",
        UpdateKeyDescription,
        json!({"KeyId": K1, "Description": "d".repeat(8193)}),
    );
    assert_eq!(e.code, ErrorCode::ValidationException);
    ok(
        &mut sim,
        "admin",
        ScheduleKeyDeletion,
        json!({"KeyId": K1, "PendingWindowInDays": 7}),
    );
    let e = err(
        &mut sim,
        "admin",
        UpdateKeyDescription,
        json!({"KeyId": K1, "Description": "x"}),
    );
    assert_eq!(e.code, ErrorCode::KmsInvalidStateException);
}

#[test]
fn list_key_policies_names_the_one_default_policy() {
    use ApiOperation::*;
    let mut sim = lab();
    let r = ok(
        &mut sim,
        "admin",
        ListKeyPolicies,
        json!({"KeyId": K1, "Limit": 1}),
    );
    assert_eq!(r["PolicyNames"], json!(["default"]));
    assert_eq!(r["Truncated"], json!(false));
    let e = err(
        &mut sim,
        "admin",
        ListKeyPolicies,
        json!({"KeyId": K1, "Limit": 1001}),
    );
    assert_eq!(e.code, ErrorCode::ValidationException);
    let e = err(&mut sim, "alice", ListKeyPolicies, json!({"KeyId": K1}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
}

#[test]
fn after_rotation_new_ciphertext_uses_new_material_and_old_ciphertext_still_decrypts() {
    use ApiOperation::*;
    let mut sim = lab();
    let before = ok(
        &mut sim,
        "admin",
        Encrypt,
        json!({"KeyId": K1, "Plaintext": b64(b"before")}),
    );
    let r = ok(&mut sim, "admin", RotateKeyOnDemand, json!({"KeyId": K1}));
    assert_eq!(r["KeyId"], key_arn(K1));
    let after = ok(
        &mut sim,
        "admin",
        Encrypt,
        json!({"KeyId": K1, "Plaintext": b64(b"after")}),
    );
    let old_blob = unb64(&before["CiphertextBlob"]);
    let new_blob = unb64(&after["CiphertextBlob"]);
    assert_eq!(
        grantscope::sim::crypto::blob_material_version(&old_blob),
        Some(0)
    );
    assert_eq!(
        grantscope::sim::crypto::blob_material_version(&new_blob),
        Some(1)
    );
    for (ct, want) in [
        (&before, b"before".as_slice()),
        (&after, b"after".as_slice()),
    ] {
        let d = ok(
            &mut sim,
            "admin",
            Decrypt,
            json!({"CiphertextBlob": ct["CiphertextBlob"]}),
        );
        assert_eq!(unb64(&d["Plaintext"]), want);
    }
    // The new material really is other material: the old version cannot open the new blob.
    let key = &sim.world().keys[K1];
    assert!(grantscope::sim::crypto::open(
        key.material_of(0).unwrap(),
        &new_blob,
        &Default::default()
    )
    .is_none());
    let list = ok(&mut sim, "admin", ListKeyRotations, json!({"KeyId": K1}));
    assert_eq!(list["Rotations"][0]["RotationType"], "ON_DEMAND");
    assert_eq!(
        list["Rotations"][0]["KeyMaterialId"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
}

#[test]
fn a_blob_in_the_original_format_still_decrypts_after_rotation() {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use ApiOperation::*;
    let sim = lab();
    // The version 1 format exactly as the code before rotation wrote it:
    // [1][key uuid][nonce][AES-256-GCM(plaintext), aad = uuid || context JSON].
    let material = sim.world().keys[K1].material.clone();
    let uuid = uuid::Uuid::parse_str(K1).unwrap();
    let nonce = [7u8; 12];
    let mut aad = uuid.as_bytes().to_vec();
    aad.extend_from_slice(br#"{"app":"old"}"#);
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(&material).unwrap();
    let ct = cipher
        .encrypt(
            aes_gcm::Nonce::from_slice(&nonce),
            Payload {
                msg: b"legacy",
                aad: &aad,
            },
        )
        .unwrap();
    let mut blob = vec![1u8];
    blob.extend_from_slice(uuid.as_bytes());
    blob.extend_from_slice(&nonce);
    blob.extend_from_slice(&ct);
    // A snapshot as the old code wrote it has no rotation fields; it loads, rotates, and
    // still opens the old blob.
    let snap = String::from_utf8(snapshot::to_json(sim.world())).unwrap();
    assert!(
        !snap.contains("\"rotation\""),
        "an unrotated key snapshots as before"
    );
    let mut sim = Simulator::new(snapshot::from_json(snap.as_bytes(), "old.json").unwrap());
    ok(&mut sim, "admin", RotateKeyOnDemand, json!({"KeyId": K1}));
    ok(&mut sim, "admin", RotateKeyOnDemand, json!({"KeyId": K1}));
    let d = ok(
        &mut sim,
        "admin",
        Decrypt,
        json!({"CiphertextBlob": b64(&blob), "EncryptionContext": {"app": "old"}}),
    );
    assert_eq!(unb64(&d["Plaintext"]), b"legacy");
    // And through a snapshot of the rotated world.
    let again = snapshot::to_json(sim.world());
    let mut sim = Simulator::new(snapshot::from_json(&again, "new.json").unwrap());
    let d = ok(
        &mut sim,
        "admin",
        Decrypt,
        json!({"CiphertextBlob": b64(&blob), "EncryptionContext": {"app": "old"}}),
    );
    assert_eq!(unb64(&d["Plaintext"]), b"legacy");
}

#[test]
fn automatic_rotation_happens_when_the_clock_passes_the_period() {
    use ApiOperation::*;
    let mut sim = lab();
    let e = err(
        &mut sim,
        "admin",
        EnableKeyRotation,
        json!({"KeyId": K1, "RotationPeriodInDays": 89}),
    );
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(
        e.message.contains("greater than or equal to 90"),
        "{}",
        e.message
    );
    let e = err(
        &mut sim,
        "admin",
        EnableKeyRotation,
        json!({"KeyId": K1, "RotationPeriodInDays": 2561}),
    );
    assert_eq!(e.code, ErrorCode::ValidationException);
    ok(
        &mut sim,
        "admin",
        EnableKeyRotation,
        json!({"KeyId": K1, "RotationPeriodInDays": 90}),
    );
    let s = ok(
        &mut sim,
        "admin",
        GetKeyRotationStatus,
        json!({"KeyId": K1}),
    );
    assert_eq!(s["KeyRotationEnabled"], true);
    assert_eq!(s["RotationPeriodInDays"], 90);
    let next = s["NextRotationDate"].as_f64().unwrap();
    let now = grantscope::kms::time::epoch_seconds(sim.now());
    assert_eq!((next - now) / 86_400.0, 90.0);
    let ct = ok(
        &mut sim,
        "admin",
        Encrypt,
        json!({"KeyId": K1, "Plaintext": "aGk="}),
    );
    sim.advance_clock(Duration::from_secs(89 * 86_400));
    assert_eq!(
        ok(&mut sim, "admin", ListKeyRotations, json!({"KeyId": K1}))["Rotations"],
        json!([])
    );
    sim.advance_clock(Duration::from_secs(2 * 86_400 + 90 * 86_400));
    let list = ok(
        &mut sim,
        "admin",
        ListKeyRotations,
        json!({"KeyId": K1, "Limit": 1}),
    );
    assert_eq!(list["Rotations"][0]["RotationType"], "AUTOMATIC");
    assert_eq!(list["Truncated"], true, "two periods passed: two rotations");
    let page2 = ok(
        &mut sim,
        "admin",
        ListKeyRotations,
        json!({"KeyId": K1, "Marker": list["NextMarker"]}),
    );
    assert_eq!(page2["Rotations"].as_array().unwrap().len(), 1);
    assert_eq!(page2["Truncated"], false);
    assert_eq!(sim.world().keys[K1].material_version(), 2);
    let d = ok(
        &mut sim,
        "admin",
        Decrypt,
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    );
    assert_eq!(d["Plaintext"], "aGk=");
    ok(&mut sim, "admin", DisableKeyRotation, json!({"KeyId": K1}));
    let s = ok(
        &mut sim,
        "admin",
        GetKeyRotationStatus,
        json!({"KeyId": K1}),
    );
    assert_eq!(
        s,
        json!({"KeyRotationEnabled": false, "KeyId": key_arn(K1)})
    );
    sim.advance_clock(Duration::from_secs(400 * 86_400));
    assert_eq!(
        sim.world().keys[K1].material_version(),
        2,
        "disabled: no more rotations"
    );
}

#[test]
fn rotation_key_state_and_key_type_rules() {
    use ApiOperation::*;
    let mut sim = lab();
    ok(&mut sim, "admin", DisableKey, json!({"KeyId": K1}));
    let e = err(&mut sim, "admin", EnableKeyRotation, json!({"KeyId": K1}));
    assert_eq!(e.code, ErrorCode::DisabledException);
    let e = err(&mut sim, "admin", RotateKeyOnDemand, json!({"KeyId": K1}));
    assert_eq!(e.code, ErrorCode::DisabledException);
    ok(
        &mut sim,
        "admin",
        ScheduleKeyDeletion,
        json!({"KeyId": K2, "PendingWindowInDays": 7}),
    );
    let e = err(&mut sim, "admin", RotateKeyOnDemand, json!({"KeyId": K2}));
    assert_eq!(e.code, ErrorCode::KmsInvalidStateException);
    let hmac = ok(
        &mut sim,
        "admin",
        CreateKey,
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    );
    let hmac = hmac["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let e = err(&mut sim, "admin", EnableKeyRotation, json!({"KeyId": hmac}));
    assert_eq!(e.code, ErrorCode::UnsupportedOperationException);
    let s = ok(
        &mut sim,
        "admin",
        GetKeyRotationStatus,
        json!({"KeyId": hmac}),
    );
    assert_eq!(s["KeyRotationEnabled"], false);
    let e = err(&mut sim, "alice", EnableKeyRotation, json!({"KeyId": K1}));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert!(e.message.contains("kms:EnableKeyRotation"), "{}", e.message);
}

#[test]
fn on_demand_rotation_stops_at_its_quota_of_25() {
    use ApiOperation::*;
    let mut sim = lab();
    for _ in 0..25 {
        ok(&mut sim, "admin", RotateKeyOnDemand, json!({"KeyId": K1}));
    }
    let e = err(&mut sim, "admin", RotateKeyOnDemand, json!({"KeyId": K1}));
    assert_eq!(e.code, ErrorCode::LimitExceededException);
    assert!(e.message.contains("25"), "{}", e.message);
}

#[test]
fn grants_never_allow_key_administration() {
    use ApiOperation::*;
    let mut sim = lab();
    ok(
        &mut sim,
        "admin",
        CreateGrant,
        json!({"KeyId": K1, "GranteePrincipal": common::user_arn("alice"), "Operations": ["Encrypt", "Decrypt", "DescribeKey", "CreateGrant"]}),
    );
    for (op, body) in [
        (
            TagResource,
            json!({"KeyId": K1, "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
        ),
        (EnableKeyRotation, json!({"KeyId": K1})),
        (RotateKeyOnDemand, json!({"KeyId": K1})),
        (
            UpdateKeyDescription,
            json!({"KeyId": K1, "Description": "x"}),
        ),
        (ListResourceTags, json!({"KeyId": K1})),
    ] {
        let e = err(&mut sim, "alice", op, body);
        assert_eq!(e.code, ErrorCode::AccessDeniedException, "{op:?}");
    }
}
