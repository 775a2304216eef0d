//! Multi-Region keys meet the rest of the API (issue #15's three parts together): a
//! replica of a signing key signs in its own region with the primary's key pair, tags are
//! the replica's own, and a replica made after a rotation still decrypts ciphertext sealed
//! under the primary's older material.

mod common;

use grantscope::kms::api::*;
use grantscope::kms::api_admin::{ListResourceTagsRequest, TagResourceRequest};
use grantscope::kms::api_asymmetric::{SignRequest, VerifyRequest};
use grantscope::kms::multi_region::ReplicateKeyRequest;
use grantscope::kms::{KeySpec, KeyState, KeyUsage, SigningAlgorithm};
use grantscope::sim::{Caller, Simulator};

use common::*;

const US: &str = "us-east-1";

fn admin_in(region: &str) -> Caller {
    admin().in_region(region)
}

fn multi_region_key(sim: &mut Simulator, spec: Option<KeySpec>, usage: Option<KeyUsage>) -> String {
    sim.create_key(
        &admin(),
        CreateKeyRequest {
            multi_region: Some(true),
            key_spec: spec,
            key_usage: usage,
            ..Default::default()
        },
    )
    .expect("a multi-Region key")
    .key_metadata
    .key_id
}

fn replicate_to_us(sim: &mut Simulator, key: &str) {
    let r = sim
        .replicate_key(
            &admin(),
            ReplicateKeyRequest {
                key_id: key.to_string(),
                replica_region: US.to_string(),
                ..Default::default()
            },
        )
        .expect("replicated");
    assert_eq!(r.replica_key_metadata.key_state, KeyState::Creating);
    // Creating ends with the world's propagation delay (none in the lab).
    let m = sim
        .describe_key(
            &admin_in(US),
            DescribeKeyRequest {
                key_id: key.to_string(),
                grant_tokens: None,
            },
        )
        .expect("the replica")
        .key_metadata;
    assert_eq!(m.key_state, KeyState::Enabled);
}

#[test]
fn a_replica_of_a_signing_key_signs_in_its_region_and_the_primary_verifies() {
    let mut sim = lab();
    let key = multi_region_key(
        &mut sim,
        Some(KeySpec::EccNistP256),
        Some(KeyUsage::SignVerify),
    );
    replicate_to_us(&mut sim, &key);
    let signed = sim
        .sign(
            &admin_in(US),
            SignRequest {
                key_id: key.clone(),
                message: b"release 1.2.3".to_vec(),
                message_type: None,
                grant_tokens: None,
                signing_algorithm: SigningAlgorithm::EcdsaSha256,
                dry_run: None,
            },
        )
        .expect("the replica signs");
    assert!(signed.key_id.contains(":us-east-1:"), "{}", signed.key_id);
    // "Multi-Region keys ... have the same key ID and key material": the primary, in its
    // own region, verifies what the replica signed.
    let verified = sim
        .verify(
            &admin(),
            VerifyRequest {
                key_id: key,
                message: b"release 1.2.3".to_vec(),
                message_type: None,
                signature: signed.signature,
                signing_algorithm: SigningAlgorithm::EcdsaSha256,
                grant_tokens: None,
                dry_run: None,
            },
        )
        .expect("the primary verifies");
    assert!(verified.signature_valid);
}

#[test]
fn tags_of_a_replica_are_its_own() {
    let mut sim = lab();
    let key = multi_region_key(&mut sim, None, None);
    replicate_to_us(&mut sim, &key);
    sim.tag_resource(
        &admin_in(US),
        TagResourceRequest {
            key_id: key.clone(),
            tags: vec![Tag {
                tag_key: "team".into(),
                tag_value: "us".into(),
            }],
        },
    )
    .expect("the replica is tagged");
    let tags = |sim: &mut Simulator, caller: &Caller| {
        sim.list_resource_tags(
            caller,
            ListResourceTagsRequest {
                key_id: key.clone(),
                limit: None,
                marker: None,
            },
        )
        .expect("tags listed")
        .tags
    };
    assert_eq!(tags(&mut sim, &admin_in(US)).len(), 1);
    assert!(
        tags(&mut sim, &admin()).is_empty(),
        "the primary is not tagged"
    );
}

#[test]
fn a_replica_made_after_a_rotation_decrypts_ciphertext_of_the_older_material() {
    let mut sim = lab();
    let key = multi_region_key(&mut sim, None, None);
    let old = admin_ciphertext(&mut sim, &key, ctx(&[]));
    sim.rotate_key_on_demand(
        &admin(),
        KeyIdRequest {
            key_id: key.clone(),
        },
    )
    .expect("rotated");
    let new = admin_ciphertext(&mut sim, &key, ctx(&[]));
    replicate_to_us(&mut sim, &key);
    for blob in [old, new] {
        let plain = sim
            .decrypt(&admin_in(US), decrypt_req(&blob, ctx(&[])))
            .expect("the replica decrypts");
        assert!(!plain.plaintext.is_empty());
    }
}
