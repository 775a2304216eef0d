//! Testing a grant: `TestCall`, one operation a grant may allow, made as a chosen
//! principal (or profile) with grant tokens, an encryption context and, where AWS offers
//! it, DryRun; and `TestOutcome`, what the operation answered. Both backends speak it:
//! the simulator calls its own API as the principal, AWS calls KMS with the profile's
//! credentials. Plaintext data keys never travel back: only their length and a
//! fingerprint do.

use sha2::{Digest, Sha256};

use crate::kms::{EncryptionContext, ErrorCode, GrantConstraints, GrantId, GrantOperation};
use crate::kms::{KeyRef, Principal};

use super::{Actor, BackendError};

/// The grant operations of a symmetric encryption key that can be tested, in the order
/// the dialog offers them. (GenerateDataKeyPair and its WithoutPlaintext twin wait for the
/// simulator to have them; Sign, Verify, the MAC and key-agreement operations for keys of
/// those kinds.)
pub const TESTABLE: [GrantOperation; 9] = [
    GrantOperation::Encrypt,
    GrantOperation::Decrypt,
    GrantOperation::GenerateDataKey,
    GrantOperation::GenerateDataKeyWithoutPlaintext,
    GrantOperation::ReEncryptFrom,
    GrantOperation::ReEncryptTo,
    GrantOperation::DescribeKey,
    GrantOperation::CreateGrant,
    GrantOperation::RetireGrant,
];

/// Can this operation be tested here?
pub fn testable(op: GrantOperation) -> bool {
    TESTABLE.contains(&op)
}

/// Does the API call that tests `op` take `DryRun`? (Every testable one but DescribeKey.)
pub fn supports_dry_run(op: GrantOperation) -> bool {
    testable(op) && op != GrantOperation::DescribeKey
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
        }
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
            GrantOperation::ReEncryptFrom | GrantOperation::ReEncryptTo => {
                Some(self.re_encrypt_keys().0)
            }
            _ => None,
        }
    }

    /// The call's fields were incomplete (a RetireGrant without a grant).
    pub fn missing(&self) -> Option<BackendError> {
        match self.operation {
            op if !testable(op) => Some(BackendError::configuration(format!(
                "{op} cannot be tested on a symmetric encryption key here."
            ))),
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

/// What the outcome says of a sample ciphertext.
pub fn sample_note(operator: &str, plaintext: &str, with_context: bool) -> String {
    format!(
        "Sample ciphertext of \"{plaintext}\" made by {} (the operator){}.",
        crate::kms::display_name(operator),
        if with_context {
            " with the same encryption context"
        } else {
            ""
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_key_has_no_dry_run_and_only_grants_change_the_world() {
        assert!(!supports_dry_run(GrantOperation::DescribeKey));
        assert!(supports_dry_run(GrantOperation::ReEncryptTo));
        assert!(!supports_dry_run(GrantOperation::Sign));
        assert!(changes_world(GrantOperation::RetireGrant));
        assert!(!changes_world(GrantOperation::Decrypt));
        assert_eq!(api_name(GrantOperation::ReEncryptFrom), "ReEncrypt");
    }

    #[test]
    fn a_fingerprint_never_holds_the_key() {
        let f = KeyFingerprint::of(&[7u8; 32]);
        assert_eq!(f.bytes, 32);
        assert_eq!(f.sha256_prefix.len(), 16);
    }
}
