//! Requests per second through the wire server, as an application using the AWS SDK for
//! Rust feels them: the server runs in-process on loopback (its own multi-thread tokio
//! runtime) and `aws-sdk-kms` clients call Encrypt, CreateGrant and ListGrants, one client
//! at a time and sixteen at once. Client and server share the machine's cores, so these
//! figures include the SDK's own cost (signing, serialization) as a real caller would.
//!
//! Run: `cargo bench --bench wire -- --warm-up-time 1 --measurement-time 5`

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_kms::config::retry::RetryConfig;
use aws_sdk_kms::config::{Credentials, Region};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::GrantOperation;
use aws_sdk_kms::Client;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use grantscope::sim::{Scenario, SharedSimulator, Simulator};
use grantscope::wire;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
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
    /// The clients' runtime.
    rt: Runtime,
    /// The server's own runtime (kept alive for the whole run).
    _server_rt: Runtime,
    addr: SocketAddr,
    /// One SDK client per concurrent caller (each with its own connections).
    clients: Vec<Client>,
    _stop: oneshot::Sender<()>,
}

impl Bench {
    fn start() -> Self {
        // Named threads, so a profile (`perf report --sort comm`) splits client from server.
        let runtime = |name: &str| {
            tokio::runtime::Builder::new_multi_thread()
                .thread_name(name)
                .enable_all()
                .build()
                .expect("a tokio runtime")
        };
        let (rt, server_rt) = (runtime("bench-client"), runtime("wire-server"));
        let mut world = Scenario::load("classroom")
            .expect("the classroom scenario")
            .build()
            .expect("the classroom world");
        // Grants take effect at once: the benchmark measures the server, not propagation.
        world.propagation_delay = Duration::ZERO;
        let sim = SharedSimulator::new(Simulator::new(world));
        let (stop, stopped) = oneshot::channel::<()>();
        let addr = server_rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind a loopback port");
            let addr = listener.local_addr().expect("a local address");
            tokio::spawn(wire::serve(listener, sim, None, async move {
                let _ = stopped.await;
            }));
            addr
        });
        let endpoint = format!("http://{addr}");
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
            _server_rt: server_rt,
            addr,
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

/// The JSON body of the benchmark's Encrypt request (a 64-byte plaintext).
fn encrypt_body() -> String {
    use base64::Engine;
    format!(
        r#"{{"KeyId":"{KEY_ID}","Plaintext":"{}"}}"#,
        base64::engine::general_purpose::STANDARD.encode([0x5a; 64])
    )
}

/// The headers of a signed Encrypt request, as an SDK would send them.
fn signed_encrypt_headers(addr: SocketAddr, body: &str) -> Vec<(String, String)> {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let mut headers = vec![
        ("host".to_string(), addr.to_string()),
        (
            "content-type".to_string(),
            "application/x-amz-json-1.1".to_string(),
        ),
        (
            "x-amz-target".to_string(),
            "TrentService.Encrypt".to_string(),
        ),
    ];
    let identity =
        aws_credential_types::Credentials::new(ADMIN.0, ADMIN.1, None, None, "bench").into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("eu-west-1")
        .name("kms")
        .time(std::time::SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .expect("signing parameters")
        .into();
    let signable = SignableRequest::new(
        "POST",
        "/",
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body.as_bytes()),
    )
    .expect("a signable request");
    let (instructions, _) = sign(signable, &params)
        .expect("the request signs")
        .into_parts();
    let added: Vec<(String, String)> = instructions
        .headers()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    headers.extend(added);
    headers
}

/// A signed Encrypt request as raw HTTP/1.1 bytes (keep-alive): the server's own capacity,
/// without the SDK's cost on the same cores. Signed afresh for every sample (a signature
/// is good for 15 minutes).
fn signed_encrypt(addr: SocketAddr) -> Arc<Vec<u8>> {
    let body = encrypt_body();
    let mut raw = String::from("POST / HTTP/1.1\r\n");
    for (k, v) in signed_encrypt_headers(addr, &body) {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    Arc::new(raw.into_bytes())
}

type RawConnection = Arc<tokio::sync::Mutex<BufReader<TcpStream>>>;

/// Send `request` `n` times on one keep-alive connection, reading each answer.
async fn raw_calls(conn: RawConnection, request: Arc<Vec<u8>>, n: u64) {
    let mut conn = conn.lock().await;
    let mut line = String::new();
    for _ in 0..n {
        conn.get_mut()
            .write_all(&request)
            .await
            .expect("write a request");
        let mut length = 0usize;
        line.clear();
        conn.read_line(&mut line).await.expect("a status line");
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        loop {
            line.clear();
            conn.read_line(&mut line).await.expect("a header line");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().expect("a length");
                }
            }
        }
        let mut body = vec![0u8; length];
        conn.read_exact(&mut body).await.expect("the body");
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

    let connections: Vec<RawConnection> = bench.rt.block_on(async {
        let mut v = Vec::new();
        for _ in 0..CONCURRENCY.iter().copied().max().unwrap_or(1) {
            let stream = TcpStream::connect(bench.addr).await.expect("connect");
            stream.set_nodelay(true).expect("TCP_NODELAY");
            v.push(Arc::new(tokio::sync::Mutex::new(BufReader::new(stream))));
        }
        v
    });
    let mut group = c.benchmark_group("wire/Encrypt, raw HTTP (server only, no SDK)");
    group.throughput(Throughput::Elements(1));
    for clients in CONCURRENCY {
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{clients} clients")),
            &clients,
            |b, &clients| {
                b.iter_custom(|iters| {
                    let request = signed_encrypt(bench.addr);
                    bench.rt.block_on(async {
                        let start = Instant::now();
                        let per = iters / clients as u64;
                        let extra = iters % clients as u64;
                        let tasks: Vec<_> = connections[..clients]
                            .iter()
                            .enumerate()
                            .map(|(i, conn)| {
                                let n = per + u64::from((i as u64) < extra);
                                tokio::spawn(raw_calls(conn.clone(), request.clone(), n))
                            })
                            .collect();
                        for t in tasks {
                            t.await.expect("a benchmark task panicked");
                        }
                        start.elapsed()
                    })
                })
            },
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

/// The server's own steps for one Encrypt, in-process (no HTTP): SigV4 verification and
/// the simulator's dispatch. Where the server's time per request goes.
fn server_parts(c: &mut Criterion) {
    use axum::http::{HeaderMap, HeaderName, HeaderValue};
    use grantscope::kms::ApiOperation;
    use grantscope::sim::Caller;

    let mut world = Scenario::load("classroom")
        .expect("the classroom scenario")
        .build()
        .expect("the classroom world");
    world.propagation_delay = Duration::ZERO;
    let mut sim = Simulator::new(world);
    let addr: SocketAddr = "127.0.0.1:4599".parse().expect("an address");
    let body = encrypt_body();
    let mut group = c.benchmark_group("wire/server parts (Encrypt, in-process)");
    group.throughput(Throughput::Elements(1));
    group.bench_function("SigV4 verification", |b| {
        b.iter_custom(|iters| {
            let mut headers = HeaderMap::new();
            for (k, v) in signed_encrypt_headers(addr, &body) {
                headers.append(
                    HeaderName::from_bytes(k.as_bytes()).expect("a header name"),
                    HeaderValue::from_str(&v).expect("a header value"),
                );
            }
            let start = Instant::now();
            for _ in 0..iters {
                let caller = wire::sigv4::verify(
                    sim.world(),
                    "kms",
                    "POST",
                    "/",
                    &headers,
                    body.as_bytes(),
                    std::time::SystemTime::now(),
                )
                .expect("a valid signature");
                criterion::black_box(caller);
            }
            start.elapsed()
        })
    });
    let caller = Caller::new("arn:aws:iam::111122223333:user/admin");
    group.bench_function(
        "dispatch (parse, authorize, encrypt, log, serialize)",
        |b| {
            b.iter(|| {
                wire::dispatch::dispatch(&mut sim, &caller, ApiOperation::Encrypt, body.as_bytes())
                    .expect("Encrypt")
            })
        },
    );
    group.bench_function("request id", |b| b.iter(wire::errors::request_id));
    // Reading the body: the server's parse (JSON, then fitted to the request type with
    // errors classified by kind), against serde_json straight into the type.
    group.bench_function("parse the Encrypt body", |b| {
        b.iter(|| {
            wire::dispatch::parse::<grantscope::kms::api::EncryptRequest>(body.as_bytes())
                .expect("a request")
        })
    });
    group.bench_function(
        "parse the Encrypt body (serde_json alone, reference)",
        |b| {
            b.iter(|| {
                serde_json::from_slice::<grantscope::kms::api::EncryptRequest>(body.as_bytes())
                    .expect("a request")
            })
        },
    );
    group.finish();
}

criterion_group!(benches, server_parts, wire);
criterion_main!(benches);
