//! The simulator backend's grant tests of signing, MAC, key agreement and data key pair
//! operations: Sign, Verify (of a sample signature the operator makes), GetPublicKey,
//! GenerateMac, VerifyMac (of the operator's sample MAC), DeriveSharedSecret (with a fresh
//! peer key) and GenerateDataKeyPair(WithoutPlaintext), each made through the simulator's
//! API as the chosen principal. Private keys and shared secrets never come back: only
//! their length and a fingerprint do.

use base64::Engine;

use crate::kms::api_asymmetric::*;
use crate::kms::{display_name, GrantOperation, KeyAgreementAlgorithm, KmsError, KmsResult};
use crate::sim::{Caller, Simulator};

use super::sim_test::finish;
use super::{
    peer_public_key, sample_note_of, BackendError, BackendResult, KeyFingerprint, TestAnswer,
    TestCall, TestOutcome, TEST_KEY_PAIR_SPEC,
};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(super) fn test_call(
    s: &mut Simulator,
    operator: &Caller,
    caller: &Caller,
    call: &TestCall,
) -> BackendResult<TestOutcome> {
    let tokens = (!call.grant_tokens.is_empty()).then(|| call.grant_tokens.clone());
    let dry_run = call.is_dry_run().then_some(true);
    let key_id = call.key.to_string();
    let message = call.plaintext.as_bytes().to_vec();
    let sample_failed = |e: KmsError| {
        BackendError::from(e).with_context(format!(
            "The sample could not be made as {}",
            display_name(&operator.principal)
        ))
    };
    let mut prepared = None;
    let result: KmsResult<TestAnswer> = match call.operation {
        GrantOperation::Sign => s
            .sign(
                caller,
                SignRequest {
                    key_id,
                    message,
                    message_type: None,
                    grant_tokens: tokens,
                    signing_algorithm: call.signing_algorithm(),
                    dry_run,
                },
            )
            .map(|r| TestAnswer::Signed {
                signature_base64: b64(&r.signature),
                algorithm: r.signing_algorithm,
            }),
        GrantOperation::Verify => {
            let signature = s
                .sign(
                    operator,
                    SignRequest {
                        key_id: key_id.clone(),
                        message: message.clone(),
                        message_type: None,
                        grant_tokens: None,
                        signing_algorithm: call.signing_algorithm(),
                        dry_run: None,
                    },
                )
                .map_err(sample_failed)?
                .signature;
            prepared = Some(sample_note_of(
                "signature",
                &operator.principal,
                &call.plaintext,
                false,
            ));
            s.verify(
                caller,
                VerifyRequest {
                    key_id,
                    message,
                    message_type: None,
                    signature,
                    signing_algorithm: call.signing_algorithm(),
                    grant_tokens: tokens,
                    dry_run,
                },
            )
            .map(|r| TestAnswer::Verified {
                algorithm: r.signing_algorithm,
            })
        }
        GrantOperation::GetPublicKey => s
            .get_public_key(
                caller,
                GetPublicKeyRequest {
                    key_id,
                    grant_tokens: tokens,
                },
            )
            .map(|r| TestAnswer::PublicKey {
                public_key_base64: b64(&r.public_key),
                spec: r.key_spec.to_string(),
            }),
        GrantOperation::GenerateMac => s
            .generate_mac(
                caller,
                GenerateMacRequest {
                    message,
                    key_id,
                    mac_algorithm: call.mac_algorithm(),
                    grant_tokens: tokens,
                    dry_run,
                },
            )
            .map(|r| TestAnswer::Mac {
                mac_base64: b64(&r.mac),
                algorithm: r.mac_algorithm,
            }),
        GrantOperation::VerifyMac => {
            let mac = s
                .generate_mac(
                    operator,
                    GenerateMacRequest {
                        message: message.clone(),
                        key_id: key_id.clone(),
                        mac_algorithm: call.mac_algorithm(),
                        grant_tokens: None,
                        dry_run: None,
                    },
                )
                .map_err(sample_failed)?
                .mac;
            prepared = Some(sample_note_of(
                "MAC",
                &operator.principal,
                &call.plaintext,
                false,
            ));
            s.verify_mac(
                caller,
                VerifyMacRequest {
                    message,
                    key_id,
                    mac_algorithm: call.mac_algorithm(),
                    mac,
                    grant_tokens: tokens,
                    dry_run,
                },
            )
            .map(|r| TestAnswer::MacVerified {
                algorithm: r.mac_algorithm,
            })
        }
        GrantOperation::DeriveSharedSecret => {
            let public_key = peer_public_key(call.key_spec)?;
            prepared = Some("A fresh peer key pair was made here; its public key is sent.".into());
            s.derive_shared_secret(
                caller,
                DeriveSharedSecretRequest {
                    key_id,
                    key_agreement_algorithm: KeyAgreementAlgorithm::Ecdh,
                    public_key,
                    grant_tokens: tokens,
                    dry_run,
                    recipient: None,
                },
            )
            .map(|r| TestAnswer::SharedSecret(KeyFingerprint::of(&r.shared_secret)))
        }
        op @ (GrantOperation::GenerateDataKeyPair
        | GrantOperation::GenerateDataKeyPairWithoutPlaintext) => {
            let req = GenerateDataKeyPairRequest {
                encryption_context: (!call.encryption_context.is_empty())
                    .then(|| call.encryption_context.clone()),
                key_id,
                key_pair_spec: TEST_KEY_PAIR_SPEC,
                grant_tokens: tokens,
                recipient: None,
                dry_run,
            };
            if op == GrantOperation::GenerateDataKeyPair {
                s.generate_data_key_pair(caller, req)
                    .map(|r| TestAnswer::DataKeyPair {
                        public_key_base64: b64(&r.public_key),
                        private_key_ciphertext_base64: b64(&r.private_key_ciphertext_blob),
                        private_key: Some(KeyFingerprint::of(&r.private_key_plaintext)),
                    })
            } else {
                s.generate_data_key_pair_without_plaintext(caller, req)
                    .map(|r| TestAnswer::DataKeyPair {
                        public_key_base64: b64(&r.public_key),
                        private_key_ciphertext_base64: b64(&r.private_key_ciphertext_blob),
                        private_key: None,
                    })
            }
        }
        op => Err(KmsError::invalid(format!("{op} cannot be tested here."))),
    };
    Ok(finish(s, caller, call, prepared, result))
}
