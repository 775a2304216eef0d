//! What a durable change costs under `serve --state`, as an SDK client feels it: CreateGrant
//! on a key holding ~45,000 grants and on a fresh key, with the state file (journal
//! appended and flushed per change) and in memory; and ListKeys while four clients write
//! to the state file (reads must not wait for the writers' flushes). Each CreateGrant is
//! revoked after (untimed), so the key keeps its ~45,000 grants. And the one pause reads
//! see from the state file: compaction's copy of the world.
//!
//! The server runs in-process on loopback with its own runtime; the state file lives in a
//! temporary directory on the machine's disk, so the flush is a real fdatasync.
//!
//! Run: `cargo bench --bench state -- --warm-up-time 1 --measurement-time 4`

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_kms::config::retry::RetryConfig;
use aws_sdk_kms::config::{Credentials, Region};
use aws_sdk_kms::types::GrantOperation;
use aws_sdk_kms::Client;
use criterion::{criterion_group, criterion_main, Criterion};
use grantscope::kms::ApiOperation;
use grantscope::sim::{Caller, Scenario, SharedSimulator, Simulator};
use grantscope::wire::{self, StateFile};
use tokio::runtime::Runtime;
use tokio::sync::oneshot;

const ADMIN: (&str, &str) = (
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
);
const BIG_KEY: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const GRANTEE: &str = "arn:aws:iam::111122223333:user/granttestuser";
/// Grants on the big key before measuring (CreateGrant adds a few thousand more; AWS's
/// quota is 50,000 per key).
const GRANTS: usize = 45_000;
const WRITERS: usize = 4;

struct Served {
    rt: Runtime,
    _server_rt: Runtime,
    client: Client,
    writers: Vec<Client>,
    fresh_key: String,
    _dir: tempfile::TempDir,
    _stop: oneshot::Sender<()>,
    _addr: SocketAddr,
}

fn runtime(name: &str) -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .thread_name(name)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn client(endpoint: &str) -> Client {
    let config = aws_sdk_kms::Config::builder()
        .behavior_version_latest()
        .endpoint_url(endpoint)
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new(ADMIN.0, ADMIN.1, None, None, "bench"))
        .retry_config(RetryConfig::disabled())
        .build();
    Client::from_conf(config)
}

/// The classroom with `GRANTS` grants on its key.
fn big_world() -> Simulator {
    let mut world = Scenario::load("classroom")
        .expect("the classroom scenario")
        .build()
        .expect("the classroom world");
    world.propagation_delay = Duration::ZERO;
    let mut sim = Simulator::new(world);
    let admin = Caller::new("admin");
    let body = format!(
        r#"{{"KeyId":"{BIG_KEY}","GranteePrincipal":"{GRANTEE}","Operations":["Encrypt"]}}"#
    );
    for _ in 0..GRANTS {
        wire::dispatch::dispatch(&mut sim, &admin, ApiOperation::CreateGrant, body.as_bytes())
            .expect("CreateGrant");
    }
    sim
}

/// The classroom with `GRANTS` grants on its key, served with or without a state file.
fn serve(durable: bool) -> Served {
    let sim = SharedSimulator::new(big_world());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let state = durable.then(|| StateFile::new(dir.path().join("state.json")));
    let (rt, server_rt) = (runtime("bench-client"), runtime("wire-server"));
    let (stop, stopped) = oneshot::channel::<()>();
    let addr = server_rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("a local address");
        tokio::spawn(wire::serve(listener, sim, state, async move {
            let _ = stopped.await;
        }));
        addr
    });
    let endpoint = format!("http://{addr}");
    let client = client(&endpoint);
    let writers = (0..WRITERS).map(|_| self::client(&endpoint)).collect();
    let fresh_key = rt.block_on(async {
        // The server attaches the state file (writing the snapshot) before it answers.
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            match client.create_key().description("fresh").send().await {
                Ok(out) => {
                    break out
                        .key_metadata()
                        .expect("KeyMetadata")
                        .key_id()
                        .to_string()
                }
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("CreateKey: {e:?}"),
            }
        }
    });
    Served {
        rt,
        _server_rt: server_rt,
        client,
        writers,
        fresh_key,
        _dir: dir,
        _stop: stop,
        _addr: addr,
    }
}

async fn create_grant(client: &Client, key: &str) -> String {
    client
        .create_grant()
        .key_id(key)
        .grantee_principal(GRANTEE)
        .operations(GrantOperation::Encrypt)
        .send()
        .await
        .expect("CreateGrant")
        .grant_id()
        .expect("a GrantId")
        .to_string()
}

async fn revoke_grant(client: &Client, key: &str, id: String) {
    client
        .revoke_grant()
        .key_id(key)
        .grant_id(id)
        .send()
        .await
        .expect("RevokeGrant");
}

/// `iters` CreateGrant calls on `key`, each revoked after (untimed) so the key keeps its
/// grant count; the time of the CreateGrant calls.
fn timed_creates(s: &Served, key: &str, iters: u64) -> Duration {
    s.rt.block_on(async {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let t = Instant::now();
            let id = create_grant(&s.client, key).await;
            total += t.elapsed();
            revoke_grant(&s.client, key, id).await;
        }
        total
    })
}

fn median_and_max(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[v.len() - 1])
}

fn state(c: &mut Criterion) {
    let mut g = c.benchmark_group("state");
    g.sample_size(20);
    for durable in [true, false] {
        let s = serve(durable);
        let mode = if durable { "durable" } else { "in memory" };
        g.bench_function(format!("CreateGrant, key with 45k grants, {mode}"), |b| {
            b.iter_custom(|iters| timed_creates(&s, BIG_KEY, iters))
        });
        g.bench_function(format!("CreateGrant, fresh key, {mode}"), |b| {
            b.iter_custom(|iters| timed_creates(&s, &s.fresh_key, iters))
        });
        // ListKeys while four clients write to the big key.
        let running = Arc::new(AtomicBool::new(true));
        let tasks: Vec<_> = s
            .writers
            .iter()
            .map(|w| {
                let (w, running) = (w.clone(), running.clone());
                let key = s.fresh_key.clone();
                s.rt.spawn(async move {
                    while running.load(Ordering::Relaxed) {
                        let id = create_grant(&w, &key).await;
                        revoke_grant(&w, &key, id).await;
                    }
                })
            })
            .collect();
        let mut seen = Vec::new();
        g.bench_function(
            format!("ListKeys while {WRITERS} clients write, {mode}"),
            |b| {
                b.iter(|| {
                    let t = Instant::now();
                    s.rt.block_on(async { s.client.list_keys().send().await.expect("ListKeys") });
                    seen.push(t.elapsed());
                })
            },
        );
        running.store(false, Ordering::Relaxed);
        for t in tasks {
            let _ = s.rt.block_on(t);
        }
        let (median, max) = median_and_max(seen);
        eprintln!(
            "ListKeys while {WRITERS} clients write ({mode}): median {median:?}, max {max:?}"
        );
    }
    g.finish();
}

/// What reads wait for once per compaction: the copy of the world taken under the
/// simulator lock (the snapshot is then written without it).
fn compaction_copy(c: &mut Criterion) {
    let sim = big_world();
    eprintln!(
        "snapshot of the classroom with {GRANTS} grants: {:.1} MiB",
        grantscope::sim::snapshot::to_json(sim.world()).len() as f64 / (1024.0 * 1024.0)
    );
    let mut g = c.benchmark_group("state");
    g.sample_size(20);
    g.bench_function("compaction's copy of a world with 45k grants", |b| {
        b.iter(|| sim.world().data_copy())
    });
    g.finish();
}

criterion_group!(benches, state, compaction_copy);
criterion_main!(benches);
