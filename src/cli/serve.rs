//! `grantscope serve`: the simulator on the KMS wire protocol (with STS GetCallerIdentity
//! and IAM's read-only listings beside it). Loads the world (state file or scenario),
//! binds (loopback unless told otherwise, with a warning), prints where it listens and how
//! to point the AWS CLI at it, and serves until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::sim::{scenario, Scenario, SharedSimulator, Simulator};
use crate::wire::request_log::{LogFormat, RequestLog};
use crate::wire::throttle::ThrottlePolicy;
use crate::wire::{self, AppState, StateFile};

pub struct ServeOptions {
    pub scenario: String,
    pub bind: Option<String>,
    pub state: Option<PathBuf>,
    pub propagation_delay: Option<String>,
    /// `aws` (AWS's request quotas) or a number of requests per second per operation.
    pub throttle: Option<String>,
    /// Extra time before every answer (a network round trip), e.g. `20ms`.
    pub latency: Option<String>,
    /// The request log's format: `text`, `json` or `off`.
    pub log_format: String,
    /// Compact the `--state` journal once it is larger than this and than the snapshot
    /// (tests use a small value).
    pub journal_compact_at: Option<u64>,
}

fn throttle_policy(text: &str) -> Result<ThrottlePolicy> {
    if text == "aws" {
        return Ok(ThrottlePolicy::AwsQuotas);
    }
    text.parse::<u32>()
        .ok()
        .and_then(std::num::NonZeroU32::new)
        .map(ThrottlePolicy::PerOperation)
        .with_context(|| {
            format!(
                "--throttle {text:?}: expected `aws` or a positive number of requests per second"
            )
        })
}

pub async fn run(opts: ServeOptions) -> Result<()> {
    let throttle = opts.throttle.as_deref().map(throttle_policy).transpose()?;
    let log_format = match opts.log_format.as_str() {
        "off" => None,
        f => Some(f.parse::<LogFormat>().map_err(anyhow::Error::msg)?),
    };
    let latency = opts
        .latency
        .as_deref()
        .map(|d| scenario::parse_duration(d).map_err(|e| anyhow::anyhow!("--latency: {e}")))
        .transpose()?;
    let state_file = opts.state.clone().map(|p| {
        let file = StateFile::new(p);
        match opts.journal_compact_at {
            Some(bytes) => file.with_compaction_at(bytes),
            None => file,
        }
    });
    let (mut world, origin) = match state_file.as_ref().map(|f| f.load()).transpose()?.flatten() {
        Some(w) => (
            w,
            format!(
                "state file {}",
                opts.state
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ),
        ),
        None => (
            Scenario::load(&opts.scenario)?.build()?,
            format!("scenario {}", opts.scenario),
        ),
    };
    if let Some(d) = &opts.propagation_delay {
        world.propagation_delay = scenario::parse_duration(d).map_err(anyhow::Error::msg)?;
    }
    let bind = opts
        .bind
        .clone()
        .unwrap_or_else(|| wire::DEFAULT_BIND.to_string());
    let addr: SocketAddr = bind
        .parse()
        .with_context(|| format!("--bind {bind:?} is not an address like 127.0.0.1:4599"))?;
    if !addr.ip().is_loopback() {
        if opts.bind.is_none() {
            bail!("refusing to listen on {addr} without an explicit --bind");
        }
        eprintln!(
            "WARNING: listening on {addr}, reachable from other machines. The simulator's credentials are not secret: anyone who can reach this port can act as any principal of the world."
        );
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    let sim = SharedSimulator::new(Simulator::new(world));
    // The state file exists (and takes changes) before the server says it listens.
    if let Some(file) = &state_file {
        file.attach(&sim)?;
    }
    print_banner(sim.lock().world(), &origin, local, &opts);
    let mut app = AppState::new(sim, state_file.map(std::sync::Arc::new));
    if let Some(policy) = throttle {
        println!("throttling: {policy:?} (ThrottlingException above the rate)");
        app = app.with_throttle(policy);
    }
    if let Some(latency) = latency.filter(|l| !l.is_zero()) {
        println!("latency: every answer {latency:?} later (a network round trip)");
        app = app.with_latency(latency);
    }
    if let Some(format) = log_format {
        println!(
            "request log: one line per request below ({}; --log-format off for none)",
            opts.log_format
        );
        app = app.with_log(RequestLog::stdout(format));
    }
    wire::serve_app(listener, app, shutdown_signal()).await?;
    eprintln!("grantscope serve: stopped.");
    Ok(())
}

fn print_banner(world: &crate::sim::World, origin: &str, local: SocketAddr, opts: &ServeOptions) {
    let url = format!("http://{local}");
    let account = world
        .home_account()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let profiles = super::credentials::profile_names(world);
    let scenario_flag = if opts.scenario == "classroom" {
        String::new()
    } else {
        format!(" --scenario {}", opts.scenario)
    };
    println!(
        "grantscope serve: KMS simulator from {origin} (region {}, account {account})",
        world.region
    );
    println!("listening on {url}");
    match &opts.state {
        Some(p) => println!(
            "state: {} (every acknowledged change is saved)",
            p.display()
        ),
        None => println!(
            "state: in memory (changes are lost when the server stops; --state FILE keeps them)"
        ),
    }
    println!();
    println!("Point the AWS CLI at it:");
    println!(
        "  grantscope credentials{scenario_flag} --endpoint-url {url} > grantscope.credentials"
    );
    println!("  export AWS_SHARED_CREDENTIALS_FILE=$PWD/grantscope.credentials");
    println!(
        "  aws kms list-keys --profile {} --endpoint-url {url}",
        profiles.first().map_or("admin", String::as_str)
    );
    println!("profiles: {}", profiles.join(", "));
    println!("Ctrl-C stops the server.");
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
