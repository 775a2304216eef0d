//! Tags in-process: TagResource, UntagResource, ListResourceTags (paging with stable
//! markers), CreateKey's Tags, TagException for bad tags, and the tag conditions of ABAC
//! (`aws:ResourceTag/KEY` in IAM policies only, `aws:RequestTag/KEY`, `aws:TagKeys`).

mod common;
mod key_admin_common;

use grantscope::kms::{ApiOperation, ErrorCode};
use grantscope::sim::Caller;
use serde_json::{json, Value};

use common::{key_arn, lab, sim_from_toml, K1, K2};
use key_admin_common::*;

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
