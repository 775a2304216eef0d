//! Cryptographic operations: Encrypt, Decrypt, ReEncrypt, GenerateDataKey and
//! GenerateDataKeyWithoutPlaintext. Authorized per key (grants with constraints apply),
//! refused on keys that are not enabled, and real AES-256-GCM underneath.

use crate::kms::api::*;
use crate::kms::error::quoted;
use crate::kms::{
    ApiOperation, EncryptionContext, ErrorCode, GrantId, GrantOperation, KeyUsage, KmsError,
    KmsResult,
};

use super::authorize::{AuthRequest, GrantUse};
use super::conditions::RequestFacts;
use super::keys::require_enabled;
use super::validate::{self, CRYPTO};
use super::world::{Key, World};
use super::{crypto, CallRecord, Caller, Simulator};

const SYMMETRIC_DEFAULT: &str = "SYMMETRIC_DEFAULT";

/// Decision: AWS often sends this error with an empty message, which SDKs then show as
/// "UnknownError"; we send the API Reference's own description of the error (Decrypt,
/// ReEncrypt: "the specified ciphertext, or additional authenticated data incorporated into
/// the ciphertext, such as the encryption context, is corrupted, missing, or otherwise
/// invalid"), so a person reading it learns what to check.
fn invalid_ciphertext() -> KmsError {
    KmsError::new(
        ErrorCode::InvalidCiphertextException,
        "The request was rejected because the specified ciphertext, or additional authenticated data incorporated into the ciphertext, such as the encryption context, is corrupted, missing, or otherwise invalid.",
    )
}

fn check_algorithm(field: &str, alg: Option<&str>) -> KmsResult<()> {
    match alg {
        None | Some(SYMMETRIC_DEFAULT) => Ok(()),
        Some(a @ ("RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256" | "SM2PKE")) => Err(KmsError::new(
            ErrorCode::InvalidKeyUsageException,
            format!("Encryption algorithm {a} is not supported by symmetric encryption KMS keys."),
        )),
        Some(a) => Err(KmsError::validation(
            &quoted(a),
            field,
            "Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]",
        )),
    }
}

/// The key must be usable and a symmetric encryption key.
fn require_symmetric(k: &Key, operation: &str) -> KmsResult<()> {
    require_enabled(k)?;
    if k.usage != KeyUsage::EncryptDecrypt {
        return Err(KmsError::new(
            ErrorCode::InvalidKeyUsageException,
            format!(
                "{} key usage is {} which is not valid for {operation}.",
                k.arn, k.usage
            ),
        ));
    }
    if !k.spec.is_symmetric_encryption() {
        return Err(KmsError::new(
            ErrorCode::UnsupportedOperationException,
            format!(
                "{} is an asymmetric key ({}); the grantscope simulator performs symmetric encryption only.",
                k.arn, k.spec
            ),
        ));
    }
    Ok(())
}

/// Authorize one use of `key` for `op` with this context.
fn authorize_use(
    world: &World,
    rec: &mut CallRecord,
    key: &Key,
    op: GrantOperation,
    context: &EncryptionContext,
    tokens: &[GrantId],
    key_input: Option<&str>,
) -> KmsResult<()> {
    let action = op.action();
    rec.authorize(
        world,
        &AuthRequest {
            action: &action,
            key: Some(key),
            grant_use: GrantUse::Operation {
                op,
                context: Some(context),
            },
            token_grants: tokens,
            facts: RequestFacts {
                encryption_context: Some(context),
                encryption_algorithm: Some(SYMMETRIC_DEFAULT),
                request_alias: key_input.filter(|k| k.starts_with("alias/")),
                ..Default::default()
            },
        },
    )
}

/// The key a ciphertext blob names, in the caller's `region` (InvalidCiphertextException
/// when none). A multi-Region key's related keys share its id and material, so a
/// ciphertext of one decrypts with another in its own region.
fn blob_key<'w>(world: &'w World, region: &str, blob: &[u8]) -> KmsResult<&'w Key> {
    let id = crypto::blob_key_id(blob).ok_or_else(invalid_ciphertext)?;
    world.key_in(region, &id).ok_or_else(invalid_ciphertext)
}

fn incorrect_key() -> KmsError {
    KmsError::new(
        ErrorCode::IncorrectKeyException,
        "The key ID in the request does not identify a CMK that can perform this operation.",
    )
}

fn data_key_length(number_of_bytes: Option<i64>, key_spec: Option<&str>) -> KmsResult<usize> {
    match (number_of_bytes, key_spec) {
        (Some(_), Some(_)) => Err(KmsError::invalid(
            "Please specify either number of bytes or key spec, not both.",
        )),
        (None, None) => Err(KmsError::invalid(
            "Please specify either number of bytes or key spec.",
        )),
        (Some(n), None) if !(1..=1024).contains(&n) => Err(KmsError::validation(
            &quoted(&n.to_string()),
            "numberOfBytes",
            if n < 1 {
                "Member must have value greater than or equal to 1"
            } else {
                "Member must have value less than or equal to 1024"
            },
        )),
        (Some(n), None) => Ok(n as usize),
        (None, Some("AES_256")) => Ok(32),
        (None, Some("AES_128")) => Ok(16),
        (None, Some(other)) => Err(KmsError::validation(
            &quoted(other),
            "keySpec",
            "Member must satisfy enum value set: [AES_256, AES_128]",
        )),
    }
}

fn seal(key: &Key, context: &EncryptionContext, plaintext: &[u8]) -> KmsResult<Vec<u8>> {
    crypto::seal(&key.material, &key.id, context, plaintext)
        .ok_or_else(|| KmsError::internal("encryption failed"))
}

impl Simulator {
    pub fn encrypt(&mut self, caller: &Caller, req: EncryptRequest) -> KmsResult<EncryptResponse> {
        self.call(caller, ApiOperation::Encrypt, |world, rec| {
            if req.plaintext.is_empty() || req.plaintext.len() > 4096 {
                return Err(KmsError::validation_hidden(
                    "plaintext",
                    if req.plaintext.is_empty() {
                        "Member must have length greater than or equal to 1"
                    } else {
                        "Member must have length less than or equal to 4096"
                    },
                ));
            }
            check_algorithm("encryptionAlgorithm", req.encryption_algorithm.as_deref())?;
            let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
            let key = validate::resolve_key(world, &rec.caller, "keyId", &req.key_id, CRYPTO)?;
            rec.key_arn = Some(key.arn.clone());
            let context = req.encryption_context.clone().unwrap_or_default();
            authorize_use(
                world,
                rec,
                key,
                GrantOperation::Encrypt,
                &context,
                &tokens,
                Some(&req.key_id),
            )?;
            require_symmetric(key, "Encrypt")?;
            validate::dry_run(req.dry_run)?;
            Ok(EncryptResponse {
                ciphertext_blob: seal(key, &context, &req.plaintext)?,
                key_id: key.arn.clone(),
                encryption_algorithm: SYMMETRIC_DEFAULT.to_string(),
            })
        })
    }

    pub fn decrypt(&mut self, caller: &Caller, req: DecryptRequest) -> KmsResult<DecryptResponse> {
        self.call(caller, ApiOperation::Decrypt, |world, rec| {
            if req.ciphertext_blob.is_empty() || req.ciphertext_blob.len() > 6144 {
                return Err(KmsError::validation_hidden(
                    "ciphertextBlob",
                    if req.ciphertext_blob.is_empty() {
                        "Member must have length greater than or equal to 1"
                    } else {
                        "Member must have length less than or equal to 6144"
                    },
                ));
            }
            check_algorithm("encryptionAlgorithm", req.encryption_algorithm.as_deref())?;
            let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
            let requested = match &req.key_id {
                Some(k) => Some(validate::resolve_key(
                    world,
                    &rec.caller,
                    "keyId",
                    k,
                    CRYPTO,
                )?),
                None => None,
            };
            let key = blob_key(world, &rec.caller.region, &req.ciphertext_blob)?;
            if requested.is_some_and(|r| r.id != key.id) {
                return Err(incorrect_key());
            }
            rec.key_arn = Some(key.arn.clone());
            let context = req.encryption_context.clone().unwrap_or_default();
            authorize_use(
                world,
                rec,
                key,
                GrantOperation::Decrypt,
                &context,
                &tokens,
                req.key_id.as_deref(),
            )?;
            require_symmetric(key, "Decrypt")?;
            validate::dry_run(req.dry_run)?;
            let plaintext = crypto::open(&key.material, &req.ciphertext_blob, &context)
                .ok_or_else(invalid_ciphertext)?;
            Ok(DecryptResponse {
                key_id: key.arn.clone(),
                plaintext,
                encryption_algorithm: SYMMETRIC_DEFAULT.to_string(),
            })
        })
    }

    pub fn re_encrypt(
        &mut self,
        caller: &Caller,
        req: ReEncryptRequest,
    ) -> KmsResult<ReEncryptResponse> {
        self.call(caller, ApiOperation::ReEncrypt, |world, rec| {
            if req.ciphertext_blob.is_empty() || req.ciphertext_blob.len() > 6144 {
                return Err(KmsError::validation_hidden(
                    "ciphertextBlob",
                    "Member must have length between 1 and 6144",
                ));
            }
            check_algorithm(
                "sourceEncryptionAlgorithm",
                req.source_encryption_algorithm.as_deref(),
            )?;
            check_algorithm(
                "destinationEncryptionAlgorithm",
                req.destination_encryption_algorithm.as_deref(),
            )?;
            let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
            let requested = match &req.source_key_id {
                Some(k) => Some(validate::resolve_key(
                    world,
                    &rec.caller,
                    "sourceKeyId",
                    k,
                    CRYPTO,
                )?),
                None => None,
            };
            let dest = validate::resolve_key(
                world,
                &rec.caller,
                "destinationKeyId",
                &req.destination_key_id,
                CRYPTO,
            )?;
            let source = blob_key(world, &rec.caller.region, &req.ciphertext_blob)?;
            if requested.is_some_and(|r| r.id != source.id) {
                return Err(incorrect_key());
            }
            rec.key_arn = Some(source.arn.clone());
            let source_ctx = req.source_encryption_context.clone().unwrap_or_default();
            let dest_ctx = req
                .destination_encryption_context
                .clone()
                .unwrap_or_default();
            authorize_use(
                world,
                rec,
                source,
                GrantOperation::ReEncryptFrom,
                &source_ctx,
                &tokens,
                req.source_key_id.as_deref(),
            )?;
            authorize_use(
                world,
                rec,
                dest,
                GrantOperation::ReEncryptTo,
                &dest_ctx,
                &tokens,
                Some(&req.destination_key_id),
            )?;
            require_symmetric(source, "ReEncrypt")?;
            require_symmetric(dest, "ReEncrypt")?;
            validate::dry_run(req.dry_run)?;
            let plaintext = crypto::open(&source.material, &req.ciphertext_blob, &source_ctx)
                .ok_or_else(invalid_ciphertext)?;
            Ok(ReEncryptResponse {
                ciphertext_blob: seal(dest, &dest_ctx, &plaintext)?,
                source_key_id: source.arn.clone(),
                key_id: dest.arn.clone(),
                source_encryption_algorithm: SYMMETRIC_DEFAULT.to_string(),
                destination_encryption_algorithm: SYMMETRIC_DEFAULT.to_string(),
            })
        })
    }

    pub fn generate_data_key(
        &mut self,
        caller: &Caller,
        req: GenerateDataKeyRequest,
    ) -> KmsResult<GenerateDataKeyResponse> {
        self.call(caller, ApiOperation::GenerateDataKey, |world, rec| {
            let (key, context, plaintext) =
                data_key(world, rec, &req, GrantOperation::GenerateDataKey)?;
            Ok(GenerateDataKeyResponse {
                ciphertext_blob: seal(key, &context, &plaintext)?,
                plaintext,
                key_id: key.arn.clone(),
            })
        })
    }

    pub fn generate_data_key_without_plaintext(
        &mut self,
        caller: &Caller,
        req: GenerateDataKeyRequest,
    ) -> KmsResult<GenerateDataKeyWithoutPlaintextResponse> {
        self.call(
            caller,
            ApiOperation::GenerateDataKeyWithoutPlaintext,
            |world, rec| {
                let (key, context, plaintext) = data_key(
                    world,
                    rec,
                    &req,
                    GrantOperation::GenerateDataKeyWithoutPlaintext,
                )?;
                Ok(GenerateDataKeyWithoutPlaintextResponse {
                    ciphertext_blob: seal(key, &context, &plaintext)?,
                    key_id: key.arn.clone(),
                })
            },
        )
    }
}

/// The shared part of both GenerateDataKey operations: validate, authorize, make the key.
fn data_key<'w>(
    world: &'w World,
    rec: &mut CallRecord,
    req: &GenerateDataKeyRequest,
    op: GrantOperation,
) -> KmsResult<(&'w Key, EncryptionContext, Vec<u8>)> {
    // The members' own bounds first, as AWS's model validation does.
    validate::length("keyId", &req.key_id, 1, 2048)?;
    let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
    let len = data_key_length(req.number_of_bytes, req.key_spec.as_deref())?;
    let key = validate::resolve_key(world, &rec.caller, "keyId", &req.key_id, CRYPTO)?;
    rec.key_arn = Some(key.arn.clone());
    let context = req.encryption_context.clone().unwrap_or_default();
    authorize_use(world, rec, key, op, &context, &tokens, Some(&req.key_id))?;
    require_symmetric(key, op.as_str())?;
    validate::dry_run(req.dry_run)?;
    let plaintext: Vec<u8> = (0..len).map(|_| rand::random::<u8>()).collect();
    Ok((key, context, plaintext))
}
