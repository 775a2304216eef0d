//! Keys: specs, usages, states and the `KeyMetadata` shape DescribeKey returns.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::algorithms::{
    EncryptionAlgorithm, KeyAgreementAlgorithm, MacAlgorithm, SigningAlgorithm,
};

/// A string enum with AWS's spelling in both serde and Display.
macro_rules! aws_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s { $($text => Ok($name::$variant),)+ _ => Err(()) }
            }
        }
    };
}

pub(crate) use aws_enum;

aws_enum!(
    /// The key states of AWS KMS.
    KeyState {
        Creating = "Creating",
        Enabled = "Enabled",
        Disabled = "Disabled",
        PendingDeletion = "PendingDeletion",
        PendingImport = "PendingImport",
        PendingReplicaDeletion = "PendingReplicaDeletion",
        Unavailable = "Unavailable",
        Updating = "Updating",
    }
);

aws_enum!(
    /// Key specs (the key type).
    KeySpec {
        SymmetricDefault = "SYMMETRIC_DEFAULT",
        Rsa2048 = "RSA_2048",
        Rsa3072 = "RSA_3072",
        Rsa4096 = "RSA_4096",
        EccNistP256 = "ECC_NIST_P256",
        EccNistP384 = "ECC_NIST_P384",
        EccNistP521 = "ECC_NIST_P521",
        EccSecgP256k1 = "ECC_SECG_P256K1",
        Hmac224 = "HMAC_224",
        Hmac256 = "HMAC_256",
        Hmac384 = "HMAC_384",
        Hmac512 = "HMAC_512",
        Sm2 = "SM2",
        MlDsa44 = "ML_DSA_44",
        MlDsa65 = "ML_DSA_65",
        MlDsa87 = "ML_DSA_87",
        EccNistEdwards25519 = "ECC_NIST_EDWARDS25519",
    }
);

aws_enum!(
    /// What a key is for.
    KeyUsage {
        EncryptDecrypt = "ENCRYPT_DECRYPT",
        SignVerify = "SIGN_VERIFY",
        GenerateVerifyMac = "GENERATE_VERIFY_MAC",
        KeyAgreement = "KEY_AGREEMENT",
    }
);

aws_enum!(
    /// Who manages the key.
    KeyManager {
        Customer = "CUSTOMER",
        Aws = "AWS",
    }
);

impl KeySpec {
    pub fn is_symmetric_encryption(self) -> bool {
        self == KeySpec::SymmetricDefault
    }

    pub fn is_hmac(self) -> bool {
        matches!(
            self,
            KeySpec::Hmac224 | KeySpec::Hmac256 | KeySpec::Hmac384 | KeySpec::Hmac512
        )
    }

    pub fn is_rsa(self) -> bool {
        matches!(self, KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096)
    }

    /// The key usages AWS accepts for this spec.
    pub fn allowed_usages(self) -> &'static [KeyUsage] {
        if self.is_symmetric_encryption() {
            &[KeyUsage::EncryptDecrypt]
        } else if self.is_hmac() {
            &[KeyUsage::GenerateVerifyMac]
        } else if self.is_rsa() {
            &[KeyUsage::EncryptDecrypt, KeyUsage::SignVerify]
        } else if matches!(
            self,
            KeySpec::EccSecgP256k1
                | KeySpec::MlDsa44
                | KeySpec::MlDsa65
                | KeySpec::MlDsa87
                | KeySpec::EccNistEdwards25519
        ) {
            // Developer Guide, key spec reference: ML-DSA keys and ECC_NIST_EDWARDS25519
            // are for "signing and verification only", as is ECC_SECG_P256K1.
            &[KeyUsage::SignVerify]
        } else if self == KeySpec::Sm2 {
            &[
                KeyUsage::EncryptDecrypt,
                KeyUsage::SignVerify,
                KeyUsage::KeyAgreement,
            ]
        } else {
            &[KeyUsage::SignVerify, KeyUsage::KeyAgreement]
        }
    }

    /// The usage CreateKey picks when none is given.
    pub fn default_usage(self) -> KeyUsage {
        self.allowed_usages()[0]
    }
}

impl KeyState {
    /// Can the key be used in cryptographic operations?
    pub fn is_usable(self) -> bool {
        self == KeyState::Enabled
    }
}

/// `KeyMetadata` exactly as DescribeKey, CreateKey and friends return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadata {
    #[serde(rename = "AWSAccountId")]
    pub aws_account_id: String,
    pub key_id: String,
    pub arn: String,
    /// Epoch seconds.
    pub creation_date: f64,
    pub enabled: bool,
    pub description: String,
    pub key_usage: KeyUsage,
    pub key_state: KeyState,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub deletion_date: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pending_deletion_window_in_days: Option<u32>,
    pub origin: String,
    pub key_manager: KeyManager,
    pub customer_master_key_spec: KeySpec,
    pub key_spec: KeySpec,
    /// Each list is omitted when the key cannot use that kind of algorithm (AWS omits the
    /// member; it never sends an empty list): see `kms::algorithms`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub encryption_algorithms: Option<Vec<EncryptionAlgorithm>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub signing_algorithms: Option<Vec<SigningAlgorithm>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mac_algorithms: Option<Vec<MacAlgorithm>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub key_agreement_algorithms: Option<Vec<KeyAgreementAlgorithm>>,
    pub multi_region: bool,
    /// Imported key material: when it expires, and whether it does (issue #15 part B).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub valid_to: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expiration_model: Option<String>,
    /// For a multi-Region key: its type, primary key and replica keys.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub multi_region_configuration: Option<super::multi_region::MultiRegionConfiguration>,
}
