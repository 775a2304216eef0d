//! Request and response shapes of the asymmetric, HMAC and key agreement operations
//! (Sign, Verify, GetPublicKey, GenerateMac, VerifyMac, GenerateRandom,
//! GenerateDataKeyPair(WithoutPlaintext), DeriveSharedSecret), with AWS's member names.
//! Enum members are typed: a value outside the enum is AWS's ValidationException at the
//! wire's edge.

use serde::{Deserialize, Serialize};

use super::algorithms::{
    DataKeyPairSpec, EncryptionAlgorithm, KeyAgreementAlgorithm, MacAlgorithm, MessageType,
    SigningAlgorithm,
};
use super::api::blob;
use super::grant::EncryptionContext;
use super::key::{KeySpec, KeyUsage};

/// A blob that may be absent.
mod opt_blob {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(b) => super::blob::serialize(b, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        #[derive(Deserialize)]
        struct Wrap(#[serde(with = "super::blob")] Vec<u8>);
        Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
    }
}

/// `RecipientInfo` (a Nitro enclave's attestation document). Kept opaque: the simulator
/// refuses it (see `sim::key_pairs`).
pub type RecipientInfo = serde_json::Value;

macro_rules! shapes {
    ($($(#[$m:meta])* $name:ident { $($body:tt)* })+) => {
        $(
            $(#[$m])*
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[serde(rename_all = "PascalCase")]
            pub struct $name { $($body)* }
        )+
    };
}

shapes! {
    SignRequest {
        pub key_id: String,
        #[serde(with = "blob")] pub message: Vec<u8>,
        #[serde(default)] pub message_type: Option<MessageType>,
        #[serde(default)] pub grant_tokens: Option<Vec<String>>,
        pub signing_algorithm: SigningAlgorithm,
        #[serde(default)] pub dry_run: Option<bool>,
    }
    SignResponse {
        pub key_id: String,
        #[serde(with = "blob")] pub signature: Vec<u8>,
        pub signing_algorithm: SigningAlgorithm,
    }
    VerifyRequest {
        pub key_id: String,
        #[serde(with = "blob")] pub message: Vec<u8>,
        #[serde(default)] pub message_type: Option<MessageType>,
        #[serde(with = "blob")] pub signature: Vec<u8>,
        pub signing_algorithm: SigningAlgorithm,
        #[serde(default)] pub grant_tokens: Option<Vec<String>>,
        #[serde(default)] pub dry_run: Option<bool>,
    }
    VerifyResponse {
        pub key_id: String,
        pub signature_valid: bool,
        pub signing_algorithm: SigningAlgorithm,
    }
    GetPublicKeyRequest {
        pub key_id: String,
        #[serde(default)] pub grant_tokens: Option<Vec<String>>,
    }
    GetPublicKeyResponse {
        pub key_id: String,
        #[serde(with = "blob")] pub public_key: Vec<u8>,
        pub customer_master_key_spec: KeySpec,
        pub key_spec: KeySpec,
        pub key_usage: KeyUsage,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        pub encryption_algorithms: Option<Vec<EncryptionAlgorithm>>,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        pub signing_algorithms: Option<Vec<SigningAlgorithm>>,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        pub key_agreement_algorithms: Option<Vec<KeyAgreementAlgorithm>>,
    }
    GenerateMacRequest {
        #[serde(with = "blob")] pub message: Vec<u8>,
        pub key_id: String,
        pub mac_algorithm: MacAlgorithm,
        #[serde(default)] pub grant_tokens: Option<Vec<String>>,
        #[serde(default)] pub dry_run: Option<bool>,
    }
    GenerateMacResponse {
        #[serde(with = "blob")] pub mac: Vec<u8>,
        pub mac_algorithm: MacAlgorithm,
        pub key_id: String,
    }
    VerifyMacRequest {
        #[serde(with = "blob")] pub message: Vec<u8>,
        pub key_id: String,
        pub mac_algorithm: MacAlgorithm,
        #[serde(with = "blob")] pub mac: Vec<u8>,
        #[serde(default)] pub grant_tokens: Option<Vec<String>>,
        #[serde(default)] pub dry_run: Option<bool>,
    }
    VerifyMacResponse {
        pub key_id: String,
        pub mac_valid: bool,
        pub mac_algorithm: MacAlgorithm,
    }
    GenerateDataKeyPairRequest {
        #[serde(default)] pub encryption_context: Option<EncryptionContext>,
        pub key_id: String,
        pub key_pair_spec: DataKeyPairSpec,
        #[serde(default)] pub grant_tokens: Option<Vec<String>>,
        #[serde(default)] pub recipient: Option<RecipientInfo>,
        #[serde(default)] pub dry_run: Option<bool>,
    }
    GenerateDataKeyPairResponse {
        #[serde(with = "blob")] pub private_key_ciphertext_blob: Vec<u8>,
        #[serde(with = "blob")] pub private_key_plaintext: Vec<u8>,
        #[serde(with = "blob")] pub public_key: Vec<u8>,
        pub key_id: String,
        pub key_pair_spec: DataKeyPairSpec,
    }
    GenerateDataKeyPairWithoutPlaintextResponse {
        #[serde(with = "blob")] pub private_key_ciphertext_blob: Vec<u8>,
        #[serde(with = "blob")] pub public_key: Vec<u8>,
        pub key_id: String,
        pub key_pair_spec: DataKeyPairSpec,
    }
    DeriveSharedSecretRequest {
        pub key_id: String,
        pub key_agreement_algorithm: KeyAgreementAlgorithm,
        #[serde(with = "blob")] pub public_key: Vec<u8>,
        #[serde(default)] pub grant_tokens: Option<Vec<String>>,
        #[serde(default)] pub dry_run: Option<bool>,
        #[serde(default)] pub recipient: Option<RecipientInfo>,
    }
    DeriveSharedSecretResponse {
        pub key_id: String,
        #[serde(with = "blob")] pub shared_secret: Vec<u8>,
        pub key_agreement_algorithm: KeyAgreementAlgorithm,
        pub key_origin: String,
    }
}

/// GenerateRandom: every member is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateRandomRequest {
    #[serde(default)]
    pub number_of_bytes: Option<i64>,
    #[serde(default)]
    pub custom_key_store_id: Option<String>,
    #[serde(default)]
    pub recipient: Option<RecipientInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateRandomResponse {
    #[serde(with = "opt_blob", skip_serializing_if = "Option::is_none", default)]
    pub plaintext: Option<Vec<u8>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_request_reads_aws_members() {
        let req: SignRequest = serde_json::from_value(serde_json::json!({
            "KeyId": "alias/k", "Message": "aGk=", "MessageType": "DIGEST",
            "SigningAlgorithm": "ECDSA_SHA_256"
        }))
        .unwrap();
        assert_eq!(req.message, b"hi");
        assert_eq!(req.message_type, Some(MessageType::Digest));
        assert_eq!(req.signing_algorithm, SigningAlgorithm::EcdsaSha256);
    }
}
