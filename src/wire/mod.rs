//! The KMS wire protocol over the simulator: AWS JSON 1.1 (`X-Amz-Target:
//! TrentService.<Operation>`) on HTTP, SigV4-authenticated, so the AWS CLI and SDKs talk to
//! the simulator unchanged with `--endpoint-url`.
//!
//! `server.rs` accepts connections and holds them to their timeouts and cap (with
//! `connections.rs`: what each connection is doing), `router.rs` receives requests,
//! `body.rs` reads their bodies, `sigv4.rs` says who is calling, `dispatch.rs` runs the
//! operation, `errors.rs` shapes AWS's error bodies, `persist.rs` saves acknowledged
//! changes to the state file, `throttle.rs` applies request quotas, `request_log.rs`
//! writes a line per request.
//!
//! Beside KMS, over the AWS Query protocol (`query.rs`: form bodies, XML answers), the
//! calls the AWS backend makes elsewhere: STS `GetCallerIdentity` (`sts.rs`) and IAM's
//! user, role, inline-policy and attached-policy listings (`iam.rs`), so the whole AWS path
//! runs on loopback. Both answer wire-layer failures in Query-protocol words
//! (`SignatureDoesNotMatch`, `InvalidClientTokenId`), not KMS's. CloudTrail's
//! `LookupEvents` (`cloudtrail.rs`, JSON 1.1) answers from the activity log.

pub mod account;
mod assume_role;
pub mod body;
pub mod cloudtrail;
mod cloudtrail_event;
mod connections;
pub mod dispatch;
pub mod errors;
pub mod iam;
pub mod organizations;
pub mod persist;
pub mod query;
pub mod request_log;
pub mod router;
pub mod server;
pub mod sessions;
pub mod sigv4;
pub mod sts;
pub mod throttle;

use std::sync::Arc;

use crate::sim::SharedSimulator;

pub use persist::StateFile;
pub use router::{router, AppState};
pub use server::Limits;

/// Where `grantscope serve` listens unless told otherwise.
pub const DEFAULT_BIND: &str = "127.0.0.1:4599";

/// The largest request body accepted (KMS requests are small; 4 KiB plaintexts).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Serve until `shutdown` completes. The listener is bound by the caller (tests bind an
/// ephemeral port). A state file is attached to the world here (`StateFile::attach`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    sim: SharedSimulator,
    state_file: Option<StateFile>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Some(file) = &state_file {
        file.attach(&sim).map_err(std::io::Error::other)?;
    }
    serve_app(
        listener,
        AppState::new(sim, state_file.map(Arc::new)),
        shutdown,
    )
    .await
}

/// Serve with a prepared [`AppState`] (throttling and the like; its state file, if any,
/// attached already) and the default connection [`Limits`].
pub async fn serve_app(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_app_with(listener, state, Limits::default(), shutdown).await
}

/// Serve with a prepared [`AppState`] within connection `limits` (timeouts and cap).
pub async fn serve_app_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::run(listener, router(state.clone()), limits, shutdown).await?;
    // A last save so usage data (grant last use, activity) made since the last change
    // is not lost on a clean shutdown.
    state.save_now();
    Ok(())
}
