//! Signing operations: Sign, Verify and GetPublicKey, on asymmetric keys with real
//! signatures (`key_material`): RSASSA-PSS and PKCS #1 v1.5, ECDSA (DER-encoded, as AWS
//! returns them: "the signature ... is a DER-encoded object as defined by ANSI X9.62–2005
//! and RFC 3279 Section 2.2.3", Sign), Ed25519 and ML-DSA; MessageType RAW and DIGEST.
//!
//! Verify: "If the signature is verified, the value of the SignatureValid field in the
//! response is True. If the signature verification fails, the Verify operation fails with
//! an KMSInvalidSignatureException exception." (API Reference, Verify.)

use crate::kms::algorithms::key_algorithms;
use crate::kms::api_asymmetric::*;
use crate::kms::{
    ApiOperation, ErrorCode, GrantOperation, KeyUsage, KmsError, KmsResult, MessageType,
    SigningAlgorithm,
};

use super::asymmetric::{crypto_error, key_for_use, require_usage, unsupported_algorithm};
use super::key_material::{self, Signed};
use super::keys::require_enabled;
use super::validate;
use super::world::Key;
use super::{Caller, Simulator};

/// Message (PlaintextType): 1 to 4096 bytes, in the model's words.
pub(crate) fn check_message(field: &str, msg: &[u8]) -> KmsResult<()> {
    if msg.is_empty() || msg.len() > 4096 {
        return Err(KmsError::validation_hidden(
            field,
            if msg.is_empty() {
                "Member must have length greater than or equal to 1"
            } else {
                "Member must have length less than or equal to 4096"
            },
        ));
    }
    Ok(())
}

/// A blob of CiphertextType (Signature, Mac): 1 to 6144 bytes.
pub(crate) fn check_ciphertext_type(field: &str, b: &[u8]) -> KmsResult<()> {
    if b.is_empty() || b.len() > 6144 {
        return Err(KmsError::validation_hidden(
            field,
            if b.is_empty() {
                "Member must have length greater than or equal to 1"
            } else {
                "Member must have length less than or equal to 6144"
            },
        ));
    }
    Ok(())
}

/// The signing algorithm must be one of the key's ("The algorithm must be compatible with
/// the KMS key that you specify", Sign).
fn check_signing_algorithm(key: &Key, alg: SigningAlgorithm) -> KmsResult<()> {
    let supported = key_algorithms(key.spec, key.usage)
        .signing
        .unwrap_or_default();
    if supported.contains(&alg) {
        return Ok(());
    }
    let names: Vec<String> = supported.iter().map(|a| a.to_string()).collect();
    Err(unsupported_algorithm(key, "Signing", alg.as_str(), &names))
}

/// What to sign, by MessageType. "When the value of MessageType is EXTERNAL_MU the length
/// of the Message value must be 64 bytes"; EXTERNAL_MU is for ML-DSA only.
fn signed<'a>(
    alg: SigningAlgorithm,
    message_type: Option<MessageType>,
    msg: &'a [u8],
) -> KmsResult<Signed<'a>> {
    match message_type.unwrap_or(MessageType::Raw) {
        MessageType::Raw => Ok(Signed::Raw(msg)),
        MessageType::Digest if alg == SigningAlgorithm::MlDsaShake256 => Err(KmsError::invalid(
            "MessageType DIGEST is not valid with ML_DSA_SHAKE_256; use RAW or EXTERNAL_MU.",
        )),
        MessageType::Digest => {
            if alg.digest_len().is_some_and(|n| n != msg.len()) {
                return Err(KmsError::invalid(format!(
                    "Digest is invalid length for algorithm {alg}."
                )));
            }
            Ok(Signed::Digest(msg))
        }
        MessageType::ExternalMu if alg != SigningAlgorithm::MlDsaShake256 => Err(
            KmsError::invalid("MessageType EXTERNAL_MU is valid only with ML_DSA_SHAKE_256."),
        ),
        MessageType::ExternalMu => Err(KmsError::new(
            ErrorCode::UnsupportedOperationException,
            "MessageType EXTERNAL_MU is not available in the grantscope simulator (its ML-DSA library signs whole messages).",
        )),
    }
}

impl Simulator {
    pub fn sign(&mut self, caller: &Caller, req: SignRequest) -> KmsResult<SignResponse> {
        self.call(caller, ApiOperation::Sign, |world, rec| {
            validate::length("keyId", &req.key_id, 1, 2048)?;
            check_message("message", &req.message)?;
            let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
            let key = key_for_use(world, rec, &req.key_id, GrantOperation::Sign, &tokens)?;
            require_usage(key, KeyUsage::SignVerify, "Sign")?;
            check_signing_algorithm(key, req.signing_algorithm)?;
            let msg = signed(req.signing_algorithm, req.message_type, &req.message)?;
            validate::dry_run(req.dry_run)?;
            let signature = key_material::sign(key.spec, &key.material, req.signing_algorithm, msg)
                .map_err(crypto_error)?;
            Ok(SignResponse {
                key_id: key.arn.clone(),
                signature,
                signing_algorithm: req.signing_algorithm,
            })
        })
    }

    pub fn verify(&mut self, caller: &Caller, req: VerifyRequest) -> KmsResult<VerifyResponse> {
        self.call(caller, ApiOperation::Verify, |world, rec| {
            validate::length("keyId", &req.key_id, 1, 2048)?;
            check_message("message", &req.message)?;
            check_ciphertext_type("signature", &req.signature)?;
            let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
            let key = key_for_use(world, rec, &req.key_id, GrantOperation::Verify, &tokens)?;
            require_usage(key, KeyUsage::SignVerify, "Verify")?;
            check_signing_algorithm(key, req.signing_algorithm)?;
            let msg = signed(req.signing_algorithm, req.message_type, &req.message)?;
            validate::dry_run(req.dry_run)?;
            let valid = key_material::verify(
                key.spec,
                &key.material,
                req.signing_algorithm,
                msg,
                &req.signature,
            )
            .map_err(crypto_error)?;
            if !valid {
                // The API Reference's description of the error, as its message.
                return Err(KmsError::new(
                    ErrorCode::KmsInvalidSignatureException,
                    "The request was rejected because the signature verification failed. Signature verification fails when it cannot confirm that signature was produced by signing the specified message with the specified KMS key and signing algorithm.",
                ));
            }
            Ok(VerifyResponse {
                key_id: key.arn.clone(),
                signature_valid: true,
                signing_algorithm: req.signing_algorithm,
            })
        })
    }

    /// GetPublicKey: "To use this operation, the KeyUsage of the KMS key must be
    /// ENCRYPT_DECRYPT, SIGN_VERIFY, or KEY_AGREEMENT"; on a symmetric or HMAC key it is
    /// UnsupportedOperationException ("you cannot perform this operation on a symmetric
    /// encryption KMS key or an HMAC KMS key" is that error's own description).
    pub fn get_public_key(
        &mut self,
        caller: &Caller,
        req: GetPublicKeyRequest,
    ) -> KmsResult<GetPublicKeyResponse> {
        self.call(caller, ApiOperation::GetPublicKey, |world, rec| {
            validate::length("keyId", &req.key_id, 1, 2048)?;
            let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
            let key = key_for_use(
                world,
                rec,
                &req.key_id,
                GrantOperation::GetPublicKey,
                &tokens,
            )?;
            require_enabled(key)?;
            if key.spec.is_symmetric_encryption() || key.spec.is_hmac() {
                return Err(KmsError::new(
                    ErrorCode::UnsupportedOperationException,
                    format!(
                        "{} is a {} key; GetPublicKey needs an asymmetric KMS key.",
                        key.arn, key.spec
                    ),
                ));
            }
            let public_key =
                key_material::public_key_der(key.spec, &key.material).map_err(crypto_error)?;
            let algs = key_algorithms(key.spec, key.usage);
            Ok(GetPublicKeyResponse {
                key_id: key.arn.clone(),
                public_key,
                customer_master_key_spec: key.spec,
                key_spec: key.spec,
                key_usage: key.usage,
                encryption_algorithms: algs.encryption,
                signing_algorithms: algs.signing,
                key_agreement_algorithms: algs.key_agreement,
            })
        })
    }
}
