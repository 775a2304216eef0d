//! Imported key material in-process: Origin EXTERNAL keys, GetParametersForImport (real RSA
//! wrapping keys), ImportKeyMaterial (RSA-OAEP and RSA + AES key wrap), expiry by the
//! clock, reimport of the same material only, DeleteImportedKeyMaterial.

mod common;
mod key_admin_common;

use std::time::Duration;

use aws_lc_rs::encoding::AsDer;
use grantscope::kms::{ApiOperation, ErrorCode, KmsError};
use grantscope::sim::{Caller, Simulator};
use serde_json::{json, Value};

use common::{lab, K1};
use key_admin_common::*;

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
