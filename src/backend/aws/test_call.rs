//! The AWS backend's grant test: a `TestCall` made with aws-sdk-kms and the acting
//! profile's credentials, with DryRun where the API takes it (AWS answers a DryRun that
//! would succeed with DryRunOperationException, which the outcome reads as "would be
//! allowed"). The sample ciphertext of a Decrypt or ReEncrypt test is made by the
//! session's own identity. Every call goes to the event log.

use std::collections::HashMap;

use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;
use base64::Engine;

use crate::backend::{
    api_name, sample_note, BackendError, BackendResult, DataKeyFacts, DescribedKey, KeyFingerprint,
    TestAnswer, TestCall, TestOutcome,
};
use crate::kms::ids::display_name;
use crate::kms::GrantOperation;

use super::backend::{sdk_constraints, AwsBackend};
use super::connection::sdk_error;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn blob(b: Option<&Blob>) -> Vec<u8> {
    b.map(|b| b.as_ref().to_vec()).unwrap_or_default()
}

impl AwsBackend {
    pub(super) async fn test_call(&self, call: TestCall) -> BackendResult<TestOutcome> {
        if let Some(e) = call.missing() {
            return Err(e);
        }
        if crate::backend::tested_apart(call.operation) {
            return self.test_asymmetric(call).await;
        }
        let actor = self.actor(&call.actor).await?;
        let kms = actor.kms.clone();
        let caller = actor.identity.arn.clone();
        let key_id = call.key.to_string();
        let context: Option<HashMap<String, String>> = (!call.encryption_context.is_empty())
            .then(|| call.encryption_context.clone().into_iter().collect());
        let tokens = (!call.grant_tokens.is_empty()).then(|| call.grant_tokens.clone());
        let dry_run = call.is_dry_run().then_some(true);
        let algorithm = call
            .encryption_algorithm()
            .map(aws_sdk_kms::types::EncryptionAlgorithmSpec::from);
        // The sample ciphertext, made by this session's identity with the same context.
        let mut prepared = None;
        let mut sample = Vec::new();
        if let Some(under) = call.sample_key() {
            let under = under.to_string();
            let made = self
                .conn
                .kms
                .encrypt()
                .key_id(&under)
                .plaintext(Blob::new(call.plaintext.as_bytes()))
                .set_encryption_context(context.clone())
                .set_encryption_algorithm(algorithm.clone())
                .send()
                .await
                .map_err(sdk_error);
            self.log.record(self.me(), "Encrypt", Some(&under), &made);
            let made = made.map_err(|e| {
                e.with_context(format!(
                    "The sample ciphertext could not be made as {}",
                    display_name(self.me())
                ))
            })?;
            sample = blob(made.ciphertext_blob());
            prepared = Some(sample_note(self.me(), &call.plaintext, context.is_some()));
        }
        let result: Result<TestAnswer, BackendError> = match call.operation {
            GrantOperation::Encrypt => {
                let enc = kms
                    .encrypt()
                    .key_id(&key_id)
                    .plaintext(Blob::new(call.plaintext.as_bytes()))
                    .set_encryption_context(context.clone())
                    .set_grant_tokens(tokens.clone())
                    .set_encryption_algorithm(algorithm.clone())
                    .set_dry_run(dry_run)
                    .send()
                    .await
                    .map_err(sdk_error);
                self.log.record(&caller, "Encrypt", Some(&key_id), &enc);
                match enc {
                    Ok(enc) => {
                        let ciphertext = blob(enc.ciphertext_blob());
                        let round_trip = kms
                            .decrypt()
                            .key_id(&key_id)
                            .ciphertext_blob(Blob::new(ciphertext.clone()))
                            .set_encryption_context(context.clone())
                            .set_grant_tokens(tokens.clone())
                            .set_encryption_algorithm(algorithm.clone())
                            .send()
                            .await
                            .map_err(sdk_error)
                            .map(|d| String::from_utf8_lossy(&blob(d.plaintext())).into_owned());
                        self.log
                            .record(&caller, "Decrypt", Some(&key_id), &round_trip);
                        Ok(TestAnswer::Encrypted {
                            ciphertext_base64: b64(&ciphertext),
                            round_trip,
                        })
                    }
                    Err(e) => Err(e),
                }
            }
            GrantOperation::Decrypt => {
                let r = kms
                    .decrypt()
                    .key_id(&key_id)
                    .ciphertext_blob(Blob::new(sample))
                    .set_encryption_context(context.clone())
                    .set_grant_tokens(tokens.clone())
                    .set_encryption_algorithm(algorithm.clone())
                    .set_dry_run(dry_run)
                    .send()
                    .await
                    .map_err(sdk_error);
                self.log.record(&caller, "Decrypt", Some(&key_id), &r);
                r.map(|d| TestAnswer::Decrypted {
                    plaintext: String::from_utf8_lossy(&blob(d.plaintext())).into_owned(),
                })
            }
            GrantOperation::GenerateDataKey => {
                let r = kms
                    .generate_data_key()
                    .key_id(&key_id)
                    .key_spec(DataKeySpec::Aes256)
                    .set_encryption_context(context.clone())
                    .set_grant_tokens(tokens.clone())
                    .set_dry_run(dry_run)
                    .send()
                    .await
                    .map_err(sdk_error);
                self.log
                    .record(&caller, "GenerateDataKey", Some(&key_id), &r);
                r.map(|d| {
                    TestAnswer::DataKey(DataKeyFacts {
                        ciphertext_base64: b64(&blob(d.ciphertext_blob())),
                        plaintext: Some(KeyFingerprint::of(&blob(d.plaintext()))),
                    })
                })
            }
            GrantOperation::GenerateDataKeyWithoutPlaintext => {
                let r = kms
                    .generate_data_key_without_plaintext()
                    .key_id(&key_id)
                    .key_spec(DataKeySpec::Aes256)
                    .set_encryption_context(context.clone())
                    .set_grant_tokens(tokens.clone())
                    .set_dry_run(dry_run)
                    .send()
                    .await
                    .map_err(sdk_error);
                self.log.record(
                    &caller,
                    "GenerateDataKeyWithoutPlaintext",
                    Some(&key_id),
                    &r,
                );
                r.map(|d| {
                    TestAnswer::DataKey(DataKeyFacts {
                        ciphertext_base64: b64(&blob(d.ciphertext_blob())),
                        plaintext: None,
                    })
                })
            }
            GrantOperation::ReEncryptFrom | GrantOperation::ReEncryptTo => {
                let (source, destination) = call.re_encrypt_keys();
                let r = kms
                    .re_encrypt()
                    .ciphertext_blob(Blob::new(sample))
                    .source_key_id(source.to_string())
                    .destination_key_id(destination.to_string())
                    .set_source_encryption_context(context.clone())
                    .set_destination_encryption_context(context.clone())
                    .set_grant_tokens(tokens.clone())
                    .set_dry_run(dry_run)
                    .send()
                    .await
                    .map_err(sdk_error);
                self.log.record(&caller, "ReEncrypt", Some(&key_id), &r);
                r.map(|d| TestAnswer::ReEncrypted {
                    ciphertext_base64: b64(&blob(d.ciphertext_blob())),
                    source_arn: d.source_key_id().unwrap_or_default().to_string(),
                    destination_arn: d.key_id().unwrap_or_default().to_string(),
                })
            }
            GrantOperation::DescribeKey => {
                let r = kms
                    .describe_key()
                    .key_id(&key_id)
                    .set_grant_tokens(tokens.clone())
                    .send()
                    .await
                    .map_err(sdk_error);
                self.log.record(&caller, "DescribeKey", Some(&key_id), &r);
                r.map(|d| {
                    let m = d.key_metadata();
                    let text = |s: Option<&str>| s.unwrap_or_default().to_string();
                    TestAnswer::Described(DescribedKey {
                        arn: text(m.and_then(|m| m.arn())),
                        state: text(m.and_then(|m| m.key_state()).map(|s| s.as_str())),
                        spec: text(m.and_then(|m| m.key_spec()).map(|s| s.as_str())),
                        usage: text(m.and_then(|m| m.key_usage()).map(|s| s.as_str())),
                        description: text(m.and_then(|m| m.description())),
                    })
                })
            }
            GrantOperation::CreateGrant => {
                let g = call.new_grant.clone().ok_or_else(|| {
                    BackendError::configuration("CreateGrant needs the grant to create.")
                })?;
                let r = kms
                    .create_grant()
                    .key_id(&key_id)
                    .grantee_principal(g.grantee.as_str())
                    .set_operations(Some(
                        g.operations
                            .iter()
                            .map(|o| aws_sdk_kms::types::GrantOperation::from(o.as_str()))
                            .collect(),
                    ))
                    .set_constraints(g.constraints.as_ref().map(sdk_constraints))
                    .set_grant_tokens(tokens.clone())
                    .set_dry_run(dry_run)
                    .send()
                    .await
                    .map_err(sdk_error);
                self.log.record(&caller, "CreateGrant", Some(&key_id), &r);
                r.map(|out| TestAnswer::GrantCreated {
                    grant_id: out.grant_id().unwrap_or_default().to_string(),
                    grant_token: out.grant_token().unwrap_or_default().to_string(),
                })
            }
            GrantOperation::RetireGrant => {
                let grant = call
                    .grant
                    .as_ref()
                    .map(|g| g.to_string())
                    .unwrap_or_default();
                let r = kms
                    .retire_grant()
                    .key_id(&key_id)
                    .grant_id(grant)
                    .set_dry_run(dry_run)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(sdk_error);
                self.log.record(&caller, "RetireGrant", Some(&key_id), &r);
                r.map(|()| TestAnswer::Retired)
            }
            op => Err(BackendError::configuration(format!(
                "{} cannot be tested here.",
                api_name(op)
            ))),
        };
        let key_arn = match &result {
            Ok(TestAnswer::Described(d)) if !d.arn.is_empty() => d.arn.clone(),
            _ => key_id,
        };
        Ok(TestOutcome::answer(
            &call, caller, key_arn, prepared, result,
        ))
    }
}
