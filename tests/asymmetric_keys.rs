//! Asymmetric, HMAC and key agreement keys in the simulator, in-process: the metadata
//! DescribeKey gives each key spec, real signatures for every spec and algorithm (RAW and
//! DIGEST), HMACs, RSA encryption, data key pairs, ECDH, and who may use these keys
//! (grants and grant tokens, key states, DryRun), with AWS's errors.

mod common;

use common::*;
use grantscope::kms::api::*;
use grantscope::kms::api_asymmetric::*;
use grantscope::kms::{
    DataKeyPairSpec, EncryptionAlgorithm, ErrorCode, KeyAgreementAlgorithm, KeySpec, KeyUsage,
    MacAlgorithm, MessageType, SigningAlgorithm,
};
use grantscope::sim::Simulator;

fn new_key(sim: &mut Simulator, spec: KeySpec, usage: KeyUsage) -> String {
    sim.create_key(
        &admin(),
        CreateKeyRequest {
            key_spec: Some(spec),
            key_usage: Some(usage),
            ..Default::default()
        },
    )
    .unwrap()
    .key_metadata
    .key_id
}

fn sign_req(key: &str, alg: SigningAlgorithm, msg: &[u8], mt: Option<MessageType>) -> SignRequest {
    SignRequest {
        key_id: key.into(),
        message: msg.to_vec(),
        message_type: mt,
        grant_tokens: None,
        signing_algorithm: alg,
        dry_run: None,
    }
}

fn verify_req(key: &str, alg: SigningAlgorithm, msg: &[u8], sig: &[u8]) -> VerifyRequest {
    VerifyRequest {
        key_id: key.into(),
        message: msg.to_vec(),
        message_type: None,
        signature: sig.to_vec(),
        signing_algorithm: alg,
        grant_tokens: None,
        dry_run: None,
    }
}

fn mac_req(key: &str, msg: &[u8]) -> GenerateMacRequest {
    GenerateMacRequest {
        message: msg.to_vec(),
        key_id: key.into(),
        mac_algorithm: MacAlgorithm::HmacSha256,
        grant_tokens: None,
        dry_run: None,
    }
}

#[test]
fn describe_key_lists_the_algorithms_of_the_key_spec_tables() {
    let mut sim = lab();
    let rsa = new_key(&mut sim, KeySpec::Rsa2048, KeyUsage::SignVerify);
    let meta = sim
        .describe_key(
            &admin(),
            DescribeKeyRequest {
                key_id: rsa,
                grant_tokens: None,
            },
        )
        .unwrap();
    let json = serde_json::to_value(&meta).unwrap();
    let m = &json["KeyMetadata"];
    assert_eq!(m["SigningAlgorithms"].as_array().unwrap().len(), 6);
    assert!(m.get("EncryptionAlgorithms").is_none(), "{m}");
    assert!(m.get("MacAlgorithms").is_none());

    let p521 = new_key(&mut sim, KeySpec::EccNistP521, KeyUsage::SignVerify);
    let m = sim
        .describe_key(
            &admin(),
            DescribeKeyRequest {
                key_id: p521,
                grant_tokens: None,
            },
        )
        .unwrap()
        .key_metadata;
    assert_eq!(
        m.signing_algorithms,
        Some(vec![SigningAlgorithm::EcdsaSha512])
    );

    let ka = new_key(&mut sim, KeySpec::EccNistP384, KeyUsage::KeyAgreement);
    let json = serde_json::to_value(
        sim.describe_key(
            &admin(),
            DescribeKeyRequest {
                key_id: ka,
                grant_tokens: None,
            },
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        json["KeyMetadata"]["KeyAgreementAlgorithms"],
        serde_json::json!(["ECDH"])
    );
    assert!(json["KeyMetadata"].get("SigningAlgorithms").is_none());

    let rsa_enc = new_key(&mut sim, KeySpec::Rsa3072, KeyUsage::EncryptDecrypt);
    let m = sim
        .describe_key(
            &admin(),
            DescribeKeyRequest {
                key_id: rsa_enc,
                grant_tokens: None,
            },
        )
        .unwrap()
        .key_metadata;
    assert_eq!(
        m.encryption_algorithms,
        Some(vec![
            EncryptionAlgorithm::RsaesOaepSha1,
            EncryptionAlgorithm::RsaesOaepSha256
        ])
    );
}

#[test]
fn every_signing_key_spec_signs_and_verifies_with_each_of_its_algorithms() {
    let mut sim = lab();
    let specs = [
        KeySpec::Rsa2048,
        KeySpec::Rsa3072,
        KeySpec::Rsa4096,
        KeySpec::EccNistP256,
        KeySpec::EccNistP384,
        KeySpec::EccNistP521,
        KeySpec::EccSecgP256k1,
        KeySpec::MlDsa44,
        KeySpec::MlDsa65,
        KeySpec::MlDsa87,
        KeySpec::EccNistEdwards25519,
    ];
    for spec in specs {
        let key = new_key(&mut sim, spec, KeyUsage::SignVerify);
        let algs = sim
            .describe_key(
                &admin(),
                DescribeKeyRequest {
                    key_id: key.clone(),
                    grant_tokens: None,
                },
            )
            .unwrap()
            .key_metadata
            .signing_algorithms
            .unwrap();
        for alg in algs {
            if alg == SigningAlgorithm::Ed25519PhSha512 {
                let e = expect_err(sim.sign(&admin(), sign_req(&key, alg, b"msg", None)));
                assert_eq!(e.code, ErrorCode::UnsupportedOperationException);
                continue;
            }
            let sig = sim
                .sign(&admin(), sign_req(&key, alg, b"hello", None))
                .unwrap();
            assert_eq!(sig.signing_algorithm, alg);
            let ok = sim
                .verify(&admin(), verify_req(&key, alg, b"hello", &sig.signature))
                .unwrap();
            assert!(ok.signature_valid, "{spec} {alg}");
            let e =
                expect_err(sim.verify(&admin(), verify_req(&key, alg, b"hellO", &sig.signature)));
            assert_eq!(
                e.code,
                ErrorCode::KmsInvalidSignatureException,
                "{spec} {alg}"
            );
        }
    }
}

#[test]
fn a_digest_signature_verifies_as_a_raw_signature_of_the_message() {
    use sha2::Digest;
    let mut sim = lab();
    for (spec, alg) in [
        (KeySpec::EccNistP256, SigningAlgorithm::EcdsaSha256),
        (KeySpec::Rsa2048, SigningAlgorithm::RsassaPssSha384),
    ] {
        let key = new_key(&mut sim, spec, KeyUsage::SignVerify);
        let digest: Vec<u8> = if alg == SigningAlgorithm::EcdsaSha256 {
            sha2::Sha256::digest(b"the message").to_vec()
        } else {
            sha2::Sha384::digest(b"the message").to_vec()
        };
        let sig = sim
            .sign(
                &admin(),
                sign_req(&key, alg, &digest, Some(MessageType::Digest)),
            )
            .unwrap();
        assert!(
            sim.verify(
                &admin(),
                verify_req(&key, alg, b"the message", &sig.signature)
            )
            .unwrap()
            .signature_valid
        );
        let e = expect_err(sim.sign(
            &admin(),
            sign_req(&key, alg, &digest[..20], Some(MessageType::Digest)),
        ));
        assert_eq!(e.code, ErrorCode::ValidationException);
        assert_eq!(
            e.message,
            format!("Digest is invalid length for algorithm {alg}.")
        );
    }
}

#[test]
fn an_algorithm_of_another_key_spec_is_invalid_key_usage() {
    let mut sim = lab();
    let key = new_key(&mut sim, KeySpec::EccNistP256, KeyUsage::SignVerify);
    let e = expect_err(sim.sign(
        &admin(),
        sign_req(&key, SigningAlgorithm::EcdsaSha384, b"m", None),
    ));
    assert_eq!(e.code, ErrorCode::InvalidKeyUsageException);
    assert!(e.message.contains("ECDSA_SHA_256"), "{}", e.message);
    // Signing with a symmetric key is the wrong key usage.
    let e = expect_err(sim.sign(
        &admin(),
        sign_req(K1, SigningAlgorithm::EcdsaSha256, b"m", None),
    ));
    assert_eq!(e.code, ErrorCode::InvalidKeyUsageException);
    assert_eq!(
        e.message,
        format!(
            "{} key usage is ENCRYPT_DECRYPT which is not valid for Sign.",
            key_arn(K1)
        )
    );
}

#[test]
fn hmac_keys_generate_and_verify_macs() {
    let mut sim = lab();
    let key = new_key(&mut sim, KeySpec::Hmac256, KeyUsage::GenerateVerifyMac);
    let mac = sim.generate_mac(&admin(), mac_req(&key, b"data")).unwrap();
    assert_eq!(mac.mac.len(), 32);
    let verify = |sim: &mut Simulator, msg: &[u8]| {
        sim.verify_mac(
            &admin(),
            VerifyMacRequest {
                message: msg.to_vec(),
                key_id: key.clone(),
                mac_algorithm: MacAlgorithm::HmacSha256,
                mac: mac.mac.clone(),
                grant_tokens: None,
                dry_run: None,
            },
        )
    };
    assert!(verify(&mut sim, b"data").unwrap().mac_valid);
    assert_eq!(
        expect_err(verify(&mut sim, b"Data")).code,
        ErrorCode::KmsInvalidMacException
    );
    let mut wrong = mac_req(&key, b"data");
    wrong.mac_algorithm = MacAlgorithm::HmacSha512;
    assert_eq!(
        expect_err(sim.generate_mac(&admin(), wrong)).code,
        ErrorCode::InvalidKeyUsageException
    );
}

#[test]
fn rsa_encryption_keys_round_trip_and_decrypt_needs_the_key_and_algorithm() {
    let mut sim = lab();
    let key = new_key(&mut sim, KeySpec::Rsa2048, KeyUsage::EncryptDecrypt);
    let ct = sim
        .encrypt(
            &admin(),
            EncryptRequest {
                key_id: key.clone(),
                plaintext: b"secret".to_vec(),
                encryption_algorithm: Some("RSAES_OAEP_SHA_256".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(ct.ciphertext_blob.len(), 256);
    assert_eq!(ct.encryption_algorithm, "RSAES_OAEP_SHA_256");
    let mut dec = DecryptRequest {
        ciphertext_blob: ct.ciphertext_blob.clone(),
        key_id: Some(key.clone()),
        encryption_algorithm: Some("RSAES_OAEP_SHA_256".into()),
        ..Default::default()
    };
    assert_eq!(
        sim.decrypt(&admin(), dec.clone()).unwrap().plaintext,
        b"secret"
    );
    // Without the key the ciphertext names nothing.
    let mut no_key = dec.clone();
    no_key.key_id = None;
    assert_eq!(
        expect_err(sim.decrypt(&admin(), no_key)).code,
        ErrorCode::InvalidCiphertextException
    );
    // The wrong OAEP hash does not decrypt.
    dec.encryption_algorithm = Some("RSAES_OAEP_SHA_1".into());
    assert_eq!(
        expect_err(sim.decrypt(&admin(), dec)).code,
        ErrorCode::InvalidCiphertextException
    );
    // SYMMETRIC_DEFAULT (the default) is not an algorithm of an RSA key.
    let e = expect_err(sim.encrypt(
        &admin(),
        EncryptRequest {
            key_id: key.clone(),
            plaintext: b"x".to_vec(),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::InvalidKeyUsageException);
    // ReEncrypt from the RSA key to a symmetric key.
    let ct = sim
        .encrypt(
            &admin(),
            EncryptRequest {
                key_id: key.clone(),
                plaintext: b"moved".to_vec(),
                encryption_algorithm: Some("RSAES_OAEP_SHA_1".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let moved = sim
        .re_encrypt(
            &admin(),
            ReEncryptRequest {
                ciphertext_blob: ct.ciphertext_blob,
                source_key_id: Some(key),
                source_encryption_algorithm: Some("RSAES_OAEP_SHA_1".into()),
                destination_key_id: K1.into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(moved.source_encryption_algorithm, "RSAES_OAEP_SHA_1");
    let back = sim
        .decrypt(&admin(), decrypt_req(&moved.ciphertext_blob, ctx(&[])))
        .unwrap();
    assert_eq!(back.plaintext, b"moved");
}

#[test]
fn data_key_pairs_are_real_pairs_whose_private_key_decrypts_under_the_context() {
    let mut sim = lab();
    let req = GenerateDataKeyPairRequest {
        encryption_context: Some(ctx(&[("app", "a")])),
        key_id: "alias/k1".into(),
        key_pair_spec: DataKeyPairSpec::EccNistP256,
        grant_tokens: None,
        recipient: None,
        dry_run: None,
    };
    let pair = sim.generate_data_key_pair(&admin(), req.clone()).unwrap();
    assert_eq!(pair.key_id, key_arn(K1));
    let back = sim
        .decrypt(
            &admin(),
            decrypt_req(&pair.private_key_ciphertext_blob, ctx(&[("app", "a")])),
        )
        .unwrap();
    assert_eq!(back.plaintext, pair.private_key_plaintext);
    // The plaintext private key signs; its public key verifies.
    let kp = aws_lc_rs::signature::EcdsaKeyPair::from_pkcs8(
        &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        &pair.private_key_plaintext,
    )
    .unwrap();
    let sig = kp
        .sign(&aws_lc_rs::rand::SystemRandom::new(), b"m")
        .unwrap();
    let public = aws_lc_rs::signature::ParsedPublicKey::new(
        &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1,
        &pair.public_key,
    )
    .unwrap();
    assert!(public.verify_sig(b"m", sig.as_ref()).is_ok());

    let without = sim
        .generate_data_key_pair_without_plaintext(&admin(), req.clone())
        .unwrap();
    assert!(!without.public_key.is_empty());
    let mut on_rsa = req;
    on_rsa.key_id = new_key(&mut sim, KeySpec::Rsa2048, KeyUsage::EncryptDecrypt);
    assert_eq!(
        expect_err(sim.generate_data_key_pair(&admin(), on_rsa)).code,
        ErrorCode::InvalidKeyUsageException
    );
}

#[test]
fn two_key_agreement_keys_derive_the_same_shared_secret() {
    let mut sim = lab();
    let a = new_key(&mut sim, KeySpec::EccNistP256, KeyUsage::KeyAgreement);
    let b = new_key(&mut sim, KeySpec::EccNistP256, KeyUsage::KeyAgreement);
    let public = |sim: &mut Simulator, k: &str| {
        sim.get_public_key(
            &admin(),
            GetPublicKeyRequest {
                key_id: k.into(),
                grant_tokens: None,
            },
        )
        .unwrap()
        .public_key
    };
    let (pa, pb) = (public(&mut sim, &a), public(&mut sim, &b));
    let derive = |sim: &mut Simulator, k: &str, peer: Vec<u8>| {
        sim.derive_shared_secret(
            &admin(),
            DeriveSharedSecretRequest {
                key_id: k.into(),
                key_agreement_algorithm: KeyAgreementAlgorithm::Ecdh,
                public_key: peer,
                grant_tokens: None,
                dry_run: None,
                recipient: None,
            },
        )
    };
    let ab = derive(&mut sim, &a, pb).unwrap();
    let ba = derive(&mut sim, &b, pa).unwrap();
    assert_eq!(ab.shared_secret, ba.shared_secret);
    assert_eq!(ab.shared_secret.len(), 32);
    assert_eq!(ab.key_origin, "AWS_KMS");
    // A P-384 public key is on another curve.
    let other = new_key(&mut sim, KeySpec::EccNistP384, KeyUsage::KeyAgreement);
    let p384 = public(&mut sim, &other);
    assert_eq!(
        expect_err(derive(&mut sim, &a, p384)).code,
        ErrorCode::ValidationException
    );
}

#[test]
fn a_sign_grant_allows_sign_only_with_its_token_until_revoked() {
    let mut sim = lab_with_delay(std::time::Duration::from_secs(300));
    let key = new_key(&mut sim, KeySpec::EccNistP256, KeyUsage::SignVerify);
    let req = sign_req(&key, SigningAlgorithm::EcdsaSha256, b"m", None);
    let e = expect_err(sim.sign(&who("alice"), req.clone()));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
    let g = sim
        .create_grant(&admin(), grant_req(&key, &user_arn("alice"), &["Sign"]))
        .unwrap();
    // Not propagated yet: the token makes it effective for this request.
    assert_eq!(
        expect_err(sim.sign(&who("alice"), req.clone())).code,
        ErrorCode::AccessDeniedException
    );
    let mut with_token = req.clone();
    with_token.grant_tokens = Some(vec![g.grant_token.clone()]);
    sim.sign(&who("alice"), with_token.clone()).unwrap();
    let why = last_activity(&sim).why;
    assert!(
        why.contains(&g.grant_id[..12]) && why.contains("grant token"),
        "{why}"
    );
    // Verify is not in the grant.
    let sig = sim.sign(&admin(), req.clone()).unwrap().signature;
    let mut v = verify_req(&key, SigningAlgorithm::EcdsaSha256, b"m", &sig);
    v.grant_tokens = Some(vec![g.grant_token.clone()]);
    assert_eq!(
        expect_err(sim.verify(&who("alice"), v)).code,
        ErrorCode::AccessDeniedException
    );
    sim.revoke_grant(
        &admin(),
        RevokeGrantRequest {
            key_id: key.clone(),
            grant_id: g.grant_id,
            dry_run: None,
        },
    )
    .unwrap();
    sim.advance_clock(std::time::Duration::from_secs(301));
    assert_eq!(
        expect_err(sim.sign(&who("alice"), req)).code,
        ErrorCode::AccessDeniedException
    );
}

#[test]
fn disabled_keys_and_dry_runs_answer_as_aws_does() {
    let mut sim = lab();
    let key = new_key(&mut sim, KeySpec::Hmac384, KeyUsage::GenerateVerifyMac);
    let mut req = mac_req(&key, b"m");
    req.mac_algorithm = MacAlgorithm::HmacSha384;
    let mut dry = req.clone();
    dry.dry_run = Some(true);
    assert_eq!(
        expect_err(sim.generate_mac(&admin(), dry)).code,
        ErrorCode::DryRunOperationException
    );
    sim.disable_key(
        &admin(),
        KeyIdRequest {
            key_id: key.clone(),
        },
    )
    .unwrap();
    let e = expect_err(sim.generate_mac(&admin(), req));
    assert_eq!(e.code, ErrorCode::DisabledException);
    assert_eq!(e.message, format!("{} is disabled.", key_arn(&key)));
}

#[test]
fn sm2_is_refused_outside_china_regions() {
    let mut sim = lab();
    let e = expect_err(sim.create_key(
        &admin(),
        CreateKeyRequest {
            key_spec: Some(KeySpec::Sm2),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::UnsupportedOperationException);
}

#[test]
fn generate_random_gives_the_bytes_asked_for_within_bounds() {
    let mut sim = lab();
    let r = sim
        .generate_random(
            &admin(),
            GenerateRandomRequest {
                number_of_bytes: Some(48),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(r.plaintext.unwrap().len(), 48);
    let e = expect_err(sim.generate_random(
        &admin(),
        GenerateRandomRequest {
            number_of_bytes: Some(1025),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::ValidationException);
    // GenerateRandom is IAM-only: alice has no identity policy.
    let e = expect_err(sim.generate_random(
        &who("alice"),
        GenerateRandomRequest {
            number_of_bytes: Some(8),
            ..Default::default()
        },
    ));
    assert_eq!(e.code, ErrorCode::AccessDeniedException);
}

#[test]
fn a_scenario_rsa_key_gets_its_material_on_first_use_and_a_snapshot_keeps_it() {
    use grantscope::sim::snapshot;
    let text = format!(
        "{LAB}\n[[keys]]\nid = \"33333333-3333-4333-8333-333333333333\"\nspec = \"RSA_4096\"\nusage = \"SIGN_VERIFY\"\n"
    );
    let started = std::time::Instant::now();
    let mut sim = sim_from_toml(&text);
    let rsa = "33333333-3333-4333-8333-333333333333";
    assert!(
        sim.world().keys[rsa].material.is_empty(),
        "no RSA key is generated while a scenario loads"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // Elliptic-curve and HMAC keys of a scenario are made at load (fast).
    let public = |sim: &mut Simulator| {
        sim.get_public_key(
            &admin(),
            GetPublicKeyRequest {
                key_id: rsa.into(),
                grant_tokens: None,
            },
        )
        .unwrap()
        .public_key
    };
    let before = public(&mut sim);
    assert!(!sim.world().keys[rsa].material.is_empty());
    let sig = sim
        .sign(
            &admin(),
            sign_req(rsa, SigningAlgorithm::RsassaPkcs1V15Sha512, b"kept", None),
        )
        .unwrap()
        .signature;
    let restored = snapshot::from_json(&snapshot::to_json(sim.world()), "snap.json").unwrap();
    let mut again = Simulator::new(restored);
    assert_eq!(public(&mut again), before);
    assert!(
        again
            .verify(
                &admin(),
                verify_req(rsa, SigningAlgorithm::RsassaPkcs1V15Sha512, b"kept", &sig)
            )
            .unwrap()
            .signature_valid
    );
}

#[test]
fn the_activity_log_never_holds_key_material_or_secrets() {
    let mut sim = lab();
    let key = new_key(&mut sim, KeySpec::Hmac256, KeyUsage::GenerateVerifyMac);
    let mac = sim
        .generate_mac(&admin(), mac_req(&key, b"data"))
        .unwrap()
        .mac;
    let material = sim.world().keys[&key].material.clone();
    let shown = format!("{:?}", sim.world().keys[&key]);
    assert!(shown.contains("<32 bytes, not shown>"), "{shown}");
    assert!(!shown.contains(&format!("{material:?}")));
    let log = format!("{:?}", sim.activity_since(0));
    for secret in [&material, &mac] {
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, secret);
        assert!(
            !log.contains(&b64) && !log.contains(&hex::encode(secret)),
            "{log}"
        );
    }
}

#[test]
fn get_public_key_of_a_symmetric_key_is_unsupported() {
    let mut sim = lab();
    let e = expect_err(sim.get_public_key(
        &admin(),
        GetPublicKeyRequest {
            key_id: K1.into(),
            grant_tokens: None,
        },
    ));
    assert_eq!(e.code, ErrorCode::UnsupportedOperationException);
}
