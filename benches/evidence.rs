//! CloudTrail usage evidence for 200 keys x 10 grants with 100,000 events in the window:
//! the fetch plan (`grantscope::evidence::gather`) over an in-memory LookupEvents that pages
//! exactly as `serve` does (50 events a page, newest first, by key ARN). It measures the
//! plan's own time with the rate lifted, and prints the figures a person feels on AWS:
//! LookupEvents calls made against a key-by-key full scan, the time those calls take at
//! AWS's 2 per second, and the share of grants decided with the default page cap.
//! Run: cargo bench --bench evidence -- --warm-up-time 1 --measurement-time 5

use std::collections::HashMap;
use std::num::NonZeroU32;

use criterion::{criterion_group, criterion_main, Criterion};

use grantscope::evidence::{self, EvidenceOptions, Page, TrailEvent, TrailPages, PAGE_SIZE};
use grantscope::kms::inventory::{Inventory, InventoryGrant, InventoryKey, UsageSource};
use grantscope::kms::{GrantListEntry, GrantOperation, KeyManager, KeyState};

const KEYS: usize = 200;
const GRANTS: usize = 10;
const EVENTS: usize = 100_000;
const NOW: f64 = 1_800_000_000.0;
const DAY: f64 = 86_400.0;

fn arn(k: usize) -> String {
    format!("arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-{k:012}")
}

fn role(k: usize, g: usize) -> String {
    format!("arn:aws:iam::111122223333:role/app-{k}-{g}")
}

/// Every key's events, newest first. A skewed mix as accounts have: 20 busy keys hold half
/// the events; on every key grants 0-7 have grantees that call it often, grants 8 and 9
/// rarely (every 53rd and 97th call), and on every fifth key grants 8-9 never.
fn events() -> HashMap<String, Vec<TrailEvent>> {
    let mut out: HashMap<String, Vec<TrailEvent>> = HashMap::new();
    for k in 0..KEYS {
        let n = if k < 20 {
            EVENTS / 2 / 20
        } else {
            EVENTS / 2 / (KEYS - 20)
        };
        let idle = k % 5 == 0;
        let list = (0..n)
            .map(|i| {
                // The caller: grantees 0-7 in turn; grantee 8 every 53rd call and 9 every
                // 97th, except on idle keys.
                let g = match i {
                    i if !idle && i % 97 == 96 => 9,
                    i if !idle && i % 53 == 52 => 8,
                    i => i % 8,
                };
                let name = if i % 3 == 0 { "Decrypt" } else { "Encrypt" };
                let record = format!(
                    r#"{{"eventName":"{name}","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/app-{k}-{g}/s","accountId":"111122223333","sessionContext":{{"sessionIssuer":{{"arn":"{}"}}}}}}}}"#,
                    role(k, g)
                );
                TrailEvent::parse(NOW - i as f64 * 60.0, &record).expect("a valid record")
            })
            .collect();
        out.insert(arn(k), list);
    }
    out
}

fn inventory() -> Inventory {
    let keys = (0..KEYS)
        .map(|k| InventoryKey {
            key_id: format!("00000000-0000-4000-8000-{k:012}"),
            arn: arn(k),
            aliases: vec![],
            state: KeyState::Enabled,
            manager: KeyManager::Customer,
            description: String::new(),
            creation_date: Some(NOW - 400.0 * DAY),
            unreadable: vec![],
            grants: (0..GRANTS)
                .map(|g| InventoryGrant {
                    entry: GrantListEntry {
                        key_id: arn(k),
                        grant_id: format!("{:064x}", k * GRANTS + g),
                        creation_date: Some(NOW - 200.0 * DAY),
                        grantee_principal: Some(role(k, g)),
                        operations: vec![GrantOperation::Encrypt, GrantOperation::Decrypt],
                        ..Default::default()
                    },
                    grantee_name: format!("app-{k}-{g}"),
                    retiring_name: None,
                    last_used: None,
                    evidence: None,
                })
                .collect(),
        })
        .collect();
    Inventory {
        backend: "aws".into(),
        account: "111122223333".into(),
        region: "eu-west-1".into(),
        generated_at: NOW,
        usage: UsageSource::None,
        principals: None,
        keys,
    }
}

/// LookupEvents over the events, paged as `serve` pages them (the token is the offset).
struct Memory(HashMap<String, Vec<TrailEvent>>);

#[async_trait::async_trait]
impl TrailPages for Memory {
    async fn page(
        &self,
        resource: &str,
        _start: f64,
        _end: f64,
        token: Option<String>,
    ) -> Result<Page, String> {
        let all = self.0.get(resource).map_or(&[][..], Vec::as_slice);
        let from: usize = token.map_or(0, |t| t.parse().unwrap_or(0));
        let to = (from + PAGE_SIZE as usize).min(all.len());
        Ok(Page {
            events: all[from..to].to_vec(),
            next_token: (to < all.len()).then(|| to.to_string()),
        })
    }
}

fn bench(c: &mut Criterion) {
    let source = Memory(events());
    let full_scan: usize = source
        .0
        .values()
        .map(|e| e.len().div_ceil(PAGE_SIZE as usize).max(1))
        .sum();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let mut opts = EvidenceOptions::new(90, evidence::DEFAULT_PAGES);
    // The plan's own time: no waiting for the rate.
    opts.rate = NonZeroU32::new(1_000_000).expect("non-zero");
    let mut inv = inventory();
    let tally = runtime.block_on(evidence::gather(&source, &mut inv, opts, &|_, _| {}));
    let grants = tally.decided + tally.undetermined;
    println!(
        "evidence: {} keys x {} grants, {} events: {} LookupEvents calls (full scan: {}); \
         at 2/s: {:.0} s (full scan {:.0} s); decided {} of {} grants ({:.1}%) with --evidence-pages {}",
        KEYS,
        GRANTS,
        EVENTS,
        tally.requests,
        full_scan,
        tally.requests as f64 / 2.0,
        full_scan as f64 / 2.0,
        tally.decided,
        grants,
        100.0 * tally.decided as f64 / grants as f64,
        evidence::DEFAULT_PAGES
    );
    c.bench_function("evidence_plan_200_keys_100k_events", |b| {
        b.iter(|| {
            let mut inv = inventory();
            runtime.block_on(evidence::gather(&source, &mut inv, opts, &|_, _| {}))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
