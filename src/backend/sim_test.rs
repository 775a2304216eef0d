//! The simulator backend's grant test: a `TestCall` made through the simulator's own API
//! as the chosen principal, so it is authorized (grants, tokens, constraints, DryRun) and
//! logged with its WHY like any other call. What a test needs beforehand (the sample
//! ciphertext a Decrypt or ReEncrypt test opens) is made by the operator, and the outcome
//! says so.

use base64::Engine;

use crate::kms::api::{
    CreateGrantRequest, DecryptRequest, DescribeKeyRequest, EncryptRequest, GenerateDataKeyRequest,
    ReEncryptRequest, RetireGrantRequest,
};
use crate::kms::{display_name, GrantOperation, KmsError, KmsResult, OperationInput};
use crate::sim::{Caller, Simulator};

use super::{
    sample_note, BackendError, BackendResult, DataKeyFacts, DescribedKey, KeyFingerprint,
    TestAnswer, TestCall, TestOutcome,
};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Run `call` as `caller`; `operator` makes what the test needs beforehand.
pub(super) fn test_call(
    s: &mut Simulator,
    operator: &Caller,
    caller: &Caller,
    call: &TestCall,
) -> BackendResult<TestOutcome> {
    if let Some(e) = call.missing() {
        return Err(e);
    }
    if super::tested_apart(call.operation) {
        return super::sim_test_asymmetric::test_call(s, operator, caller, call);
    }
    let tokens = (!call.grant_tokens.is_empty()).then(|| call.grant_tokens.clone());
    let context = (!call.encryption_context.is_empty()).then(|| call.encryption_context.clone());
    let dry_run = call.is_dry_run().then_some(true);
    // The sample ciphertext, made by the operator with the same context.
    let mut prepared = None;
    let mut sample = Vec::new();
    if let Some(under) = call.sample_key() {
        let made = s
            .encrypt(
                operator,
                EncryptRequest {
                    key_id: under.to_string(),
                    plaintext: call.plaintext.as_bytes().to_vec(),
                    encryption_context: context.clone(),
                    encryption_algorithm: call.encryption_algorithm().map(String::from),
                    ..Default::default()
                },
            )
            .map_err(|e| {
                BackendError::from(e).with_context(format!(
                    "The sample ciphertext could not be made as {}",
                    display_name(&operator.principal)
                ))
            })?;
        sample = made.ciphertext_blob;
        prepared = Some(sample_note(
            &operator.principal,
            &call.plaintext,
            context.is_some(),
        ));
    }
    let result: KmsResult<TestAnswer> = match call.operation {
        GrantOperation::Encrypt => s
            .encrypt(
                caller,
                EncryptRequest {
                    key_id: call.key.to_string(),
                    plaintext: call.plaintext.as_bytes().to_vec(),
                    encryption_context: context.clone(),
                    grant_tokens: tokens.clone(),
                    encryption_algorithm: call.encryption_algorithm().map(String::from),
                    dry_run,
                },
            )
            .map(|enc| {
                let round_trip = s
                    .decrypt(
                        caller,
                        DecryptRequest {
                            ciphertext_blob: enc.ciphertext_blob.clone(),
                            encryption_context: context.clone(),
                            grant_tokens: tokens.clone(),
                            key_id: Some(call.key.to_string()),
                            encryption_algorithm: call.encryption_algorithm().map(String::from),
                            ..Default::default()
                        },
                    )
                    .map(|d| String::from_utf8_lossy(&d.plaintext).into_owned())
                    .map_err(BackendError::from);
                TestAnswer::Encrypted {
                    ciphertext_base64: b64(&enc.ciphertext_blob),
                    round_trip,
                }
            }),
        GrantOperation::Decrypt => s
            .decrypt(
                caller,
                DecryptRequest {
                    ciphertext_blob: sample,
                    encryption_context: context.clone(),
                    grant_tokens: tokens.clone(),
                    key_id: Some(call.key.to_string()),
                    encryption_algorithm: call.encryption_algorithm().map(String::from),
                    dry_run,
                },
            )
            .map(|d| TestAnswer::Decrypted {
                plaintext: String::from_utf8_lossy(&d.plaintext).into_owned(),
            }),
        op
        @ (GrantOperation::GenerateDataKey | GrantOperation::GenerateDataKeyWithoutPlaintext) => {
            let req = GenerateDataKeyRequest {
                key_id: call.key.to_string(),
                encryption_context: context.clone(),
                key_spec: Some("AES_256".into()),
                grant_tokens: tokens.clone(),
                dry_run,
                ..Default::default()
            };
            if op == GrantOperation::GenerateDataKey {
                s.generate_data_key(caller, req).map(|r| {
                    TestAnswer::DataKey(DataKeyFacts {
                        ciphertext_base64: b64(&r.ciphertext_blob),
                        plaintext: Some(KeyFingerprint::of(&r.plaintext)),
                    })
                })
            } else {
                s.generate_data_key_without_plaintext(caller, req).map(|r| {
                    TestAnswer::DataKey(DataKeyFacts {
                        ciphertext_base64: b64(&r.ciphertext_blob),
                        plaintext: None,
                    })
                })
            }
        }
        GrantOperation::ReEncryptFrom | GrantOperation::ReEncryptTo => {
            let (source, destination) = call.re_encrypt_keys();
            s.re_encrypt(
                caller,
                ReEncryptRequest {
                    ciphertext_blob: sample,
                    source_encryption_context: context.clone(),
                    source_key_id: Some(source.to_string()),
                    destination_key_id: destination.to_string(),
                    destination_encryption_context: context.clone(),
                    grant_tokens: tokens.clone(),
                    dry_run,
                    ..Default::default()
                },
            )
            .map(|r| TestAnswer::ReEncrypted {
                ciphertext_base64: b64(&r.ciphertext_blob),
                source_arn: r.source_key_id,
                destination_arn: r.key_id,
            })
        }
        GrantOperation::DescribeKey => s
            .describe_key(
                caller,
                DescribeKeyRequest {
                    key_id: call.key.to_string(),
                    grant_tokens: tokens.clone(),
                },
            )
            .map(|r| {
                let m = r.key_metadata;
                TestAnswer::Described(DescribedKey {
                    arn: m.arn,
                    state: m.key_state.to_string(),
                    spec: m.key_spec.to_string(),
                    usage: m.key_usage.as_str().to_string(),
                    description: m.description,
                })
            }),
        GrantOperation::CreateGrant => match call.new_grant.clone() {
            Some(g) => s
                .create_grant(
                    caller,
                    CreateGrantRequest {
                        key_id: call.key.to_string(),
                        grantee_principal: Some(g.grantee.to_string()),
                        operations: g.operations.into_iter().map(OperationInput::from).collect(),
                        constraints: g.constraints,
                        grant_tokens: tokens.clone(),
                        dry_run,
                        ..Default::default()
                    },
                )
                .map(|r| TestAnswer::GrantCreated {
                    grant_id: r.grant_id,
                    grant_token: r.grant_token,
                }),
            None => Err(KmsError::invalid("CreateGrant needs the grant to create.")),
        },
        GrantOperation::RetireGrant => s
            .retire_grant(
                caller,
                RetireGrantRequest {
                    key_id: Some(call.key.to_string()),
                    grant_id: call.grant.as_ref().map(|g| g.to_string()),
                    dry_run,
                    ..Default::default()
                },
            )
            .map(|_| TestAnswer::Retired),
        // `missing` refused the rest.
        op => Err(KmsError::invalid(format!("{op} cannot be tested here."))),
    };
    Ok(finish(s, caller, call, prepared, result))
}

/// The outcome of a test call: who it was made as (the ARN the caller resolves to) and
/// the key's ARN.
pub(super) fn finish(
    s: &Simulator,
    caller: &Caller,
    call: &TestCall,
    prepared: Option<String>,
    result: KmsResult<TestAnswer>,
) -> TestOutcome {
    let who = s
        .world()
        .resolve_caller(caller)
        .map(|c| c.arn)
        .unwrap_or_else(|_| caller.principal.clone());
    let key_arn = s
        .world()
        .keys
        .get(call.key.key_id().unwrap_or_default())
        .map(|k| k.arn.clone())
        .unwrap_or_else(|| call.key.to_string());
    TestOutcome::answer(
        call,
        who,
        key_arn,
        prepared,
        result.map_err(BackendError::from),
    )
}
