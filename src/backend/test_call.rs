//! Testing a grant: `TestCall`, one operation a grant may allow, made as a chosen
//! principal (or profile) with grant tokens, an encryption context and, where AWS offers
//! it, DryRun; and `TestOutcome`, what the operation answered. Both backends speak it:
//! the simulator calls its own API as the principal, AWS calls KMS with the profile's
//! credentials. Plaintext data keys never travel back: only their length and a
//! fingerprint do.

use sha2::{Digest, Sha256};

use crate::kms::algorithms::key_algorithms;
use crate::kms::{EncryptionContext, ErrorCode, GrantConstraints, GrantId, GrantOperation};
use crate::kms::{KeyRef, KeySpec, KeyUsage, MacAlgorithm, Principal, SigningAlgorithm};

use super::{Actor, BackendError};

/// The grant operations that can be tested, in the order the dialog offers them; which
/// of them a key offers depends on its spec and usage (`testable_on`).
pub const TESTABLE: [GrantOperation; 17] = [
    GrantOperation::Encrypt,
    GrantOperation::Decrypt,
    GrantOperation::GenerateDataKey,
    GrantOperation::GenerateDataKeyWithoutPlaintext,
    GrantOperation::GenerateDataKeyPair,
    GrantOperation::GenerateDataKeyPairWithoutPlaintext,
    GrantOperation::ReEncryptFrom,
    GrantOperation::ReEncryptTo,
    GrantOperation::Sign,
    GrantOperation::Verify,
    GrantOperation::GetPublicKey,
    GrantOperation::GenerateMac,
    GrantOperation::VerifyMac,
    GrantOperation::DeriveSharedSecret,
    GrantOperation::DescribeKey,
    GrantOperation::CreateGrant,
    GrantOperation::RetireGrant,
];

/// Can this operation be tested here (on some key)?
pub fn testable(op: GrantOperation) -> bool {
    TESTABLE.contains(&op)
}

/// The operations a test can make on a key of this spec and usage: the grant operations
/// valid for it. ReEncrypt is tested on symmetric keys only (the sample ciphertext of an
/// RSA key's test would need a second asymmetric key to move to).
pub fn testable_on(spec: KeySpec, usage: KeyUsage) -> Vec<GrantOperation> {
    TESTABLE
        .into_iter()
        .filter(|op| op.valid_for(spec, usage))
        .filter(|op| {
            spec.is_symmetric_encryption()
                || !matches!(
                    op,
                    GrantOperation::ReEncryptFrom | GrantOperation::ReEncryptTo
                )
        })
        .collect()
}

/// The operations of signing, MAC, key agreement and data key pair keys, which each
/// backend tests in a file of their own (`sim_test_asymmetric`, `aws::test_asymmetric`).
pub fn tested_apart(op: GrantOperation) -> bool {
    use GrantOperation::*;
    matches!(
        op,
        Sign | Verify
            | GetPublicKey
            | GenerateMac
            | VerifyMac
            | DeriveSharedSecret
            | GenerateDataKeyPair
            | GenerateDataKeyPairWithoutPlaintext
    )
}

/// The data key pair spec a GenerateDataKeyPair test asks for (fast to make).
pub const TEST_KEY_PAIR_SPEC: crate::kms::DataKeyPairSpec =
    crate::kms::DataKeyPairSpec::EccNistP256;

/// Does the API call that tests `op` take `DryRun`? (Every testable one but DescribeKey.)
pub fn supports_dry_run(op: GrantOperation) -> bool {
    testable(op)
        && !matches!(
            op,
            GrantOperation::DescribeKey | GrantOperation::GetPublicKey
        )
}

/// Does testing `op` change the world when not a DryRun? (A new grant, a retired one.)
pub fn changes_world(op: GrantOperation) -> bool {
    matches!(
        op,
        GrantOperation::CreateGrant | GrantOperation::RetireGrant
    )
}

/// The KMS API operation that tests a grant operation (`ReEncryptFrom` and `ReEncryptTo`
/// are both uses of `ReEncrypt`).
pub fn api_name(op: GrantOperation) -> &'static str {
    match op {
        GrantOperation::ReEncryptFrom | GrantOperation::ReEncryptTo => "ReEncrypt",
        op => op.as_str(),
    }
}

/// The grant a CreateGrant test asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGrant {
    pub grantee: Principal,
    pub operations: Vec<GrantOperation>,
    pub constraints: Option<GrantConstraints>,
}

/// One grant operation, tested on `key` as `actor`.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCall {
    pub key: KeyRef,
    pub actor: Actor,
    pub operation: GrantOperation,
    pub grant_tokens: Vec<String>,
    pub encryption_context: EncryptionContext,
    /// Ask whether the call would succeed without making it (ignored where the API has no
    /// DryRun: DescribeKey).
    pub dry_run: bool,
    /// Encrypt's plaintext, and the plaintext of the sample ciphertext Decrypt and
    /// ReEncrypt are tested with.
    pub plaintext: String,
    /// ReEncrypt's other key: the destination for ReEncryptFrom, the source for
    /// ReEncryptTo. None: the key itself.
    pub other_key: Option<KeyRef>,
    /// CreateGrant: the grant to create.
    pub new_grant: Option<NewGrant>,
    /// RetireGrant: the grant to retire.
    pub grant: Option<GrantId>,
    /// The key's spec and usage: they choose the algorithms of the test (the key's first
    /// signing or MAC algorithm, RSAES_OAEP_SHA_256 for an RSA encryption key).
    pub key_spec: KeySpec,
    pub key_usage: KeyUsage,
}

impl TestCall {
    /// A call of `operation` on `key` as `actor`, with no tokens or context, "hello" as
    /// the plaintext and no DryRun.
    pub fn new(key: KeyRef, actor: Actor, operation: GrantOperation) -> Self {
        Self {
            key,
            actor,
            operation,
            grant_tokens: Vec::new(),
            encryption_context: EncryptionContext::new(),
            dry_run: false,
            plaintext: "hello".into(),
            other_key: None,
            new_grant: None,
            grant: None,
            key_spec: KeySpec::SymmetricDefault,
            key_usage: KeyUsage::EncryptDecrypt,
        }
    }

    /// The call on a key of this spec and usage.
    pub fn on_key_of(mut self, spec: KeySpec, usage: KeyUsage) -> Self {
        self.key_spec = spec;
        self.key_usage = usage;
        self
    }

    /// The signing algorithm a Sign or Verify test uses: the key's first.
    pub fn signing_algorithm(&self) -> SigningAlgorithm {
        key_algorithms(self.key_spec, self.key_usage)
            .signing
            .and_then(|a| a.first().copied())
            .unwrap_or(SigningAlgorithm::EcdsaSha256)
    }

    /// The MAC algorithm a GenerateMac or VerifyMac test uses: the key's own.
    pub fn mac_algorithm(&self) -> MacAlgorithm {
        MacAlgorithm::for_spec(self.key_spec).unwrap_or(MacAlgorithm::HmacSha256)
    }

    /// The encryption algorithm of an Encrypt or Decrypt test: None (SYMMETRIC_DEFAULT)
    /// for a symmetric key, RSAES_OAEP_SHA_256 for an RSA key.
    pub fn encryption_algorithm(&self) -> Option<&'static str> {
        (!self.key_spec.is_symmetric_encryption()).then_some("RSAES_OAEP_SHA_256")
    }

    /// Is this a DryRun (asked for, and the API takes it)?
    pub fn is_dry_run(&self) -> bool {
        self.dry_run && supports_dry_run(self.operation)
    }

    /// The source and destination keys of a ReEncrypt test.
    pub fn re_encrypt_keys(&self) -> (KeyRef, KeyRef) {
        let other = self.other_key.clone().unwrap_or_else(|| self.key.clone());
        match self.operation {
            GrantOperation::ReEncryptTo => (other, self.key.clone()),
            _ => (self.key.clone(), other),
        }
    }

    /// The key a sample ciphertext is made under, for the operations that need one.
    pub fn sample_key(&self) -> Option<KeyRef> {
        match self.operation {
            GrantOperation::Decrypt => Some(self.key.clone()),
            // Verify and VerifyMac check a signature (MAC) the operator made.
            GrantOperation::Verify | GrantOperation::VerifyMac => Some(self.key.clone()),
            GrantOperation::ReEncryptFrom | GrantOperation::ReEncryptTo => {
                Some(self.re_encrypt_keys().0)
            }
            _ => None,
        }
    }

    /// The call's fields were incomplete (a RetireGrant without a grant).
    pub fn missing(&self) -> Option<BackendError> {
        match self.operation {
            op if !testable_on(self.key_spec, self.key_usage).contains(&op) => {
                Some(BackendError::configuration(format!(
                    "{op} cannot be tested on a {} {} key here.",
                    self.key_spec, self.key_usage
                )))
            }
            GrantOperation::CreateGrant if self.new_grant.is_none() => Some(
                BackendError::configuration("CreateGrant needs the grant to create."),
            ),
            GrantOperation::RetireGrant if self.grant.is_none() => Some(
                BackendError::configuration("RetireGrant needs the grant to retire."),
            ),
            _ => None,
        }
    }
}

/// A data key as the test shows it: never the plaintext key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataKeyFacts {
    pub ciphertext_base64: String,
    /// The plaintext key's length and fingerprint (GenerateDataKey only).
    pub plaintext: Option<KeyFingerprint>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFingerprint {
    pub bytes: usize,
    /// The first 8 bytes of its SHA-256, in hex.
    pub sha256_prefix: String,
}

impl KeyFingerprint {
    pub fn of(key: &[u8]) -> Self {
        Self {
            bytes: key.len(),
            sha256_prefix: hex::encode(&Sha256::digest(key)[..8]),
        }
    }
}

/// What DescribeKey told, as the result shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribedKey {
    pub arn: String,
    pub state: String,
    pub spec: String,
    pub usage: String,
    pub description: String,
}

/// What the tested operation answered when it was allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestAnswer {
    /// DryRun: AWS's DryRunOperationException, "the request would have succeeded".
    WouldBeAllowed,
    /// Encrypt, and the Decrypt of its result as the same principal (which may itself be
    /// denied, e.g. when the grant allows Encrypt only).
    Encrypted {
        ciphertext_base64: String,
        round_trip: Result<String, BackendError>,
    },
    Decrypted {
        plaintext: String,
    },
    DataKey(DataKeyFacts),
    ReEncrypted {
        ciphertext_base64: String,
        source_arn: String,
        destination_arn: String,
    },
    Described(DescribedKey),
    GrantCreated {
        grant_id: String,
        grant_token: String,
    },
    Retired,
    /// Sign: the signature (public data).
    Signed {
        signature_base64: String,
        algorithm: SigningAlgorithm,
    },
    /// Verify of the operator's sample signature: valid.
    Verified {
        algorithm: SigningAlgorithm,
    },
    /// GetPublicKey: the DER SubjectPublicKeyInfo.
    PublicKey {
        public_key_base64: String,
        spec: String,
    },
    /// GenerateMac: the MAC.
    Mac {
        mac_base64: String,
        algorithm: MacAlgorithm,
    },
    /// VerifyMac of the operator's sample MAC: valid.
    MacVerified {
        algorithm: MacAlgorithm,
    },
    /// GenerateDataKeyPair(WithoutPlaintext): the public key, the encrypted private key,
    /// and (GenerateDataKeyPair only) the private key's length and fingerprint, never the
    /// key itself.
    DataKeyPair {
        public_key_base64: String,
        private_key_ciphertext_base64: String,
        private_key: Option<KeyFingerprint>,
    },
    /// DeriveSharedSecret with a fresh peer key: the secret's length and fingerprint only.
    SharedSecret(KeyFingerprint),
}

/// A test that ran: who it was made as, what was prepared for it, and the tested call's
/// verdict (AWS's error on a denial).
#[derive(Debug, Clone, PartialEq)]
pub struct TestOutcome {
    /// The principal the call was made as (the ARN a profile resolved to).
    pub caller: String,
    pub key_arn: String,
    pub operation: GrantOperation,
    /// The call was a DryRun.
    pub dry_run: bool,
    /// What was made beforehand and by whom (the sample ciphertext of a Decrypt test).
    pub prepared: Option<String>,
    pub result: Result<TestAnswer, BackendError>,
}

impl TestOutcome {
    /// The tested call's answer, read as a test reads it: a DryRun's
    /// DryRunOperationException is "would be allowed", not a failure.
    pub fn answer(
        call: &TestCall,
        caller: String,
        key_arn: String,
        prepared: Option<String>,
        result: Result<TestAnswer, BackendError>,
    ) -> Self {
        let result = match result {
            Err(e) if e.is(ErrorCode::DryRunOperationException) => Ok(TestAnswer::WouldBeAllowed),
            other => other,
        };
        Self {
            caller,
            key_arn,
            operation: call.operation,
            dry_run: call.is_dry_run(),
            prepared,
            result,
        }
    }

    /// Was the call allowed (performed, or would be)?
    pub fn allowed(&self) -> bool {
        self.result.is_ok()
    }

    /// Did the test change the world (a grant created or retired for real)?
    pub fn changed_world(&self) -> bool {
        self.allowed() && !self.dry_run && changes_world(self.operation)
    }
}

/// What the outcome says of a sample ciphertext (a sample signature or MAC for Verify
/// and VerifyMac: `sample_note_of`).
pub fn sample_note(operator: &str, plaintext: &str, with_context: bool) -> String {
    sample_note_of("ciphertext", operator, plaintext, with_context)
}

/// `sample_note` for a sample of `what` (ciphertext, signature, MAC).
pub fn sample_note_of(what: &str, operator: &str, plaintext: &str, with_context: bool) -> String {
    format!(
        "Sample {what} of \"{plaintext}\" made by {} (the operator){}.",
        crate::kms::display_name(operator),
        if with_context {
            " with the same encryption context"
        } else {
            ""
        }
    )
}

/// A fresh peer public key (DER SubjectPublicKeyInfo) on the key's curve, for a
/// DeriveSharedSecret test: the peer's private key is dropped at once, so the secret the
/// test derives is never known to anyone but KMS.
pub fn peer_public_key(spec: KeySpec) -> Result<Vec<u8>, BackendError> {
    use aws_lc_rs::agreement;
    use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
    let alg = match spec {
        KeySpec::EccNistP256 => &agreement::ECDH_P256,
        KeySpec::EccNistP384 => &agreement::ECDH_P384,
        KeySpec::EccNistP521 => &agreement::ECDH_P521,
        other => {
            return Err(BackendError::configuration(format!(
                "DeriveSharedSecret cannot be tested on a {other} key."
            )))
        }
    };
    let fail = |_| BackendError::configuration("A peer key pair could not be made.");
    let private = agreement::PrivateKey::generate(alg).map_err(fail)?;
    let public = private.compute_public_key().map_err(fail)?;
    let der: PublicKeyX509Der = public.as_der().map_err(fail)?;
    Ok(der.as_ref().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_key_has_no_dry_run_and_only_grants_change_the_world() {
        assert!(!supports_dry_run(GrantOperation::DescribeKey));
        assert!(supports_dry_run(GrantOperation::ReEncryptTo));
        assert!(supports_dry_run(GrantOperation::Sign));
        assert!(!supports_dry_run(GrantOperation::GetPublicKey));
        assert!(changes_world(GrantOperation::RetireGrant));
        assert!(!changes_world(GrantOperation::Decrypt));
        assert_eq!(api_name(GrantOperation::ReEncryptFrom), "ReEncrypt");
    }

    #[test]
    fn a_key_offers_the_tests_its_grants_can_allow() {
        let sign = testable_on(KeySpec::EccNistP256, KeyUsage::SignVerify);
        assert!(sign.contains(&GrantOperation::Sign));
        assert!(!sign.contains(&GrantOperation::Encrypt));
        let sym = testable_on(KeySpec::SymmetricDefault, KeyUsage::EncryptDecrypt);
        assert!(sym.contains(&GrantOperation::GenerateDataKeyPair));
        assert!(!sym.contains(&GrantOperation::Sign));
        let rsa = testable_on(KeySpec::Rsa2048, KeyUsage::EncryptDecrypt);
        assert!(rsa.contains(&GrantOperation::Decrypt));
        assert!(!rsa.contains(&GrantOperation::ReEncryptTo));
    }

    #[test]
    fn a_fingerprint_never_holds_the_key() {
        let f = KeyFingerprint::of(&[7u8; 32]);
        assert_eq!(f.bytes, 32);
        assert_eq!(f.sha256_prefix.len(), 16);
    }
}
