//! An inventory: every key of an account with its aliases, state and grants (principal
//! names resolved), plus what is known of principals and usage. Both backends produce it;
//! `grantscope inventory` prints it and the audit rules read it.

use serde::{Deserialize, Serialize};

use super::grant::GrantListEntry;
use super::key::{KeyManager, KeyState};

/// Where usage data comes from, which decides what the audit may claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UsageSource {
    /// The simulator records which grant authorized every call.
    Grants,
    /// CloudTrail: who used which key, not which grant authorized it.
    Principals,
    /// No usage data.
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// "simulator" or "aws".
    pub backend: String,
    pub account: String,
    pub region: String,
    /// Epoch seconds when the inventory was taken.
    pub generated_at: f64,
    pub usage: UsageSource,
    /// ARNs of the IAM users and roles known to exist, when the backend could list them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principals: Option<Vec<String>>,
    pub keys: Vec<InventoryKey>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventoryKey {
    pub key_id: String,
    pub arn: String,
    pub aliases: Vec<String>,
    pub state: KeyState,
    pub manager: KeyManager,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<f64>,
    pub grants: Vec<InventoryGrant>,
    /// What could not be read of this key (a key policy may deny the caller DescribeKey
    /// or ListGrants on it): its details or grants are then unknown, not absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<Unreadable>,
}

/// One read of a key that failed (AccessDenied), and AWS's message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreadable {
    pub operation: KeyRead,
    pub error: String,
}

/// The two reads an inventory makes of each key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyRead {
    DescribeKey,
    ListGrants,
}

impl KeyRead {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyRead::DescribeKey => "DescribeKey",
            KeyRead::ListGrants => "ListGrants",
        }
    }
}

impl std::fmt::Display for KeyRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl InventoryKey {
    /// Are the key's state and metadata known (DescribeKey answered)?
    pub fn details_known(&self) -> bool {
        !self
            .unreadable
            .iter()
            .any(|u| u.operation == KeyRead::DescribeKey)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventoryGrant {
    /// The grant exactly as ListGrants returns it.
    #[serde(flatten)]
    pub entry: GrantListEntry,
    /// A short name for the grantee (`granttestuser`, `ec2.amazonaws.com`, the unique id of a
    /// deleted principal).
    pub grantee_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retiring_name: Option<String>,
    /// When the grant (usage `grants`) or the grantee on this key (usage `principals`) was
    /// last used, epoch seconds; None: never, or unknown when usage is `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<f64>,
    /// CloudTrail's evidence of use (usage `principals`), when it was looked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<super::usage::UsageEvidence>,
}
