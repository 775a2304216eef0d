//! Cryptographic operations: Encrypt, Decrypt, ReEncrypt, GenerateDataKey and
//! GenerateDataKeyWithoutPlaintext. Authorized per key (grants with constraints apply),
//! refused on keys that are not enabled, and real AES-256-GCM underneath.

use crate::kms::api::*;
use crate::kms::error::quoted;
use crate::kms::{
    ApiOperation, EncryptionAlgorithm, EncryptionContext, ErrorCode, GrantId, GrantOperation,
    KeyUsage, KmsError, KmsResult,
};

use super::asymmetric;
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

/// An `EncryptionAlgorithm` member: one of AWS's enum values (ValidationException
/// otherwise). Whether it suits the key is checked once the key is known.
fn check_algorithm(field: &str, alg: Option<&str>) -> KmsResult<Option<EncryptionAlgorithm>> {
    match alg {
        None => Ok(None),
        Some(a) => a.parse().map(Some).map_err(|()| {
            KmsError::validation(
                &quoted(a),
                field,
                "Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]",
            )
        }),
    }
}

/// A symmetric key takes SYMMETRIC_DEFAULT only.
fn symmetric_algorithm(alg: Option<EncryptionAlgorithm>) -> KmsResult<()> {
    match alg {
        None | Some(EncryptionAlgorithm::SymmetricDefault) => Ok(()),
        Some(a) => Err(KmsError::new(
            ErrorCode::InvalidKeyUsageException,
            format!("Encryption algorithm {a} is not supported by symmetric encryption KMS keys."),
        )),
    }
}

/// An RSA ENCRYPT_DECRYPT key (the asymmetric encryption keys the simulator has).
fn is_asymmetric_encryption(k: &Key) -> bool {
    !k.spec.is_symmetric_encryption() && k.usage == KeyUsage::EncryptDecrypt
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
            ErrorCode::InvalidKeyUsageException,
            format!(
                "{} is an asymmetric key ({}), which {operation} cannot use.",
                k.arn, k.spec
            ),
        ));
    }
    Ok(())
}

/// How the request named the key and the encryption algorithm (condition keys).
struct RequestNames<'a> {
    key_input: Option<&'a str>,
    algorithm: &'a str,
}

/// Authorize one use of `key` for `op` with this context.
fn authorize_use(
    world: &World,
    rec: &mut CallRecord,
    key: &Key,
    op: GrantOperation,
    context: &EncryptionContext,
    tokens: &[GrantId],
    request: RequestNames,
) -> KmsResult<()> {
    let RequestNames {
        key_input,
        algorithm,
    } = request;
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
                encryption_algorithm: Some(algorithm),
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
    super::material::seal_current(key, context, plaintext)
        .ok_or_else(|| KmsError::internal("encryption failed"))
}

/// The algorithm a request names, as the authorization facts carry it.
fn alg_name(alg: Option<EncryptionAlgorithm>) -> &'static str {
    alg.map_or(SYMMETRIC_DEFAULT, EncryptionAlgorithm::as_str)
}

/// Encrypt under `key`: AES-GCM for a symmetric key, RSAES-OAEP for an RSA key (which
/// takes no encryption context). Returns the ciphertext and the algorithm used.
fn encrypt_under(
    key: &Key,
    alg: Option<EncryptionAlgorithm>,
    context: Option<&EncryptionContext>,
    plaintext: &[u8],
) -> KmsResult<(Vec<u8>, EncryptionAlgorithm)> {
    if is_asymmetric_encryption(key) {
        let alg = asymmetric::rsa_algorithm(key, alg)?;
        asymmetric::no_context(context)?;
        Ok((asymmetric::rsa_seal(key, alg, plaintext)?, alg))
    } else {
        symmetric_algorithm(alg)?;
        let ctx = context.cloned().unwrap_or_default();
        Ok((
            seal(key, &ctx, plaintext)?,
            EncryptionAlgorithm::SymmetricDefault,
        ))
    }
}

/// Decrypt with `key` (already known to be the ciphertext's key).
fn decrypt_with(
    key: &Key,
    alg: Option<EncryptionAlgorithm>,
    context: Option<&EncryptionContext>,
    ciphertext: &[u8],
) -> KmsResult<(Vec<u8>, EncryptionAlgorithm)> {
    if is_asymmetric_encryption(key) {
        let alg = asymmetric::rsa_algorithm(key, alg)?;
        asymmetric::no_context(context)?;
        Ok((
            asymmetric::rsa_open(key, alg, ciphertext, invalid_ciphertext)?,
            alg,
        ))
    } else {
        symmetric_algorithm(alg)?;
        let ctx = context.cloned().unwrap_or_default();
        // The material version the ciphertext names (older material after a rotation).
        let plaintext =
            super::material::open_blob(key, ciphertext, &ctx).ok_or_else(invalid_ciphertext)?;
        Ok((plaintext, EncryptionAlgorithm::SymmetricDefault))
    }
}

/// The key a ciphertext belongs to. A symmetric ciphertext names its key; an asymmetric
/// one is raw RSA and names nothing, so the request's key is the key: "If the ciphertext
/// was encrypted under an asymmetric KMS key, you must specify the KMS key and the
/// encryption algorithm that was used" (Decrypt, KeyId).
fn ciphertext_key<'w>(
    world: &'w World,
    region: &str,
    requested: Option<&'w Key>,
    blob: &[u8],
) -> KmsResult<&'w Key> {
    match requested {
        Some(r) if is_asymmetric_encryption(r) => Ok(r),
        Some(r) => {
            let key = blob_key(world, region, blob)?;
            if r.id != key.id {
                return Err(incorrect_key());
            }
            Ok(key)
        }
        None => blob_key(world, region, blob),
    }
}

/// Resolve an optional key member and give its key material if it is an RSA key left to
/// first use. Returns the key's slot in the world's key map (its id; region-qualified for
/// a multi-Region key: `regions.rs`).
fn optional_key_id(
    world: &mut World,
    rec: &CallRecord,
    field: &str,
    input: Option<&str>,
) -> KmsResult<Option<String>> {
    let Some(input) = input else {
        return Ok(None);
    };
    let slot = validate::resolve_key(world, &rec.caller, field, input, CRYPTO)?
        .slot()
        .into_owned();
    asymmetric::ensure_material(world, &slot)?;
    Ok(Some(slot))
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
            let alg = check_algorithm("encryptionAlgorithm", req.encryption_algorithm.as_deref())?;
            world.create_managed_key_on_service_use(&rec.caller, &req.key_id);
            let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
            let id = optional_key_id(world, rec, "keyId", Some(&req.key_id))?.unwrap_or_default();
            let key = world
                .keys
                .get(&id)
                .ok_or_else(|| KmsError::internal("key vanished"))?;
            rec.key_arn = Some(key.arn.clone());
            let context = req.encryption_context.clone().unwrap_or_default();
            authorize_use(
                world,
                rec,
                key,
                GrantOperation::Encrypt,
                &context,
                &tokens,
                RequestNames {
                    key_input: Some(&req.key_id),
                    algorithm: alg_name(alg),
                },
            )?;
            if !is_asymmetric_encryption(key) {
                require_symmetric(key, "Encrypt")?;
            }
            require_enabled(key)?;
            // Check the algorithm and context before a dry run answers.
            if is_asymmetric_encryption(key) {
                asymmetric::rsa_algorithm(key, alg)?;
                asymmetric::no_context(req.encryption_context.as_ref())?;
            } else {
                symmetric_algorithm(alg)?;
            }
            validate::dry_run(req.dry_run)?;
            let (ciphertext_blob, used) =
                encrypt_under(key, alg, req.encryption_context.as_ref(), &req.plaintext)?;
            Ok(EncryptResponse {
                ciphertext_blob,
                key_id: key.arn.clone(),
                encryption_algorithm: used.to_string(),
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
            let alg = check_algorithm("encryptionAlgorithm", req.encryption_algorithm.as_deref())?;
            let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
            let requested = optional_key_id(world, rec, "keyId", req.key_id.as_deref())?;
            let region = rec.caller.region.clone();
            let requested = requested.as_ref().and_then(|slot| world.keys.get(slot));
            let key = ciphertext_key(world, &region, requested, &req.ciphertext_blob)?;
            rec.key_arn = Some(key.arn.clone());
            let context = req.encryption_context.clone().unwrap_or_default();
            authorize_use(
                world,
                rec,
                key,
                GrantOperation::Decrypt,
                &context,
                &tokens,
                RequestNames {
                    key_input: req.key_id.as_deref(),
                    algorithm: alg_name(alg),
                },
            )?;
            if !is_asymmetric_encryption(key) {
                require_symmetric(key, "Decrypt")?;
            }
            require_enabled(key)?;
            if is_asymmetric_encryption(key) {
                asymmetric::rsa_algorithm(key, alg)?;
            }
            validate::dry_run(req.dry_run)?;
            let (plaintext, used) = decrypt_with(
                key,
                alg,
                req.encryption_context.as_ref(),
                &req.ciphertext_blob,
            )?;
            Ok(DecryptResponse {
                key_id: key.arn.clone(),
                plaintext,
                encryption_algorithm: used.to_string(),
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
            let source_alg = check_algorithm(
                "sourceEncryptionAlgorithm",
                req.source_encryption_algorithm.as_deref(),
            )?;
            let dest_alg = check_algorithm(
                "destinationEncryptionAlgorithm",
                req.destination_encryption_algorithm.as_deref(),
            )?;
            let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
            let requested =
                optional_key_id(world, rec, "sourceKeyId", req.source_key_id.as_deref())?;
            let dest_id = optional_key_id(
                world,
                rec,
                "destinationKeyId",
                Some(&req.destination_key_id),
            )?
            .unwrap_or_default();
            let region = rec.caller.region.clone();
            let requested = requested.as_ref().and_then(|slot| world.keys.get(slot));
            let dest = world
                .keys
                .get(&dest_id)
                .ok_or_else(|| KmsError::internal("key vanished"))?;
            let source = ciphertext_key(world, &region, requested, &req.ciphertext_blob)?;
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
                RequestNames {
                    key_input: req.source_key_id.as_deref(),
                    algorithm: alg_name(source_alg),
                },
            )?;
            authorize_use(
                world,
                rec,
                dest,
                GrantOperation::ReEncryptTo,
                &dest_ctx,
                &tokens,
                RequestNames {
                    key_input: Some(&req.destination_key_id),
                    algorithm: alg_name(dest_alg),
                },
            )?;
            for k in [source, dest] {
                if !is_asymmetric_encryption(k) {
                    require_symmetric(k, "ReEncrypt")?;
                }
                require_enabled(k)?;
            }
            validate::dry_run(req.dry_run)?;
            let (plaintext, source_used) = decrypt_with(
                source,
                source_alg,
                req.source_encryption_context.as_ref(),
                &req.ciphertext_blob,
            )?;
            let (ciphertext_blob, dest_used) = encrypt_under(
                dest,
                dest_alg,
                req.destination_encryption_context.as_ref(),
                &plaintext,
            )?;
            Ok(ReEncryptResponse {
                ciphertext_blob,
                source_key_id: source.arn.clone(),
                key_id: dest.arn.clone(),
                source_encryption_algorithm: source_used.to_string(),
                destination_encryption_algorithm: dest_used.to_string(),
            })
        })
    }

    pub fn generate_data_key(
        &mut self,
        caller: &Caller,
        req: GenerateDataKeyRequest,
    ) -> KmsResult<GenerateDataKeyResponse> {
        self.call(caller, ApiOperation::GenerateDataKey, |world, rec| {
            world.create_managed_key_on_service_use(&rec.caller, &req.key_id);
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
                world.create_managed_key_on_service_use(&rec.caller, &req.key_id);
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
    authorize_use(
        world,
        rec,
        key,
        op,
        &context,
        &tokens,
        RequestNames {
            key_input: Some(&req.key_id),
            algorithm: SYMMETRIC_DEFAULT,
        },
    )?;
    require_symmetric(key, op.as_str())?;
    validate::dry_run(req.dry_run)?;
    let plaintext: Vec<u8> = (0..len).map(|_| rand::random::<u8>()).collect();
    Ok((key, context, plaintext))
}
