//! Imported key material: keys of Origin EXTERNAL, GetParametersForImport,
//! ImportKeyMaterial and DeleteImportedKeyMaterial, and expiry of the material by the
//! simulator clock. The wrapping is real: an RSA key pair per parameter set (aws-lc-rs),
//! RSA-OAEP unwrapping, and RSA + AES key wrap with padding (RFC 5649) for the
//! RSA_AES_KEY_WRAP algorithms.
//!
//! AWS's rules, from the API Reference and "Importing key material for AWS KMS keys":
//! - CreateKey with Origin EXTERNAL "creates a KMS key with no key material"; its state
//!   is PendingImport until material is imported.
//! - GetParametersForImport: "The public key and import token from the same response
//!   must be used together. These items are valid for 24 hours." The RSAES_PKCS1_V1_5
//!   wrapping algorithm "is no longer supported"; SM2 "is available only in China Regions".
//! - ImportKeyMaterial, ExpirationModel: "The default is KEY_MATERIAL_EXPIRES." "When the
//!   value of ExpirationModel is KEY_MATERIAL_EXPIRES, you must specify a value for the
//!   ValidTo parameter. When value is KEY_MATERIAL_DOES_NOT_EXPIRE, you must omit the
//!   ValidTo parameter." ValidTo: "The value of this parameter must be a future date and
//!   time. The maximum value is 365 days from the request date." "To use the KMS key in
//!   cryptographic operations, you must reimport the same key material"
//!   (IncorrectKeyMaterialException otherwise).
//! - "When the key material expires, AWS KMS deletes the key material and the KMS key
//!   becomes unusable ... the key state of the KMS key changes to PendingImport."
//!   DeleteImportedKeyMaterial does the same at once.
//!
//! Decisions: ValidTo alone means KEY_MATERIAL_EXPIRES (the default); neither is the
//! default without its ValidTo, a ValidationException. Only symmetric (SYMMETRIC_DEFAULT, 256-bit) material is
//! importable here, so CreateKey refuses EXTERNAL with another key spec; new material
//! for rotation (ImportType NEW_KEY_MATERIAL) is refused as unsupported. A key pending
//! deletion keeps that state when its material expires. The import token is
//! `[1][key uuid][parameter set id][HMAC]`, authenticated by the world's secret; each
//! key keeps its unexpired parameter sets (at most 10, oldest dropped), private keys
//! never leaving the world.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeySize, PrivateDecryptingKey};
use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::kms::api_admin::*;
use crate::kms::time::{epoch_seconds, from_epoch_seconds};
use crate::kms::{ApiOperation, ErrorCode, KeyState, KmsError, KmsResult, Timestamp};

use super::import_wrapping::{
    fingerprint, invalid_token, issue_token, read_token, unwrap, WrappingParams,
};
use super::keys::pending_deletion;
use super::keys_admin::admin_key;
use super::rotation::later;
use super::validate;
use super::world::Key;
use super::{Caller, Simulator};

const MAX_PARAMETER_SETS: usize = 10;

/// What a key of Origin EXTERNAL knows of its imported material.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Imported {
    /// SHA-256 of the key id and the first material imported: a reimport must match it.
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// Material is present (the key's `material` holds it).
    #[serde(default)]
    pub present: bool,
    #[serde(default)]
    pub expires: bool,
    #[serde(default)]
    pub valid_to: Option<Timestamp>,
    #[serde(default)]
    pub params: Vec<WrappingParams>,
}

/// DescribeKey's `ValidTo` and `ExpirationModel` for a key with imported material.
pub fn metadata_of(k: &Key) -> (Option<f64>, Option<String>) {
    match &k.imported {
        Some(i) if i.present => (
            i.valid_to.map(epoch_seconds),
            Some(
                if i.expires {
                    ExpirationModel::KeyMaterialExpires
                } else {
                    ExpirationModel::KeyMaterialDoesNotExpire
                }
                .to_string(),
            ),
        ),
        _ => (None, None),
    }
}

impl Key {
    /// `Origin` as DescribeKey and `kms:KeyOrigin` report it.
    pub fn origin_str(&self) -> &'static str {
        if self.imported.is_some() {
            "EXTERNAL"
        } else {
            "AWS_KMS"
        }
    }
}

/// When the key's imported material expires, if it does.
pub fn expiry_of(k: &Key) -> Option<Timestamp> {
    k.imported
        .as_ref()
        .filter(|i| i.present && i.expires)
        .and_then(|i| i.valid_to)
}

/// The key loses its material: PendingImport (a key pending deletion stays so).
pub fn expire(key: &mut Key) {
    if let Some(i) = key.imported.as_mut() {
        i.present = false;
        i.valid_to = None;
        i.expires = false;
    }
    key.material.clear();
    if key.state != KeyState::PendingDeletion {
        key.state = KeyState::PendingImport;
    }
}

/// A key that takes imported material (Origin EXTERNAL), not pending deletion.
fn external_key(key: &Key) -> KmsResult<()> {
    if key.imported.is_none() {
        return Err(KmsError::new(
            ErrorCode::UnsupportedOperationException,
            format!("{} has Origin AWS_KMS. Key material can be imported only into a KMS key whose Origin is EXTERNAL.", key.arn),
        ));
    }
    if key.state == KeyState::PendingDeletion {
        return Err(pending_deletion(key));
    }
    Ok(())
}

impl Simulator {
    pub fn get_parameters_for_import(
        &mut self,
        caller: &Caller,
        req: GetParametersForImportRequest,
    ) -> KmsResult<GetParametersForImportResponse> {
        self.call(caller, ApiOperation::GetParametersForImport, |world, rec| {
            let id = admin_key(world, rec, &req.key_id, "kms:GetParametersForImport")?;
            external_key(&world.keys[&id])?;
            let size = match req.wrapping_key_spec {
                WrappingKeySpec::Rsa2048 => KeySize::Rsa2048,
                WrappingKeySpec::Rsa3072 => KeySize::Rsa3072,
                WrappingKeySpec::Rsa4096 => KeySize::Rsa4096,
                WrappingKeySpec::Sm2 => {
                    return Err(KmsError::new(
                        ErrorCode::UnsupportedOperationException,
                        "The SM2 wrapping key spec is available only in China Regions.",
                    ))
                }
            };
            match req.wrapping_algorithm {
                WrappingAlgorithm::RsaesPkcs1V15 => {
                    return Err(KmsError::new(
                        ErrorCode::UnsupportedOperationException,
                        "The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported. Use RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1.",
                    ))
                }
                WrappingAlgorithm::Sm2Pke => {
                    return Err(KmsError::new(
                        ErrorCode::UnsupportedOperationException,
                        "The SM2PKE wrapping algorithm is available only in China Regions.",
                    ))
                }
                _ => {}
            }
            let private = PrivateDecryptingKey::generate(size)
                .map_err(|_| KmsError::internal("wrapping key generation failed"))?;
            let public = private
                .public_key()
                .as_der()
                .map_err(|_| KmsError::internal("wrapping key encoding failed"))?
                .as_ref()
                .to_vec();
            let pkcs8 = private
                .as_der()
                .map_err(|_| KmsError::internal("wrapping key encoding failed"))?
                .as_ref()
                .to_vec();
            let now = world.now();
            let valid_to = later(now, Duration::hours(24));
            let params_id = hex::encode(rand::random::<[u8; 16]>());
            let token = issue_token(&world.token_secret, &id, &params_id);
            world.touch_key(&id);
            let key = world
                .keys
                .get_mut(&id)
                .ok_or_else(|| KmsError::internal("key vanished"))?;
            let imported = key.imported.get_or_insert_with(Imported::default);
            imported.params.retain(|p| p.valid_to > now);
            if imported.params.len() >= MAX_PARAMETER_SETS {
                imported.params.remove(0);
            }
            imported.params.push(WrappingParams {
                id: params_id,
                algorithm: req.wrapping_algorithm,
                valid_to,
                private_pkcs8: pkcs8,
            });
            Ok(GetParametersForImportResponse {
                key_id: key.arn.clone(),
                import_token: token,
                public_key: public,
                parameters_valid_to: epoch_seconds(valid_to),
            })
        })
    }

    pub fn import_key_material(
        &mut self,
        caller: &Caller,
        req: ImportKeyMaterialRequest,
    ) -> KmsResult<KeyMaterialResponse> {
        self.call(caller, ApiOperation::ImportKeyMaterial, |world, rec| {
            // The members' own bounds first, as AWS's model validation does.
            validate::length("keyId", &req.key_id, 1, 2048)?;
            for (field, blob) in [
                ("importToken", &req.import_token),
                ("encryptedKeyMaterial", &req.encrypted_key_material),
            ] {
                if blob.is_empty() || blob.len() > 6144 {
                    return Err(KmsError::validation_hidden(
                        field,
                        if blob.is_empty() {
                            "Member must have length greater than or equal to 1"
                        } else {
                            "Member must have length less than or equal to 6144"
                        },
                    ));
                }
            }
            if let Some(d) = &req.key_material_description {
                validate::length("keyMaterialDescription", d, 0, 256)?;
            }
            if let Some(m) = &req.key_material_id {
                validate::length("keyMaterialId", m, 64, 64)?;
            }
            let now = world.now();
            let (expires, valid_to) = match (req.expiration_model, req.valid_to) {
                (Some(ExpirationModel::KeyMaterialDoesNotExpire), Some(_)) => {
                    return Err(KmsError::invalid(
                        "When the value of ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE, you must omit the ValidTo parameter.",
                    ))
                }
                (Some(ExpirationModel::KeyMaterialExpires) | None, None) => {
                    return Err(KmsError::invalid(
                        "When the value of ExpirationModel is KEY_MATERIAL_EXPIRES (the default), you must specify a value for the ValidTo parameter.",
                    ))
                }
                (_, Some(t)) => {
                    let t = from_epoch_seconds(t).ok_or_else(|| {
                        KmsError::invalid("ValidTo is not a valid timestamp.")
                    })?;
                    if t <= now || t > later(now, Duration::days(365)) {
                        return Err(KmsError::invalid(
                            "The value of ValidTo must be a future date and time. The maximum value is 365 days from the request date.",
                        ));
                    }
                    (true, Some(t))
                }
                (Some(ExpirationModel::KeyMaterialDoesNotExpire), None) => (false, None),
            };
            let id = admin_key(world, rec, &req.key_id, "kms:ImportKeyMaterial")?;
            let key = &world.keys[&id];
            external_key(key)?;
            if req.import_type == Some(ImportType::NewKeyMaterial) {
                return Err(KmsError::new(
                    ErrorCode::UnsupportedOperationException,
                    "Importing new key material for rotation (ImportType NEW_KEY_MATERIAL) is not supported by the grantscope simulator.",
                ));
            }
            let params_id =
                read_token(&world.token_secret, &id, &req.import_token).ok_or_else(invalid_token)?;
            let imported = key.imported.as_ref().ok_or_else(invalid_token)?;
            let params = imported
                .params
                .iter()
                .find(|p| p.id == params_id)
                .filter(|p| p.valid_to > now)
                .ok_or_else(|| {
                    KmsError::new(
                        ErrorCode::ExpiredImportTokenException,
                        "The import token is expired. Use GetParametersForImport to get a new import token and public key, use the new public key to encrypt the key material, and then try the request again.",
                    )
                })?;
            let material = unwrap(params, &req.encrypted_key_material).ok_or_else(|| {
                KmsError::new(
                    ErrorCode::InvalidCiphertextException,
                    "The encrypted key material could not be decrypted with the wrapping key and algorithm of the import token.",
                )
            })?;
            let incorrect = || {
                KmsError::new(
                    ErrorCode::IncorrectKeyMaterialException,
                    "The key material in the request is, expired, invalid, or is not the same key material that was previously imported into this KMS key.",
                )
            };
            if material.len() != 32 {
                return Err(incorrect());
            }
            let print = fingerprint(&id, &material);
            if imported.fingerprint.as_ref().is_some_and(|f| *f != print) {
                return Err(incorrect());
            }
            let material_id = key.material_id(0);
            if req.key_material_id.as_ref().is_some_and(|m| *m != material_id) {
                return Err(incorrect());
            }
            world.touch_key(&id);
            let key = world
                .keys
                .get_mut(&id)
                .ok_or_else(|| KmsError::internal("key vanished"))?;
            key.material = material;
            if key.state == KeyState::PendingImport {
                key.state = KeyState::Enabled;
            }
            if let Some(i) = key.imported.as_mut() {
                i.fingerprint = Some(print);
                i.present = true;
                i.expires = expires;
                i.valid_to = valid_to;
            }
            if let Some(t) = valid_to {
                world.idx.key_timers.insert((t, id.clone()));
            }
            let key = &world.keys[&id];
            Ok(KeyMaterialResponse {
                key_id: key.arn.clone(),
                key_material_id: material_id,
            })
        })
    }

    pub fn delete_imported_key_material(
        &mut self,
        caller: &Caller,
        req: DeleteImportedKeyMaterialRequest,
    ) -> KmsResult<KeyMaterialResponse> {
        self.call(
            caller,
            ApiOperation::DeleteImportedKeyMaterial,
            |world, rec| {
                if let Some(m) = &req.key_material_id {
                    validate::length("keyMaterialId", m, 64, 64)?;
                }
                let id = admin_key(world, rec, &req.key_id, "kms:DeleteImportedKeyMaterial")?;
                external_key(&world.keys[&id])?;
                world.touch_key(&id);
                let key = world
                    .keys
                    .get_mut(&id)
                    .ok_or_else(|| KmsError::internal("key vanished"))?;
                expire(key);
                Ok(KeyMaterialResponse {
                    key_id: key.arn.clone(),
                    key_material_id: key.material_id(0),
                })
            },
        )
    }
}
