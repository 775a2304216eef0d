//! What every operation on an asymmetric, HMAC or key agreement key shares: authorizing
//! one use of the key (key policy, IAM, grants and grant tokens; grant constraints do not
//! apply, these keys take no encryption context), the key state and key usage checks in
//! AWS's words, the algorithm check against the key spec, loading key material that was
//! left to first use, and RSA encryption (RSAES_OAEP_SHA_1/SHA_256) for Encrypt, Decrypt
//! and ReEncrypt.
//!
//! Decisions (AWS documents the error codes, not their messages):
//! - a key of the wrong usage is InvalidKeyUsageException "ARN key usage is U which is not
//!   valid for OPERATION." (the wording `crypto_ops` uses for symmetric operations);
//! - an algorithm the key spec does not support is InvalidKeyUsageException naming the
//!   algorithms it does support;
//! - an encryption context with an asymmetric key is a ValidationException: "Asymmetric
//!   KMS keys ... don't support an encryption context" (Developer Guide, encryption context).

use crate::kms::algorithms::key_algorithms;
use crate::kms::{
    EncryptionAlgorithm, EncryptionContext, ErrorCode, GrantId, GrantOperation, KeyUsage, KmsError,
    KmsResult,
};

use super::authorize::{AuthRequest, GrantUse};
use super::conditions::RequestFacts;
use super::key_material::{self, CryptoError};
use super::keys::require_enabled;
use super::validate::{self, CRYPTO};
use super::world::{Key, World};
use super::CallRecord;

/// The key a request's `keyId` names, in the caller's region, made ready for use: given
/// its key material if it has none yet (scenario keys get it on first use), its ARN noted
/// for the activity log, and `op` authorized on it (grants and grant tokens included).
pub(crate) fn key_for_use<'w>(
    world: &'w mut World,
    rec: &mut CallRecord,
    key_input: &str,
    op: GrantOperation,
    tokens: &[GrantId],
) -> KmsResult<&'w Key> {
    let slot = validate::resolve_key(world, &rec.caller, "keyId", key_input, CRYPTO)?
        .slot()
        .into_owned();
    ensure_material(world, &slot)?;
    let world: &'w World = world;
    let key = world
        .keys
        .get(&slot)
        .ok_or_else(|| KmsError::internal("key vanished"))?;
    rec.key_arn = Some(key.arn.clone());
    authorize_key_use(world, rec, key, op, tokens, key_input, None)?;
    Ok(key)
}

/// Authorize one use of `key` for `op` (no encryption context: constraints are not met by
/// these operations, and CreateGrant refuses them on these keys).
pub(crate) fn authorize_key_use(
    world: &World,
    rec: &mut CallRecord,
    key: &Key,
    op: GrantOperation,
    tokens: &[GrantId],
    key_input: &str,
    encryption_algorithm: Option<&str>,
) -> KmsResult<()> {
    let action = op.action();
    rec.authorize(
        world,
        &AuthRequest {
            action: &action,
            key: Some(key),
            grant_use: GrantUse::Operation { op, context: None },
            token_grants: tokens,
            facts: RequestFacts {
                encryption_algorithm,
                request_alias: Some(key_input).filter(|k| k.starts_with("alias/")),
                ..Default::default()
            },
        },
    )
}

/// The key must be usable (DisabledException, KMSInvalidStateException) and of `usage`.
pub(crate) fn require_usage(key: &Key, usage: KeyUsage, operation: &str) -> KmsResult<()> {
    require_enabled(key)?;
    if key.usage != usage {
        return Err(wrong_usage(key, operation));
    }
    Ok(())
}

pub(crate) fn wrong_usage(key: &Key, operation: &str) -> KmsError {
    KmsError::new(
        ErrorCode::InvalidKeyUsageException,
        format!(
            "{} key usage is {} which is not valid for {operation}.",
            key.arn, key.usage
        ),
    )
}

/// An algorithm the key's spec does not support.
pub(crate) fn unsupported_algorithm(
    key: &Key,
    kind: &str,
    alg: &str,
    supported: &[String],
) -> KmsError {
    KmsError::new(
        ErrorCode::InvalidKeyUsageException,
        format!(
            "{kind} algorithm {alg} is not supported by {} (key spec {}); it supports {}.",
            key.arn,
            key.spec,
            supported.join(", ")
        ),
    )
}

/// A cryptographic failure as AWS's error.
pub(crate) fn crypto_error(e: CryptoError) -> KmsError {
    match e {
        CryptoError::Unsupported(what) => {
            KmsError::new(ErrorCode::UnsupportedOperationException, format!("{what}."))
        }
        CryptoError::BadInput(m) => KmsError::invalid(m),
        CryptoError::Internal => KmsError::internal("The key material could not be used."),
    }
}

/// Make sure the key has its material (scenario RSA keys get it on first use). The key is
/// touched like any changed key, so a durable world (`serve --state`) writes it with the
/// next change record, or in the snapshot at shutdown; decision: the first use itself
/// (a Sign, a GetPublicKey) is not a change of its own, so a crash before either would
/// give the key new material at the next start.
pub(crate) fn ensure_material(world: &mut World, key_id: &str) -> KmsResult<()> {
    let needs = world
        .keys
        .get(key_id)
        .is_some_and(|k| k.material.is_empty());
    if needs {
        let spec = world.keys.get(key_id).map(|k| k.spec);
        if let Some(spec) = spec {
            let material = key_material::generate(spec).map_err(crypto_error)?;
            world.touch_key(key_id);
            if let Some(k) = world.keys.get_mut(key_id) {
                k.material = material;
            }
        }
    }
    Ok(())
}

/// The encryption algorithm for an RSA ENCRYPT_DECRYPT key: required, and one of its own.
/// Encrypt: "This parameter is required only for asymmetric KMS keys. The default value,
/// SYMMETRIC_DEFAULT, is the algorithm used for symmetric encryption KMS keys."
pub(crate) fn rsa_algorithm(
    key: &Key,
    alg: Option<EncryptionAlgorithm>,
) -> KmsResult<EncryptionAlgorithm> {
    let supported = key_algorithms(key.spec, key.usage)
        .encryption
        .unwrap_or_default();
    match alg {
        Some(a) if supported.contains(&a) => Ok(a),
        other => Err(unsupported_algorithm(
            key,
            "Encryption",
            other.map_or("SYMMETRIC_DEFAULT", EncryptionAlgorithm::as_str),
            &supported.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        )),
    }
}

/// Refuse an encryption context on an asymmetric key.
pub(crate) fn no_context(context: Option<&EncryptionContext>) -> KmsResult<()> {
    if context.is_some_and(|c| !c.is_empty()) {
        return Err(KmsError::invalid(
            "EncryptionContext is not supported with asymmetric KMS keys.",
        ));
    }
    Ok(())
}

/// RSAES-OAEP encryption under the key's public key.
pub(crate) fn rsa_seal(
    key: &Key,
    alg: EncryptionAlgorithm,
    plaintext: &[u8],
) -> KmsResult<Vec<u8>> {
    key_material::rsa_encrypt(&key.material, alg, plaintext).map_err(crypto_error)
}

/// RSAES-OAEP decryption; a ciphertext that does not decrypt is InvalidCiphertextException.
pub(crate) fn rsa_open(
    key: &Key,
    alg: EncryptionAlgorithm,
    ciphertext: &[u8],
    invalid: impl FnOnce() -> KmsError,
) -> KmsResult<Vec<u8>> {
    key_material::rsa_decrypt(&key.material, alg, ciphertext)
        .map_err(crypto_error)?
        .ok_or_else(invalid)
}
