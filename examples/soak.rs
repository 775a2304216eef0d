//! The soak test of `grantscope serve --state` (README, Development): starts the release
//! binary on a state file in a temporary directory, drives it with a mix of operations
//! from several aws-sdk-kms clients for a set time, and reports requests, errors, req/s,
//! latency percentiles, the server's RSS at the start and the end, and the state file's
//! size (snapshot + journal), with a progress line a minute, so a leak or a slow-down
//! shows. Not part of `cargo test`.
//!
//! ```sh
//! cargo build --release --bin grantscope
//! cargo run --release --example soak -- --minutes 10 --clients 4
//! ```
//!
//! Each client keeps about 200 live grants of its own (creating, then revoking the
//! oldest), so a healthy server reaches a steady state: grant count, state size and RSS
//! level off.

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_kms::config::retry::RetryConfig;
use aws_sdk_kms::config::{Credentials, Region};
use aws_sdk_kms::error::ProvideErrorMetadata;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::GrantOperation;
use aws_sdk_kms::Client;
use clap::Parser;

const ADMIN: (&str, &str) = (
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
);
const GRANTEE: &str = "arn:aws:iam::111122223333:user/granttestuser";
const LIVE_GRANTS: usize = 200;

#[derive(Parser)]
struct Args {
    /// How long to run (fractions allowed).
    #[arg(long, default_value_t = 10.0)]
    minutes: f64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// The grantscope binary (default: target/release/grantscope beside this example).
    #[arg(long)]
    binary: Option<PathBuf>,
}

/// What every client adds to.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: BTreeMap<String, u64>,
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn state_size(state: &Path) -> (u64, u64) {
    let mut journal = state.as_os_str().to_owned();
    journal.push(".journal");
    (size(state), size(Path::new(&journal)))
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn start_server(binary: &Path, state: &Path) -> (Child, String) {
    let mut child = Command::new(binary)
        .args(["serve", "--bind", "127.0.0.1:0", "--log-format", "off"])
        .args(["--propagation-delay", "0s", "--state"])
        .arg(state)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(url) = line.strip_prefix("listening on ") {
                    break url.trim().to_string();
                }
            }
            _ => panic!("grantscope serve exited before listening"),
        }
    };
    std::thread::spawn(move || lines.map_while(Result::ok).for_each(drop));
    (child, url)
}

fn client(url: &str) -> Client {
    Client::from_conf(
        aws_sdk_kms::Config::builder()
            .behavior_version_latest()
            .endpoint_url(url)
            .region(Region::new("eu-west-1"))
            .credentials_provider(Credentials::new(ADMIN.0, ADMIN.1, None, None, "soak"))
            .retry_config(RetryConfig::disabled())
            .build(),
    )
}

/// One client's loop: a fixed mix of writes (grants, aliases, key state) and reads.
async fn run_client(n: usize, kms: Client, until: Instant, tally: Arc<Mutex<Tally>>) {
    let key = kms
        .create_key()
        .description(format!("soak {n}"))
        .send()
        .await
        .expect("CreateKey")
        .key_metadata()
        .expect("KeyMetadata")
        .key_id()
        .to_string();
    let mut grants: VecDeque<String> = VecDeque::new();
    let mut lat = Vec::new();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    let mut i: u64 = 0;
    while Instant::now() < until {
        let alias = format!("alias/soak-{n}-{}", i / 20);
        let started = Instant::now();
        let result: Result<(), String> = match i % 20 {
            0..=5 if grants.len() < LIVE_GRANTS || i % 20 < 3 => kms
                .create_grant()
                .key_id(&key)
                .grantee_principal(GRANTEE)
                .operations(GrantOperation::Encrypt)
                .operations(GrantOperation::Decrypt)
                .send()
                .await
                .map(|o| grants.extend(o.grant_id().map(str::to_string)))
                .map_err(|e| e.code().unwrap_or("dispatch").to_string()),
            0..=5 => match grants.pop_front() {
                Some(g) => kms
                    .revoke_grant()
                    .key_id(&key)
                    .grant_id(g)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| e.code().unwrap_or("dispatch").to_string()),
                None => Ok(()),
            },
            6..=9 => kms
                .encrypt()
                .key_id(&key)
                .plaintext(Blob::new(vec![7u8; 64]))
                .send()
                .await
                .map(drop)
                .map_err(|e| e.code().unwrap_or("dispatch").to_string()),
            10 | 11 => kms
                .list_grants()
                .key_id(&key)
                .limit(100)
                .send()
                .await
                .map(drop)
                .map_err(|e| e.code().unwrap_or("dispatch").to_string()),
            12 | 13 => kms
                .list_keys()
                .send()
                .await
                .map(drop)
                .map_err(|e| e.code().unwrap_or("dispatch").to_string()),
            14 => kms
                .describe_key()
                .key_id(&key)
                .send()
                .await
                .map(drop)
                .map_err(|e| e.code().unwrap_or("dispatch").to_string()),
            15 => kms
                .create_alias()
                .alias_name(&alias)
                .target_key_id(&key)
                .send()
                .await
                .map(drop)
                .map_err(|e| e.code().unwrap_or("dispatch").to_string()),
            16 => kms
                .delete_alias()
                .alias_name(&alias)
                .send()
                .await
                .map(drop)
                .map_err(|e| e.code().unwrap_or("dispatch").to_string()),
            17 => kms
                .disable_key()
                .key_id(&key)
                .send()
                .await
                .map(drop)
                .map_err(|e| e.code().unwrap_or("dispatch").to_string()),
            18 => kms
                .enable_key()
                .key_id(&key)
                .send()
                .await
                .map(drop)
                .map_err(|e| e.code().unwrap_or("dispatch").to_string()),
            _ => kms
                .list_aliases()
                .send()
                .await
                .map(drop)
                .map_err(|e| e.code().unwrap_or("dispatch").to_string()),
        };
        lat.push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
        if let Err(code) = result {
            *errors.entry(code).or_default() += 1;
        }
        i += 1;
        if lat.len() >= 1000 {
            let mut t = tally.lock().unwrap_or_else(|p| p.into_inner());
            t.latencies_us.append(&mut lat);
            for (k, v) in std::mem::take(&mut errors) {
                *t.errors.entry(k).or_default() += v;
            }
        }
    }
    let mut t = tally.lock().unwrap_or_else(|p| p.into_inner());
    t.latencies_us.append(&mut lat);
    for (k, v) in errors {
        *t.errors.entry(k).or_default() += v;
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let binary = args.binary.clone().unwrap_or_else(|| {
        let exe = std::env::current_exe().expect("this program's path");
        // target/release/examples/soak -> target/release/grantscope
        exe.parent()
            .and_then(Path::parent)
            .map(|d| d.join("grantscope"))
            .expect("a target directory")
    });
    assert!(
        binary.exists(),
        "{} not found: cargo build --release --bin grantscope first",
        binary.display()
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let state = dir.path().join("state.json");
    let (mut child, url) = start_server(&binary, &state);
    let pid = child.id();
    let rss_start = rss_kib(pid);
    let (snap, journal) = state_size(&state);
    println!(
        "soak: {} clients for {} min against {url} (pid {pid}); RSS at start {} KiB; state {} + journal {}",
        args.clients, args.minutes, rss_start, mib(snap), mib(journal)
    );

    let started = Instant::now();
    let until = started + Duration::from_secs_f64(args.minutes * 60.0);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let tasks: Vec<_> = (0..args.clients)
        .map(|n| tokio::spawn(run_client(n, client(&url), until, tally.clone())))
        .collect();
    let mut last = (Instant::now(), 0usize);
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_secs(60).min(until - Instant::now())).await;
        let done = tally
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .latencies_us
            .len();
        let (snap, journal) = state_size(&state);
        println!(
            "  {:>5.1} min: {done} requests, {:.0} req/s this minute, RSS {} KiB, state {} + journal {}",
            started.elapsed().as_secs_f64() / 60.0,
            (done - last.1) as f64 / last.0.elapsed().as_secs_f64(),
            rss_kib(pid),
            mib(snap),
            mib(journal)
        );
        last = (Instant::now(), done);
    }
    for t in tasks {
        t.await.expect("a client panicked");
    }
    let elapsed = started.elapsed();
    let rss_end = rss_kib(pid);
    let (snap_end, journal_end) = state_size(&state);
    let mut t = std::mem::take(&mut *tally.lock().unwrap_or_else(|p| p.into_inner()));
    t.latencies_us.sort_unstable();
    let errors: u64 = t.errors.values().sum();
    println!(
        "soak: {:.1} min, {} clients",
        elapsed.as_secs_f64() / 60.0,
        args.clients
    );
    println!(
        "  requests {}  errors {errors} {:?}  {:.0} req/s",
        t.latencies_us.len(),
        t.errors,
        t.latencies_us.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  latency p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        percentile(&t.latencies_us, 0.50),
        percentile(&t.latencies_us, 0.99),
        percentile(&t.latencies_us, 1.0)
    );
    println!("  RSS start {rss_start} KiB  end {rss_end} KiB");
    println!(
        "  state at the end: {} + journal {}",
        mib(snap_end),
        mib(journal_end)
    );
    // A clean stop writes the snapshot and empties the journal; the world loads again.
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let _ = child.wait();
    let (snap, journal) = state_size(&state);
    let (mut again, url) = start_server(&binary, &state);
    let keys = client(&url)
        .list_keys()
        .limit(1000)
        .send()
        .await
        .map(|o| o.keys().len());
    let _ = again.kill();
    let _ = again.wait();
    println!(
        "  after a clean stop: state {} + journal {}; restarted: {} keys",
        mib(snap),
        mib(journal),
        keys.map_or_else(|e| format!("ListKeys failed: {e}"), |n| n.to_string())
    );
}
