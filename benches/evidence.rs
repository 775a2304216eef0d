//! CloudTrail usage evidence for 200 keys x 10 grants with 100,000 calls in the window.
//!
//! First, once (about 5 minutes, as on AWS): served. `serve --throttle aws` (LookupEvents
//! at 2 a second per account and region, as AWS) holds the 100,000 calls in its activity
//! log; the inventory and the evidence are taken through the AWS backend, aws-sdk-kms and
//! aws-sdk-cloudtrail over signed HTTP, at the evidence's own 2 a second. Printed: the
//! time, the LookupEvents calls made, those a key-by-key full scan makes (counted against
//! a second listener on the same world without the quota; its time at 2/s follows), and
//! the share of grants decided with the default page cap.
//! `GRANTSCOPE_BENCH_SKIP_SERVED=1` skips it.
//!
//! Then the fetch plan's own time (criterion): `grantscope::evidence::gather` over an
//! in-memory LookupEvents that pages exactly as `serve` does (50 events a page, newest
//! first, by key ARN), with the rate lifted.
//! Run: cargo bench --bench evidence -- --warm-up-time 1 --measurement-time 5
//!
//! Measured (2026-12-03, 2 CPUs): served, 287.0 s, 576 LookupEvents calls against 2,100
//! for a full scan (1,050 s at 2/s), 1,992 of 2,000 grants decided (99.6%) with 10 pages;
//! in memory, the same 576 calls (full scan 2,080: the served log also holds the auditor's
//! own DescribeKey and ListGrants calls on each key) and a plan of 24.9 ms.

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

/// One call in the window: on key `key`, `age` minutes before now, by grantee `grantee`
/// of that key, `Decrypt` or `Encrypt`.
struct Call {
    key: usize,
    age: usize,
    grantee: usize,
    operation: &'static str,
}

/// Every call, each key's newest first. A skewed mix as accounts have: 20 busy keys hold
/// half the events; on every key grants 0-7 have grantees that call it often, grants 8 and
/// 9 rarely (every 53rd and 97th call), and on every fifth key grants 8-9 never.
fn calls() -> impl Iterator<Item = Call> {
    (0..KEYS).flat_map(|k| {
        let n = if k < 20 {
            EVENTS / 2 / 20
        } else {
            EVENTS / 2 / (KEYS - 20)
        };
        let idle = k % 5 == 0;
        (0..n).map(move |i| Call {
            key: k,
            age: i,
            // The caller: grantees 0-7 in turn; grantee 8 every 53rd call and 9 every
            // 97th, except on idle keys.
            grantee: match i {
                i if !idle && i % 97 == 96 => 9,
                i if !idle && i % 53 == 52 => 8,
                i => i % 8,
            },
            operation: if i % 3 == 0 { "Decrypt" } else { "Encrypt" },
        })
    })
}

/// Every key's events, newest first, as CloudTrail records them.
fn events() -> HashMap<String, Vec<TrailEvent>> {
    let mut out: HashMap<String, Vec<TrailEvent>> = HashMap::new();
    for c in calls() {
        let record = format!(
            r#"{{"eventName":"{}","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/app-{}-{}/s","accountId":"111122223333","sessionContext":{{"sessionIssuer":{{"arn":"{}"}}}}}}}}"#,
            c.operation,
            c.key,
            c.grantee,
            role(c.key, c.grantee)
        );
        let event = TrailEvent::parse(NOW - c.age as f64 * 60.0, &record).expect("a valid record");
        out.entry(arn(c.key)).or_default().push(event);
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

/// The served run: `serve --throttle aws` holding the 100,000 calls in its activity log,
/// the inventory and the evidence taken through the AWS backend (aws-sdk-kms and
/// aws-sdk-cloudtrail over HTTP, signed), at AWS's 2 LookupEvents a second. The full scan
/// is counted against a second listener on the same world without the quota (the count is
/// what a full scan costs; its time at 2/s follows).
fn served() {
    use grantscope::backend::aws::{AwsConnection, AwsOptions, CloudTrail};
    use grantscope::evidence::TrailPages;
    use grantscope::kms::ApiOperation;
    use grantscope::sim::{ActivityEntry, Outcome, Scenario, SharedSimulator, Simulator};
    use grantscope::wire::{throttle::ThrottlePolicy, AppState};
    use std::time::Instant;

    let mut toml = String::from(
        "name = \"evidence-bench\"\nregion = \"eu-west-1\"\n[[accounts]]\nid = \"111122223333\"\n\
         [[principals]]\nname = \"auditor\"\naccess_key_id = \"AKIAEVIDENCEBENCH001\"\n\
         secret_access_key = \"bench-secret\"\nmanaged_policies = [\"AdministratorAccess\"]\n",
    );
    for k in 0..KEYS {
        toml.push_str(&format!(
            "[[keys]]\ndescription = \"bench-{k}\"\naliases = [\"alias/k{k}\"]\n"
        ));
        for g in 0..GRANTS {
            toml.push_str(&format!(
                "[[principals]]\nname = \"app-{k}-{g}\"\nkind = \"role\"\n\
                 [[grants]]\nkey = \"alias/k{k}\"\ngrantee = \"{}\"\n\
                 operations = [\"Encrypt\", \"Decrypt\"]\n",
                role(k, g)
            ));
        }
    }
    let world = Scenario::parse(&toml, "evidence-bench.toml", true)
        .expect("the bench scenario parses")
        .build()
        .expect("the bench scenario builds");
    let mut sim = Simulator::new(world);
    let world = sim.world_mut();
    // Room for the calls and for the auditor's own (which CloudTrail records too).
    world.activity.set_capacity(EVENTS + 10_000);
    let now = world.now();
    let arns: HashMap<String, String> = world
        .keys
        .values()
        .map(|k| (k.description.clone(), k.arn.clone()))
        .collect();
    let mut all: Vec<Call> = calls().collect();
    all.sort_by_key(|c| std::cmp::Reverse(c.age));
    for c in all {
        world.activity.push(ActivityEntry {
            seq: 0,
            time: now - chrono::Duration::minutes(c.age as i64),
            caller: format!(
                "arn:aws:sts::111122223333:assumed-role/app-{}-{}/s",
                c.key, c.grantee
            ),
            operation: c.operation.parse().unwrap_or(ApiOperation::Decrypt),
            key: Some(arns[&format!("bench-{}", c.key)].clone()),
            outcome: Outcome::Allowed,
            why: "allowed by a grant".into(),
            grant: None,
            unevaluated: vec![],
        });
    }
    let sim = SharedSimulator::new(sim);
    let server = tokio::runtime::Builder::new_multi_thread()
        .thread_name("gs-serve")
        .enable_all()
        .build()
        .expect("server runtime");
    let listen = |state: AppState| {
        let listener = server
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        server.spawn(grantscope::wire::serve_app(
            listener,
            state,
            std::future::pending(),
        ));
        url
    };
    let quota = listen(AppState::new(sim.clone(), None).with_throttle(ThrottlePolicy::AwsQuotas));
    let free = listen(AppState::new(sim, None));
    std::env::set_var("AWS_ACCESS_KEY_ID", "AKIAEVIDENCEBENCH001");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "bench-secret");
    std::env::set_var("AWS_CONFIG_FILE", "/dev/null");
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    let client = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let connect = |url: String| {
        client
            .block_on(AwsConnection::connect(AwsOptions {
                profile: None,
                region: Some("eu-west-1".into()),
                endpoint_url: Some(url),
            }))
            .expect("connected")
    };
    let conn = connect(quota);
    let mut inv = client
        .block_on(conn.inventory(&|_, _| {}))
        .expect("the inventory is read");
    let grants: usize = inv.keys.iter().map(|k| k.grants.len()).sum();
    let started = Instant::now();
    let tally = client.block_on(evidence::gather(
        &CloudTrail::new(&conn),
        &mut inv,
        EvidenceOptions::new(90, evidence::DEFAULT_PAGES),
        &|_, _| {},
    ));
    let took = started.elapsed();
    // The full scan: every page of every key, key by key.
    let trail = CloudTrail::new(&connect(free));
    let end = inv.generated_at;
    let full_scan: usize = client.block_on(async {
        let mut calls = 0;
        for key in &inv.keys {
            let mut token = None;
            loop {
                calls += 1;
                let page = trail
                    .page(&key.arn, end - 90.0 * DAY, end, token)
                    .await
                    .expect("a page");
                match page.next_token {
                    Some(t) => token = Some(t),
                    None => break,
                }
            }
        }
        calls
    });
    println!(
        "evidence served (serve --throttle aws, {} keys, {grants} grants, {EVENTS} calls in its log): \
         {:.1} s, {} LookupEvents calls (full scan key by key: {full_scan}, {:.0} s at 2/s); \
         decided {} of {} grants ({:.1}%) with --evidence-pages {}",
        inv.keys.len(),
        took.as_secs_f64(),
        tally.requests,
        full_scan as f64 / 2.0,
        tally.decided,
        tally.decided + tally.undetermined,
        100.0 * tally.decided as f64 / (tally.decided + tally.undetermined).max(1) as f64,
        evidence::DEFAULT_PAGES
    );
}

fn bench(c: &mut Criterion) {
    if std::env::var_os("GRANTSCOPE_BENCH_SKIP_SERVED").is_none() {
        served();
    }
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
