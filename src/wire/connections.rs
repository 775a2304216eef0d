//! What each connection of the wire server is doing, as its watchdog (`server.rs`) sees
//! it: waiting for a request since when, a request's first byte when, requests in
//! progress; the registry of connections that picks the one to close at the cap; the
//! guard that marks a request in progress; and the TCP stream that reports arriving bytes.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::{Duration, Instant};

/// The timeouts a connection's watchdog applies (`server::Limits` has them with the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Timeouts {
    /// No request in progress, no byte of a new one.
    pub(super) idle: Duration,
    /// From a request's first byte to its complete headers.
    pub(super) header: Duration,
}

/// What the watchdog does with a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    Keep,
    /// Close now: nothing is owed to the client.
    Close,
    /// Close once the answer in hand, if any, is written (hyper's graceful shutdown).
    Finish,
}

/// Connections being served, so that one can be closed to make room for another.
#[derive(Default)]
pub(super) struct Registry {
    next_id: AtomicU64,
    conns: Mutex<HashMap<u64, Arc<Conn>>>,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<Conn>>> {
        // A panic while holding the map leaves it consistent (inserts and removes only).
        self.conns.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn add(&self) -> Arc<Conn> {
        let conn = Arc::new(Conn::new(self.next_id.fetch_add(1, Ordering::Relaxed)));
        self.lock().insert(conn.id, Arc::clone(&conn));
        conn
    }

    pub(super) fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Close the connection that has waited longest without a request in progress, if
    /// any, unless one chosen before is still closing: one room made per newcomer. The
    /// chosen connection ends at its watchdog's next look, which this wakes.
    pub(super) fn evict_longest_waiting(&self) {
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
pub(super) struct Conn {
    pub(super) id: u64,
    activity: Mutex<Activity>,
    /// Wakes the watchdog when its deadline may have moved earlier (a request's first
    /// byte, a request finished, an eviction).
    pub(super) wake: Notify,
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
    pub(super) fn deadline(&self, timeouts: &Timeouts) -> Instant {
        let a = self.activity();
        match (a.in_flight, a.header_started) {
            // A request's end wakes the watchdog; until then, look now and then.
            (1.., _) => Instant::now() + timeouts.idle.max(timeouts.header),
            (0, Some(started)) => started + timeouts.header,
            (0, None) => a.idle_since + timeouts.idle,
        }
    }

    pub(super) fn verdict(&self, timeouts: &Timeouts, now: Instant) -> Verdict {
        let a = self.activity();
        if a.in_flight > 0 {
            return Verdict::Keep;
        }
        match a.header_started {
            // A request begun but not made: nothing is owed.
            Some(started) if a.evicted || now >= started + timeouts.header => Verdict::Close,
            Some(_) => Verdict::Keep,
            None if now >= a.idle_since + timeouts.idle => Verdict::Close,
            // The last answer may still be on its way out.
            None if a.evicted => Verdict::Finish,
            None => Verdict::Keep,
        }
    }

    /// Bytes arrived: if no request is in progress, a new one has begun.
    pub(super) fn on_read(&self) {
        let mut a = self.activity();
        if a.in_flight == 0 && a.header_started.is_none() {
            a.header_started = Some(Instant::now());
            drop(a);
            self.wake.notify_one();
        }
    }
}

/// A request being answered, from its complete headers until its answer is ready.
pub(super) struct InFlight(Arc<Conn>);

impl InFlight {
    pub(super) fn start(conn: &Arc<Conn>) -> Self {
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
pub(super) struct Watched {
    pub(super) inner: TcpStream,
    pub(super) conn: Arc<Conn>,
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

    fn timeouts() -> Timeouts {
        Timeouts {
            idle: Duration::from_secs(60),
            header: Duration::from_secs(10),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_connection_closes_after_the_idle_timeout() {
        let conn = Conn::new(0);
        let start = Instant::now();
        assert_eq!(conn.deadline(&timeouts()), start + Duration::from_secs(60));
        assert_eq!(
            conn.verdict(&timeouts(), start + Duration::from_secs(59)),
            Verdict::Keep
        );
        assert_eq!(
            conn.verdict(&timeouts(), start + Duration::from_secs(60)),
            Verdict::Close
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_started_header_has_the_shorter_header_timeout() {
        let conn = Arc::new(Conn::new(0));
        tokio::time::advance(Duration::from_secs(30)).await;
        conn.on_read();
        let started = Instant::now();
        assert_eq!(
            conn.deadline(&timeouts()),
            started + Duration::from_secs(10)
        );
        assert_eq!(
            conn.verdict(&timeouts(), started + Duration::from_secs(10)),
            Verdict::Close
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_progress_is_never_closed_and_its_end_restarts_the_idle_clock() {
        let conn = Arc::new(Conn::new(0));
        conn.on_read();
        let request = InFlight::start(&conn);
        tokio::time::advance(Duration::from_secs(120)).await;
        assert_eq!(conn.verdict(&timeouts(), Instant::now()), Verdict::Keep);
        assert_eq!(conn.waiting_since(), None);
        drop(request);
        let done = Instant::now();
        assert_eq!(conn.waiting_since(), Some(done));
        assert_eq!(
            conn.verdict(&timeouts(), done + Duration::from_secs(59)),
            Verdict::Keep
        );
        assert_eq!(
            conn.verdict(&timeouts(), done + Duration::from_secs(60)),
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
        assert_eq!(older.verdict(&timeouts(), Instant::now()), Verdict::Finish);
        older.on_read();
        assert_eq!(older.verdict(&timeouts(), Instant::now()), Verdict::Close);
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
}
