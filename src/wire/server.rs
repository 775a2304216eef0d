//! The wire server's own accept loop: HTTP/1.1 connections served by hyper, each request
//! handed to the axum [`Router`](axum::Router) as a tower service, with the limits that keep
//! slow or idle clients from holding the server (`serve --header-timeout`,
//! `--idle-timeout`, `--body-timeout`, `--max-connections`).
//!
//! - A connection with no request in progress and no byte of a new one is idle; it is
//!   closed after the idle timeout (keep-alive between requests, or a client that connects
//!   and says nothing).
//! - Once the first byte of a request arrives, its headers must be complete within the
//!   header timeout, or the connection is closed (a slowloris client trickling a header).
//! - The body must be complete within the body timeout of the headers, or the request is
//!   answered 408 `RequestTimeoutException` and the connection closed (`router.rs` reads
//!   the body through `body.rs`, with the timeout this loop puts into each request as a
//!   [`BodyTimeout`] extension).
//! - At most `max_connections` connections are served at once (lowered to fit the process's
//!   file-descriptor limit, which would otherwise be reached first). Our choice when a new
//!   connection arrives at the cap: it is accepted, and the connection that has waited
//!   longest without a request in progress (idle, or still sending headers) is closed to
//!   make room, as a keep-alive server may close an idle connection at any time (HTTP
//!   clients retry a request on a closed pooled connection). When every connection has a
//!   request in progress, the new one waits for the first to finish; further connections
//!   wait in the listen backlog. Nobody is refused with an error.
//!
//! Closing for a timeout drops the connection without an answer: no request was made to
//! answer. A request in progress is never cut short by these timeouts (its body has its
//! own). Shutting down stops accepting, closes idle connections at once, lets requests in
//! progress finish their answer, and leaves a request still sending its headers to its
//! header timeout.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt;

use super::connections::{Conn, InFlight, Registry, Timeouts, Verdict, Watched};

/// Defaults for `serve`'s connection flags (shown in `serve --help`).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(20);
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// The most `--max-connections` may ask for (far beyond a loopback simulator's needs).
pub const MAX_CONNECTIONS_CEILING: usize = 65_536;

/// File descriptors kept free beside connections (the listener, the state file and its
/// temporary, stdio, the runtime's own).
const RESERVED_FDS: u64 = 32;

/// How long the accept loop waits before looking again: after `accept` failed (out of file
/// descriptors, say), or at the cap for a connection to finish its request. Long enough not
/// to spin, short enough not to be noticed.
const ACCEPT_RETRY: Duration = Duration::from_millis(50);

/// How long connections may hold slow clients, and how many there may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A connection without a request in progress is closed after this long.
    pub idle_timeout: Duration,
    /// A request's headers must be complete this long after its first byte.
    pub header_timeout: Duration,
    /// A request's body must be complete this long after its headers.
    pub body_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl Limits {
    fn timeouts(&self) -> Timeouts {
        Timeouts {
            idle: self.idle_timeout,
            header: self.header_timeout,
        }
    }
}

/// The body timeout of the connection a request came on (a request extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimeout(pub Duration);

/// `max` lowered so that connections cannot use up the file descriptors this process may
/// open (accepting would fail first, and a new client would wait for an idle timeout), and
/// kept within 1..=[`MAX_CONNECTIONS_CEILING`].
pub fn connection_cap(max: usize) -> usize {
    let room = fd_limit().map_or(usize::MAX, |fds| {
        usize::try_from(fds.saturating_sub(RESERVED_FDS)).unwrap_or(usize::MAX)
    });
    max.min(room).clamp(1, MAX_CONNECTIONS_CEILING)
}

#[cfg(unix)]
fn fd_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own and pass by pointer.
    let status = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    // `rlim_t` is u64 on Linux, not on every unix.
    #[allow(clippy::unnecessary_cast)]
    let current = limit.rlim_cur as u64;
    (status == 0 && limit.rlim_cur != libc::RLIM_INFINITY).then_some(current)
}

#[cfg(not(unix))]
fn fd_limit() -> Option<u64> {
    None
}

/// Serve `app` on `listener` within `limits` until `shutdown` completes, then until every
/// answer in progress is written.
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let cap = connection_cap(limits.max_connections);
    let slots = Arc::new(Semaphore::new(cap));
    let registry = Arc::new(Registry::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                eprintln!("grantscope serve: cannot accept a connection: {e}");
                registry.evict_longest_waiting();
                tokio::time::sleep(ACCEPT_RETRY).await;
                continue;
            }
        };
        // At the cap: make room by closing the connection waiting longest; when all are
        // busy, look again as they finish their requests.
        let slot = loop {
            if let Ok(slot) = Arc::clone(&slots).try_acquire_owned() {
                break Some(slot);
            }
            registry.evict_longest_waiting();
            tokio::select! {
                // `slots` is never closed, so this only ends with a slot.
                slot = Arc::clone(&slots).acquire_owned() => break slot.ok(),
                () = tokio::time::sleep(ACCEPT_RETRY) => {}
                () = &mut shutdown => break None,
            }
        };
        let Some(slot) = slot else { break };
        let _ = stream.set_nodelay(true);
        let conn = registry.add();
        let app = app.clone();
        let stop = stop_rx.clone();
        let registry = Arc::clone(&registry);
        tokio::spawn(async move {
            serve_connection(stream, peer, app, limits, &conn, stop).await;
            registry.remove(conn.id);
            drop(slot);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds a slot until it ends: all slots back means all answered.
    let all = u32::try_from(cap).unwrap_or(u32::MAX);
    let _ = slots.acquire_many(all).await;
    Ok(())
}

/// Errors of one connection that went away before it was accepted; the listener is fine.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
    conn: &Arc<Conn>,
    mut stop: watch::Receiver<bool>,
) {
    let io = TokioIo::new(Watched {
        inner: stream,
        conn: Arc::clone(conn),
    });
    let service = {
        let conn = Arc::clone(conn);
        hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            let request = InFlight::start(&conn);
            req.extensions_mut()
                .insert(BodyTimeout(limits.body_timeout));
            req.extensions_mut().insert(ConnectInfo(peer));
            let answer = app.clone().oneshot(req);
            async move {
                let response = answer.await;
                drop(request);
                response
            }
        })
    };
    // No hyper timer: hyper's own header timeout would also run while a keep-alive
    // connection waits for its next request; the watchdog below tells the two apart.
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::pin!(connection);
    let timeouts = limits.timeouts();
    let mut finishing = false;
    loop {
        if *stop.borrow() && !finishing {
            // Hyper closes a connection with nothing in progress at once, and any other
            // after its answer; the timeouts below still bound a request not yet begun.
            finishing = true;
            connection.as_mut().graceful_shutdown();
        }
        let deadline = conn.deadline(&timeouts);
        tokio::select! {
            _ = connection.as_mut() => return,
            () = tokio::time::sleep_until(deadline) => {}
            () = conn.wake.notified() => {}
            changed = stop.changed(), if !finishing => {
                if changed.is_err() {
                    // The server is gone without a word: finish as if told to stop.
                    finishing = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
        match conn.verdict(&timeouts, Instant::now()) {
            Verdict::Keep => {}
            // Dropping the connection closes the socket.
            Verdict::Close => return,
            Verdict::Finish if !finishing => {
                finishing = true;
                connection.as_mut().graceful_shutdown();
            }
            Verdict::Finish => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_at_least_one_connection_and_at_most_the_ceiling() {
        assert_eq!(connection_cap(0), 1);
        assert!(connection_cap(3) <= 3);
        assert!(connection_cap(usize::MAX) <= MAX_CONNECTIONS_CEILING);
    }
}
