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
//! own); shutting down stops accepting, closes connections without a request in progress,
//! and lets the others finish their answer.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt;

/// Defaults for `serve`'s connection flags (shown in `serve --help`).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(20);
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

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

/// The body timeout of the connection a request came on (a request extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimeout(pub Duration);

/// `max` lowered so that connections cannot use up the file descriptors this process may
/// open (accepting would fail first, and a new client would wait for an idle timeout).
pub fn connection_cap(max: usize) -> usize {
    match fd_limit() {
        Some(fds) => {
            let room = usize::try_from(fds.saturating_sub(RESERVED_FDS)).unwrap_or(usize::MAX);
            max.min(room).max(1)
        }
        None => max.max(1),
    }
}

#[cfg(unix)]
fn fd_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own and pass by pointer.
    let status = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    (status == 0 && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur as u64)
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
    let mut finishing = false;
    loop {
        if *stop.borrow() && !finishing {
            // Hyper closes a connection with nothing in progress at once, and any other
            // after its answer; the timeouts below still bound a request not yet begun.
            finishing = true;
            connection.as_mut().graceful_shutdown();
        }
        let deadline = conn.deadline(&limits);
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
        match conn.verdict(&limits, Instant::now()) {
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

/// What the watchdog does with a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Keep,
    /// Close now: nothing is owed to the client.
    Close,
    /// Close once the answer in hand, if any, is written (hyper's graceful shutdown).
    Finish,
}

/// Connections being served, so that one can be closed to make room for another.
#[derive(Default)]
struct Registry {
    next_id: AtomicU64,
    conns: Mutex<HashMap<u64, Arc<Conn>>>,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<Conn>>> {
        // A panic while holding the map leaves it consistent (inserts and removes only).
        self.conns.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn add(&self) -> Arc<Conn> {
        let conn = Arc::new(Conn::new(self.next_id.fetch_add(1, Ordering::Relaxed)));
        self.lock().insert(conn.id, Arc::clone(&conn));
        conn
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Close the connection that has waited longest without a request in progress, if
    /// any, unless one chosen before is still closing: one room made per newcomer. The
    /// chosen connection ends at its watchdog's next look, which this wakes.
    fn evict_longest_waiting(&self) {
        let conns = self.lock();
        if conns.values().any(|c| c.activity().evicted) {
            return;
        }
        let oldest = conns
            .values()
            .filter_map(|c| c.waiting_since().map(|since| (since, c)))
            .min_by_key(|(since, _)| *since);
        if let Some((_, conn)) = oldest {
            conn.activity().evicted = true;
            conn.wake.notify_one();
        }
    }
}

/// What one connection is doing, as its watchdog and the eviction see it.
struct Conn {
    id: u64,
    activity: Mutex<Activity>,
    /// Wakes the watchdog when its deadline may have moved earlier (a request's first
    /// byte, a request finished, an eviction).
    wake: Notify,
}

struct Activity {
    /// Requests being answered (more than one only if the client pipelines).
    in_flight: usize,
    /// When the connection last had nothing to do: accepted, or its last answer ready.
    idle_since: Instant,
    /// When the first byte of the next request arrived, if it has.
    header_started: Option<Instant>,
    /// Chosen to make room for a new connection.
    evicted: bool,
}

impl Conn {
    fn new(id: u64) -> Self {
        Self {
            id,
            activity: Mutex::new(Activity {
                in_flight: 0,
                idle_since: Instant::now(),
                header_started: None,
                evicted: false,
            }),
            wake: Notify::new(),
        }
    }

    fn activity(&self) -> MutexGuard<'_, Activity> {
        // Every update leaves the fields consistent on its own.
        self.activity.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Since when the connection has waited for a request, if it has no request in
    /// progress.
    fn waiting_since(&self) -> Option<Instant> {
        let a = self.activity();
        (a.in_flight == 0).then_some(a.idle_since)
    }

    /// When the watchdog should look again.
    fn deadline(&self, limits: &Limits) -> Instant {
        let a = self.activity();
        match (a.in_flight, a.header_started) {
            // A request's end wakes the watchdog; until then, look now and then.
            (1.., _) => Instant::now() + limits.idle_timeout.max(limits.header_timeout),
            (0, Some(started)) => started + limits.header_timeout,
            (0, None) => a.idle_since + limits.idle_timeout,
        }
    }

    fn verdict(&self, limits: &Limits, now: Instant) -> Verdict {
        let a = self.activity();
        if a.in_flight > 0 {
            return Verdict::Keep;
        }
        match a.header_started {
            // A request begun but not made: nothing is owed.
            Some(started) if a.evicted || now >= started + limits.header_timeout => Verdict::Close,
            Some(_) => Verdict::Keep,
            None if now >= a.idle_since + limits.idle_timeout => Verdict::Close,
            // The last answer may still be on its way out.
            None if a.evicted => Verdict::Finish,
            None => Verdict::Keep,
        }
    }

    /// Bytes arrived: if no request is in progress, a new one has begun.
    fn on_read(&self) {
        let mut a = self.activity();
        if a.in_flight == 0 && a.header_started.is_none() {
            a.header_started = Some(Instant::now());
            drop(a);
            self.wake.notify_one();
        }
    }
}

/// A request being answered, from its complete headers until its answer is ready.
struct InFlight(Arc<Conn>);

impl InFlight {
    fn start(conn: &Arc<Conn>) -> Self {
        {
            let mut a = conn.activity();
            a.in_flight += 1;
            a.header_started = None;
        }
        InFlight(Arc::clone(conn))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        {
            let mut a = self.0.activity();
            a.in_flight = a.in_flight.saturating_sub(1);
            if a.in_flight == 0 {
                a.idle_since = Instant::now();
                a.header_started = None;
            }
        }
        self.0.wake.notify_one();
    }
}

/// The TCP stream, telling its connection when bytes arrive.
struct Watched {
    inner: TcpStream,
    conn: Arc<Conn>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.conn.on_read();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            idle_timeout: Duration::from_secs(60),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(20),
            max_connections: 4,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_connection_closes_after_the_idle_timeout() {
        let conn = Conn::new(0);
        let start = Instant::now();
        assert_eq!(conn.deadline(&limits()), start + Duration::from_secs(60));
        assert_eq!(
            conn.verdict(&limits(), start + Duration::from_secs(59)),
            Verdict::Keep
        );
        assert_eq!(
            conn.verdict(&limits(), start + Duration::from_secs(60)),
            Verdict::Close
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_started_header_has_the_shorter_header_timeout() {
        let conn = Arc::new(Conn::new(0));
        tokio::time::advance(Duration::from_secs(30)).await;
        conn.on_read();
        let started = Instant::now();
        assert_eq!(conn.deadline(&limits()), started + Duration::from_secs(10));
        assert_eq!(
            conn.verdict(&limits(), started + Duration::from_secs(10)),
            Verdict::Close
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_progress_is_never_closed_and_its_end_restarts_the_idle_clock() {
        let conn = Arc::new(Conn::new(0));
        conn.on_read();
        let request = InFlight::start(&conn);
        tokio::time::advance(Duration::from_secs(120)).await;
        assert_eq!(conn.verdict(&limits(), Instant::now()), Verdict::Keep);
        assert_eq!(conn.waiting_since(), None);
        drop(request);
        let done = Instant::now();
        assert_eq!(conn.waiting_since(), Some(done));
        assert_eq!(
            conn.verdict(&limits(), done + Duration::from_secs(59)),
            Verdict::Keep
        );
        assert_eq!(
            conn.verdict(&limits(), done + Duration::from_secs(60)),
            Verdict::Close
        );
    }

    #[tokio::test(start_paused = true)]
    async fn eviction_picks_the_connection_waiting_longest() {
        let registry = Registry::default();
        let older = registry.add();
        tokio::time::advance(Duration::from_secs(5)).await;
        let newer = registry.add();
        registry.evict_longest_waiting();
        assert!(older.activity().evicted);
        assert!(!newer.activity().evicted);
        // An idle connection finishes politely; one still sending headers just closes.
        assert_eq!(older.verdict(&limits(), Instant::now()), Verdict::Finish);
        older.on_read();
        assert_eq!(older.verdict(&limits(), Instant::now()), Verdict::Close);
        // One room per newcomer: no second eviction while the first is still open.
        registry.evict_longest_waiting();
        assert!(!newer.activity().evicted);
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_with_a_request_in_progress_is_never_evicted() {
        let registry = Registry::default();
        let busy = registry.add();
        let _request = InFlight::start(&busy);
        registry.evict_longest_waiting();
        assert!(!busy.activity().evicted);
    }

    #[test]
    fn the_cap_is_at_least_one_connection() {
        assert!(connection_cap(0) >= 1);
        assert!(connection_cap(3) <= 3);
    }
}
