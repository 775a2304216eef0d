//! Usage evidence from CloudTrail for the `unused` rule on AWS: for each grant, did its
//! grantee call its key with one of its operations within the window? `decide.rs` holds the
//! pure decision over events; this file holds the fetch plan, over any source of
//! LookupEvents pages (`TrailPages`: the AWS backend's CloudTrail client, or a test's).
//!
//! The plan, after AWS's documentation of LookupEvents ("You can look up events that
//! occurred in a Region within the last 90 days"; "The rate of lookup requests is limited
//! to two per second, per account, per Region"; "The default number of results returned is
//! 50, with a maximum of 50 possible"):
//! - one look-up per key, by `ResourceName` = the key ARN, over the window (`--unused-for`,
//!   at most 90 days), 50 events a page, newest first;
//! - a key stops as soon as every one of its grants is accounted for (its grantee's newest
//!   call found), or at the start of the window, or at the page cap (`--evidence-pages`):
//!   then its unfound grants are "not determined", never "unused";
//! - every request waits for the shared rate of 2 per second; a few keys are in flight at
//!   once so that the round trips overlap;
//! - CloudTrail not readable (AccessDenied, ...) makes every grant of the key "not
//!   determined" with AWS's message; after an AccessDenied the keys not yet asked take the
//!   same answer without a request.

pub mod decide;

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::StreamExt;

use crate::kms::inventory::{Inventory, UsageSource};

pub use decide::{Ending, GrantUse, KeyUses, TrailEvent};

/// Where the evidence comes from, as findings name it.
pub const SOURCE: &str = "CloudTrail LookupEvents";
/// How long CloudTrail's event history keeps management events.
pub const RETENTION_DAYS: u32 = 90;
/// LookupEvents requests per second (AWS's quota per account and Region).
pub const RATE_PER_SECOND: u32 = 2;
/// Events per LookupEvents page: AWS's maximum.
pub const PAGE_SIZE: i32 = 50;
/// Pages read per key by default before its unfound grants are "not determined".
pub const DEFAULT_PAGES: u32 = 10;
/// Keys looked up at once (their requests share the rate).
const KEYS_AT_ONCE: usize = 4;

/// One page of LookupEvents.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub events: Vec<TrailEvent>,
    pub next_token: Option<String>,
}

/// A source of LookupEvents pages by resource name.
#[async_trait::async_trait]
pub trait TrailPages: Sync {
    /// One page of the events on `resource` between `start` and `end` (epoch seconds),
    /// newest first; the error is AWS's message.
    async fn page(
        &self,
        resource: &str,
        start: f64,
        end: f64,
        token: Option<String>,
    ) -> Result<Page, String>;
}

/// What to look up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvidenceOptions {
    /// The window asked for (`--unused-for`), in days.
    pub window_days: u32,
    /// Pages per key at most (`--evidence-pages`).
    pub max_pages: u32,
    /// Requests per second (AWS's 2; tests may go faster against a server without quota).
    pub rate: NonZeroU32,
}

impl EvidenceOptions {
    pub fn new(window_days: u32, max_pages: u32) -> Self {
        Self {
            window_days,
            max_pages: max_pages.max(1),
            rate: NonZeroU32::new(RATE_PER_SECOND).unwrap_or(NonZeroU32::MIN),
        }
    }

    /// Over the `unused` window `window` (`--unused-for`), in whole days rounded up.
    pub fn for_window(window: std::time::Duration, max_pages: u32) -> Self {
        Self::new(window_days(window), max_pages)
    }
}

/// A window in whole days, rounded up (at least one), as the look-up asks CloudTrail.
pub fn window_days(window: std::time::Duration) -> u32 {
    let days = window.as_secs().div_ceil(86_400).max(1);
    u32::try_from(days).unwrap_or(u32::MAX)
}

/// What the look-up did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// LookupEvents requests made.
    pub requests: u64,
    /// Grants with an answer (unused or possibly used).
    pub decided: usize,
    /// Grants whose usage was not determined.
    pub undetermined: usize,
}

impl Tally {
    /// The tally for people: requests made and grants decided.
    pub fn line(&self) -> String {
        let grants = self.decided + self.undetermined;
        format!(
            "CloudTrail evidence: {} LookupEvents requests; {} of {} grants decided, {} not determined.",
            self.requests, self.decided, grants, self.undetermined
        )
    }
}

/// Tallies of look-ups made apart (chunks, scopes, reused evidence) add up.
impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        self.requests += other.requests;
        self.decided += other.decided;
        self.undetermined += other.undetermined;
    }
}

/// Look up the evidence for every grant of `inv` and write it into the inventory (usage
/// becomes `principals`; `last_used` is the last call seen). `progress(done, total)` is
/// called as keys complete.
pub async fn gather(
    source: &dyn TrailPages,
    inv: &mut Inventory,
    opts: EvidenceOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Tally {
    let kept = opts.window_days.min(RETENTION_DAYS);
    let end = inv.generated_at;
    let since = end - f64::from(kept) * 86_400.0;
    let limiter = crate::pace::per_second(opts.rate);
    let requests = AtomicU64::new(0);
    let total = inv.keys.len();
    progress(0, total);
    let plans: Vec<(usize, String, KeyUses)> = inv
        .keys
        .iter()
        .enumerate()
        .filter(|(_, k)| !k.grants.is_empty())
        .map(|(i, k)| {
            let uses = k
                .grants
                .iter()
                .map(|g| GrantUse::new(g.entry.grantee(), &g.entry.operations))
                .collect();
            (i, k.arn.clone(), KeyUses::new(uses))
        })
        .collect();
    let skipped = total - plans.len();
    let mut done = skipped;
    progress(done, total);
    // CloudTrail refused once for lack of permission: it will refuse every key, so the
    // remaining keys take that answer without spending requests.
    let denied: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    let denied = &denied;
    let limiter = &limiter;
    let requests_ref = &requests;
    let mut results =
        futures::stream::iter(plans.into_iter().map(|(i, arn, mut uses)| async move {
            let mut token = None;
            let mut pages = 0;
            let ending = loop {
                if pages == opts.max_pages {
                    break Ending::Capped { pages };
                }
                limiter.until_ready().await;
                let refused = denied.lock().unwrap_or_else(|p| p.into_inner()).clone();
                if let Some(error) = refused {
                    break Ending::Failed { error };
                }
                requests_ref.fetch_add(1, Ordering::Relaxed);
                pages += 1;
                match source.page(&arn, since, end, token.take()).await {
                    Err(error) => {
                        if error.starts_with("AccessDenied") {
                            *denied.lock().unwrap_or_else(|p| p.into_inner()) = Some(error.clone());
                        }
                        break Ending::Failed { error };
                    }
                    Ok(page) => {
                        for e in &page.events {
                            uses.observe(e);
                        }
                        if uses.settled() || page.next_token.is_none() {
                            break Ending::Complete;
                        }
                        token = page.next_token;
                    }
                }
            };
            (i, uses.finish(&ending, since, kept, opts.window_days))
        }))
        .buffer_unordered(KEYS_AT_ONCE);
    let mut tally = Tally::default();
    while let Some((i, evidence)) = results.next().await {
        for (g, e) in inv.keys[i].grants.iter_mut().zip(evidence) {
            match &e {
                crate::kms::usage::UsageEvidence::NotDetermined { .. } => tally.undetermined += 1,
                _ => tally.decided += 1,
            }
            g.last_used = e.last_seen();
            g.evidence = Some(e);
        }
        done += 1;
        progress(done, total);
    }
    drop(results);
    inv.usage = UsageSource::Principals;
    tally.requests = requests.load(Ordering::Relaxed);
    tally
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kms::inventory::{InventoryGrant, InventoryKey};
    use crate::kms::usage::UsageEvidence;
    use crate::kms::{GrantListEntry, GrantOperation, KeyManager, KeyState};

    struct Refusing;

    #[async_trait::async_trait]
    impl TrailPages for Refusing {
        async fn page(&self, _: &str, _: f64, _: f64, _: Option<String>) -> Result<Page, String> {
            Err("AccessDeniedException: not authorized to perform: cloudtrail:LookupEvents".into())
        }
    }

    fn inventory(keys: usize) -> Inventory {
        let key = |k: usize| {
            let arn = format!("arn:aws:kms:eu-west-1:111122223333:key/{k}");
            InventoryKey {
                key_id: k.to_string(),
                arn: arn.clone(),
                aliases: vec![],
                state: KeyState::Enabled,
                manager: KeyManager::Customer,
                description: String::new(),
                creation_date: None,
                unreadable: vec![],
                grants: vec![InventoryGrant {
                    entry: GrantListEntry {
                        key_id: arn,
                        grantee_principal: Some("arn:aws:iam::111122223333:user/a".into()),
                        operations: vec![GrantOperation::Decrypt],
                        ..Default::default()
                    },
                    grantee_name: "a".into(),
                    retiring_name: None,
                    last_used: None,
                    evidence: None,
                }],
            }
        };
        Inventory {
            backend: "aws".into(),
            account: "111122223333".into(),
            region: "eu-west-1".into(),
            generated_at: 1_800_000_000.0,
            usage: UsageSource::None,
            principals: None,
            keys: (0..keys).map(key).collect(),
        }
    }

    #[tokio::test]
    async fn after_access_denied_the_other_keys_spend_no_request() {
        let mut inv = inventory(20);
        let mut opts = EvidenceOptions::new(30, 10);
        opts.rate = NonZeroU32::new(1000).unwrap();
        let tally = gather(&Refusing, &mut inv, opts, &|_, _| {}).await;
        assert!(tally.requests <= KEYS_AT_ONCE as u64, "{tally:?}");
        assert_eq!(tally.undetermined, 20);
        assert!(inv.keys.iter().all(|k| matches!(
            &k.grants[0].evidence,
            Some(UsageEvidence::NotDetermined { .. })
        )));
    }
}
