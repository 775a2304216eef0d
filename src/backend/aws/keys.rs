//! Keys in two steps for the UI: the placeholder a quick listing (ListKeys, ListAliases)
//! gives, and the full summary of one key (DescribeKey, and ListGrants over every page for
//! the grant count, sent together) that `describe_keys` fills in.

use crate::backend::{BackendResult, KeySummary};
use crate::kms::multi_region::{MultiRegionConfiguration, MultiRegionKey, MultiRegionKeyType};
use crate::kms::Timestamp;
use crate::kms::{KeySpec, KeyState};

use super::backend::AwsBackend;

/// A key as ListKeys and ListAliases know it: the rest waits for `describe_keys`.
pub(super) fn placeholder(key_id: String, arn: String, aliases: Vec<String>) -> KeySummary {
    let manager = if aliases.iter().any(|a| a.starts_with("alias/aws/")) {
        "AWS"
    } else {
        ""
    };
    KeySummary {
        key_id,
        arn,
        aliases,
        description: String::new(),
        state: KeyState::Unavailable,
        spec: KeySpec::SymmetricDefault,
        usage: String::new(),
        manager: manager.into(),
        created: Timestamp::default(),
        deletion_date: None,
        grant_count: 0,
        multi_region: None,
    }
}

impl AwsBackend {
    /// DescribeKey and the number of listed grants of one key.
    pub(super) async fn describe(&self, key_id: String) -> BackendResult<KeySummary> {
        // DescribeKey and the grant count need nothing of each other: sent together.
        let (described, grants) = futures::future::join(
            self.conn.describe_key(&key_id),
            self.conn.list_grant_pages(&key_id),
        )
        .await;
        let (arn, meta) = described?;
        let meta = meta.as_ref();
        let grant_count = grants?.len();
        let time = |d: Option<&aws_sdk_kms::primitives::DateTime>| {
            d.and_then(|d| chrono::DateTime::from_timestamp_millis(d.to_millis().ok()?))
        };
        let mut aliases = self
            .aliases
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key_id)
            .cloned()
            .unwrap_or_default();
        aliases.sort();
        Ok(KeySummary {
            key_id: meta
                .map(|m| m.key_id().to_string())
                .filter(|k| !k.is_empty())
                .unwrap_or(key_id),
            arn,
            aliases,
            description: meta
                .and_then(|m| m.description())
                .unwrap_or_default()
                .to_string(),
            state: meta
                .and_then(|m| m.key_state())
                .and_then(|s| s.as_str().parse().ok())
                .unwrap_or(KeyState::Unavailable),
            spec: meta
                .and_then(|m| m.key_spec())
                .and_then(|s| s.as_str().parse().ok())
                .unwrap_or(KeySpec::SymmetricDefault),
            usage: meta
                .and_then(|m| m.key_usage())
                .map(|u| u.as_str().to_string())
                .unwrap_or_else(|| "ENCRYPT_DECRYPT".into()),
            manager: meta
                .and_then(|m| m.key_manager())
                .map(|u| u.as_str().to_string())
                .unwrap_or_else(|| "CUSTOMER".into()),
            created: time(meta.and_then(|m| m.creation_date())).unwrap_or_default(),
            deletion_date: time(meta.and_then(|m| m.deletion_date())),
            grant_count,
            multi_region: meta.and_then(multi_region),
        })
    }
}

/// A multi-Region key's configuration, from the SDK's shape.
fn multi_region(m: &aws_sdk_kms::types::KeyMetadata) -> Option<MultiRegionConfiguration> {
    use aws_sdk_kms::types::MultiRegionKeyType as Sdk;
    let c = m.multi_region_configuration()?;
    let entry = |k: &aws_sdk_kms::types::MultiRegionKey| MultiRegionKey {
        arn: k.arn().unwrap_or_default().to_string(),
        region: k.region().unwrap_or_default().to_string(),
    };
    Some(MultiRegionConfiguration {
        multi_region_key_type: match c.multi_region_key_type()? {
            Sdk::Primary => MultiRegionKeyType::Primary,
            Sdk::Replica => MultiRegionKeyType::Replica,
            _ => return None,
        },
        primary_key: entry(c.primary_key()?),
        replica_keys: c.replica_keys().iter().map(entry).collect(),
    })
}
