//! Key pairs and key agreement: GenerateDataKeyPair and
//! GenerateDataKeyPairWithoutPlaintext (a fresh asymmetric pair whose private key is
//! encrypted under a symmetric encryption KMS key, with the encryption context bound),
//! and DeriveSharedSecret (ECDH with a KEY_AGREEMENT key's private key).
//!
//! GenerateDataKeyPair: "the private key ... is a DER-encoded PKCS8 PrivateKeyInfo, and
//! the public key is a DER-encoded X.509 SubjectPublicKeyInfo" and "You must specify a
//! symmetric encryption KMS key to encrypt the private key in a data key pair. You cannot
//! use an asymmetric KMS key or a KMS key in a custom key store." (API Reference.)
//!
//! DeriveSharedSecret: the peer's PublicKey is "a DER-encoded X.509 public key, also known
//! as SubjectPublicKeyInfo (SPKI)", on the same curve; the response's SharedSecret is the
//! raw ECDH secret. Decision: Recipient (attestation) is refused, as in GenerateRandom.

use crate::kms::api_asymmetric::*;
use crate::kms::{
    ApiOperation, DataKeyPairSpec, EncryptionContext, ErrorCode, GrantOperation, KeyUsage,
    KmsError, KmsResult,
};

use super::asymmetric::{crypto_error, key_for_use, require_usage, wrong_usage};
use super::authorize::{AuthRequest, GrantUse};
use super::conditions::RequestFacts;
use super::key_material;
use super::keys::require_enabled;
use super::mac::refuse_recipient;
use super::validate::{self, CRYPTO};
use super::{CallRecord, Caller, Simulator};

/// A data key pair: (private key ciphertext, private key PKCS #8, public key SPKI, key ARN).
struct DataKeyPair {
    ciphertext: Vec<u8>,
    private_key: Vec<u8>,
    public_key: Vec<u8>,
    key_arn: String,
}

fn data_key_pair(
    world: &super::World,
    rec: &mut CallRecord,
    req: &GenerateDataKeyPairRequest,
    op: GrantOperation,
) -> KmsResult<DataKeyPair> {
    validate::length("keyId", &req.key_id, 1, 2048)?;
    let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
    let key = validate::resolve_key(world, &rec.caller, "keyId", &req.key_id, CRYPTO)?;
    rec.key_arn = Some(key.arn.clone());
    let context: EncryptionContext = req.encryption_context.clone().unwrap_or_default();
    let action = op.action();
    rec.authorize(
        world,
        &AuthRequest {
            action: &action,
            key: Some(key),
            grant_use: GrantUse::Operation {
                op,
                context: Some(&context),
            },
            token_grants: &tokens,
            facts: RequestFacts {
                encryption_context: Some(&context),
                request_alias: Some(req.key_id.as_str()).filter(|k| k.starts_with("alias/")),
                ..Default::default()
            },
        },
    )?;
    require_enabled(key)?;
    if !key.spec.is_symmetric_encryption() {
        return Err(wrong_usage(key, op.as_str()));
    }
    if req.key_pair_spec == DataKeyPairSpec::Sm2 {
        return Err(KmsError::new(
            ErrorCode::UnsupportedOperationException,
            "KeyPairSpec SM2 is supported only in China Regions.",
        ));
    }
    refuse_recipient(req.recipient.is_some())?;
    validate::dry_run(req.dry_run)?;
    let spec = req.key_pair_spec.key_spec();
    let private_key = key_material::generate(spec).map_err(crypto_error)?;
    let public_key = key_material::public_key_der(spec, &private_key).map_err(crypto_error)?;
    // Under the key's current material version (older ones after a rotation).
    let ciphertext = super::material::seal_current(key, &context, &private_key)
        .ok_or_else(|| KmsError::internal("encryption failed"))?;
    Ok(DataKeyPair {
        ciphertext,
        private_key,
        public_key,
        key_arn: key.arn.clone(),
    })
}

impl Simulator {
    pub fn generate_data_key_pair(
        &mut self,
        caller: &Caller,
        req: GenerateDataKeyPairRequest,
    ) -> KmsResult<GenerateDataKeyPairResponse> {
        self.call(caller, ApiOperation::GenerateDataKeyPair, |world, rec| {
            let pair = data_key_pair(world, rec, &req, GrantOperation::GenerateDataKeyPair)?;
            Ok(GenerateDataKeyPairResponse {
                private_key_ciphertext_blob: pair.ciphertext,
                private_key_plaintext: pair.private_key,
                public_key: pair.public_key,
                key_id: pair.key_arn,
                key_pair_spec: req.key_pair_spec,
            })
        })
    }

    pub fn generate_data_key_pair_without_plaintext(
        &mut self,
        caller: &Caller,
        req: GenerateDataKeyPairRequest,
    ) -> KmsResult<GenerateDataKeyPairWithoutPlaintextResponse> {
        self.call(
            caller,
            ApiOperation::GenerateDataKeyPairWithoutPlaintext,
            |world, rec| {
                let pair = data_key_pair(
                    world,
                    rec,
                    &req,
                    GrantOperation::GenerateDataKeyPairWithoutPlaintext,
                )?;
                Ok(GenerateDataKeyPairWithoutPlaintextResponse {
                    private_key_ciphertext_blob: pair.ciphertext,
                    public_key: pair.public_key,
                    key_id: pair.key_arn,
                    key_pair_spec: req.key_pair_spec,
                })
            },
        )
    }

    pub fn derive_shared_secret(
        &mut self,
        caller: &Caller,
        req: DeriveSharedSecretRequest,
    ) -> KmsResult<DeriveSharedSecretResponse> {
        self.call(caller, ApiOperation::DeriveSharedSecret, |world, rec| {
            validate::length("keyId", &req.key_id, 1, 2048)?;
            if req.public_key.is_empty() || req.public_key.len() > 8192 {
                return Err(KmsError::validation_hidden(
                    "publicKey",
                    if req.public_key.is_empty() {
                        "Member must have length greater than or equal to 1"
                    } else {
                        "Member must have length less than or equal to 8192"
                    },
                ));
            }
            let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
            let key = key_for_use(
                world,
                rec,
                &req.key_id,
                GrantOperation::DeriveSharedSecret,
                &tokens,
            )?;
            require_usage(key, KeyUsage::KeyAgreement, "DeriveSharedSecret")?;
            refuse_recipient(req.recipient.is_some())?;
            validate::dry_run(req.dry_run)?;
            let shared_secret = key_material::ecdh(key.spec, &key.material, &req.public_key)
                .map_err(crypto_error)?;
            Ok(DeriveSharedSecretResponse {
                key_id: key.arn.clone(),
                shared_secret,
                key_agreement_algorithm: req.key_agreement_algorithm,
                key_origin: "AWS_KMS".to_string(),
            })
        })
    }
}
