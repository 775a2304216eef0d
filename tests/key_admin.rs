//! Issue #15 part B in-process: tags and tag conditions, UpdateAlias and
//! UpdateKeyDescription, rotation (old ciphertext still decrypts, old blobs and snapshots
//! still load), ListKeyPolicies, imported key material (wrapped with real RSA-OAEP and
//! RSA + AES key wrap), custom key stores, AWS managed keys, and journal replay of every
//! new mutation.

mod common;

use std::time::Duration;

use aws_lc_rs::encoding::AsDer;
use base64::Engine;
use grantscope::kms::{ApiOperation, ErrorCode, KmsError};
use grantscope::sim::changes::ChangeRecord;
use grantscope::sim::{snapshot, Caller, Simulator};
use grantscope::wire::dispatch::dispatch;
use serde_json::{json, Value};

use common::{key_arn, lab, sim_from_toml, K1, K2, LAB};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("a base64 string"))
        .expect("base64")
}

fn try_call(
    sim: &mut Simulator,
    caller: &Caller,
    op: ApiOperation,
    body: Value,
) -> Result<Value, KmsError> {
    dispatch(sim, caller, op, body.to_string().as_bytes())
        .map(|out| serde_json::from_slice(&out).unwrap_or(Value::Null))
}

fn ok(sim: &mut Simulator, who: &str, op: ApiOperation, body: Value) -> Value {
    try_call(sim, &Caller::new(who), op, body)
        .unwrap_or_else(|e| panic!("{op:?}: {}: {}", e.code, e.message))
}

fn err(sim: &mut Simulator, who: &str, op: ApiOperation, body: Value) -> KmsError {
    match try_call(sim, &Caller::new(who), op, body) {
        Ok(v) => panic!("{op:?} unexpectedly succeeded: {v}"),
        Err(e) => e,
    }
}

fn last_why(sim: &Simulator) -> String {
    sim.world().activity.last().expect("an entry").why.clone()
}

// ------------------------------------------------------------------ tags

#[test]
fn tags_are_added_edited_listed_in_pages_and_removed() {
    use ApiOperation::*;
    let mut sim = lab();
    let tags: Vec<Value> = (0..5)
        .map(|i| json!({"TagKey": format!("k{i}"), "TagValue": format!("v{i}")}))
        .collect();
    ok(
        &mut sim,
        "admin",
        TagResource,
        json!({"KeyId": K1, "Tags": tags}),
    );
    ok(
        &mut sim,
        "admin",
        TagResource,
        json!({"KeyId": K1, "Tags": [{"TagKey": "k0", "TagValue": ""}]}),
    );
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut body = json!({"KeyId": K1, "Limit": 2});
        if let Some(m) = &marker {
            body["Marker"] = json!(m);
        }
        let page = ok(&mut sim, "admin", ListResourceTags, body);
        for t in page["Tags"].as_array().unwrap() {
            seen.push((
                t["TagKey"].as_str().unwrap().to_string(),
                t["TagValue"].as_str().unwrap().to_string(),
            ));
        }
        if page["Truncated"] == json!(true) {
            marker = Some(page["NextMarker"].as_str().unwrap().to_string());
            // A tag added between pages never shifts the rest.
            ok(
                &mut sim,
                "admin",
                TagResource,
                json!({"KeyId": K1, "Tags": [{"TagKey": "a-first", "TagValue": "x"}]}),
            );
        } else {
            break;
        }
    }
    let keys: Vec<&str> = seen.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["k0", "k1", "k2", "k3", "k4"]);
    assert_eq!(seen[0].1, "", "an edited tag keeps its new (empty) value");
    // Untagging a key that is not there is no error (API Reference).
    ok(
        &mut sim,
        "admin",
        UntagResource,
        json!({"KeyId": K1, "TagKeys": ["k1", "missing"]}),
    );
    let all = ok(&mut sim, "admin", ListResourceTags, json!({"KeyId": K1}));
    let names: Vec<&str> = all["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["TagKey"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a-first", "k0", "k2", "k3", "k4"]);
    let e = err(
        &mut sim,
        "admin",
        ListResourceTags,
        json!({"KeyId": K1, "Marker": "bm90IGEgbWFya2Vy"}),
    );
    assert_eq!(e.code, ErrorCode::InvalidMarkerException);
}

#[test]
fn bad_tags_are_tag_exceptions_and_lengths_validation_errors() {
    use ApiOperation::*;
    let mut sim = lab();
    let e = err(
        &mut sim,
        "admin",
        TagResource,
        json!({"KeyId": K1, "Tags": [{"TagKey": "aws:owner", "TagValue": "x"}]}),
    );
    assert_eq!(e.code, ErrorCode::TagException);
    assert!(e.message.starts_with("Invalid tag"), "{}", e.message);
    let e = err(
        &mut sim,
        "admin",
        TagResource,
        json!({"KeyId": K1, "Tags": [{"TagKey": "AWS:Owner", "TagValue": "x"}]}),
    );
    assert_eq!(
        e.code,
        ErrorCode::TagException,
        "the prefix is reserved in any case"
    );
    let e = err(
        &mut sim,
        "admin",
        TagResource,
        json!({"KeyId": K1, "Tags": [{"TagKey": "k".repeat(129), "TagValue": "x"}]}),
    );
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(e.message.contains("'tags.member.tagKey'"), "{}", e.message);
    let e = err(
        &mut sim,
        "admin",
        TagResource,
        json!({"KeyId": K1, "Tags": [{"TagKey": "ok", "TagValue": "v".repeat(257)}]}),
    );
    assert_eq!(e.code, ErrorCode::ValidationException);
    // 50 tags fit; the 51st does not, whether in one request or across two.
    let fifty: Vec<Value> = (0..50)
        .map(|i| json!({"TagKey": format!("t{i}"), "TagValue": "v"}))
        .collect();
    ok(
        &mut sim,
        "admin",
        TagResource,
        json!({"KeyId": K1, "Tags": fifty}),
    );
    let e = err(
        &mut sim,
        "admin",
        TagResource,
        json!({"KeyId": K1, "Tags": [{"TagKey": "t50", "TagValue": "v"}]}),
    );
    assert_eq!(e.code, ErrorCode::TagException);
    assert!(e.message.contains("50"), "{}", e.message);
    // Re-tagging an existing key is an edit, not a 51st tag.
    ok(
        &mut sim,
        "admin",
        TagResource,
        json!({"KeyId": K1, "Tags": [{"TagKey": "t0", "TagValue": "w"}]}),
    );
    let e = err(
        &mut sim,
        "admin",
        CreateKey,
        json!({"Tags": [{"TagKey": "aws:x", "TagValue": "1"}]}),
    );
    assert_eq!(e.code, ErrorCode::TagException);
}

#[test]
fn tags_need_a_customer_managed_key_not_pending_deletion_and_permission() {
    use ApiOperation::*;
    let mut sim = lab();
    ok(
        &mut sim,
        "admin",
        ScheduleKeyDeletion,
        json!({"KeyId": K2, "PendingWindowInDays": 7}),
    );
    let e = err(
        &mut sim,
        "admin",
        TagResource,
        json!({"KeyId": K2, "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
    );
    assert_eq!(e.code, ErrorCode::KmsInvalidStateException);
    assert_eq!(e.message, format!("{} is pending deletion.", key_arn(K2)));
    // ListResourceTags reads in every state.
    ok(&mut sim, "admin", ListResourceTags, json!({"KeyId": K2}));
    let e = err(
        &mut sim,
        "alice",
        TagResource,
        json!({"KeyId": K1, "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
    );
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert!(e.message.contains("kms:TagResource"), "{}", e.message);
    assert!(
        last_why(&sim).contains("no IAM policy"),
        "{}",
        last_why(&sim)
    );
}

/// A world whose users' IAM policies depend on tags.
const ABAC: &str = r#"
name = "abac"
region = "eu-west-1"
[[accounts]]
id = "111122223333"
[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]
[[principals]]
name = "dev"
[[principals.policies]]
name = "alpha-keys"
document = '{"Version":"2012-10-17","Statement":[{"Sid":"UseAlphaKeys","Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/Project":"Alpha"}}},{"Sid":"TagOnlyAlpha","Effect":"Allow","Action":"kms:TagResource","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/Project":"Alpha"},"ForAllValues:StringEquals":{"aws:TagKeys":["Project"]}}}]}'
[[principals]]
name = "keyholder"
[[keys]]
id = "11111111-1111-4111-8111-111111111111"
[[keys]]
id = "22222222-2222-4222-8222-222222222222"
policy = '{"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Sid":"ByTagInKeyPolicy","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/keyholder"},"Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/Project":"Alpha"}}}]}'
"#;

#[test]
fn resource_tag_conditions_follow_the_key_tags_in_iam_policies_only() {
    use ApiOperation::*;
    let mut sim = sim_from_toml(ABAC);
    let encrypt = |key: &str| json!({"KeyId": key, "Plaintext": "aGk="});
    let e = err(&mut sim, "dev", Encrypt, encrypt(K1));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    ok(
        &mut sim,
        "admin",
        TagResource,
        json!({"KeyId": K1, "Tags": [{"TagKey": "Project", "TagValue": "Alpha"}]}),
    );
    ok(&mut sim, "dev", Encrypt, encrypt(K1));
    assert!(
        last_why(&sim).contains("\"alpha-keys\" statement \"UseAlphaKeys\""),
        "{}",
        last_why(&sim)
    );
    ok(
        &mut sim,
        "admin",
        UntagResource,
        json!({"KeyId": K1, "TagKeys": ["Project"]}),
    );
    assert_eq!(
        err(&mut sim, "dev", Encrypt, encrypt(K1)).code,
        ErrorCode::AccessDeniedException
    );
    // In a key policy aws:ResourceTag is not supported: the tagged key still denies.
    ok(
        &mut sim,
        "admin",
        TagResource,
        json!({"KeyId": K2, "Tags": [{"TagKey": "Project", "TagValue": "Alpha"}]}),
    );
    let e = err(&mut sim, "keyholder", Encrypt, encrypt(K2));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
}

#[test]
fn request_tag_and_tag_keys_conditions_limit_what_may_be_tagged() {
    use ApiOperation::*;
    let mut sim = sim_from_toml(ABAC);
    let tag = |k: &str, v: &str| json!({"KeyId": K1, "Tags": [{"TagKey": k, "TagValue": v}]});
    ok(&mut sim, "dev", TagResource, tag("Project", "Alpha"));
    let e = err(&mut sim, "dev", TagResource, tag("Project", "Beta"));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    let e = err(&mut sim, "dev", TagResource, tag("Owner", "Alpha"));
    assert_eq!(
        e.code,
        ErrorCode::AccessDeniedException,
        "aws:TagKeys allows Project only"
    );
}

// ------------------------------------------------------------------ alias and description

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

// ------------------------------------------------------------------ rotation

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

// ------------------------------------------------------------------ imported key material

/// Wrap `material` for a GetParametersForImport answer, as openssl would.
fn wrap(public_der: &[u8], algorithm: &str, material: &[u8]) -> Vec<u8> {
    use aws_lc_rs::rsa::{
        OaepPublicEncryptingKey, PublicEncryptingKey, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256,
    };
    let public =
        OaepPublicEncryptingKey::new(PublicEncryptingKey::from_der(public_der).unwrap()).unwrap();
    let oaep = if algorithm.ends_with("SHA_1") {
        &OAEP_SHA1_MGF1SHA1
    } else {
        &OAEP_SHA256_MGF1SHA256
    };
    let mut out = vec![0u8; public.ciphertext_size()];
    if algorithm.starts_with("RSA_AES_KEY_WRAP") {
        use aws_lc_rs::key_wrap::{KeyEncryptionKey, KeyWrapPadded, AES_256};
        let aes: [u8; 32] = rand::random();
        let n = public.encrypt(oaep, &aes, &mut out, None).unwrap().len();
        out.truncate(n);
        let kek = KeyEncryptionKey::new(&AES_256, &aes).unwrap();
        let mut wrapped = vec![0u8; material.len() + 16];
        let m = kek.wrap_with_padding(material, &mut wrapped).unwrap().len();
        out.extend_from_slice(&wrapped[..m]);
        out
    } else {
        let n = public
            .encrypt(oaep, material, &mut out, None)
            .unwrap()
            .len();
        out.truncate(n);
        out
    }
}

fn external_key(sim: &mut Simulator) -> String {
    let k = ok(
        sim,
        "admin",
        ApiOperation::CreateKey,
        json!({"Origin": "EXTERNAL"}),
    );
    assert_eq!(k["KeyMetadata"]["KeyState"], "PendingImport");
    assert_eq!(k["KeyMetadata"]["Origin"], "EXTERNAL");
    k["KeyMetadata"]["KeyId"].as_str().unwrap().to_string()
}

fn import(
    sim: &mut Simulator,
    key: &str,
    algorithm: &str,
    material: &[u8],
    extra: Value,
) -> Result<Value, KmsError> {
    let p = ok(
        sim,
        "admin",
        ApiOperation::GetParametersForImport,
        json!({"KeyId": key, "WrappingAlgorithm": algorithm, "WrappingKeySpec": "RSA_2048"}),
    );
    let wrapped = wrap(&unb64(&p["PublicKey"]), algorithm, material);
    let mut body = json!({"KeyId": key, "ImportToken": p["ImportToken"], "EncryptedKeyMaterial": b64(&wrapped), "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    try_call(
        sim,
        &Caller::new("admin"),
        ApiOperation::ImportKeyMaterial,
        body,
    )
}

#[test]
fn imported_material_is_unwrapped_for_real_and_encrypts() {
    use ApiOperation::*;
    let mut sim = lab();
    for algorithm in [
        "RSAES_OAEP_SHA_256",
        "RSAES_OAEP_SHA_1",
        "RSA_AES_KEY_WRAP_SHA_256",
        "RSA_AES_KEY_WRAP_SHA_1",
    ] {
        let key = external_key(&mut sim);
        let e = err(
            &mut sim,
            "admin",
            Encrypt,
            json!({"KeyId": key, "Plaintext": "aGk="}),
        );
        assert_eq!(
            e.code,
            ErrorCode::KmsInvalidStateException,
            "{algorithm}: PendingImport"
        );
        let material: [u8; 32] = rand::random();
        let r = import(&mut sim, &key, algorithm, &material, json!({}))
            .unwrap_or_else(|e| panic!("{algorithm}: {e}"));
        assert_eq!(r["KeyMaterialId"].as_str().unwrap().len(), 64);
        let d = ok(&mut sim, "admin", DescribeKey, json!({"KeyId": key}));
        assert_eq!(d["KeyMetadata"]["KeyState"], "Enabled");
        assert_eq!(
            d["KeyMetadata"]["ExpirationModel"],
            "KEY_MATERIAL_DOES_NOT_EXPIRE"
        );
        // The key really uses the imported material.
        assert_eq!(sim.world().keys[&key].material, material);
        let ct = ok(
            &mut sim,
            "admin",
            Encrypt,
            json!({"KeyId": key, "Plaintext": "aGk="}),
        );
        ok(
            &mut sim,
            "admin",
            Decrypt,
            json!({"CiphertextBlob": ct["CiphertextBlob"]}),
        );
    }
}

#[test]
fn imported_material_expires_by_the_clock_and_the_same_material_comes_back() {
    use ApiOperation::*;
    let mut sim = lab();
    let key = external_key(&mut sim);
    let material: [u8; 32] = rand::random();
    let valid_to = grantscope::kms::time::epoch_seconds(sim.now()) + 3600.0;
    let e = import(
        &mut sim,
        &key,
        "RSAES_OAEP_SHA_256",
        &material,
        json!({"ValidTo": valid_to, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationException);
    let e = import(
        &mut sim,
        &key,
        "RSAES_OAEP_SHA_256",
        &material,
        json!({"ValidTo": valid_to - 7200.0, "ExpirationModel": "KEY_MATERIAL_EXPIRES"}),
    )
    .unwrap_err();
    assert_eq!(
        e.code,
        ErrorCode::ValidationException,
        "ValidTo in the past"
    );
    // Neither member: the default model (KEY_MATERIAL_EXPIRES) without its ValidTo.
    let e = import(
        &mut sim,
        &key,
        "RSAES_OAEP_SHA_256",
        &material,
        json!({"ExpirationModel": null}),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(e.message.contains("(the default)"), "{}", e.message);
    import(
        &mut sim,
        &key,
        "RSAES_OAEP_SHA_256",
        &material,
        json!({"ValidTo": valid_to, "ExpirationModel": "KEY_MATERIAL_EXPIRES"}),
    )
    .unwrap();
    let ct = ok(
        &mut sim,
        "admin",
        Encrypt,
        json!({"KeyId": key, "Plaintext": "aGk="}),
    );
    sim.advance_clock(Duration::from_secs(3601));
    let d = ok(&mut sim, "admin", DescribeKey, json!({"KeyId": key}));
    assert_eq!(d["KeyMetadata"]["KeyState"], "PendingImport");
    let e = err(
        &mut sim,
        "admin",
        Decrypt,
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    );
    assert_eq!(e.code, ErrorCode::KmsInvalidStateException);
    // Other material is refused; the same material brings the old ciphertext back.
    let other: [u8; 32] = rand::random();
    let e = import(&mut sim, &key, "RSAES_OAEP_SHA_256", &other, json!({})).unwrap_err();
    assert_eq!(e.code, ErrorCode::IncorrectKeyMaterialException);
    import(&mut sim, &key, "RSAES_OAEP_SHA_256", &material, json!({})).unwrap();
    let d = ok(
        &mut sim,
        "admin",
        Decrypt,
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    );
    assert_eq!(d["Plaintext"], "aGk=");
    ok(
        &mut sim,
        "admin",
        DeleteImportedKeyMaterial,
        json!({"KeyId": key}),
    );
    let d = ok(&mut sim, "admin", DescribeKey, json!({"KeyId": key}));
    assert_eq!(d["KeyMetadata"]["KeyState"], "PendingImport");
}

#[test]
fn import_tokens_expire_after_24_hours_and_belong_to_their_key() {
    use ApiOperation::*;
    let mut sim = lab();
    let key = external_key(&mut sim);
    let other = external_key(&mut sim);
    let p = ok(
        &mut sim,
        "admin",
        GetParametersForImport,
        json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
    );
    let valid_to = p["ParametersValidTo"].as_f64().unwrap();
    assert_eq!(
        valid_to - grantscope::kms::time::epoch_seconds(sim.now()),
        86_400.0
    );
    let wrapped = b64(&wrap(
        &unb64(&p["PublicKey"]),
        "RSAES_OAEP_SHA_256",
        &[9u8; 32],
    ));
    let e = err(
        &mut sim,
        "admin",
        ImportKeyMaterial,
        json!({"KeyId": other, "ImportToken": p["ImportToken"], "EncryptedKeyMaterial": wrapped, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
    );
    assert_eq!(e.code, ErrorCode::InvalidImportTokenException);
    sim.advance_clock(Duration::from_secs(86_401));
    let e = err(
        &mut sim,
        "admin",
        ImportKeyMaterial,
        json!({"KeyId": key, "ImportToken": p["ImportToken"], "EncryptedKeyMaterial": wrapped, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
    );
    assert_eq!(e.code, ErrorCode::ExpiredImportTokenException);
    let e = err(
        &mut sim,
        "admin",
        GetParametersForImport,
        json!({"KeyId": K1, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
    );
    assert_eq!(
        e.code,
        ErrorCode::UnsupportedOperationException,
        "an AWS_KMS key takes no import"
    );
    let e = err(
        &mut sim,
        "admin",
        GetParametersForImport,
        json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_999", "WrappingKeySpec": "RSA_2048"}),
    );
    assert_eq!(e.code, ErrorCode::ValidationException);
    let e = err(
        &mut sim,
        "alice",
        GetParametersForImport,
        json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
    );
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    let e = err(&mut sim, "admin", EnableKeyRotation, json!({"KeyId": key}));
    assert!(
        matches!(
            e.code,
            ErrorCode::UnsupportedOperationException | ErrorCode::KmsInvalidStateException
        ),
        "{e}"
    );
}

#[test]
fn the_public_key_is_a_real_rsa_public_key_of_the_asked_size() {
    let mut sim = lab();
    let key = external_key(&mut sim);
    for (spec, bits) in [("RSA_2048", 2048), ("RSA_3072", 3072)] {
        let p = ok(
            &mut sim,
            "admin",
            ApiOperation::GetParametersForImport,
            json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": spec}),
        );
        let public =
            aws_lc_rs::rsa::PublicEncryptingKey::from_der(&unb64(&p["PublicKey"])).unwrap();
        assert_eq!(public.key_size_bits(), bits);
        assert!(!public.as_der().unwrap().as_ref().is_empty());
    }
}

// ------------------------------------------------------------------ custom key stores

#[test]
fn custom_key_stores_do_not_exist_and_cannot_be_created_without_a_backing_store() {
    use ApiOperation::*;
    let mut sim = lab();
    let d = ok(&mut sim, "admin", DescribeCustomKeyStores, json!({}));
    assert_eq!(d, json!({"CustomKeyStores": [], "Truncated": false}));
    for op in [
        ConnectCustomKeyStore,
        DisconnectCustomKeyStore,
        DeleteCustomKeyStore,
        UpdateCustomKeyStore,
    ] {
        let e = err(
            &mut sim,
            "admin",
            op,
            json!({"CustomKeyStoreId": "cks-1234567890abcdef0"}),
        );
        assert_eq!(e.code, ErrorCode::CustomKeyStoreNotFoundException, "{op:?}");
        assert!(
            e.message.contains("cannot find a custom key store"),
            "{}",
            e.message
        );
    }
    let e = err(
        &mut sim,
        "admin",
        DescribeCustomKeyStores,
        json!({"CustomKeyStoreName": "mine"}),
    );
    assert_eq!(e.code, ErrorCode::CustomKeyStoreNotFoundException);
    let e = err(
        &mut sim,
        "admin",
        CreateCustomKeyStore,
        json!({"CustomKeyStoreName": "hsm", "CloudHsmClusterId": "cluster-234abcdefABC", "TrustAnchorCertificate": "cert", "KeyStorePassword": "secret123"}),
    );
    assert_eq!(e.code, ErrorCode::CloudHsmClusterNotFoundException);
    assert!(
        !e.message.contains("secret123"),
        "the password is never echoed"
    );
    let e = err(
        &mut sim,
        "admin",
        CreateCustomKeyStore,
        json!({"CustomKeyStoreName": "xks", "CustomKeyStoreType": "EXTERNAL_KEY_STORE", "XksProxyUriEndpoint": "https://xks.example.com", "XksProxyUriPath": "/kms/xks/v1", "XksProxyConnectivity": "PUBLIC_ENDPOINT", "XksProxyAuthenticationCredential": {"AccessKeyId": "ABCDEFGHIJKLMNOPQRST", "RawSecretAccessKey": "a".repeat(43)}}),
    );
    assert_eq!(e.code, ErrorCode::XksProxyUriUnreachableException);
    let e = err(
        &mut sim,
        "alice",
        ConnectCustomKeyStore,
        json!({"CustomKeyStoreId": "cks-1"}),
    );
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
}

// ------------------------------------------------------------------ AWS managed keys

const MANAGED: &str = r#"
name = "managed"
region = "eu-west-1"
aws_managed_keys = ["s3"]
[[accounts]]
id = "111122223333"
[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]
"#;

#[test]
fn an_aws_managed_key_is_usable_only_through_its_service() {
    use ApiOperation::*;
    let mut sim = sim_from_toml(MANAGED);
    let d = ok(
        &mut sim,
        "admin",
        DescribeKey,
        json!({"KeyId": "alias/aws/s3"}),
    );
    assert_eq!(d["KeyMetadata"]["KeyManager"], "AWS");
    let arn = d["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    let e = err(
        &mut sim,
        "admin",
        Encrypt,
        json!({"KeyId": "alias/aws/s3", "Plaintext": "aGk="}),
    );
    assert_eq!(e.message, format!("User: arn:aws:iam::111122223333:user/admin is not authorized to perform: kms:Encrypt on resource: {arn} because no resource-based policy allows the kms:Encrypt action"));
    let via = Caller::new("admin").via("s3.eu-west-1.amazonaws.com");
    let ct = try_call(
        &mut sim,
        &via,
        Encrypt,
        json!({"KeyId": "alias/aws/s3", "Plaintext": "aGk="}),
    )
    .unwrap();
    assert!(
        last_why(&sim).contains("Allow access through S3"),
        "{}",
        last_why(&sim)
    );
    try_call(
        &mut sim,
        &via,
        Decrypt,
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    )
    .unwrap();
    let wrong = Caller::new("admin").via("ebs.eu-west-1.amazonaws.com");
    assert_eq!(
        try_call(
            &mut sim,
            &wrong,
            Encrypt,
            json!({"KeyId": "alias/aws/s3", "Plaintext": "aGk="})
        )
        .unwrap_err()
        .code,
        ErrorCode::AccessDeniedException
    );
    // Not deletable, its policy not changeable, its rotation not switchable.
    let policy = ok(&mut sim, "admin", GetKeyPolicy, json!({"KeyId": arn}))["Policy"].clone();
    for (op, body) in [
        (ScheduleKeyDeletion, json!({"KeyId": arn})),
        (PutKeyPolicy, json!({"KeyId": arn, "Policy": policy})),
        (DisableKeyRotation, json!({"KeyId": arn})),
        (DisableKey, json!({"KeyId": arn})),
        (
            TagResource,
            json!({"KeyId": arn, "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
        ),
    ] {
        let e = err(&mut sim, "admin", op, body);
        assert_eq!(e.code, ErrorCode::AccessDeniedException, "{op:?}");
        assert!(
            e.message
                .contains("because no resource-based policy allows"),
            "{}",
            e.message
        );
    }
    let s = ok(
        &mut sim,
        "admin",
        GetKeyRotationStatus,
        json!({"KeyId": arn}),
    );
    assert_eq!(s["KeyRotationEnabled"], true);
    assert_eq!(s["RotationPeriodInDays"], 365);
}

#[test]
fn describing_a_predefined_aws_alias_creates_its_managed_key() {
    use ApiOperation::*;
    let mut sim = lab();
    let before = sim.world().keys.len();
    let d = ok(
        &mut sim,
        "admin",
        DescribeKey,
        json!({"KeyId": "alias/aws/secretsmanager"}),
    );
    assert_eq!(d["KeyMetadata"]["KeyManager"], "AWS");
    assert_eq!(sim.world().keys.len(), before + 1);
    let again = ok(
        &mut sim,
        "admin",
        DescribeKey,
        json!({"KeyId": "alias/aws/secretsmanager"}),
    );
    assert_eq!(again["KeyMetadata"]["KeyId"], d["KeyMetadata"]["KeyId"]);
    assert_eq!(sim.world().keys.len(), before + 1, "created once");
    let policy = ok(
        &mut sim,
        "admin",
        GetKeyPolicy,
        json!({"KeyId": d["KeyMetadata"]["KeyId"]}),
    );
    let doc: Value = serde_json::from_str(policy["Policy"].as_str().unwrap()).unwrap();
    assert_eq!(
        doc["Statement"][0]["Condition"]["StringEquals"]["kms:ViaService"],
        "secretsmanager.eu-west-1.amazonaws.com"
    );
    assert_eq!(
        doc["Statement"][0]["Condition"]["StringEquals"]["kms:CallerAccount"],
        "111122223333"
    );
}

// ------------------------------------------------------------------ persistence

#[test]
fn every_new_mutation_replays_onto_its_snapshot_to_the_same_world() {
    use ApiOperation::*;
    let mut sim = lab();
    sim.world_mut().track_changes();
    let start = snapshot::to_json(sim.world());
    let mut journal: Vec<ChangeRecord> = Vec::new();
    let mut change = |sim: &mut Simulator, op: ApiOperation, body: Value| -> Value {
        sim.world_mut().begin_change();
        let out = ok(sim, "admin", op, body);
        let (record, _) = sim.world_mut().finish_change().unwrap();
        let line = serde_json::to_vec(&record).unwrap();
        journal.push(serde_json::from_slice(&line).unwrap());
        out
    };
    change(
        &mut sim,
        TagResource,
        json!({"KeyId": K1, "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
    );
    change(
        &mut sim,
        UntagResource,
        json!({"KeyId": K1, "TagKeys": ["a"]}),
    );
    change(
        &mut sim,
        UpdateAlias,
        json!({"AliasName": "alias/k1", "TargetKeyId": K2}),
    );
    change(
        &mut sim,
        UpdateKeyDescription,
        json!({"KeyId": K2, "Description": "d"}),
    );
    change(&mut sim, EnableKeyRotation, json!({"KeyId": K1}));
    change(&mut sim, RotateKeyOnDemand, json!({"KeyId": K1}));
    change(&mut sim, DisableKeyRotation, json!({"KeyId": K1}));
    let key = change(&mut sim, CreateKey, json!({"Origin": "EXTERNAL"}))["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let p = change(
        &mut sim,
        GetParametersForImport,
        json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
    );
    let wrapped = b64(&wrap(
        &unb64(&p["PublicKey"]),
        "RSAES_OAEP_SHA_256",
        &[5u8; 32],
    ));
    change(
        &mut sim,
        ImportKeyMaterial,
        json!({"KeyId": key, "ImportToken": p["ImportToken"], "EncryptedKeyMaterial": wrapped, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
    );
    change(&mut sim, DeleteImportedKeyMaterial, json!({"KeyId": key}));
    let mut world = snapshot::from_json(&start, "start.json").unwrap();
    for r in &journal {
        world.replay(r.clone());
    }
    world.rebuild_indexes();
    assert_eq!(
        String::from_utf8(snapshot::to_json(&world)).unwrap(),
        String::from_utf8(snapshot::to_json(sim.world())).unwrap()
    );
    let _ = LAB;
}

#[test]
fn the_audit_leaves_the_shape_of_service_grants_on_aws_managed_keys_alone() {
    use grantscope::audit::{audit, AuditConfig, Rule};
    use ApiOperation::*;
    let mut sim = sim_from_toml(&format!(
        "{MANAGED}\n[[principals]]\nname = \"alice\"\n[[keys]]\nid = \"{K1}\"\n"
    ));
    // The same unconstrained Decrypt grant without a retiring principal: made by EBS on
    // its AWS managed key, and by the admin on a customer key.
    let via = Caller::new("admin").via("ebs.eu-west-1.amazonaws.com");
    try_call(
        &mut sim,
        &via,
        DescribeKey,
        json!({"KeyId": "alias/aws/ebs"}),
    )
    .unwrap();
    let ebs = ok(
        &mut sim,
        "admin",
        DescribeKey,
        json!({"KeyId": "alias/aws/ebs"}),
    )["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    let grant = json!({"KeyId": ebs, "GranteePrincipal": "arn:aws:iam::111122223333:user/alice", "Operations": ["Decrypt"]});
    try_call(&mut sim, &via, CreateGrant, grant).unwrap();
    ok(
        &mut sim,
        "admin",
        CreateGrant,
        json!({"KeyId": K1, "GranteePrincipal": "arn:aws:iam::111122223333:user/alice", "Operations": ["Decrypt"]}),
    );
    let inventory = grantscope::sim::inventory::inventory(sim.world());
    let report = audit(&inventory, &AuditConfig::default());
    let rules_on = |key: &str| -> Vec<Rule> {
        report
            .findings
            .iter()
            .filter(|f| &*f.key == key)
            .map(|f| f.rule)
            .collect()
    };
    assert!(
        rules_on(&key_arn(K1)).contains(&Rule::Unconstrained),
        "{:?}",
        rules_on(&key_arn(K1))
    );
    for rule in [
        Rule::Unconstrained,
        Rule::PlaintextAccess,
        Rule::NoRetiringPrincipal,
    ] {
        assert!(
            !rules_on(&ebs).contains(&rule),
            "{rule:?} on the AWS managed key"
        );
    }
}

#[test]
fn create_key_tags_need_tag_resource_permission_and_feed_request_tag_conditions() {
    use ApiOperation::*;
    let world = r#"
name = "create-tags"
region = "eu-west-1"
[[accounts]]
id = "111122223333"
[[principals]]
name = "maker"
[[principals.policies]]
name = "create-only"
document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:CreateKey","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:RequestTag/Project":"Alpha"}}}]}'
[[principals]]
name = "tagger"
[[principals.policies]]
name = "create-and-tag"
document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:CreateKey","kms:TagResource"],"Resource":"*","Condition":{"StringEqualsIfExists":{"aws:RequestTag/Project":"Alpha"}}}]}'
"#;
    let mut sim = sim_from_toml(world);
    let alpha = json!({"Tags": [{"TagKey": "Project", "TagValue": "Alpha"}]});
    ok(&mut sim, "maker", CreateKey, json!({}));
    // Developer Guide: "To add tags while creating a KMS key, the principal must have
    // permission in an IAM policy that isn't restricted to particular KMS keys."
    let e = err(&mut sim, "maker", CreateKey, alpha.clone());
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    assert!(e.message.contains("kms:TagResource"), "{}", e.message);
    let k = ok(&mut sim, "tagger", CreateKey, alpha);
    let id = k["KeyMetadata"]["KeyId"].as_str().unwrap();
    assert_eq!(sim.world().keys[id].tags["Project"], "Alpha");
    // aws:RequestTag sees CreateKey's tags.
    let e = err(
        &mut sim,
        "tagger",
        CreateKey,
        json!({"Tags": [{"TagKey": "Project", "TagValue": "Beta"}]}),
    );
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
}

#[test]
fn tag_keys_with_multibyte_characters_never_panic() {
    use ApiOperation::*;
    let mut sim = lab();
    // The fourth byte of each key falls inside a character: letters are good tag
    // characters, the euro sign is not; neither panics.
    for (key, good) in [("abcé", true), ("aé", true), ("ab€", false), ("€€", false)] {
        let r = try_call(
            &mut sim,
            &Caller::new("admin"),
            TagResource,
            json!({"KeyId": K1, "Tags": [{"TagKey": key, "TagValue": "v"}]}),
        );
        match r {
            Ok(_) => assert!(good, "{key} accepted"),
            Err(e) => {
                assert!(!good, "{key}: {e}");
                assert_eq!(e.code, ErrorCode::TagException);
            }
        }
    }
    let e = err(
        &mut sim,
        "admin",
        UntagResource,
        json!({"KeyId": K1, "TagKeys": ["aWs:é"]}),
    );
    assert_eq!(e.code, ErrorCode::TagException);
}
