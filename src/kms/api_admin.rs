//! Request and response shapes of the key-administration operations added for issue #15
//! part B: tags, UpdateAlias and UpdateKeyDescription, key rotation, ListKeyPolicies,
//! imported key material and custom key stores. AWS's member names (PascalCase), base64
//! blobs, epoch-second dates; enums list every value of AWS's service model, so a value
//! outside them gets AWS's validation message from the parser.

use serde::{Deserialize, Serialize};

use super::api::{blob, Tag};

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

/// A string enum with AWS's spelling (every value of the service model).
macro_rules! model_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

model_enum!(
    /// GetParametersForImport's `WrappingAlgorithm` (the service model's AlgorithmSpec).
    WrappingAlgorithm {
        RsaesPkcs1V15 = "RSAES_PKCS1_V1_5",
        RsaesOaepSha1 = "RSAES_OAEP_SHA_1",
        RsaesOaepSha256 = "RSAES_OAEP_SHA_256",
        RsaAesKeyWrapSha1 = "RSA_AES_KEY_WRAP_SHA_1",
        RsaAesKeyWrapSha256 = "RSA_AES_KEY_WRAP_SHA_256",
        Sm2Pke = "SM2PKE",
    }
);

model_enum!(
    /// GetParametersForImport's `WrappingKeySpec`.
    WrappingKeySpec {
        Rsa2048 = "RSA_2048",
        Rsa3072 = "RSA_3072",
        Rsa4096 = "RSA_4096",
        Sm2 = "SM2",
    }
);

model_enum!(
    /// ImportKeyMaterial's `ExpirationModel`.
    ExpirationModel {
        KeyMaterialExpires = "KEY_MATERIAL_EXPIRES",
        KeyMaterialDoesNotExpire = "KEY_MATERIAL_DOES_NOT_EXPIRE",
    }
);

model_enum!(
    /// ImportKeyMaterial's `ImportType`.
    ImportType {
        NewKeyMaterial = "NEW_KEY_MATERIAL",
        ExistingKeyMaterial = "EXISTING_KEY_MATERIAL",
    }
);

model_enum!(
    /// ListKeyRotations' `IncludeKeyMaterial`.
    IncludeKeyMaterial {
        AllKeyMaterial = "ALL_KEY_MATERIAL",
        RotationsOnly = "ROTATIONS_ONLY",
    }
);

model_enum!(
    /// How a rotation happened (`RotationType`).
    RotationType {
        Automatic = "AUTOMATIC",
        OnDemand = "ON_DEMAND",
    }
);

model_enum!(
    /// CreateCustomKeyStore's `CustomKeyStoreType`.
    CustomKeyStoreType {
        AwsCloudhsm = "AWS_CLOUDHSM",
        ExternalKeyStore = "EXTERNAL_KEY_STORE",
    }
);

model_enum!(
    /// `XksProxyConnectivity`.
    XksProxyConnectivity {
        PublicEndpoint = "PUBLIC_ENDPOINT",
        VpcEndpointService = "VPC_ENDPOINT_SERVICE",
    }
);

/// `XksProxyAuthenticationCredential`: secret, never logged or echoed.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct XksProxyAuthenticationCredential {
    pub access_key_id: String,
    pub raw_secret_access_key: String,
}

impl std::fmt::Debug for XksProxyAuthenticationCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("XksProxyAuthenticationCredential { .. }")
    }
}

shapes! {
    TagResourceRequest {
        pub key_id: String,
        pub tags: Vec<Tag>,
    }
    UntagResourceRequest {
        pub key_id: String,
        pub tag_keys: Vec<String>,
    }
    ListResourceTagsRequest {
        pub key_id: String,
        #[serde(default)] pub limit: Option<i64>,
        #[serde(default)] pub marker: Option<String>,
    }
    ListResourceTagsResponse {
        pub tags: Vec<Tag>,
        #[serde(skip_serializing_if = "Option::is_none", default)] pub next_marker: Option<String>,
        pub truncated: bool,
    }
    UpdateAliasRequest {
        pub alias_name: String,
        pub target_key_id: String,
    }
    UpdateKeyDescriptionRequest {
        pub key_id: String,
        pub description: String,
    }
    EnableKeyRotationRequest {
        pub key_id: String,
        #[serde(default)] pub rotation_period_in_days: Option<i64>,
    }
    GetKeyRotationStatusResponse {
        pub key_rotation_enabled: bool,
        pub key_id: String,
        #[serde(skip_serializing_if = "Option::is_none", default)] pub rotation_period_in_days: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none", default)] pub next_rotation_date: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none", default)] pub on_demand_rotation_start_date: Option<f64>,
    }
    ListKeyRotationsRequest {
        pub key_id: String,
        #[serde(default)] pub include_key_material: Option<IncludeKeyMaterial>,
        #[serde(default)] pub limit: Option<i64>,
        #[serde(default)] pub marker: Option<String>,
    }
    ListKeyRotationsResponse {
        pub rotations: Vec<RotationsListEntry>,
        #[serde(skip_serializing_if = "Option::is_none", default)] pub next_marker: Option<String>,
        pub truncated: bool,
    }
    KeyIdResponse {
        pub key_id: String,
    }
    ListKeyPoliciesRequest {
        pub key_id: String,
        #[serde(default)] pub limit: Option<i64>,
        #[serde(default)] pub marker: Option<String>,
    }
    ListKeyPoliciesResponse {
        pub policy_names: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none", default)] pub next_marker: Option<String>,
        pub truncated: bool,
    }
    ImportKeyMaterialRequest {
        pub key_id: String,
        #[serde(with = "blob")] pub import_token: Vec<u8>,
        #[serde(with = "blob")] pub encrypted_key_material: Vec<u8>,
        #[serde(default)] pub valid_to: Option<f64>,
        #[serde(default)] pub expiration_model: Option<ExpirationModel>,
        #[serde(default)] pub import_type: Option<ImportType>,
        #[serde(default)] pub key_material_description: Option<String>,
        #[serde(default)] pub key_material_id: Option<String>,
    }
    KeyMaterialResponse {
        pub key_id: String,
        pub key_material_id: String,
    }
    DeleteImportedKeyMaterialRequest {
        pub key_id: String,
        #[serde(default)] pub key_material_id: Option<String>,
    }
    CreateCustomKeyStoreRequest {
        pub custom_key_store_name: String,
        #[serde(default)] pub cloud_hsm_cluster_id: Option<String>,
        #[serde(default)] pub trust_anchor_certificate: Option<String>,
        #[serde(default)] pub key_store_password: Option<String>,
        #[serde(default)] pub custom_key_store_type: Option<CustomKeyStoreType>,
        #[serde(default)] pub xks_proxy_uri_endpoint: Option<String>,
        #[serde(default)] pub xks_proxy_uri_path: Option<String>,
        #[serde(default)] pub xks_proxy_vpc_endpoint_service_name: Option<String>,
        #[serde(default)] pub xks_proxy_vpc_endpoint_service_owner: Option<String>,
        #[serde(default)] pub xks_proxy_authentication_credential: Option<XksProxyAuthenticationCredential>,
        #[serde(default)] pub xks_proxy_connectivity: Option<XksProxyConnectivity>,
    }
    CustomKeyStoreIdRequest {
        pub custom_key_store_id: String,
    }
    UpdateCustomKeyStoreRequest {
        pub custom_key_store_id: String,
        #[serde(default)] pub new_custom_key_store_name: Option<String>,
        #[serde(default)] pub key_store_password: Option<String>,
        #[serde(default)] pub cloud_hsm_cluster_id: Option<String>,
        #[serde(default)] pub xks_proxy_uri_endpoint: Option<String>,
        #[serde(default)] pub xks_proxy_uri_path: Option<String>,
        #[serde(default)] pub xks_proxy_vpc_endpoint_service_name: Option<String>,
        #[serde(default)] pub xks_proxy_vpc_endpoint_service_owner: Option<String>,
        #[serde(default)] pub xks_proxy_authentication_credential: Option<XksProxyAuthenticationCredential>,
        #[serde(default)] pub xks_proxy_connectivity: Option<XksProxyConnectivity>,
    }
    DescribeCustomKeyStoresRequest {
        #[serde(default)] pub custom_key_store_id: Option<String>,
        #[serde(default)] pub custom_key_store_name: Option<String>,
        #[serde(default)] pub limit: Option<i64>,
        #[serde(default)] pub marker: Option<String>,
    }
    DescribeCustomKeyStoresResponse {
        /// Always empty: the simulator has no custom key stores.
        pub custom_key_stores: Vec<serde_json::Value>,
        #[serde(skip_serializing_if = "Option::is_none", default)] pub next_marker: Option<String>,
        pub truncated: bool,
    }
}

/// One completed rotation, as ListKeyRotations lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotationsListEntry {
    pub key_id: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub key_material_id: Option<String>,
    pub rotation_date: f64,
    pub rotation_type: RotationType,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub key_material_state: Option<String>,
}

/// GetParametersForImport: the request (both enums are required members).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetParametersForImportRequest {
    pub key_id: String,
    pub wrapping_algorithm: WrappingAlgorithm,
    pub wrapping_key_spec: WrappingKeySpec,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetParametersForImportResponse {
    pub key_id: String,
    #[serde(with = "blob")]
    pub import_token: Vec<u8>,
    /// The wrapping public key, DER (SubjectPublicKeyInfo).
    #[serde(with = "blob")]
    pub public_key: Vec<u8>,
    pub parameters_valid_to: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateCustomKeyStoreResponse {
    pub custom_key_store_id: String,
}
