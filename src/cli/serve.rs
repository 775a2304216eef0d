//! `grantscope serve`: the simulator on the KMS wire protocol (with STS GetCallerIdentity
//! and IAM's read-only listings beside it). Loads the world (state file or scenario),
//! binds (loopback unless told otherwise, with a warning), prints where it listens and how
//! to point the AWS CLI at it, and serves until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::sim::{scenario, Scenario, SharedSimulator, Simulator};
use crate::wire::request_log::{LogFormat, RequestLog};
use crate::wire::server::connection_cap;
use crate::wire::throttle::ThrottlePolicy;
use crate::wire::{self, AppState, Limits, StateFile};

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
    /// Connection limits (`--idle-timeout`, `--header-timeout`, `--body-timeout`), as
    /// written on the command line, and `--max-connections`.
    pub idle_timeout: String,
    pub header_timeout: String,
    pub body_timeout: String,
    pub max_connections: u32,
    /// Compact the `--state` journal once it is larger than this and than the snapshot
    /// (tests use a small value).
    pub journal_compact_at: Option<u64>,
    /// How many calls the activity log keeps (`--activity-capacity`).
    pub activity_capacity: Option<usize>,
}

/// The connection flags' defaults as `serve --help` shows them (the server's defaults,
/// written as a person would type them).
pub const IDLE_TIMEOUT_DEFAULT: &str = "60s";
pub const HEADER_TIMEOUT_DEFAULT: &str = "10s";
pub const BODY_TIMEOUT_DEFAULT: &str = "20s";

/// The longest connection timeout accepted: beyond it a timeout no longer protects
/// anything, and is almost certainly a typo.
const MAX_CONNECTION_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// A connection timeout flag's value: a duration above zero and at most a day.
fn connection_timeout(flag: &str, text: &str) -> Result<Duration> {
    let d = scenario::parse_duration(text).map_err(|e| anyhow::anyhow!("--{flag}: {e}"))?;
    if d.is_zero() {
        bail!("--{flag} {text:?}: must be more than 0s (a connection needs some time)");
    }
    if d > MAX_CONNECTION_TIMEOUT {
        bail!("--{flag} {text:?}: must be at most 1 day (24h)");
    }
    Ok(d)
}

fn limits(opts: &ServeOptions) -> Result<Limits> {
    Ok(Limits {
        idle_timeout: connection_timeout("idle-timeout", &opts.idle_timeout)?,
        header_timeout: connection_timeout("header-timeout", &opts.header_timeout)?,
        body_timeout: connection_timeout("body-timeout", &opts.body_timeout)?,
        max_connections: usize::try_from(opts.max_connections)
            .context("--max-connections: too many for this machine")?,
    })
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
    let limits = limits(&opts)?;
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
    if let Some(n) = opts.activity_capacity {
        world.activity.set_capacity(n);
    }
    if let Some(d) = &opts.propagation_delay {
        world.propagation_delay = scenario::parse_duration(d)
            .map_err(|e| anyhow::anyhow!("--propagation-delay {d:?}: {e}"))?;
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
    print_limits(&limits);
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
    wire::serve_app_with(listener, app, limits, shutdown_signal()).await?;
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
    println!(
        "regions: every AWS commercial Region, each with its own keys ({} is the default)",
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
        "  grantscope credentials{scenario_flag} --endpoint-url {url} --output grantscope.credentials"
    );
    println!("  export AWS_SHARED_CREDENTIALS_FILE=$PWD/grantscope.credentials");
    println!(
        "  aws kms list-keys --profile {} --endpoint-url {url}",
        profiles.first().map_or("admin", String::as_str)
    );
    println!("profiles: {}", profiles.join(", "));
    println!("Ctrl-C stops the server.");
}

fn print_limits(limits: &Limits) {
    let cap = connection_cap(limits.max_connections);
    let lowered = if cap < limits.max_connections {
        format!(
            " (--max-connections {} lowered to fit the open-file limit)",
            limits.max_connections
        )
    } else {
        String::new()
    };
    println!(
        "connections: at most {cap} at once{lowered}; idle ones close after {}; headers within {} of their first byte, bodies within {}",
        humantime::format_duration(limits.idle_timeout),
        humantime::format_duration(limits.header_timeout),
        humantime::format_duration(limits.body_timeout),
    );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::server;

    #[test]
    fn the_flag_defaults_are_the_servers_defaults() {
        let parse = |flag, text| connection_timeout(flag, text).expect("a valid default");
        assert_eq!(
            parse("idle-timeout", IDLE_TIMEOUT_DEFAULT),
            server::DEFAULT_IDLE_TIMEOUT
        );
        assert_eq!(
            parse("header-timeout", HEADER_TIMEOUT_DEFAULT),
            server::DEFAULT_HEADER_TIMEOUT
        );
        assert_eq!(
            parse("body-timeout", BODY_TIMEOUT_DEFAULT),
            server::DEFAULT_BODY_TIMEOUT
        );
    }

    #[test]
    fn connection_timeouts_are_above_zero_and_at_most_a_day() {
        assert!(connection_timeout("idle-timeout", "24h").is_ok());
        for (text, says) in [
            ("0s", "more than 0s"),
            ("25h", "at most 1 day"),
            ("x", "--idle-timeout"),
        ] {
            let err = connection_timeout("idle-timeout", text).expect_err(text);
            assert!(err.to_string().contains(says), "{text}: {err}");
        }
    }
}
