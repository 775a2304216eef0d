//! Requests per second through the wire server, as an application using the AWS SDK for
//! Rust feels them: the server runs in-process on loopback (its own multi-thread tokio
//! runtime) and `aws-sdk-kms` clients call Encrypt, CreateGrant and ListGrants, one client
//! at a time and sixteen at once. Client and server share the machine's cores, so these
//! figures include the SDK's own cost (signing, serialization) as a real caller would.
//!
//! Run: `cargo bench --bench wire -- --warm-up-time 1 --measurement-time 5`

use std::time::{Duration, Instant};

use aws_sdk_kms::config::retry::RetryConfig;
use aws_sdk_kms::config::{Credentials, Region};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::GrantOperation;
use aws_sdk_kms::Client;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use grantscope::sim::{Scenario, SharedSimulator, Simulator};
use grantscope::wire;
use tokio::runtime::Runtime;
use tokio::sync::oneshot;

const ADMIN: (&str, &str) = (
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
);
const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const TESTUSER_ARN: &str = "arn:aws:iam::111122223333:user/granttestuser";
const CONCURRENCY: [usize; 2] = [1, 16];
/// Grants on the key ListGrants reads (one page).
const LISTED_GRANTS: usize = 10;
/// A fresh key for CreateGrant well before AWS's 50,000 grants per key.
const GRANTS_PER_KEY: usize = 40_000;

struct Bench {
    rt: Runtime,
    /// One SDK client per concurrent caller (each with its own connections).
    clients: Vec<Client>,
    _stop: oneshot::Sender<()>,
}

impl Bench {
    fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let mut world = Scenario::load("classroom")
            .expect("the classroom scenario")
            .build()
            .expect("the classroom world");
        // Grants take effect at once: the benchmark measures the server, not propagation.
        world.propagation_delay = Duration::ZERO;
        let sim = SharedSimulator::new(Simulator::new(world));
        let (stop, stopped) = oneshot::channel::<()>();
        let endpoint = rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind a loopback port");
            let addr = listener.local_addr().expect("a local address");
            tokio::spawn(wire::serve(listener, sim, None, async move {
                let _ = stopped.await;
            }));
            format!("http://{addr}")
        });
        let clients = (0..CONCURRENCY.iter().copied().max().unwrap_or(1))
            .map(|_| {
                let config = aws_sdk_kms::Config::builder()
                    .behavior_version_latest()
                    .endpoint_url(&endpoint)
                    .region(Region::new("eu-west-1"))
                    .credentials_provider(Credentials::new(ADMIN.0, ADMIN.1, None, None, "bench"))
                    .retry_config(RetryConfig::disabled())
                    .build();
                Client::from_conf(config)
            })
            .collect();
        Self {
            rt,
            clients,
            _stop: stop,
        }
    }

    /// Run `iters` calls of `call` spread over `clients` concurrent callers; the wall time.
    fn run<F, Fut>(&self, clients: usize, iters: u64, call: F) -> Duration
    where
        F: Fn(Client, String) -> Fut + Clone + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        self.run_on(clients, iters, KEY_ID.to_string(), call)
    }

    fn run_on<F, Fut>(&self, clients: usize, iters: u64, key: String, call: F) -> Duration
    where
        F: Fn(Client, String) -> Fut + Clone + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        self.rt.block_on(async {
            let start = Instant::now();
            if clients == 1 {
                let client = self.clients[0].clone();
                for _ in 0..iters {
                    call(client.clone(), key.clone()).await;
                }
            } else {
                let per = iters / clients as u64;
                let extra = iters % clients as u64;
                let tasks: Vec<_> = self.clients[..clients]
                    .iter()
                    .enumerate()
                    .map(|(i, client)| {
                        let n = per + u64::from((i as u64) < extra);
                        let client = client.clone();
                        let call = call.clone();
                        let key = key.clone();
                        tokio::spawn(async move {
                            for _ in 0..n {
                                call(client.clone(), key.clone()).await;
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.expect("a benchmark task panicked");
                }
            }
            start.elapsed()
        })
    }

    fn create_key(&self) -> String {
        let client = self.clients[0].clone();
        self.rt.block_on(async move {
            let out = client
                .create_key()
                .description("bench")
                .send()
                .await
                .expect("CreateKey");
            out.key_metadata()
                .expect("KeyMetadata")
                .key_id()
                .to_string()
        })
    }
}

async fn encrypt(client: Client, key: String) {
    let out = client
        .encrypt()
        .key_id(key)
        .plaintext(Blob::new(vec![0x5a; 64]))
        .send()
        .await
        .expect("Encrypt");
    assert!(out.ciphertext_blob().is_some());
}

async fn create_grant(client: Client, key: String) {
    let out = client
        .create_grant()
        .key_id(key)
        .grantee_principal(TESTUSER_ARN)
        .operations(GrantOperation::Encrypt)
        .operations(GrantOperation::Decrypt)
        .send()
        .await
        .expect("CreateGrant");
    assert!(out.grant_id().is_some());
}

async fn list_grants(client: Client, key: String) {
    let out = client
        .list_grants()
        .key_id(key)
        .send()
        .await
        .expect("ListGrants");
    assert_eq!(out.grants().len(), LISTED_GRANTS);
}

fn wire(c: &mut Criterion) {
    let bench = Bench::start();

    let mut group = c.benchmark_group("wire/Encrypt");
    group.throughput(Throughput::Elements(1));
    for clients in CONCURRENCY {
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{clients} clients")),
            &clients,
            |b, &clients| b.iter_custom(|iters| bench.run(clients, iters, encrypt)),
        );
    }
    group.finish();

    let mut group = c.benchmark_group("wire/CreateGrant");
    group.throughput(Throughput::Elements(1));
    for clients in CONCURRENCY {
        let mut key = bench.create_key();
        let mut on_key = 0usize;
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{clients} clients")),
            &clients,
            |b, &clients| {
                b.iter_custom(|iters| {
                    // Stay under the per-key grant quota (a new key is made untimed).
                    if on_key + iters as usize > GRANTS_PER_KEY {
                        key = bench.create_key();
                        on_key = 0;
                    }
                    on_key += iters as usize;
                    bench.run_on(clients, iters, key.clone(), create_grant)
                })
            },
        );
    }
    group.finish();

    let listed = bench.create_key();
    bench.run_on(1, LISTED_GRANTS as u64, listed.clone(), create_grant);
    let mut group = c.benchmark_group("wire/ListGrants");
    group.throughput(Throughput::Elements(1));
    for clients in CONCURRENCY {
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{clients} clients")),
            &clients,
            |b, &clients| {
                b.iter_custom(|iters| bench.run_on(clients, iters, listed.clone(), list_grants))
            },
        );
    }
    group.finish();
}

criterion_group!(benches, wire);
criterion_main!(benches);
