//! The signals that would end the UI while it owns the terminal (SIGTERM, SIGINT, SIGHUP,
//! SIGQUIT, and the other catchable ones whose default is to terminate: SIGUSR1, SIGUSR2,
//! SIGALRM). While the UI runs they are caught, so the event loop ends like a quit: the
//! runtime restores the terminal (normal screen, cursor, cooked mode, no mouse) on its one
//! way out, and the program then exits with 128 + the signal's number, as a shell reports
//! a program that a signal ended. (Ctrl-C and Ctrl-\ are keys in raw mode, not signals;
//! SIGKILL and SIGSTOP cannot be caught.)

use std::task::Poll;

/// The UI ended because of a signal: the terminal has been restored, and the process
/// should exit with [`Stopped::exit_status`] (main does, without printing anything).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stopped by {name}")]
pub struct Stopped {
    pub signo: i32,
    pub name: &'static str,
}

impl Stopped {
    /// 128 + the signal's number (SIGTERM: 143).
    pub fn exit_status(&self) -> u8 {
        u8::try_from(128 + self.signo).unwrap_or(u8::MAX)
    }
}

/// The terminating signals, caught from [`Signals::catch`] on. The handlers stay installed
/// for the rest of the process (tokio never uninstalls one), which is fine: the UI is the
/// last thing the process does.
pub struct Signals {
    #[cfg(unix)]
    streams: Vec<(Stopped, tokio::signal::unix::Signal)>,
}

impl Signals {
    /// Catch the terminating signals. Must run inside the tokio runtime.
    #[cfg(unix)]
    pub fn catch() -> std::io::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        let kinds = [
            (SignalKind::terminate(), "SIGTERM"),
            (SignalKind::interrupt(), "SIGINT"),
            (SignalKind::hangup(), "SIGHUP"),
            (SignalKind::quit(), "SIGQUIT"),
            (SignalKind::user_defined1(), "SIGUSR1"),
            (SignalKind::user_defined2(), "SIGUSR2"),
            (SignalKind::alarm(), "SIGALRM"),
        ];
        let mut streams = Vec::with_capacity(kinds.len());
        for (kind, name) in kinds {
            let stopped = Stopped {
                signo: kind.as_raw_value(),
                name,
            };
            streams.push((stopped, signal(kind)?));
        }
        Ok(Signals { streams })
    }

    #[cfg(not(unix))]
    pub fn catch() -> std::io::Result<Signals> {
        Ok(Signals {})
    }

    /// The next signal caught (pending until one comes).
    pub async fn next(&mut self) -> Stopped {
        std::future::poll_fn(|cx| {
            #[cfg(unix)]
            for (stopped, stream) in &mut self.streams {
                if let Poll::Ready(Some(())) = stream.poll_recv(cx) {
                    return Poll::Ready(*stopped);
                }
            }
            let _ = cx;
            Poll::Pending
        })
        .await
    }
}
