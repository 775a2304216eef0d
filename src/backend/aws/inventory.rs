//! The headless inventory over AWS: every key with its metadata and grants, with at most
//! `CONCURRENCY` requests in flight, for `grantscope inventory` and `report`.
//!
//! Each key's DescribeKey and first ListGrants page are sent together (neither needs the
//! other's answer), so a key costs one round trip instead of two; `KEYS_AT_ONCE` keys
//! are in progress at once, so at most `CONCURRENCY` requests are in flight. Each key is a
//! task of its own on the runtime, so the SDK's per-request work (signing, parsing) runs
//! on every worker thread rather than only on the thread that awaits the inventory.

use futures::StreamExt;

use crate::backend::{BackendError, BackendResult};
use crate::kms::ids::display_name;
use crate::kms::inventory::{
    Inventory, InventoryGrant, InventoryKey, KeyRead, Unreadable, UsageSource,
};
use crate::kms::{KeyManager, KeyState};

use super::connection::{grant_entry, AwsConnection};
use super::KEYS_AT_ONCE;

/// A spawned task that is cancelled when dropped (an error, or the caller giving up,
/// stops the keys still in progress, as dropping their futures would).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> std::future::Future for AbortOnDrop<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl AwsConnection {
    /// One key: its metadata and grants. DescribeKey and the grant listing run together;
    /// grant entries whose KeyId is not an ARN get the key's ARN once it is known.
    async fn inventory_key(
        &self,
        key_id: String,
        arn: String,
        aliases: Vec<String>,
    ) -> BackendResult<InventoryKey> {
        let (described, grants) =
            futures::future::join(self.describe_key(&key_id), self.list_grant_pages(&key_id)).await;
        // A key policy may deny this caller either read on this key: the key stays in the
        // inventory with what could be read and says what could not. Other errors
        // (network, throttling past the retries) fail the inventory.
        let mut unreadable = Vec::new();
        let mut denied = |operation: KeyRead, e: BackendError| {
            if e.is_access_denied() {
                unreadable.push(Unreadable {
                    operation,
                    error: e.to_string(),
                });
                Ok(())
            } else {
                Err(e)
            }
        };
        let (described_arn, meta) = match described {
            Ok(d) => d,
            Err(e) => denied(KeyRead::DescribeKey, e).map(|()| (arn.clone(), None))?,
        };
        let grants = match grants {
            Ok(g) => g,
            Err(e) => denied(KeyRead::ListGrants, e).map(|()| Vec::new())?,
        };
        let meta = meta.as_ref();
        // ListKeys' ARN is kept when DescribeKey gives none.
        let arn = if meta.and_then(|m| m.arn()).is_some() {
            described_arn
        } else {
            arn
        };
        let grants: Vec<_> = grants.iter().map(|g| grant_entry(g, &arn)).collect();
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
                    grantee_name: display_name(entry.grantee()),
                    retiring_name: entry.retiring().map(display_name),
                    last_used: None,
                    evidence: None,
                    entry,
                })
                .collect(),
            key_id,
            arn,
            aliases,
            unreadable,
        })
    }

    /// The whole inventory: keys first, then each key's details and grants with at most
    /// `CONCURRENCY` requests in flight. `progress(done, total)` is called as keys complete.
    pub async fn inventory(
        &self,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> BackendResult<Inventory> {
        self.inventory_reusing(progress, &|_, _| None).await
    }

    /// The inventory, with every key for which `reuse(key_id, arn)` gives one taken from it
    /// instead of DescribeKey and ListGrants (`--refresh`: the keys CloudTrail shows
    /// unchanged since a saved run). ListKeys and ListAliases are always asked: they find
    /// new and deleted keys and alias changes in one or two requests for the account.
    pub async fn inventory_reusing(
        &self,
        progress: &(dyn Fn(usize, usize) + Sync),
        reuse: &(dyn Fn(&str, &str) -> Option<InventoryKey> + Sync),
    ) -> BackendResult<Inventory> {
        // The account (asked of STS unless known), the keys and the aliases: three
        // listings that need nothing of each other, so they go out together.
        let account = async {
            match &self.account {
                Some(a) => Ok(a.clone()),
                None => self.caller_identity().await.map(|me| me.account),
            }
        };
        let (account, keys, aliases) =
            futures::future::join3(account, self.list_keys(), self.list_aliases()).await;
        let (account, keys, mut aliases) = (account?, keys?, aliases?);
        let total = keys.len();
        let mut done = 0;
        // Each key runs as a task (`'static`: it owns a clone of the connection, which
        // shares the SDK clients). Keys finish in any order (a slow key does not hold a
        // slot while later ones wait behind it); the result keeps ListKeys' order.
        let mut slots: Vec<Option<InventoryKey>> = (0..total).map(|_| None).collect();
        let mut listed = Vec::new();
        for (i, (id, arn)) in keys.into_iter().enumerate() {
            match reuse(&id, &arn) {
                Some(mut key) => {
                    key.aliases = aliases.remove(&id).unwrap_or_default();
                    slots[i] = Some(key);
                    done += 1;
                }
                None => listed.push((i, (id, arn))),
            }
        }
        progress(done, total);
        let mut tasks = futures::stream::iter(listed.into_iter().map(|(i, (id, arn))| {
            let names = aliases.remove(&id).unwrap_or_default();
            let conn = self.clone();
            let task = AbortOnDrop(tokio::spawn(async move {
                conn.inventory_key(id, arn, names).await
            }));
            async move { (i, task.await) }
        }))
        .buffer_unordered(KEYS_AT_ONCE);
        while let Some((i, joined)) = tasks.next().await {
            let key = match joined {
                Ok(key) => key?,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(e) => {
                    return Err(BackendError::internal(format!(
                        "the inventory was cancelled: {e}"
                    )))
                }
            };
            slots[i] = Some(key);
            done += 1;
            progress(done, total);
        }
        let keys = slots.into_iter().flatten().collect();
        Ok(Inventory {
            backend: "aws".to_string(),
            account,
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
