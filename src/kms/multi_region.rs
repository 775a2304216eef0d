//! Multi-Region keys in the KMS vocabulary: the `MultiRegionConfiguration` DescribeKey
//! shows, and the request and response shapes of ReplicateKey and UpdatePrimaryRegion
//! (the service model's member names, PascalCase on the wire).

use serde::{Deserialize, Serialize};

use super::api::Tag;
use super::key::KeyMetadata;

/// `MultiRegionKeyType`: "Indicates whether the KMS key is a PRIMARY or REPLICA key."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MultiRegionKeyType {
    #[serde(rename = "PRIMARY")]
    Primary,
    #[serde(rename = "REPLICA")]
    Replica,
}

impl MultiRegionKeyType {
    pub fn as_str(self) -> &'static str {
        match self {
            MultiRegionKeyType::Primary => "PRIMARY",
            MultiRegionKeyType::Replica => "REPLICA",
        }
    }
}

/// One related multi-Region key: its ARN and region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MultiRegionKey {
    pub arn: String,
    pub region: String,
}

/// `KeyMetadata.MultiRegionConfiguration`: the key's type, its primary key and every
/// replica key ("Lists the primary and replica keys in same multi-Region key").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MultiRegionConfiguration {
    pub multi_region_key_type: MultiRegionKeyType,
    pub primary_key: MultiRegionKey,
    pub replica_keys: Vec<MultiRegionKey>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicateKeyRequest {
    pub key_id: String,
    pub replica_region: String,
    #[serde(default)]
    pub policy: Option<String>,
    #[serde(default)]
    pub bypass_policy_lockout_safety_check: Option<bool>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<Tag>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicateKeyResponse {
    pub replica_key_metadata: KeyMetadata,
    pub replica_policy: String,
    pub replica_tags: Vec<Tag>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdatePrimaryRegionRequest {
    pub key_id: String,
    pub primary_region: String,
}
