//! An organization of 50 accounts x 3 regions, 20 keys and 10 grants per key in each
//! account-region, served as `serve --throttle aws --latency 20ms` serves (AWS's quotas
//! per account, every answer 20 ms late): the organization-wide inventory (every scope in
//! parallel, each paced to its own quotas) against the same work done one account-region
//! after another, in the same run.
//! Run: cargo bench --bench organization
//!
//! Regions: one `serve` answers every region (routed by each request's signing scope), so
//! one world holds the three regions' keys and one server answers them all, as
//! `grantscope serve` would. The server runs in this process on a runtime of its own
//! (threads `gs-serve`), the client on another; both share the machine's cores.
//!
//! Printed once before criterion's samples: the baseline's time, the organization-wide
//! time, their ratio, requests, throttles met (each a retry of the SDK) and scopes not read.
//! Targets: organization-wide < 15 s, >= 20x the baseline, no scope failed.
//! `GRANTSCOPE_BENCH_SKIP_BASELINE=1` skips the (slow) baseline.
//!
//! Also printed: the CPU the client and the server threads used during the run (from
//! /proc), which shows what bounds it.
//!
//! Measured (2026-12-03, 2 CPUs, quiet machine, bench at nice -10), one server for the
//! three regions, every SDK client sharing one HTTP client (`backend::aws::http`):
//! organization-wide 1.18 s (criterion median 1.18 s, 1.15-1.21 s), one account-region
//! after another 16.42 s: 13.9x; 150 scopes read, none unread, 3,000 keys, 30,000 grants,
//! 6,300 KMS requests (none retried), 0 throttled. CPU: client 1.03 s + server 0.62 s in
//! the 1.18 s run. The < 15 s target is met; the >= 20x target is not, and cannot be on
//! two cores: the run needs 1.65 s of CPU, so even with both cores busy throughout it
//! takes 0.83 s, 19.8x at best. What it costs is the SDK's own work per request
//! (~165 us of client CPU each) and the simulator's (~100 us), not round trips or quotas.
//! Before the shared HTTP client, each scope's client kept its own connections; together
//! they passed the server's cap (512), and 6 to 11 of the 150 scopes failed with
//! "connection closed before message completed" (1.7-2.4 s a run).

use std::sync::Arc;
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion};
use grantscope::backend::aws::{load_config, AwsOptions};
use grantscope::scope::credentials::AccountCredentials;
use grantscope::scope::rates::Rates;
use grantscope::scope::scheduler::{read_all, ScopedInventory, Stats};
use grantscope::scope::{discover, Accounts, Regions, ScopeSpec};
use grantscope::sim::{Scenario, SharedSimulator, Simulator};
use grantscope::wire::throttle::ThrottlePolicy;
use grantscope::wire::AppState;

const ACCOUNTS: usize = 50;
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];
const KEYS: usize = 20;
const GRANTS_PER_KEY: usize = 10;
const LATENCY: Duration = Duration::from_millis(20);
/// Organization-wide runs after the first, whose median is printed.
const AGAIN: usize = 5;

fn account(i: usize) -> String {
    format!("{:012}", 100_000_000_000u64 + i as u64)
}

/// One world: the organization's accounts, each with 20 keys and 10 grants per key in
/// each of the three regions.
fn world_toml() -> String {
    let mut t = format!(
        "name = \"org-bench\"\nregion = \"{}\"\n[organization]\nmanagement_account = \"{}\"\nenabled_regions = {REGIONS:?}\n",
        REGIONS[0],
        account(0)
    );
    for a in 0..ACCOUNTS {
        t.push_str(&format!("[[accounts]]\nid = \"{}\"\n", account(a)));
    }
    t.push_str(&format!(
        "[[principals]]\nname = \"admin\"\naccount = \"{}\"\naccess_key_id = \"AKIABENCHADMIN000001\"\nsecret_access_key = \"bench-secret\"\nmanaged_policies = [\"AdministratorAccess\"]\n",
        account(0)
    ));
    for a in 0..ACCOUNTS {
        t.push_str(&format!(
            "[[principals]]\nname = \"app\"\nkind = \"role\"\naccount = \"{}\"\n",
            account(a)
        ));
        for region in REGIONS {
            for k in 0..KEYS {
                t.push_str(&format!(
                    "[[keys]]\naccount = \"{}\"\nregion = \"{region}\"\naliases = [\"alias/a{a}-k{k}\"]\n",
                    account(a)
                ));
            }
        }
    }
    for a in 0..ACCOUNTS {
        for region in REGIONS {
            for k in 0..KEYS {
                t.push_str(&format!(
                    "[[grants]]\nkey = \"arn:aws:kms:{region}:{acct}:alias/a{a}-k{k}\"\ngrantee = \"arn:aws:iam::{acct}:role/app\"\noperations = [\"Decrypt\"]\nname = \"g{{n}}\"\ncount = {GRANTS_PER_KEY}\n",
                    acct = account(a)
                ));
            }
        }
    }
    t
}

struct Org {
    opts: AwsOptions,
    spec: ScopeSpec,
}

fn serve(server_rt: &tokio::runtime::Runtime) -> Org {
    let sim = std::thread::spawn(|| {
        let world = Scenario::parse(&world_toml(), "org-bench.toml", true)
            .expect("the bench scenario parses")
            .build()
            .expect("the bench scenario builds");
        SharedSimulator::new(Simulator::new(world))
    })
    .join()
    .expect("built");
    let listener = server_rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    server_rt.spawn(grantscope::wire::serve_app(
        listener,
        AppState::new(sim, None)
            .with_throttle(ThrottlePolicy::AwsQuotas)
            .with_latency(LATENCY),
        std::future::pending(),
    ));
    std::env::set_var("AWS_ACCESS_KEY_ID", "AKIABENCHADMIN000001");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "bench-secret");
    std::env::set_var("AWS_CONFIG_FILE", "/dev/null");
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    Org {
        opts: AwsOptions {
            profile: None,
            region: Some(REGIONS[0].into()),
            endpoint_url: Some(url),
        },
        spec: ScopeSpec {
            accounts: Accounts::Organization,
            regions: Regions::List(REGIONS.iter().map(|r| r.to_string()).collect()),
            ..ScopeSpec::default()
        },
    }
}

/// The organization-wide inventory, as `grantscope inventory --accounts org` takes it.
async fn org_wide(org: &Org) -> ScopedInventory {
    grantscope::cli::scoped::read(&org.opts, &org.spec, true)
        .await
        .expect("the organization is read")
}

/// The same scopes, one account-region after another (fresh credentials, as a shell loop
/// over profiles and regions would have).
async fn one_after_another(org: &Org) -> ScopedInventory {
    let base = load_config(&org.opts).await;
    let creds = Arc::new(AccountCredentials::new(base, account(0), &org.spec));
    let plan = discover::plan(&creds, &org.spec, REGIONS[0])
        .await
        .expect("plan");
    let stats = Arc::new(Stats::default());
    let started = Instant::now();
    let mut all = ScopedInventory::default();
    for scope in plan.scopes {
        let one = read_all(creds.clone(), vec![scope], Rates::new(&[]), stats.clone()).await;
        all.read.extend(one.read);
        all.unread.extend(one.unread);
    }
    let (_, _, requests, throttles) = stats.snapshot();
    all.requests = requests;
    all.throttles = throttles;
    all.elapsed = started.elapsed();
    all
}

/// CPU seconds (user + system) used so far by the client (every thread but the server's:
/// the runtime's `gs-client` workers and this main thread, where `block_on` polls the
/// read's top future) and by the server (threads `gs-serve`), from /proc: where the
/// organization-wide run's time goes.
fn cpu_by_side() -> (f64, f64) {
    // SAFETY: sysconf reads a constant of the system.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let (mut client, mut server) = (0.0, 0.0);
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return (0.0, 0.0);
    };
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": utime and stime are the 12th and 13th fields after comm.
        let Some((head, rest)) = stat.rsplit_once(") ") else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let used = fields
            .get(11)
            .zip(fields.get(12))
            .and_then(|(u, s)| Some(u.parse::<f64>().ok()? + s.parse::<f64>().ok()?))
            .unwrap_or(0.0)
            / ticks;
        if head.contains("(gs-serve") {
            server += used;
        } else {
            client += used;
        }
    }
    (client, server)
}

fn check(what: &str, s: &ScopedInventory) {
    let keys: usize = s.read.iter().map(|(_, i)| i.keys.len()).sum();
    let grants: usize = s
        .read
        .iter()
        .flat_map(|(_, i)| i.keys.iter())
        .map(|k| k.grants.len())
        .sum();
    println!(
        "{what:>20}: {:7.2} s, {} scopes read, {} not read, {keys} keys, {grants} grants, {} requests, {} throttled",
        s.elapsed.as_secs_f64(),
        s.read.len(),
        s.unread.len(),
        s.requests,
        s.throttles
    );
    for u in s.unread.iter().take(3) {
        println!("   not read: {}/{:?}: {}", u.account, u.region, u.why);
    }
}

fn bench(c: &mut Criterion) {
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .thread_name("gs-serve")
        .enable_all()
        .build()
        .expect("server runtime");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .thread_name("gs-client")
        .enable_all()
        .build()
        .expect("client runtime");
    let org = serve(&server_rt);
    let (client_before, server_before) = cpu_by_side();
    let wide = rt.block_on(org_wide(&org));
    let (client_after, server_after) = cpu_by_side();
    check("organization-wide", &wide);
    println!(
        "{:>20}: client {:.2} s, server {:.2} s of CPU in {:.2} s on {} cores",
        "CPU used",
        client_after - client_before,
        server_after - server_before,
        wide.elapsed.as_secs_f64(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    // The first run also opens the connections and grows the heap; the median of the
    // next runs is the time of a read in a process that has read before.
    let mut again: Vec<f64> = (0..AGAIN)
        .map(|_| {
            let run = rt.block_on(org_wide(&org));
            assert!(run.unread.is_empty(), "a scope was not read");
            run.elapsed.as_secs_f64()
        })
        .collect();
    again.sort_by(f64::total_cmp);
    let median = again[AGAIN / 2];
    println!(
        "{:>20}: {median:.2} s (median of {AGAIN} more runs, {:.2}-{:.2} s)",
        "organization-wide",
        again[0],
        again[AGAIN - 1]
    );
    if std::env::var_os("GRANTSCOPE_BENCH_SKIP_BASELINE").is_none() {
        let base = rt.block_on(one_after_another(&org));
        check("one after another", &base);
        println!(
            "{:>20}: {:.1}x against the median ({:.1}x against the first run)",
            "ratio",
            base.elapsed.as_secs_f64() / median,
            base.elapsed.as_secs_f64() / wide.elapsed.as_secs_f64()
        );
    }
    let mut group = c.benchmark_group("organization");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("inventory_50_accounts_x_3_regions", |b| {
        b.iter(|| rt.block_on(org_wide(&org)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
