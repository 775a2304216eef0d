//! The request and response shapes of the KMS API operations grantscope implements, with
//! AWS's member names (PascalCase), base64 blobs and epoch-second timestamps, so the same
//! types serve in-process callers and the JSON 1.1 wire protocol.

use serde::{Deserialize, Serialize};

use super::grant::{EncryptionContext, GrantConstraints, GrantListEntry};
use super::key::{KeyMetadata, KeySpec, KeyState, KeyUsage};
use super::operation::OperationInput;

/// Blobs travel as base64 strings in JSON and as bytes in Rust.
pub mod blob {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|_| serde::de::Error::custom("Invalid base64 blob"))
    }
}

macro_rules! shapes {
    ($($(#[$m:meta])* $name:ident { $($body:tt)* })+) => {
        $(
            $(#[$m])*
            #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
            #[serde(rename_all = "PascalCase")]
            pub struct $name { $($body)* }
        )+
    };
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub tag_key: String,
    pub tag_value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyListEntry {
    pub key_id: String,
    pub key_arn: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasListEntry {
    pub alias_name: String,
    pub alias_arn: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub target_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub creation_date: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_updated_date: Option<f64>,
}

shapes! {
    CreateKeyRequest {
        #[serde(default)] pub policy: Option<String>,
        #[serde(default)] pub description: Option<String>,
        #[serde(default)] pub key_usage: Option<KeyUsage>,
        #[serde(default)] pub key_spec: Option<KeySpec>,
        #[serde(default)] pub customer_master_key_spec: Option<KeySpec>,
        #[serde(default)] pub origin: Option<String>,
        #[serde(default)] pub bypass_policy_lockout_safety_check: Option<bool>,
        #[serde(default)] pub tags: Option<Vec<Tag>>,
        #[serde(default)] pub multi_region: Option<bool>,
        #[serde(default)] pub custom_key_store_id: Option<String>,
        #[serde(default)] pub xks_key_id: Option<String>,
    }
    KeyIdRequest {
        pub key_id: String,
    }
    DescribeKeyRequest {
        pub key_id: String,
        #[serde(default)] pub grant_tokens: Option<Vec<String>>,
    }
    ListKeysRequest {
        #[serde(default)] pub limit: Option<i64>,
        #[serde(default)] pub marker: Option<String>,
    }
    ListKeysResponse {
        pub keys: Vec<KeyListEntry>,
        #[serde(skip_serializing_if = "Option::is_none", default)] pub next_marker: Option<String>,
        pub truncated: bool,
    }
    ListAliasesRequest {
        #[serde(default)] pub key_id: Option<String>,
        #[serde(default)] pub limit: Option<i64>,
        #[serde(default)] pub marker: Option<String>,
    }
    ListAliasesResponse {
        pub aliases: Vec<AliasListEntry>,
        #[serde(skip_serializing_if = "Option::is_none", default)] pub next_marker: Option<String>,
        pub truncated: bool,
    }
    CreateAliasRequest {
        pub alias_name: String,
        pub target_key_id: String,
    }
    DeleteAliasRequest {
        pub alias_name: String,
    }
    ScheduleKeyDeletionRequest {
        pub key_id: String,
        #[serde(default)] pub pending_window_in_days: Option<i64>,
    }
    GetKeyPolicyRequest {
        pub key_id: String,
        #[serde(default)] pub policy_name: Option<String>,
    }
    GetKeyPolicyResponse {
        pub policy: String,
        pub policy_name: String,
    }
    PutKeyPolicyRequest {
        pub key_id: String,
        #[serde(default)] pub policy_name: Option<String>,
        pub policy: String,
        #[serde(default)] pub bypass_policy_lockout_safety_check: Option<bool>,
    }
    CreateGrantRequest {
        pub key_id: String,
        /// Either this or `grantee_service_principal`, never both.
        #[serde(default)] pub grantee_principal: Option<String>,
        #[serde(default)] pub retiring_principal: Option<String>,
        /// An unknown value is kept, to get AWS's validation message.
        pub operations: Vec<OperationInput>,
        #[serde(default)] pub constraints: Option<GrantConstraints>,
        #[serde(default)] pub grant_tokens: Option<Vec<String>>,
        #[serde(default)] pub name: Option<String>,
        #[serde(default)] pub dry_run: Option<bool>,
        /// A service principal grantee: needs a `SourceArn` constraint and a retiring
        /// principal or retiring service principal.
        #[serde(default)] pub grantee_service_principal: Option<String>,
        #[serde(default)] pub retiring_service_principal: Option<String>,
    }
    CreateGrantResponse {
        pub grant_token: String,
        pub grant_id: String,
    }
    ListGrantsRequest {
        pub key_id: String,
        #[serde(default)] pub limit: Option<i64>,
        #[serde(default)] pub marker: Option<String>,
        #[serde(default)] pub grant_id: Option<String>,
        #[serde(default)] pub grantee_principal: Option<String>,
        #[serde(default)] pub grantee_service_principal: Option<String>,
    }
    ListRetirableGrantsRequest {
        /// Either this or `retiring_service_principal`, never both.
        #[serde(default)] pub retiring_principal: Option<String>,
        #[serde(default)] pub limit: Option<i64>,
        #[serde(default)] pub marker: Option<String>,
        #[serde(default)] pub retiring_service_principal: Option<String>,
    }
    ListGrantsResponse {
        pub grants: Vec<GrantListEntry>,
        #[serde(skip_serializing_if = "Option::is_none", default)] pub next_marker: Option<String>,
        pub truncated: bool,
    }
    RetireGrantRequest {
        #[serde(default)] pub grant_token: Option<String>,
        #[serde(default)] pub key_id: Option<String>,
        #[serde(default)] pub grant_id: Option<String>,
        #[serde(default)] pub dry_run: Option<bool>,
    }
    RevokeGrantRequest {
        pub key_id: String,
        pub grant_id: String,
        #[serde(default)] pub dry_run: Option<bool>,
    }
    EncryptRequest {
        pub key_id: String,
        #[serde(with = "blob")] pub plaintext: Vec<u8>,
        #[serde(default)] pub encryption_context: Option<EncryptionContext>,
        #[serde(default)] pub grant_tokens: Option<Vec<String>>,
        #[serde(default)] pub encryption_algorithm: Option<String>,
        #[serde(default)] pub dry_run: Option<bool>,
    }
    EncryptResponse {
        #[serde(with = "blob")] pub ciphertext_blob: Vec<u8>,
        pub key_id: String,
        pub encryption_algorithm: String,
    }
    DecryptRequest {
        #[serde(with = "blob")] pub ciphertext_blob: Vec<u8>,
        #[serde(default)] pub encryption_context: Option<EncryptionContext>,
        #[serde(default)] pub grant_tokens: Option<Vec<String>>,
        #[serde(default)] pub key_id: Option<String>,
        #[serde(default)] pub encryption_algorithm: Option<String>,
        #[serde(default)] pub dry_run: Option<bool>,
    }
    DecryptResponse {
        pub key_id: String,
        #[serde(with = "blob")] pub plaintext: Vec<u8>,
        pub encryption_algorithm: String,
    }
    ReEncryptRequest {
        #[serde(with = "blob")] pub ciphertext_blob: Vec<u8>,
        #[serde(default)] pub source_encryption_context: Option<EncryptionContext>,
        #[serde(default)] pub source_key_id: Option<String>,
        pub destination_key_id: String,
        #[serde(default)] pub destination_encryption_context: Option<EncryptionContext>,
        #[serde(default)] pub source_encryption_algorithm: Option<String>,
        #[serde(default)] pub destination_encryption_algorithm: Option<String>,
        #[serde(default)] pub grant_tokens: Option<Vec<String>>,
        #[serde(default)] pub dry_run: Option<bool>,
    }
    ReEncryptResponse {
        #[serde(with = "blob")] pub ciphertext_blob: Vec<u8>,
        pub source_key_id: String,
        pub key_id: String,
        pub source_encryption_algorithm: String,
        pub destination_encryption_algorithm: String,
    }
    GenerateDataKeyRequest {
        pub key_id: String,
        #[serde(default)] pub encryption_context: Option<EncryptionContext>,
        #[serde(default)] pub number_of_bytes: Option<i64>,
        #[serde(default)] pub key_spec: Option<String>,
        #[serde(default)] pub grant_tokens: Option<Vec<String>>,
        #[serde(default)] pub dry_run: Option<bool>,
    }
    GenerateDataKeyResponse {
        #[serde(with = "blob")] pub ciphertext_blob: Vec<u8>,
        #[serde(with = "blob")] pub plaintext: Vec<u8>,
        pub key_id: String,
    }
    GenerateDataKeyWithoutPlaintextResponse {
        #[serde(with = "blob")] pub ciphertext_blob: Vec<u8>,
        pub key_id: String,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadataResponse {
    pub key_metadata: KeyMetadata,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleKeyDeletionResponse {
    pub key_id: String,
    /// "If the KMS key is a multi-Region primary key with replica keys, this field does
    /// not appear."
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub deletion_date: Option<f64>,
    pub key_state: KeyState,
    pub pending_window_in_days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancelKeyDeletionResponse {
    pub key_id: String,
}

/// Operations that return nothing answer `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_base64_and_members_pascal_case() {
        let req = EncryptRequest {
            key_id: "alias/x".into(),
            plaintext: b"hello".to_vec(),
            ..Default::default()
        };
        let json = serde_json::to_value(&req).unwrap();
        assert_eq!(json["Plaintext"], "aGVsbG8=");
        assert_eq!(json["KeyId"], "alias/x");
        let back: EncryptRequest = serde_json::from_value(json).unwrap();
        assert_eq!(back.plaintext, b"hello");
    }
}
