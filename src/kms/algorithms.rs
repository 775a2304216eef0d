//! Algorithms: the signing, encryption, MAC and key agreement algorithm enums of the KMS
//! API, the message types and data key pair specs, and which algorithms each key spec
//! supports (the Developer Guide's key spec reference tables), as DescribeKey and
//! GetPublicKey list them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::key::{aws_enum, KeySpec, KeyUsage};

aws_enum!(
    /// `SigningAlgorithmSpec`, in the service model's order.
    SigningAlgorithm {
        RsassaPssSha256 = "RSASSA_PSS_SHA_256",
        RsassaPssSha384 = "RSASSA_PSS_SHA_384",
        RsassaPssSha512 = "RSASSA_PSS_SHA_512",
        RsassaPkcs1V15Sha256 = "RSASSA_PKCS1_V1_5_SHA_256",
        RsassaPkcs1V15Sha384 = "RSASSA_PKCS1_V1_5_SHA_384",
        RsassaPkcs1V15Sha512 = "RSASSA_PKCS1_V1_5_SHA_512",
        EcdsaSha256 = "ECDSA_SHA_256",
        EcdsaSha384 = "ECDSA_SHA_384",
        EcdsaSha512 = "ECDSA_SHA_512",
        Sm2dsa = "SM2DSA",
        MlDsaShake256 = "ML_DSA_SHAKE_256",
        Ed25519Sha512 = "ED25519_SHA_512",
        Ed25519PhSha512 = "ED25519_PH_SHA_512",
    }
);

aws_enum!(
    /// `EncryptionAlgorithmSpec`.
    EncryptionAlgorithm {
        SymmetricDefault = "SYMMETRIC_DEFAULT",
        RsaesOaepSha1 = "RSAES_OAEP_SHA_1",
        RsaesOaepSha256 = "RSAES_OAEP_SHA_256",
        Sm2pke = "SM2PKE",
    }
);

aws_enum!(
    /// `MacAlgorithmSpec`.
    MacAlgorithm {
        HmacSha224 = "HMAC_SHA_224",
        HmacSha256 = "HMAC_SHA_256",
        HmacSha384 = "HMAC_SHA_384",
        HmacSha512 = "HMAC_SHA_512",
    }
);

aws_enum!(
    /// `KeyAgreementAlgorithmSpec`.
    KeyAgreementAlgorithm {
        Ecdh = "ECDH",
    }
);

aws_enum!(
    /// `MessageType` of Sign and Verify.
    MessageType {
        Raw = "RAW",
        Digest = "DIGEST",
        ExternalMu = "EXTERNAL_MU",
    }
);

aws_enum!(
    /// `DataKeyPairSpec` of GenerateDataKeyPair(WithoutPlaintext).
    DataKeyPairSpec {
        Rsa2048 = "RSA_2048",
        Rsa3072 = "RSA_3072",
        Rsa4096 = "RSA_4096",
        EccNistP256 = "ECC_NIST_P256",
        EccNistP384 = "ECC_NIST_P384",
        EccNistP521 = "ECC_NIST_P521",
        EccSecgP256k1 = "ECC_SECG_P256K1",
        Sm2 = "SM2",
        EccNistEdwards25519 = "ECC_NIST_EDWARDS25519",
    }
);

impl DataKeyPairSpec {
    /// The key spec of the same name (a data key pair is a key of that spec).
    pub fn key_spec(self) -> KeySpec {
        match self {
            Self::Rsa2048 => KeySpec::Rsa2048,
            Self::Rsa3072 => KeySpec::Rsa3072,
            Self::Rsa4096 => KeySpec::Rsa4096,
            Self::EccNistP256 => KeySpec::EccNistP256,
            Self::EccNistP384 => KeySpec::EccNistP384,
            Self::EccNistP521 => KeySpec::EccNistP521,
            Self::EccSecgP256k1 => KeySpec::EccSecgP256k1,
            Self::Sm2 => KeySpec::Sm2,
            Self::EccNistEdwards25519 => KeySpec::EccNistEdwards25519,
        }
    }
}

impl SigningAlgorithm {
    /// The length of the digest this algorithm signs (what a DIGEST message must be):
    /// "When the value of MessageType is DIGEST, the length of the Message value must
    /// match the length of hashed messages for the specified signing algorithm" (Sign).
    pub fn digest_len(self) -> Option<usize> {
        use SigningAlgorithm::*;
        match self {
            RsassaPssSha256 | RsassaPkcs1V15Sha256 | EcdsaSha256 | Sm2dsa => Some(32),
            RsassaPssSha384 | RsassaPkcs1V15Sha384 | EcdsaSha384 => Some(48),
            RsassaPssSha512 | RsassaPkcs1V15Sha512 | EcdsaSha512 | Ed25519PhSha512 => Some(64),
            MlDsaShake256 | Ed25519Sha512 => None,
        }
    }
}

impl MacAlgorithm {
    /// The MAC algorithm of an HMAC key spec (HMAC_256 -> HMAC_SHA_256).
    pub fn for_spec(spec: KeySpec) -> Option<Self> {
        match spec {
            KeySpec::Hmac224 => Some(Self::HmacSha224),
            KeySpec::Hmac256 => Some(Self::HmacSha256),
            KeySpec::Hmac384 => Some(Self::HmacSha384),
            KeySpec::Hmac512 => Some(Self::HmacSha512),
            _ => None,
        }
    }
}

/// The algorithms a key of this spec and usage supports. Each list is `None` when the
/// key cannot use that kind of algorithm: AWS omits those members from KeyMetadata and
/// GetPublicKey ("This field appears only when the KeyUsage of the KMS key is
/// ENCRYPT_DECRYPT" for EncryptionAlgorithms, "only when the KeyUsage ... is SIGN_VERIFY"
/// for SigningAlgorithms; DescribeKey's KeyMetadata).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyAlgorithms {
    pub encryption: Option<Vec<EncryptionAlgorithm>>,
    pub signing: Option<Vec<SigningAlgorithm>>,
    pub mac: Option<Vec<MacAlgorithm>>,
    pub key_agreement: Option<Vec<KeyAgreementAlgorithm>>,
}

/// The Developer Guide's key spec reference, table by table:
/// - RSA "for signing and verification": "RSASSA_PSS_SHA_256, RSASSA_PSS_SHA_384,
///   RSASSA_PSS_SHA_512, RSASSA_PKCS1_V1_5_SHA_256, RSASSA_PKCS1_V1_5_SHA_384,
///   RSASSA_PKCS1_V1_5_SHA_512"; "for encryption and decryption": "RSAES_OAEP_SHA_1,
///   RSAES_OAEP_SHA_256".
/// - ECC: "ECC_NIST_P256 ... ECDSA_SHA_256", "ECC_NIST_P384 ... ECDSA_SHA_384",
///   "ECC_NIST_P521 ... ECDSA_SHA_512", "ECC_SECG_P256K1 ... ECDSA_SHA_256"; key
///   agreement keys: "ECDH".
/// - ECC_NIST_EDWARDS25519: "ED25519_SHA_512, ED25519_PH_SHA_512".
/// - ML-DSA: "ML_DSA_SHAKE_256".
/// - HMAC: "HMAC_224 ... HMAC_SHA_224" through "HMAC_512 ... HMAC_SHA_512".
/// - SM2 (China Regions only): SM2DSA, SM2PKE, ECDH.
pub fn key_algorithms(spec: KeySpec, usage: KeyUsage) -> KeyAlgorithms {
    use SigningAlgorithm::*;
    let mut out = KeyAlgorithms::default();
    match usage {
        KeyUsage::EncryptDecrypt => {
            out.encryption = Some(match spec {
                KeySpec::SymmetricDefault => vec![EncryptionAlgorithm::SymmetricDefault],
                KeySpec::Sm2 => vec![EncryptionAlgorithm::Sm2pke],
                _ => vec![
                    EncryptionAlgorithm::RsaesOaepSha1,
                    EncryptionAlgorithm::RsaesOaepSha256,
                ],
            })
        }
        KeyUsage::SignVerify => {
            out.signing = Some(match spec {
                KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => vec![
                    RsassaPssSha256,
                    RsassaPssSha384,
                    RsassaPssSha512,
                    RsassaPkcs1V15Sha256,
                    RsassaPkcs1V15Sha384,
                    RsassaPkcs1V15Sha512,
                ],
                KeySpec::EccNistP384 => vec![EcdsaSha384],
                KeySpec::EccNistP521 => vec![EcdsaSha512],
                KeySpec::Sm2 => vec![Sm2dsa],
                KeySpec::MlDsa44 | KeySpec::MlDsa65 | KeySpec::MlDsa87 => vec![MlDsaShake256],
                KeySpec::EccNistEdwards25519 => vec![Ed25519Sha512, Ed25519PhSha512],
                _ => vec![EcdsaSha256],
            })
        }
        KeyUsage::GenerateVerifyMac => out.mac = MacAlgorithm::for_spec(spec).map(|m| vec![m]),
        KeyUsage::KeyAgreement => out.key_agreement = Some(vec![KeyAgreementAlgorithm::Ecdh]),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_signing_keys_list_six_algorithms_and_no_encryption() {
        let a = key_algorithms(KeySpec::Rsa2048, KeyUsage::SignVerify);
        assert_eq!(a.signing.as_ref().map(Vec::len), Some(6));
        assert_eq!(a.encryption, None);
    }

    #[test]
    fn p521_signs_with_sha_512() {
        let a = key_algorithms(KeySpec::EccNistP521, KeyUsage::SignVerify);
        assert_eq!(a.signing, Some(vec![SigningAlgorithm::EcdsaSha512]));
    }

    #[test]
    fn unknown_algorithm_names_do_not_parse() {
        assert!("ECDSA_SHA_1".parse::<SigningAlgorithm>().is_err());
        assert_eq!(
            "HMAC_SHA_384".parse::<MacAlgorithm>(),
            Ok(MacAlgorithm::HmacSha384)
        );
    }
}
