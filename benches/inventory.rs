//! Inventory of 1,000 keys with 20 grants each from `grantscope serve` over loopback: the
//! AWS backend (bounded concurrency) against a baseline that lists the keys and then each
//! key's grants one request at a time, as a shell loop over the AWS CLI would.
//! Run: cargo bench --bench inventory -- --warm-up-time 1 --measurement-time 20
//!
//! Two cases, each measuring both: `loopback` (answers as fast as client and server CPUs
//! allow; with no round trip to hide, concurrency only spreads the work over the cores) and
//! `rtt_5ms` (`serve --latency 5ms`: every answer 5 ms late, as a same-region AWS endpoint
//! is; this is what the concurrency is for). `GRANTSCOPE_BENCH_RTT_MS=0,5,20` picks the
//! round trips (milliseconds; 0 is plain loopback).
//!
//! The server runs on a runtime of its own (threads named `gs-serve`), as `grantscope
//! serve` would in its own process; the client on the runtime `grantscope inventory` uses
//! (multi-threaded, one worker per core) with its allocator. Both share the machine's cores.
//!
//! `GRANTSCOPE_BENCH_CPU=dk,lg,base,inv,std` (any subset; `std`: the inventory with standard
//! rather than adaptive retry; `GRANTSCOPE_BENCH_N` requests for
//! `dk` and `lg`, default 2000) first prints, per request, the wall time and the CPU time of
//! the client and of the server threads (from /proc/self/task/*/schedstat) for sequential
//! DescribeKey, sequential ListGrants, the baseline and the inventory.

use std::time::{Duration, Instant};

// The allocator `grantscope inventory` runs with (see src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion};
use grantscope::backend::aws::{AwsConnection, AwsOptions};
use grantscope::sim::{Scenario, SharedSimulator, Simulator};
use grantscope::wire::AppState;

const KEYS: usize = 1000;
const GRANTS_PER_KEY: usize = 20;

fn world_toml() -> String {
    let mut t = String::from(
        "name = \"bench\"\nregion = \"eu-west-1\"\n[[accounts]]\nid = \"111122223333\"\n\
         [[principals]]\nname = \"admin\"\naccess_key_id = \"AKIABENCHADMIN000001\"\nsecret_access_key = \"bench-secret\"\n\
         managed_policies = [\"AdministratorAccess\"]\n[[principals]]\nname = \"app\"\nkind = \"role\"\n",
    );
    for i in 0..KEYS {
        t.push_str(&format!("[[keys]]\naliases = [\"alias/k{i:04}\"]\n"));
    }
    for i in 0..KEYS {
        t.push_str(&format!(
            "[[grants]]\nkey = \"alias/k{i:04}\"\ngrantee = \"app\"\noperations = [\"Encrypt\"]\nname = \"g{{n}}\"\ncount = {GRANTS_PER_KEY}\n"
        ));
    }
    t
}

/// One request at a time: ListKeys pages, then every key's ListGrants pages.
async fn baseline(kms: &aws_sdk_kms::Client) -> usize {
    let mut grants = 0;
    let mut keys = Vec::new();
    let mut marker = None;
    loop {
        let out = kms
            .list_keys()
            .set_marker(marker)
            .send()
            .await
            .expect("list keys");
        keys.extend(
            out.keys()
                .iter()
                .filter_map(|k| k.key_id().map(str::to_string)),
        );
        if !out.truncated() {
            break;
        }
        marker = out.next_marker().map(str::to_string);
    }
    for key in keys {
        let mut marker = None;
        loop {
            let out = kms
                .list_grants()
                .key_id(&key)
                .set_marker(marker)
                .send()
                .await
                .expect("list grants");
            grants += out.grants().len();
            if !out.truncated() {
                break;
            }
            marker = out.next_marker().map(str::to_string);
        }
    }
    grants
}

/// CPU time (ns) of this process's threads, split into the server's (named `gs-serve`)
/// and everything else (the client), from /proc/self/task/*/schedstat.
fn cpu_split() -> (u64, u64) {
    let (mut server, mut client) = (0, 0);
    for t in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        let ns: u64 = std::fs::read_to_string(t.path().join("schedstat"))
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if comm.starts_with("gs-serve") {
            server += ns;
        } else {
            client += ns;
        }
    }
    (server, client)
}

fn diag<F: FnMut()>(label: &str, requests: usize, mut f: F) {
    let (s0, c0) = cpu_split();
    let t0 = Instant::now();
    f();
    let wall = t0.elapsed().as_nanos() as f64 / 1000.0;
    let (s1, c1) = cpu_split();
    let n = requests as f64;
    eprintln!(
        "{label:>28}: wall {:8.0} ms | per request: wall {:6.1} us, client cpu {:6.1} us, server cpu {:6.1} us",
        wall / 1000.0,
        wall / n,
        (c1 - c0) as f64 / 1000.0 / n,
        (s1 - s0) as f64 / 1000.0 / n
    );
}

fn bench(c: &mut Criterion) {
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .thread_name("gs-serve")
        .enable_all()
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .thread_name("gs-client")
        .enable_all()
        .build()
        .unwrap();
    // The world is built on a thread of its own, as `serve` builds it in its own process:
    // the scenario's many short-lived allocations then do not fragment the heap the
    // client (on this thread) allocates from.
    let sim = std::thread::spawn(|| {
        let world = Scenario::parse(&world_toml(), "bench.toml", true)
            .unwrap()
            .build()
            .unwrap();
        SharedSimulator::new(Simulator::new(world))
    })
    .join()
    .unwrap();
    // The default credential chain reads these, as it would on a real machine.
    std::env::set_var("AWS_ACCESS_KEY_ID", "AKIABENCHADMIN000001");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "bench-secret");
    std::env::set_var("AWS_CONFIG_FILE", "/dev/null");
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    // One server per round trip, all on the same world: loopback as it is, and loopback
    // with every answer delayed as a network round trip to an AWS region delays it.
    let connect = |rtt: Duration| {
        let listener = server_rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        server_rt.spawn(grantscope::wire::serve_app(
            listener,
            AppState::new(sim.clone(), None).with_latency(rtt),
            std::future::pending(),
        ));
        rt.block_on(AwsConnection::connect(AwsOptions {
            profile: None,
            region: Some("eu-west-1".into()),
            endpoint_url: Some(url),
        }))
        .unwrap()
    };
    let conn = connect(Duration::ZERO);

    if let Ok(what) = std::env::var("GRANTSCOPE_BENCH_CPU") {
        let key = rt.block_on(conn.list_keys()).unwrap()[0].0.clone();
        let n: usize = std::env::var("GRANTSCOPE_BENCH_N")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000);
        for _ in 0..2 {
            if what.contains("dk") {
                diag("DescribeKey seq", n, || {
                    rt.block_on(async {
                        for _ in 0..n {
                            conn.describe_key(&key).await.unwrap();
                        }
                    })
                });
            }
            if what.contains("lg") {
                diag("ListGrants(20) seq", n, || {
                    rt.block_on(async {
                        for _ in 0..n {
                            conn.list_all_grants(&key, "arn").await.unwrap();
                        }
                    })
                });
            }
            if what.contains("base") {
                diag("baseline (1001 req)", 1001, || {
                    rt.block_on(baseline(&conn.kms));
                });
            }
            if what.contains("std") {
                // The same connection with standard (not adaptive) retry, for comparison.
                let std_conn = AwsConnection {
                    kms: aws_sdk_kms::Client::from_conf(
                        aws_sdk_kms::config::Builder::from(&conn.config)
                            .retry_config(
                                aws_sdk_kms::config::retry::RetryConfig::standard()
                                    .with_max_attempts(grantscope::backend::aws::MAX_ATTEMPTS),
                            )
                            .build(),
                    ),
                    ..conn.clone()
                };
                diag("inventory, standard retry", 2003, || {
                    rt.block_on(std_conn.inventory(&|_, _| {})).unwrap();
                });
            }
            if what.contains("inv") {
                diag("inventory (2003 req)", 2003, || {
                    rt.block_on(conn.inventory(&|_, _| {})).unwrap();
                });
            }
        }
    }

    let rtts = std::env::var("GRANTSCOPE_BENCH_RTT_MS").unwrap_or_else(|_| "0,5".into());
    for ms in rtts.split(',').filter_map(|v| v.trim().parse::<u64>().ok()) {
        let rtt = Duration::from_millis(ms);
        let conn = if rtt.is_zero() {
            conn.clone()
        } else {
            connect(rtt)
        };
        let mut group = c.benchmark_group(format!(
            "inventory_1000_keys_x_20_grants/{}",
            if ms == 0 {
                "loopback".to_string()
            } else {
                format!("rtt_{ms}ms")
            }
        ));
        group.sample_size(10);
        group.bench_function("aws_backend_concurrent", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    let inv = rt.block_on(conn.inventory(&|_, _| {})).unwrap();
                    assert_eq!(inv.keys.len(), KEYS);
                }
                start.elapsed()
            })
        });
        group.bench_function("baseline_one_request_at_a_time", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    assert_eq!(rt.block_on(baseline(&conn.kms)), KEYS * GRANTS_PER_KEY);
                }
                start.elapsed()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
