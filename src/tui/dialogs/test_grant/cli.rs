//! The AWS CLI commands equivalent to a grant test: the tested call (with `--dry-run`
//! when the test is one), as the principal acted as; before it the operator's command
//! that makes the sample ciphertext of a Decrypt or ReEncrypt test; after an Encrypt its
//! round trip's Decrypt.

use crate::backend::TEST_KEY_PAIR_SPEC;
use crate::kms::algorithms::key_algorithms;
use crate::kms::{GrantOperation, KeySpec, MacAlgorithm};

use super::super::create_grant::parse_pairs;
use super::TestGrant;

/// A value as a shell reads it: as is when plain, else in single quotes.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// What writes a command's ciphertext to `file`.
fn to_file(file: &str) -> String {
    format!(" --output text --query CiphertextBlob | base64 -d > {file}")
}

impl TestGrant {
    /// The equivalent AWS CLI command lines, in the order they would be run.
    pub fn cli_commands(&self) -> Vec<String> {
        use GrantOperation as Op;
        let who = self.act_as.value().trim();
        let acting = self.session.flags((!who.is_empty()).then_some(who));
        let operator = self.session.flags(None);
        let context = match parse_pairs(self.context.value()) {
            Ok(c) if !c.is_empty() && self.operation.takes_encryption_context() => c
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(","),
            _ => String::new(),
        };
        let with_context = |flag: &str| {
            if context.is_empty() {
                String::new()
            } else {
                format!(" --{flag} {context}")
            }
        };
        let tokens = self.token_list();
        let tokens = if tokens.is_empty() {
            String::new()
        } else {
            format!(" --grant-tokens {}", tokens.join(" "))
        };
        let dry_run = if self.is_dry_run() { " --dry-run" } else { "" };
        let plaintext = shell_word(self.plaintext.value());
        let key = &self.key;
        let sample = |under: &str| {
            format!(
                "aws kms encrypt --key-id {under} --plaintext {plaintext}{}{operator}{}",
                with_context("encryption-context"),
                to_file("sample.bin")
            )
        };
        let tail = format!("{tokens}{dry_run}{acting}");
        match self.operation {
            Op::Encrypt => {
                let mut v = vec![format!(
                    "aws kms encrypt --key-id {key} --plaintext {plaintext}{}{tail}{}",
                    with_context("encryption-context"),
                    if dry_run.is_empty() {
                        to_file("ciphertext.bin")
                    } else {
                        String::new()
                    }
                )];
                if dry_run.is_empty() {
                    v.push(format!(
                        "aws kms decrypt --ciphertext-blob fileb://ciphertext.bin{}{tokens}{acting}",
                        with_context("encryption-context")
                    ));
                }
                v
            }
            Op::Decrypt => vec![
                sample(&key.to_string()),
                format!(
                    "aws kms decrypt --key-id {key} --ciphertext-blob fileb://sample.bin{}{tail}",
                    with_context("encryption-context")
                ),
            ],
            Op::GenerateDataKey | Op::GenerateDataKeyWithoutPlaintext => vec![format!(
                "aws kms {} --key-id {key} --key-spec AES_256{}{tail}",
                if self.operation == Op::GenerateDataKey {
                    "generate-data-key"
                } else {
                    "generate-data-key-without-plaintext"
                },
                with_context("encryption-context")
            )],
            Op::ReEncryptFrom | Op::ReEncryptTo => {
                let other = self.other_key.value().trim();
                let other = if other.is_empty() {
                    key.to_string()
                } else {
                    other.to_string()
                };
                let (source, destination) = if self.operation == Op::ReEncryptTo {
                    (other, key.to_string())
                } else {
                    (key.to_string(), other)
                };
                vec![
                    sample(&source),
                    format!(
                        "aws kms re-encrypt --ciphertext-blob fileb://sample.bin --source-key-id {source} --destination-key-id {destination}{}{}{tail}",
                        with_context("source-encryption-context"),
                        with_context("destination-encryption-context"),
                    ),
                ]
            }
            Op::DescribeKey => vec![format!("aws kms describe-key --key-id {key}{tail}")],
            Op::CreateGrant => {
                let grantee = self.grantee.value().trim();
                let grantee = if grantee.is_empty() { who } else { grantee };
                let constraints = self
                    .grant
                    .as_ref()
                    .and_then(|g| g.constraints.as_ref())
                    .map(|c| {
                        let (kind, pairs) =
                            match (&c.encryption_context_equals, &c.encryption_context_subset) {
                                (Some(p), _) => ("EncryptionContextEquals", p),
                                (None, Some(p)) => ("EncryptionContextSubset", p),
                                (None, None) => return String::new(),
                            };
                        let inner: Vec<String> =
                            pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                        format!(" --constraints {kind}={{{}}}", inner.join(","))
                    })
                    .unwrap_or_default();
                vec![format!(
                    "aws kms create-grant --key-id {key} --grantee-principal {} --operations {}{constraints}{tail}",
                    if grantee.is_empty() { "<grantee>" } else { grantee },
                    self.grant_operations.value().trim()
                )]
            }
            Op::RetireGrant => vec![format!(
                "aws kms retire-grant --key-id {key} --grant-id {}{dry_run}{acting}",
                self.grant
                    .as_ref()
                    .map_or("<grant id>".to_string(), |g| g.id.to_string())
            )],
            op => self.asymmetric_commands(op, &tail, &operator, &context),
        }
    }

    /// The commands of the signing, MAC, key agreement and data key pair tests.
    fn asymmetric_commands(
        &self,
        op: GrantOperation,
        tail: &str,
        operator: &str,
        context: &str,
    ) -> Vec<String> {
        use GrantOperation as Op;
        let key = &self.key;
        let message = format!(
            "printf '%s' {} > message.txt",
            shell_word(self.plaintext.value())
        );
        let signing = key_algorithms(self.key_spec, self.key_usage)
            .signing
            .and_then(|a| a.first().copied())
            .map_or(String::new(), |a| a.to_string());
        let mac = MacAlgorithm::for_spec(self.key_spec).map_or(String::new(), |a| a.to_string());
        let sign = |who: &str| {
            format!("aws kms sign --key-id {key} --message fileb://message.txt --signing-algorithm {signing}{who}")
        };
        let generate_mac = |who: &str| {
            format!("aws kms generate-mac --key-id {key} --message fileb://message.txt --mac-algorithm {mac}{who}")
        };
        let context = if context.is_empty() {
            String::new()
        } else {
            format!(" --encryption-context {context}")
        };
        match op {
            Op::Sign => vec![message, sign(tail)],
            Op::Verify => vec![
                message,
                format!("{} --output text --query Signature | base64 -d > signature.bin", sign(operator)),
                format!("aws kms verify --key-id {key} --message fileb://message.txt --signature fileb://signature.bin --signing-algorithm {signing}{tail}"),
            ],
            Op::GetPublicKey => vec![format!("aws kms get-public-key --key-id {key}{tail}")],
            Op::GenerateMac => vec![message, generate_mac(tail)],
            Op::VerifyMac => vec![
                message,
                format!("{} --output text --query Mac | base64 -d > mac.bin", generate_mac(operator)),
                format!("aws kms verify-mac --key-id {key} --message fileb://message.txt --mac fileb://mac.bin --mac-algorithm {mac}{tail}"),
            ],
            Op::GenerateDataKeyPair | Op::GenerateDataKeyPairWithoutPlaintext => vec![format!(
                "aws kms {} --key-id {key} --key-pair-spec {}{context}{tail}",
                if op == Op::GenerateDataKeyPair {
                    "generate-data-key-pair"
                } else {
                    "generate-data-key-pair-without-plaintext"
                },
                TEST_KEY_PAIR_SPEC
            )],
            Op::DeriveSharedSecret => {
                let curve = match self.key_spec {
                    KeySpec::EccNistP384 => "P-384",
                    KeySpec::EccNistP521 => "P-521",
                    _ => "P-256",
                };
                vec![
                    format!("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:{curve} -out peer.pem"),
                    "openssl pkey -in peer.pem -pubout -outform DER -out peer.der".to_string(),
                    format!("aws kms derive-shared-secret --key-id {key} --key-agreement-algorithm ECDH --public-key fileb://peer.der{tail}"),
                ]
            }
            op => vec![format!("# {op} cannot be tested here")],
        }
    }
}
