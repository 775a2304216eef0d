//! Cryptographic operations: Encrypt/Decrypt with the context bound to the ciphertext,
//! Decrypt without a KeyId, IncorrectKeyException, ReEncrypt's two permissions, and the
//! data-key operations.

mod common;

use common::*;
use grantscope::kms::api::*;
use grantscope::kms::{ErrorCode, KmsResult};
use grantscope::sim::Simulator;

#[test]
fn encrypt_then_decrypt_round_trips_and_decrypt_needs_no_key_id() {
    let mut sim = lab();
    let context = ctx(&[("purpose", "test"), ("tenant", "t-1")]);
    let out = sim
        .encrypt(&admin(), {
            let mut r = encrypt_req("alias/k1", context.clone(), &[]);
            r.plaintext = b"attack at dawn".to_vec();
            r
        })
        .unwrap();
    assert_eq!(out.key_id, key_arn(K1));
    assert_eq!(out.encryption_algorithm, "SYMMETRIC_DEFAULT");
    assert!(!out
        .ciphertext_blob
        .windows(14)
        .any(|w| w == b"attack at dawn"));
    let plain = sim
        .decrypt(&admin(), decrypt_req(&out.ciphertext_blob, context.clone()))
        .unwrap();
    assert_eq!(plain.plaintext, b"attack at dawn");
    assert_eq!(plain.key_id, key_arn(K1));
    assert_eq!(plain.encryption_algorithm, "SYMMETRIC_DEFAULT");
    // The context is a map: order of pairs does not matter.
    let reordered: grantscope::kms::EncryptionContext = [("tenant", "t-1"), ("purpose", "test")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    sim.decrypt(&admin(), decrypt_req(&out.ciphertext_blob, reordered))
        .unwrap();
    // Encrypting twice gives different ciphertexts.
    let again = admin_ciphertext(&mut sim, K1, context);
    assert_ne!(again, out.ciphertext_blob);
}

#[test]
fn decrypt_with_a_mismatching_key_id_is_incorrect_key() {
    let mut sim = lab();
    let blob = admin_ciphertext(&mut sim, K1, ctx(&[]));
    for key in [K2.to_string(), "alias/k2".to_string(), key_arn(K2)] {
        let mut req = decrypt_req(&blob, ctx(&[]));
        req.key_id = Some(key.clone());
        let e = expect_err(sim.decrypt(&admin(), req));
        assert_eq!(e.code, ErrorCode::IncorrectKeyException, "{key}");
    }
    for key in [K1.to_string(), "alias/k1".to_string(), key_arn(K1)] {
        let mut req = decrypt_req(&blob, ctx(&[]));
        req.key_id = Some(key);
        sim.decrypt(&admin(), req).unwrap();
    }
}

/// API Reference, InvalidCiphertextException: "the request was rejected because the
/// specified ciphertext, or additional authenticated data incorporated into the
/// ciphertext, such as the encryption context, is corrupted, missing, or otherwise
/// invalid." An empty message shows as "UnknownError" in SDKs: the error says this.
#[test]
fn a_wrong_or_missing_context_is_invalid_ciphertext_that_says_why() {
    let mut sim = lab();
    let blob = admin_ciphertext(&mut sim, K1, ctx(&[("dept", "it")]));
    for wrong in [
        ctx(&[("dept", "hr")]),
        ctx(&[]),
        ctx(&[("dept", "it"), ("x", "y")]),
    ] {
        let e = expect_err(sim.decrypt(&admin(), decrypt_req(&blob, wrong.clone())));
        assert_eq!(e.code, ErrorCode::InvalidCiphertextException, "{wrong:?}");
        assert!(
            e.message.contains(
                "such as the encryption context, is corrupted, missing, or otherwise invalid"
            ),
            "{}",
            e.message
        );
    }
    let mut tampered = blob.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    let e = expect_err(sim.decrypt(&admin(), decrypt_req(&tampered, ctx(&[("dept", "it")]))));
    assert_eq!(e.code, ErrorCode::InvalidCiphertextException);
    let e = expect_err(sim.decrypt(
        &admin(),
        decrypt_req(b"definitely not a KMS ciphertext blob at all!!", ctx(&[])),
    ));
    assert_eq!(e.code, ErrorCode::InvalidCiphertextException);
}

#[test]
fn plaintext_must_be_1_to_4096_bytes() {
    let mut sim = lab();
    for (len, ok) in [(0, false), (1, true), (4096, true), (4097, false)] {
        let mut req = encrypt_req(K1, ctx(&[]), &[]);
        req.plaintext = vec![7; len];
        let r = sim.encrypt(&admin(), req);
        assert_eq!(r.is_ok(), ok, "{len} bytes");
        if let Err(e) = r {
            assert_eq!(e.code, ErrorCode::ValidationException);
            assert!(!e.message.contains("0707"), "the plaintext is never echoed");
        }
    }
}

#[test]
fn encrypt_dry_run_encrypts_nothing_and_needs_permission() {
    let mut sim = lab();
    let mut req = encrypt_req(K1, ctx(&[]), &[]);
    req.dry_run = Some(true);
    let e = expect_err(sim.encrypt(&admin(), req.clone()));
    assert_eq!(e.code, ErrorCode::DryRunOperationException);
    let e = expect_err(sim.encrypt(&who("alice"), req));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
}

fn re_encrypt(
    sim: &mut Simulator,
    caller: &str,
    blob: &[u8],
    tokens: Option<Vec<String>>,
) -> KmsResult<ReEncryptResponse> {
    sim.re_encrypt(
        &who(caller),
        ReEncryptRequest {
            ciphertext_blob: blob.to_vec(),
            source_encryption_context: Some(ctx(&[("a", "1")])),
            destination_key_id: "alias/k2".into(),
            destination_encryption_context: Some(ctx(&[("b", "2")])),
            grant_tokens: tokens,
            ..Default::default()
        },
    )
}

#[test]
fn re_encrypt_needs_re_encrypt_from_on_the_source_and_re_encrypt_to_on_the_destination() {
    let mut sim = lab();
    let blob = admin_ciphertext(&mut sim, K1, ctx(&[("a", "1")]));
    let e = expect_err(re_encrypt(&mut sim, "alice", &blob, None));
    assert_eq!(
        e.message,
        denied(
            &user_arn("alice"),
            "kms:ReEncryptFrom",
            &key_arn(K1),
            &no_identity_policy("kms:ReEncryptFrom")
        )
    );
    grant(&mut sim, K1, "alice", &["ReEncryptFrom"]);
    let e = expect_err(re_encrypt(&mut sim, "alice", &blob, None));
    assert_eq!(
        e.message,
        denied(
            &user_arn("alice"),
            "kms:ReEncryptTo",
            &key_arn(K2),
            &no_identity_policy("kms:ReEncryptTo")
        )
    );
    // ReEncryptTo on the source key is not ReEncryptTo on the destination.
    grant(&mut sim, K1, "alice", &["ReEncryptTo"]);
    assert_eq!(
        expect_err(re_encrypt(&mut sim, "alice", &blob, None)).code,
        ErrorCode::AccessDeniedException
    );
    grant(&mut sim, K2, "alice", &["ReEncryptTo"]);
    let out = re_encrypt(&mut sim, "alice", &blob, None).unwrap();
    assert_eq!(out.source_key_id, key_arn(K1));
    assert_eq!(out.key_id, key_arn(K2));
    // The new ciphertext is under K2 with the new context.
    let plain = sim
        .decrypt(
            &admin(),
            decrypt_req(&out.ciphertext_blob, ctx(&[("b", "2")])),
        )
        .unwrap();
    assert_eq!(plain.plaintext, b"hello");
    assert_eq!(plain.key_id, key_arn(K2));
    // Wrong source context: the ciphertext does not open.
    let mut req = ReEncryptRequest {
        ciphertext_blob: blob,
        destination_key_id: K2.into(),
        ..Default::default()
    };
    req.source_encryption_context = Some(ctx(&[("a", "2")]));
    assert_eq!(
        expect_err(sim.re_encrypt(&admin(), req)).code,
        ErrorCode::InvalidCiphertextException
    );
}

#[test]
fn re_encrypt_tokens_count_for_both_keys() {
    let mut sim = lab_with_delay(std::time::Duration::from_secs(60));
    let blob = admin_ciphertext(&mut sim, K1, ctx(&[("a", "1")]));
    let from = grant(&mut sim, K1, "alice", &["ReEncryptFrom"]).grant_token;
    let to = grant(&mut sim, K2, "alice", &["ReEncryptTo"]).grant_token;
    assert!(re_encrypt(&mut sim, "alice", &blob, Some(vec![from.clone()])).is_err());
    re_encrypt(&mut sim, "alice", &blob, Some(vec![from, to])).unwrap();
}

fn data_key_req(key: &str, bytes: Option<i64>, spec: Option<&str>) -> GenerateDataKeyRequest {
    GenerateDataKeyRequest {
        key_id: key.into(),
        encryption_context: Some(ctx(&[("file", "report.pdf")])),
        number_of_bytes: bytes,
        key_spec: spec.map(String::from),
        ..Default::default()
    }
}

#[test]
fn generate_data_key_returns_a_key_and_its_ciphertext() {
    let mut sim = lab();
    for (bytes, spec, len) in [
        (None, Some("AES_256"), 32),
        (None, Some("AES_128"), 16),
        (Some(64), None, 64),
    ] {
        let out = sim
            .generate_data_key(&admin(), data_key_req("alias/k1", bytes, spec))
            .unwrap();
        assert_eq!(out.plaintext.len(), len);
        assert_eq!(out.key_id, key_arn(K1));
        let back = sim
            .decrypt(
                &admin(),
                decrypt_req(&out.ciphertext_blob, ctx(&[("file", "report.pdf")])),
            )
            .unwrap();
        assert_eq!(back.plaintext, out.plaintext);
    }
    for (bytes, spec) in [
        (None, None),
        (Some(32), Some("AES_256")),
        (Some(0), None),
        (Some(1025), None),
        (None, Some("AES_512")),
    ] {
        let e = expect_err(sim.generate_data_key(&admin(), data_key_req(K1, bytes, spec)));
        assert_eq!(e.code, ErrorCode::ValidationException, "{bytes:?} {spec:?}");
    }
}

#[test]
fn generate_data_key_without_plaintext_returns_only_the_ciphertext() {
    let mut sim = lab();
    let out = sim
        .generate_data_key_without_plaintext(&admin(), data_key_req(K1, None, Some("AES_256")))
        .unwrap();
    assert_eq!(out.key_id, key_arn(K1));
    let json = serde_json::to_value(&out).unwrap();
    assert!(json.get("Plaintext").is_none());
    let back = sim
        .decrypt(
            &admin(),
            decrypt_req(&out.ciphertext_blob, ctx(&[("file", "report.pdf")])),
        )
        .unwrap();
    assert_eq!(back.plaintext.len(), 32);
}

#[test]
fn each_data_key_operation_needs_its_own_grant_operation() {
    let mut sim = lab();
    grant(&mut sim, K1, "alice", &["GenerateDataKeyWithoutPlaintext"]);
    sim.generate_data_key_without_plaintext(&who("alice"), data_key_req(K1, Some(32), None))
        .unwrap();
    let e = expect_err(sim.generate_data_key(&who("alice"), data_key_req(K1, Some(32), None)));
    assert_eq!(
        e.message,
        denied(
            &user_arn("alice"),
            "kms:GenerateDataKey",
            &key_arn(K1),
            &no_identity_policy("kms:GenerateDataKey")
        )
    );
    grant(&mut sim, K1, "bob", &["GenerateDataKey"]);
    sim.generate_data_key(&who("bob"), data_key_req(K1, Some(32), None))
        .unwrap();
    let e = expect_err(
        sim.generate_data_key_without_plaintext(&who("bob"), data_key_req(K1, Some(32), None)),
    );
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
}
