//! The headless inventory over AWS: every key with its metadata and grants, with at most
//! `CONCURRENCY` requests in flight, for `grantscope inventory` and `report`.

use std::sync::atomic::{AtomicUsize, Ordering};

use futures::{StreamExt, TryStreamExt};

use crate::backend::{BackendError, BackendResult};
use crate::kms::inventory::{
    short_principal_name, Inventory, InventoryGrant, InventoryKey, UsageSource,
};
use crate::kms::{KeyManager, KeyState};

use super::connection::AwsConnection;
use super::CONCURRENCY;

impl AwsConnection {
    /// One key: its metadata and grants.
    async fn inventory_key(
        &self,
        key_id: String,
        arn: String,
        aliases: Vec<String>,
    ) -> BackendResult<InventoryKey> {
        let (described_arn, meta) = self.describe_key(&key_id).await?;
        let meta = meta.as_ref();
        // ListKeys' ARN is kept when DescribeKey gives none.
        let arn = if meta.and_then(|m| m.arn()).is_some() {
            described_arn
        } else {
            arn
        };
        let grants = self.list_all_grants(&key_id, &arn).await?;
        Ok(InventoryKey {
            state: meta
                .and_then(|m| m.key_state())
                .and_then(|s| s.as_str().parse().ok())
                .unwrap_or(KeyState::Unavailable),
            manager: meta
                .and_then(|m| m.key_manager())
                .and_then(|s| s.as_str().parse().ok())
                .unwrap_or(KeyManager::Customer),
            description: meta
                .and_then(|m| m.description())
                .unwrap_or_default()
                .to_string(),
            creation_date: meta
                .and_then(|m| m.creation_date())
                .map(|d| d.as_secs_f64()),
            grants: grants
                .into_iter()
                .map(|entry| InventoryGrant {
                    grantee_name: short_principal_name(&entry.grantee_principal),
                    retiring_name: entry
                        .retiring_principal
                        .as_deref()
                        .map(short_principal_name),
                    last_used: None,
                    entry,
                })
                .collect(),
            key_id,
            arn,
            aliases,
        })
    }

    /// The whole inventory: keys first, then each key's details and grants with at most
    /// `CONCURRENCY` requests in flight. `progress(done, total)` is called as keys complete.
    pub async fn inventory(
        &self,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> BackendResult<Inventory> {
        let identity = self.caller_identity().await?;
        let keys = self.list_keys().await?;
        let mut aliases = self.list_aliases().await?;
        let total = keys.len();
        let done = AtomicUsize::new(0);
        progress(0, total);
        let keys: Vec<InventoryKey> = futures::stream::iter(keys.into_iter().map(|(id, arn)| {
            let names = aliases.remove(&id).unwrap_or_default();
            let done = &done;
            async move {
                let key = self.inventory_key(id, arn, names).await?;
                progress(done.fetch_add(1, Ordering::SeqCst) + 1, total);
                Ok::<_, BackendError>(key)
            }
        }))
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
        Ok(Inventory {
            backend: "aws".to_string(),
            account: identity.account,
            region: self.region.clone(),
            generated_at: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or_default(),
            usage: UsageSource::None,
            principals: None,
            keys,
        })
    }
}
