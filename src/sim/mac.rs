//! HMAC and randomness: GenerateMac and VerifyMac on HMAC keys (RFC 2104 through
//! aws-lc-rs), and GenerateRandom.
//!
//! VerifyMac: "If the HMAC is verified, the value of the MacValid field in the response
//! is True. If the HMAC is not verified, the VerifyMac operation fails with a
//! KMSInvalidMacException exception." (API Reference, VerifyMac.)
//!
//! GenerateRandom is authorized by IAM alone ("Required permissions: kms:GenerateRandom
//! (IAM policy)"; it names no key). Decisions: a CustomKeyStoreId names a store that does
//! not exist here (CustomKeyStoreNotFoundException, as CreateKey answers it); a Recipient
//! (a Nitro enclave's attestation document) cannot be verified by the simulator and is
//! refused with UnsupportedOperationException rather than silently ignored.

use crate::kms::algorithms::key_algorithms;
use crate::kms::api_asymmetric::*;
use crate::kms::error::quoted;
use crate::kms::{ApiOperation, ErrorCode, GrantOperation, KeyUsage, KmsError, KmsResult};

use super::asymmetric::{authorize_key_use, require_usage, unsupported_algorithm};
use super::authorize::{AuthRequest, GrantUse};
use super::conditions::RequestFacts;
use super::key_material;
use super::signing::{check_ciphertext_type, check_message};
use super::validate::{self, CRYPTO};
use super::world::Key;
use super::{Caller, Simulator};

fn check_mac_algorithm(key: &Key, alg: crate::kms::MacAlgorithm) -> KmsResult<()> {
    let supported = key_algorithms(key.spec, key.usage).mac.unwrap_or_default();
    if supported.contains(&alg) {
        return Ok(());
    }
    let names: Vec<String> = supported.iter().map(|a| a.to_string()).collect();
    Err(unsupported_algorithm(key, "MAC", alg.as_str(), &names))
}

pub(crate) fn refuse_recipient(present: bool) -> KmsResult<()> {
    if present {
        return Err(KmsError::new(
            ErrorCode::UnsupportedOperationException,
            "Recipient (an attestation document) is not supported by the grantscope simulator: it cannot verify Nitro attestation.",
        ));
    }
    Ok(())
}

impl Simulator {
    pub fn generate_mac(
        &mut self,
        caller: &Caller,
        req: GenerateMacRequest,
    ) -> KmsResult<GenerateMacResponse> {
        self.call(caller, ApiOperation::GenerateMac, |world, rec| {
            check_message("message", &req.message)?;
            validate::length("keyId", &req.key_id, 1, 2048)?;
            let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
            let key = validate::resolve_key(world, &rec.caller, "keyId", &req.key_id, CRYPTO)?;
            rec.key_arn = Some(key.arn.clone());
            authorize_key_use(
                world,
                rec,
                key,
                GrantOperation::GenerateMac,
                &tokens,
                &req.key_id,
                None,
            )?;
            require_usage(key, KeyUsage::GenerateVerifyMac, "GenerateMac")?;
            check_mac_algorithm(key, req.mac_algorithm)?;
            validate::dry_run(req.dry_run)?;
            Ok(GenerateMacResponse {
                mac: key_material::mac(&key.material, req.mac_algorithm, &req.message),
                mac_algorithm: req.mac_algorithm,
                key_id: key.arn.clone(),
            })
        })
    }

    pub fn verify_mac(
        &mut self,
        caller: &Caller,
        req: VerifyMacRequest,
    ) -> KmsResult<VerifyMacResponse> {
        self.call(caller, ApiOperation::VerifyMac, |world, rec| {
            check_message("message", &req.message)?;
            validate::length("keyId", &req.key_id, 1, 2048)?;
            check_ciphertext_type("mac", &req.mac)?;
            let tokens = validate::grant_tokens(world, req.grant_tokens.as_deref())?;
            let key = validate::resolve_key(world, &rec.caller, "keyId", &req.key_id, CRYPTO)?;
            rec.key_arn = Some(key.arn.clone());
            authorize_key_use(world, rec, key, GrantOperation::VerifyMac, &tokens, &req.key_id, None)?;
            require_usage(key, KeyUsage::GenerateVerifyMac, "VerifyMac")?;
            check_mac_algorithm(key, req.mac_algorithm)?;
            validate::dry_run(req.dry_run)?;
            if !key_material::mac_matches(&key.material, req.mac_algorithm, &req.message, &req.mac)
            {
                return Err(KmsError::new(
                    ErrorCode::KmsInvalidMacException,
                    "The request was rejected because the HMAC verification failed. HMAC verification fails when the HMAC computed by using the specified message, HMAC KMS key, and MAC algorithm does not match the HMAC specified in the request.",
                ));
            }
            Ok(VerifyMacResponse {
                key_id: key.arn.clone(),
                mac_valid: true,
                mac_algorithm: req.mac_algorithm,
            })
        })
    }

    pub fn generate_random(
        &mut self,
        caller: &Caller,
        req: GenerateRandomRequest,
    ) -> KmsResult<GenerateRandomResponse> {
        self.call(caller, ApiOperation::GenerateRandom, |world, rec| {
            if let Some(n) = req.number_of_bytes {
                if !(1..=1024).contains(&n) {
                    return Err(KmsError::validation(
                        &quoted(&n.to_string()),
                        "numberOfBytes",
                        if n < 1 {
                            "Member must have value greater than or equal to 1"
                        } else {
                            "Member must have value less than or equal to 1024"
                        },
                    ));
                }
            }
            if let Some(id) = &req.custom_key_store_id {
                validate::length("customKeyStoreId", id, 1, 64)?;
            }
            rec.authorize(
                world,
                &AuthRequest {
                    action: "kms:GenerateRandom",
                    key: None,
                    grant_use: GrantUse::Never,
                    token_grants: &[],
                    facts: RequestFacts::default(),
                },
            )?;
            if let Some(id) = &req.custom_key_store_id {
                return Err(KmsError::new(
                    ErrorCode::CustomKeyStoreNotFoundException,
                    format!("Custom key store {id} does not exist."),
                ));
            }
            refuse_recipient(req.recipient.is_some())?;
            // Decision: NumberOfBytes is optional in the model but AWS documents no
            // default; the simulator asks for it as AWS's service does in practice.
            let n = req.number_of_bytes.ok_or_else(|| {
                KmsError::invalid("Please specify the number of bytes (NumberOfBytes).")
            })?;
            Ok(GenerateRandomResponse {
                plaintext: Some(key_material::random_bytes(n as usize)),
            })
        })
    }
}
