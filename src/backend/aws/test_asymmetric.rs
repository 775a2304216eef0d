//! The AWS backend's grant tests of signing, MAC, key agreement and data key pair
//! operations, with aws-sdk-kms and the acting profile's credentials: Sign, Verify (of a
//! sample signature this session's identity makes), GetPublicKey, GenerateMac, VerifyMac
//! (of this session's sample MAC), DeriveSharedSecret (with a fresh peer key made here) and
//! GenerateDataKeyPair(WithoutPlaintext). Private keys and shared secrets are reduced to a
//! length and fingerprint at once. Every call goes to the event log.

use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{
    DataKeyPairSpec, KeyAgreementAlgorithmSpec, MacAlgorithmSpec, SigningAlgorithmSpec,
};
use base64::Engine;

use crate::backend::{
    api_name, peer_public_key, sample_note_of, BackendError, BackendResult, KeyFingerprint,
    TestAnswer, TestCall, TestOutcome, TEST_KEY_PAIR_SPEC,
};
use crate::kms::ids::display_name;
use crate::kms::GrantOperation;

use super::backend::AwsBackend;
use super::connection::sdk_error;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn blob(b: Option<&Blob>) -> Vec<u8> {
    b.map(|b| b.as_ref().to_vec()).unwrap_or_default()
}

impl AwsBackend {
    pub(super) async fn test_asymmetric(&self, call: TestCall) -> BackendResult<TestOutcome> {
        let actor = self.actor(&call.actor).await?;
        let kms = actor.kms.clone();
        let caller = actor.identity.arn.clone();
        let key_id = call.key.to_string();
        let tokens = (!call.grant_tokens.is_empty()).then(|| call.grant_tokens.clone());
        let dry_run = call.is_dry_run().then_some(true);
        let message = Blob::new(call.plaintext.as_bytes());
        let signing = SigningAlgorithmSpec::from(call.signing_algorithm().as_str());
        let mac_alg = MacAlgorithmSpec::from(call.mac_algorithm().as_str());
        let sample_failed = |e: BackendError| {
            e.with_context(format!(
                "The sample could not be made as {}",
                display_name(self.me())
            ))
        };
        let mut prepared = None;
        let op = call.operation;
        let result: Result<TestAnswer, BackendError> = match op {
            GrantOperation::Sign => {
                let r = kms
                    .sign()
                    .key_id(&key_id)
                    .message(message)
                    .signing_algorithm(signing)
                    .set_grant_tokens(tokens)
                    .set_dry_run(dry_run)
                    .send()
                    .await
                    .map_err(sdk_error);
                self.log.record(&caller, "Sign", Some(&key_id), &r);
                r.map(|o| TestAnswer::Signed {
                    signature_base64: b64(&blob(o.signature())),
                    algorithm: call.signing_algorithm(),
                })
            }
            GrantOperation::Verify => {
                let made = self
                    .conn
                    .kms
                    .sign()
                    .key_id(&key_id)
                    .message(message.clone())
                    .signing_algorithm(signing.clone())
                    .send()
                    .await
                    .map_err(sdk_error);
                self.log.record(self.me(), "Sign", Some(&key_id), &made);
                let signature = blob(made.map_err(sample_failed)?.signature());
                prepared = Some(sample_note_of(
                    "signature",
                    self.me(),
                    &call.plaintext,
                    false,
                ));
                let r = kms
                    .verify()
                    .key_id(&key_id)
                    .message(message)
                    .signature(Blob::new(signature))
                    .signing_algorithm(signing)
                    .set_grant_tokens(tokens)
                    .set_dry_run(dry_run)
                    .send()
                    .await
                    .map_err(sdk_error);
                self.log.record(&caller, "Verify", Some(&key_id), &r);
                r.map(|_| TestAnswer::Verified {
                    algorithm: call.signing_algorithm(),
                })
            }
            GrantOperation::GetPublicKey => {
                let r = kms
                    .get_public_key()
                    .key_id(&key_id)
                    .set_grant_tokens(tokens)
                    .send()
                    .await
                    .map_err(sdk_error);
                self.log.record(&caller, "GetPublicKey", Some(&key_id), &r);
                r.map(|o| TestAnswer::PublicKey {
                    public_key_base64: b64(&blob(o.public_key())),
                    spec: o
                        .key_spec()
                        .map(|s| s.as_str())
                        .unwrap_or_default()
                        .to_string(),
                })
            }
            GrantOperation::GenerateMac => {
                let r = kms
                    .generate_mac()
                    .key_id(&key_id)
                    .message(message)
                    .mac_algorithm(mac_alg)
                    .set_grant_tokens(tokens)
                    .set_dry_run(dry_run)
                    .send()
                    .await
                    .map_err(sdk_error);
                self.log.record(&caller, "GenerateMac", Some(&key_id), &r);
                r.map(|o| TestAnswer::Mac {
                    mac_base64: b64(&blob(o.mac())),
                    algorithm: call.mac_algorithm(),
                })
            }
            GrantOperation::VerifyMac => {
                let made = self
                    .conn
                    .kms
                    .generate_mac()
                    .key_id(&key_id)
                    .message(message.clone())
                    .mac_algorithm(mac_alg.clone())
                    .send()
                    .await
                    .map_err(sdk_error);
                self.log
                    .record(self.me(), "GenerateMac", Some(&key_id), &made);
                let mac = blob(made.map_err(sample_failed)?.mac());
                prepared = Some(sample_note_of("MAC", self.me(), &call.plaintext, false));
                let r = kms
                    .verify_mac()
                    .key_id(&key_id)
                    .message(message)
                    .mac(Blob::new(mac))
                    .mac_algorithm(mac_alg)
                    .set_grant_tokens(tokens)
                    .set_dry_run(dry_run)
                    .send()
                    .await
                    .map_err(sdk_error);
                self.log.record(&caller, "VerifyMac", Some(&key_id), &r);
                r.map(|_| TestAnswer::MacVerified {
                    algorithm: call.mac_algorithm(),
                })
            }
            GrantOperation::DeriveSharedSecret => {
                let public_key = peer_public_key(call.key_spec)?;
                prepared =
                    Some("A fresh peer key pair was made here; its public key is sent.".into());
                let r = kms
                    .derive_shared_secret()
                    .key_id(&key_id)
                    .key_agreement_algorithm(KeyAgreementAlgorithmSpec::Ecdh)
                    .public_key(Blob::new(public_key))
                    .set_grant_tokens(tokens)
                    .set_dry_run(dry_run)
                    .send()
                    .await
                    .map_err(sdk_error);
                self.log
                    .record(&caller, "DeriveSharedSecret", Some(&key_id), &r);
                r.map(|o| TestAnswer::SharedSecret(KeyFingerprint::of(&blob(o.shared_secret()))))
            }
            GrantOperation::GenerateDataKeyPair
            | GrantOperation::GenerateDataKeyPairWithoutPlaintext => {
                let context = (!call.encryption_context.is_empty())
                    .then(|| call.encryption_context.clone().into_iter().collect());
                let spec = DataKeyPairSpec::from(TEST_KEY_PAIR_SPEC.as_str());
                let r = if op == GrantOperation::GenerateDataKeyPair {
                    kms.generate_data_key_pair()
                        .key_id(&key_id)
                        .key_pair_spec(spec)
                        .set_encryption_context(context)
                        .set_grant_tokens(tokens)
                        .set_dry_run(dry_run)
                        .send()
                        .await
                        .map_err(sdk_error)
                        .map(|o| TestAnswer::DataKeyPair {
                            public_key_base64: b64(&blob(o.public_key())),
                            private_key_ciphertext_base64: b64(&blob(
                                o.private_key_ciphertext_blob(),
                            )),
                            private_key: Some(KeyFingerprint::of(&blob(o.private_key_plaintext()))),
                        })
                } else {
                    kms.generate_data_key_pair_without_plaintext()
                        .key_id(&key_id)
                        .key_pair_spec(spec)
                        .set_encryption_context(context)
                        .set_grant_tokens(tokens)
                        .set_dry_run(dry_run)
                        .send()
                        .await
                        .map_err(sdk_error)
                        .map(|o| TestAnswer::DataKeyPair {
                            public_key_base64: b64(&blob(o.public_key())),
                            private_key_ciphertext_base64: b64(&blob(
                                o.private_key_ciphertext_blob(),
                            )),
                            private_key: None,
                        })
                };
                self.log.record(&caller, op.as_str(), Some(&key_id), &r);
                r
            }
            op => Err(BackendError::configuration(format!(
                "{} cannot be tested here.",
                api_name(op)
            ))),
        };
        Ok(TestOutcome::answer(&call, caller, key_id, prepared, result))
    }
}
