//! The progress bar of the organization-wide `inventory` and `report` (indicatif): scopes
//! done of total, requests sent, throttles met, and indicatif's estimate of the time
//! left. Drawn on stderr only when stderr is a terminal and `--quiet` is not given:
//! nothing on a pipe. It reads the scheduler's counters (`scope::scheduler::Stats`) on a
//! timer, so the work itself never waits for the display.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::scope::scheduler::Stats;

/// How often the bar is brought up to date.
const TICK: Duration = Duration::from_millis(100);

/// A running progress display; `finish` clears it.
pub struct Progress {
    bar: Option<ProgressBar>,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

/// Should a bar be drawn? Only on a terminal, and not with `--quiet`.
pub fn wanted(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// The text after the bar: requests and throttles so far.
pub fn counters(requests: u64, throttles: u64) -> String {
    format!("{requests} requests, {throttles} throttled")
}

impl Progress {
    /// Start showing `stats` (when `show`); needs a tokio runtime.
    pub fn start(stats: Arc<Stats>, show: bool) -> Self {
        if !show {
            return Self {
                bar: None,
                ticker: None,
            };
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        // Invariant: the template is a constant that indicatif accepts (tested below).
        let style =
            ProgressStyle::with_template(TEMPLATE).unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        let shown = bar.clone();
        let ticker = tokio::spawn(async move {
            loop {
                let (done, total, requests, throttles) = stats.snapshot();
                // Nothing is drawn before the scopes are counted (never a "0/0").
                if total == 0 {
                    tokio::time::sleep(TICK).await;
                    continue;
                }
                shown.set_length(total);
                shown.set_position(done);
                shown.set_message(counters(requests, throttles));
                tokio::time::sleep(TICK).await;
            }
        });
        Self {
            bar: Some(bar),
            ticker: Some(ticker),
        }
    }

    /// Stop and clear the bar.
    pub fn finish(self) {
        if let Some(t) = self.ticker {
            t.abort();
        }
        if let Some(b) = self.bar {
            b.finish_and_clear();
        }
    }
}

const TEMPLATE: &str = "{bar:30} {pos}/{len} scopes  {msg}  ~{eta} left";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_accepted_and_counters_read_plainly() {
        assert!(ProgressStyle::with_template(TEMPLATE).is_ok());
        assert_eq!(counters(1200, 3), "1200 requests, 3 throttled");
        assert!(!wanted(true));
    }
}
