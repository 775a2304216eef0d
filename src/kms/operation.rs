//! Operations: the 17 grant operations a grant may allow, and the KMS API operations
//! (with the IAM action each one is authorized as).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::key::KeySpec;
use super::key::KeyUsage;

/// The operations a grant can allow, exactly AWS's `GrantOperation` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum GrantOperation {
    Decrypt,
    Encrypt,
    GenerateDataKey,
    GenerateDataKeyWithoutPlaintext,
    ReEncryptFrom,
    ReEncryptTo,
    Sign,
    Verify,
    GetPublicKey,
    CreateGrant,
    RetireGrant,
    DescribeKey,
    GenerateDataKeyPair,
    GenerateDataKeyPairWithoutPlaintext,
    GenerateMac,
    VerifyMac,
    DeriveSharedSecret,
}

impl GrantOperation {
    /// All 17, in the order of AWS's service model (the order of its validation message).
    pub const ALL: [GrantOperation; 17] = [
        GrantOperation::Decrypt,
        GrantOperation::Encrypt,
        GrantOperation::GenerateDataKey,
        GrantOperation::GenerateDataKeyWithoutPlaintext,
        GrantOperation::ReEncryptFrom,
        GrantOperation::ReEncryptTo,
        GrantOperation::Sign,
        GrantOperation::Verify,
        GrantOperation::GetPublicKey,
        GrantOperation::CreateGrant,
        GrantOperation::RetireGrant,
        GrantOperation::DescribeKey,
        GrantOperation::GenerateDataKeyPair,
        GrantOperation::GenerateDataKeyPairWithoutPlaintext,
        GrantOperation::GenerateMac,
        GrantOperation::VerifyMac,
        GrantOperation::DeriveSharedSecret,
    ];

    pub fn as_str(self) -> &'static str {
        use GrantOperation::*;
        match self {
            Decrypt => "Decrypt",
            Encrypt => "Encrypt",
            GenerateDataKey => "GenerateDataKey",
            GenerateDataKeyWithoutPlaintext => "GenerateDataKeyWithoutPlaintext",
            ReEncryptFrom => "ReEncryptFrom",
            ReEncryptTo => "ReEncryptTo",
            Sign => "Sign",
            Verify => "Verify",
            GetPublicKey => "GetPublicKey",
            CreateGrant => "CreateGrant",
            RetireGrant => "RetireGrant",
            DescribeKey => "DescribeKey",
            GenerateDataKeyPair => "GenerateDataKeyPair",
            GenerateDataKeyPairWithoutPlaintext => "GenerateDataKeyPairWithoutPlaintext",
            GenerateMac => "GenerateMac",
            VerifyMac => "VerifyMac",
            DeriveSharedSecret => "DeriveSharedSecret",
        }
    }

    /// The IAM action a use of this grant operation is (`kms:Encrypt`, `kms:ReEncryptFrom`...).
    pub fn action(self) -> String {
        format!("kms:{}", self.as_str())
    }

    /// Operations whose requests carry an encryption context, so grant constraints apply.
    pub fn takes_encryption_context(self) -> bool {
        use GrantOperation::*;
        matches!(
            self,
            Encrypt
                | Decrypt
                | ReEncryptFrom
                | ReEncryptTo
                | GenerateDataKey
                | GenerateDataKeyWithoutPlaintext
                | GenerateDataKeyPair
                | GenerateDataKeyPairWithoutPlaintext
        )
    }

    /// Operations that hand plaintext (or plaintext key material) to the caller.
    pub fn returns_plaintext(self) -> bool {
        use GrantOperation::*;
        matches!(
            self,
            Decrypt | ReEncryptFrom | GenerateDataKey | GenerateDataKeyPair
        )
    }

    /// Can a grant on a key of this spec and usage allow this operation?
    pub fn valid_for(self, spec: KeySpec, usage: KeyUsage) -> bool {
        use GrantOperation::*;
        if matches!(self, CreateGrant | RetireGrant | DescribeKey) {
            return true;
        }
        match (spec.is_symmetric_encryption(), usage) {
            (true, _) => matches!(
                self,
                Decrypt
                    | Encrypt
                    | GenerateDataKey
                    | GenerateDataKeyWithoutPlaintext
                    | ReEncryptFrom
                    | ReEncryptTo
                    | GenerateDataKeyPair
                    | GenerateDataKeyPairWithoutPlaintext
            ),
            (false, KeyUsage::EncryptDecrypt) => {
                matches!(
                    self,
                    Decrypt | Encrypt | ReEncryptFrom | ReEncryptTo | GetPublicKey
                )
            }
            (false, KeyUsage::SignVerify) => matches!(self, Sign | Verify | GetPublicKey),
            (false, KeyUsage::GenerateVerifyMac) => matches!(self, GenerateMac | VerifyMac),
            (false, KeyUsage::KeyAgreement) => matches!(self, DeriveSharedSecret | GetPublicKey),
        }
    }

    /// AWS's enum list as it appears in validation messages.
    pub fn enum_list() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|o| o.as_str()).collect();
        format!("[{}]", names.join(", "))
    }
}

impl fmt::Display for GrantOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for GrantOperation {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|o| o.as_str() == s).ok_or(())
    }
}

/// A grant operation as a request names it: one of AWS's, or an unknown name kept as
/// written, so that the simulator can answer it with AWS's validation message. Requests
/// built in-process carry `Known` operations and are never turned into strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OperationInput {
    Known(GrantOperation),
    Unknown(String),
}

impl OperationInput {
    pub fn parse(s: &str) -> Self {
        s.parse()
            .map_or_else(|()| Self::Unknown(s.to_string()), Self::Known)
    }
}

impl From<GrantOperation> for OperationInput {
    fn from(op: GrantOperation) -> Self {
        Self::Known(op)
    }
}

impl From<&str> for OperationInput {
    fn from(s: &str) -> Self {
        Self::parse(s)
    }
}

impl fmt::Display for OperationInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Known(op) => f.write_str(op.as_str()),
            Self::Unknown(s) => f.write_str(s),
        }
    }
}

impl Serialize for OperationInput {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for OperationInput {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Self::parse(&s))
    }
}

/// The KMS API operations grantscope knows (the ones the simulator implements).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ApiOperation {
    CreateKey,
    DescribeKey,
    ListKeys,
    ListAliases,
    CreateAlias,
    DeleteAlias,
    EnableKey,
    DisableKey,
    ScheduleKeyDeletion,
    CancelKeyDeletion,
    GetKeyPolicy,
    PutKeyPolicy,
    CreateGrant,
    ListGrants,
    ListRetirableGrants,
    RetireGrant,
    RevokeGrant,
    Encrypt,
    Decrypt,
    ReEncrypt,
    GenerateDataKey,
    GenerateDataKeyWithoutPlaintext,
    // Issue #15 part B: tags, alias and description updates, rotation, key policies list,
    // imported key material, custom key stores.
    TagResource,
    UntagResource,
    ListResourceTags,
    UpdateAlias,
    UpdateKeyDescription,
    EnableKeyRotation,
    DisableKeyRotation,
    GetKeyRotationStatus,
    ListKeyRotations,
    RotateKeyOnDemand,
    ListKeyPolicies,
    GetParametersForImport,
    ImportKeyMaterial,
    DeleteImportedKeyMaterial,
    CreateCustomKeyStore,
    ConnectCustomKeyStore,
    DisconnectCustomKeyStore,
    UpdateCustomKeyStore,
    DeleteCustomKeyStore,
    DescribeCustomKeyStores,
    // Asymmetric, HMAC and key agreement operations (issue #15, part A).
    Sign,
    Verify,
    GetPublicKey,
    GenerateMac,
    VerifyMac,
    GenerateRandom,
    GenerateDataKeyPair,
    GenerateDataKeyPairWithoutPlaintext,
    DeriveSharedSecret,
    // Multi-Region keys (issue #15, part C).
    ReplicateKey,
    UpdatePrimaryRegion,
}

impl ApiOperation {
    pub const ALL: [ApiOperation; 53] = [
        ApiOperation::CreateKey,
        ApiOperation::DescribeKey,
        ApiOperation::ListKeys,
        ApiOperation::ListAliases,
        ApiOperation::CreateAlias,
        ApiOperation::DeleteAlias,
        ApiOperation::EnableKey,
        ApiOperation::DisableKey,
        ApiOperation::ScheduleKeyDeletion,
        ApiOperation::CancelKeyDeletion,
        ApiOperation::GetKeyPolicy,
        ApiOperation::PutKeyPolicy,
        ApiOperation::CreateGrant,
        ApiOperation::ListGrants,
        ApiOperation::ListRetirableGrants,
        ApiOperation::RetireGrant,
        ApiOperation::RevokeGrant,
        ApiOperation::Encrypt,
        ApiOperation::Decrypt,
        ApiOperation::ReEncrypt,
        ApiOperation::GenerateDataKey,
        ApiOperation::GenerateDataKeyWithoutPlaintext,
        ApiOperation::TagResource,
        ApiOperation::UntagResource,
        ApiOperation::ListResourceTags,
        ApiOperation::UpdateAlias,
        ApiOperation::UpdateKeyDescription,
        ApiOperation::EnableKeyRotation,
        ApiOperation::DisableKeyRotation,
        ApiOperation::GetKeyRotationStatus,
        ApiOperation::ListKeyRotations,
        ApiOperation::RotateKeyOnDemand,
        ApiOperation::ListKeyPolicies,
        ApiOperation::GetParametersForImport,
        ApiOperation::ImportKeyMaterial,
        ApiOperation::DeleteImportedKeyMaterial,
        ApiOperation::CreateCustomKeyStore,
        ApiOperation::ConnectCustomKeyStore,
        ApiOperation::DisconnectCustomKeyStore,
        ApiOperation::UpdateCustomKeyStore,
        ApiOperation::DeleteCustomKeyStore,
        ApiOperation::DescribeCustomKeyStores,
        ApiOperation::Sign,
        ApiOperation::Verify,
        ApiOperation::GetPublicKey,
        ApiOperation::GenerateMac,
        ApiOperation::VerifyMac,
        ApiOperation::GenerateRandom,
        ApiOperation::GenerateDataKeyPair,
        ApiOperation::GenerateDataKeyPairWithoutPlaintext,
        ApiOperation::DeriveSharedSecret,
        // Multi-Region keys (issue #15, part C).
        ApiOperation::ReplicateKey,
        ApiOperation::UpdatePrimaryRegion,
    ];

    pub fn as_str(self) -> &'static str {
        use ApiOperation::*;
        match self {
            CreateKey => "CreateKey",
            DescribeKey => "DescribeKey",
            ListKeys => "ListKeys",
            ListAliases => "ListAliases",
            CreateAlias => "CreateAlias",
            DeleteAlias => "DeleteAlias",
            EnableKey => "EnableKey",
            DisableKey => "DisableKey",
            ScheduleKeyDeletion => "ScheduleKeyDeletion",
            CancelKeyDeletion => "CancelKeyDeletion",
            GetKeyPolicy => "GetKeyPolicy",
            PutKeyPolicy => "PutKeyPolicy",
            CreateGrant => "CreateGrant",
            ListGrants => "ListGrants",
            ListRetirableGrants => "ListRetirableGrants",
            RetireGrant => "RetireGrant",
            RevokeGrant => "RevokeGrant",
            Encrypt => "Encrypt",
            Decrypt => "Decrypt",
            ReEncrypt => "ReEncrypt",
            GenerateDataKey => "GenerateDataKey",
            GenerateDataKeyWithoutPlaintext => "GenerateDataKeyWithoutPlaintext",
            TagResource => "TagResource",
            UntagResource => "UntagResource",
            ListResourceTags => "ListResourceTags",
            UpdateAlias => "UpdateAlias",
            UpdateKeyDescription => "UpdateKeyDescription",
            EnableKeyRotation => "EnableKeyRotation",
            DisableKeyRotation => "DisableKeyRotation",
            GetKeyRotationStatus => "GetKeyRotationStatus",
            ListKeyRotations => "ListKeyRotations",
            RotateKeyOnDemand => "RotateKeyOnDemand",
            ListKeyPolicies => "ListKeyPolicies",
            GetParametersForImport => "GetParametersForImport",
            ImportKeyMaterial => "ImportKeyMaterial",
            DeleteImportedKeyMaterial => "DeleteImportedKeyMaterial",
            CreateCustomKeyStore => "CreateCustomKeyStore",
            ConnectCustomKeyStore => "ConnectCustomKeyStore",
            DisconnectCustomKeyStore => "DisconnectCustomKeyStore",
            UpdateCustomKeyStore => "UpdateCustomKeyStore",
            DeleteCustomKeyStore => "DeleteCustomKeyStore",
            DescribeCustomKeyStores => "DescribeCustomKeyStores",
            Sign => "Sign",
            Verify => "Verify",
            GetPublicKey => "GetPublicKey",
            GenerateMac => "GenerateMac",
            VerifyMac => "VerifyMac",
            GenerateRandom => "GenerateRandom",
            GenerateDataKeyPair => "GenerateDataKeyPair",
            GenerateDataKeyPairWithoutPlaintext => "GenerateDataKeyPairWithoutPlaintext",
            DeriveSharedSecret => "DeriveSharedSecret",
            // Multi-Region keys (issue #15, part C).
            ReplicateKey => "ReplicateKey",
            UpdatePrimaryRegion => "UpdatePrimaryRegion",
        }
    }

    /// The IAM action name (`kms:Encrypt`). ReEncrypt is authorized as ReEncryptFrom on the
    /// source key and ReEncryptTo on the destination; this returns `kms:ReEncrypt*` for it.
    pub fn action(self) -> String {
        match self {
            ApiOperation::ReEncrypt => "kms:ReEncrypt*".to_string(),
            op => format!("kms:{}", op.as_str()),
        }
    }

    /// Does the operation accept a `GrantTokens` member?
    pub fn accepts_grant_tokens(self) -> bool {
        use ApiOperation::*;
        matches!(
            self,
            CreateGrant
                | Decrypt
                | DescribeKey
                | Encrypt
                | GenerateDataKey
                | GenerateDataKeyWithoutPlaintext
                | ReEncrypt
                | Sign
                | Verify
                | GetPublicKey
                | GenerateMac
                | VerifyMac
                | GenerateDataKeyPair
                | GenerateDataKeyPairWithoutPlaintext
                | DeriveSharedSecret
        )
    }
}

impl fmt::Display for ApiOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ApiOperation {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|o| o.as_str() == s).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seventeen_grant_operations_round_trip() {
        assert_eq!(GrantOperation::ALL.len(), 17);
        for op in GrantOperation::ALL {
            assert_eq!(op.as_str().parse::<GrantOperation>(), Ok(op));
            let json = serde_json::to_string(&op).unwrap();
            assert_eq!(json, format!("\"{}\"", op.as_str()));
        }
        assert!("Encrypt*".parse::<GrantOperation>().is_err());
    }

    #[test]
    fn grant_operation_validity_follows_key_type() {
        let sym = (KeySpec::SymmetricDefault, KeyUsage::EncryptDecrypt);
        assert!(GrantOperation::Encrypt.valid_for(sym.0, sym.1));
        assert!(!GrantOperation::Sign.valid_for(sym.0, sym.1));
        assert!(!GrantOperation::GetPublicKey.valid_for(sym.0, sym.1));
        assert!(GrantOperation::Sign.valid_for(KeySpec::EccNistP256, KeyUsage::SignVerify));
        assert!(
            !GrantOperation::GenerateDataKey.valid_for(KeySpec::Rsa2048, KeyUsage::EncryptDecrypt)
        );
        assert!(
            GrantOperation::GenerateMac.valid_for(KeySpec::Hmac256, KeyUsage::GenerateVerifyMac)
        );
        assert!(
            GrantOperation::DescribeKey.valid_for(KeySpec::Hmac256, KeyUsage::GenerateVerifyMac)
        );
    }
}
