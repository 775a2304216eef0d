//! Tags and rotation with the Rust SDK (aws-sdk-kms) against `grantscope serve --state`:
//! the SDK's typed errors see AWS's codes, and tags, rotation settings, rotated material
//! and descriptions survive a kill -9 of the server (they are journaled like every other
//! change).

mod support;

use aws_sdk_kms::error::ProvideErrorMetadata;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::Tag;

const KEY: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().tag_key(k).tag_value(v).build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_rotation_and_rotated_material_survive_a_crash_of_serve() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json").display().to_string();
    let mut server = support::Server::start(&["--state", &state]);
    let kms = support::sdk_client(&server.url);

    kms.tag_resource()
        .key_id(KEY)
        .tags(tag("Project", "Alpha"))
        .tags(tag("Team", "Blue"))
        .send()
        .await
        .expect("TagResource");
    kms.untag_resource()
        .key_id(KEY)
        .tag_keys("Team")
        .send()
        .await
        .expect("UntagResource");
    let before = kms
        .encrypt()
        .key_id(KEY)
        .plaintext(Blob::new("before"))
        .send()
        .await
        .expect("Encrypt");
    kms.enable_key_rotation()
        .key_id(KEY)
        .rotation_period_in_days(120)
        .send()
        .await
        .expect("EnableKeyRotation");
    kms.rotate_key_on_demand()
        .key_id(KEY)
        .send()
        .await
        .expect("RotateKeyOnDemand");
    let after = kms
        .encrypt()
        .key_id(KEY)
        .plaintext(Blob::new("after"))
        .send()
        .await
        .expect("Encrypt");
    kms.update_key_description()
        .key_id(KEY)
        .description("kept")
        .send()
        .await
        .expect("UpdateKeyDescription");

    server.kill();
    let server = support::Server::start(&["--state", &state]);
    let kms = support::sdk_client(&server.url);
    let tags = kms
        .list_resource_tags()
        .key_id(KEY)
        .send()
        .await
        .expect("ListResourceTags");
    let tags: Vec<(&str, &str)> = tags
        .tags()
        .iter()
        .map(|t| (t.tag_key(), t.tag_value()))
        .collect();
    assert_eq!(tags, [("Project", "Alpha")]);
    let status = kms
        .get_key_rotation_status()
        .key_id(KEY)
        .send()
        .await
        .expect("GetKeyRotationStatus");
    assert!(status.key_rotation_enabled());
    assert_eq!(status.rotation_period_in_days(), Some(120));
    assert!(status.next_rotation_date().is_some());
    let rotations = kms
        .list_key_rotations()
        .key_id(KEY)
        .send()
        .await
        .expect("ListKeyRotations");
    assert_eq!(rotations.rotations().len(), 1);
    assert_eq!(
        rotations.rotations()[0].rotation_type(),
        Some(&aws_sdk_kms::types::RotationType::OnDemand)
    );
    for (blob, want) in [(before, "before"), (after, "after")] {
        let out = kms
            .decrypt()
            .ciphertext_blob(blob.ciphertext_blob().unwrap().clone())
            .send()
            .await
            .expect("Decrypt after the restart");
        assert_eq!(out.plaintext().unwrap().as_ref(), want.as_bytes());
    }
    let d = kms.describe_key().key_id(KEY).send().await.unwrap();
    assert_eq!(d.key_metadata().unwrap().description(), Some("kept"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdk_sees_aws_errors_for_tags_and_rotation() {
    let server = support::Server::start(&["--scenario", "classroom"]);
    let kms = support::sdk_client(&server.url);
    let e = kms
        .enable_key_rotation()
        .key_id(KEY)
        .rotation_period_in_days(89)
        .send()
        .await
        .expect_err("below 90 days");
    assert_eq!(e.code(), Some("ValidationException"));
    assert_eq!(
        e.message(),
        Some("1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90")
    );
    let e = kms
        .tag_resource()
        .key_id(KEY)
        .tags(tag("aws:reserved", "x"))
        .send()
        .await
        .expect_err("reserved prefix");
    assert!(
        e.as_service_error().is_some_and(|s| s.is_tag_exception()),
        "{e:?}"
    );
    let e = kms
        .list_resource_tags()
        .key_id(KEY)
        .marker("bm90LWEtbWFya2Vy")
        .send()
        .await
        .expect_err("a marker we never issued");
    assert!(
        e.as_service_error()
            .is_some_and(|s| s.is_invalid_marker_exception()),
        "{e:?}"
    );
    kms.disable_key().key_id(KEY).send().await.unwrap();
    let e = kms
        .rotate_key_on_demand()
        .key_id(KEY)
        .send()
        .await
        .expect_err("disabled");
    assert!(
        e.as_service_error()
            .is_some_and(|s| s.is_disabled_exception()),
        "{e:?}"
    );
}
