//! The simulator's clock: real time (optionally shifted forward by "advance the clock"),
//! or a manual clock that only moves when told to, for tests and lessons.

use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::kms::Timestamp;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Clock {
    /// Wall-clock time plus an offset that `advance` grows.
    System { offset_ms: i64 },
    /// A clock that stands still until advanced.
    Manual { now: Timestamp },
}

impl Default for Clock {
    fn default() -> Self {
        Clock::System { offset_ms: 0 }
    }
}

impl Clock {
    pub fn manual(now: Timestamp) -> Self {
        Clock::Manual { now }
    }

    pub fn now(&self) -> Timestamp {
        match self {
            Clock::System { offset_ms } => Utc::now() + Duration::milliseconds(*offset_ms),
            Clock::Manual { now } => *now,
        }
    }

    /// Does the clock stand still?
    pub fn is_frozen(&self) -> bool {
        matches!(self, Clock::Manual { .. })
    }

    /// Stop the clock where it is (`true`), or let it run again from there (`false`): a
    /// running clock keeps the time it had, as an offset from the wall clock.
    pub fn set_frozen(&mut self, frozen: bool) {
        let now = self.now();
        *self = if frozen {
            Clock::Manual { now }
        } else {
            Clock::System {
                offset_ms: (now - Utc::now()).num_milliseconds(),
            }
        };
    }

    pub fn advance(&mut self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 2);
        match self {
            Clock::System { offset_ms } => *offset_ms = offset_ms.saturating_add(ms),
            Clock::Manual { now } => *now += Duration::milliseconds(ms),
        }
    }
}

/// A `std::time::Duration` as a chrono one (saturating).
pub fn chrono_duration(d: std::time::Duration) -> Duration {
    Duration::milliseconds(i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let start = Utc::now();
        let mut c = Clock::manual(start);
        assert_eq!(c.now(), start);
        c.advance(std::time::Duration::from_secs(5));
        assert_eq!(c.now(), start + Duration::seconds(5));
    }

    #[test]
    fn a_frozen_clock_stands_still_and_runs_on_from_there() {
        let mut c = Clock::default();
        c.advance(std::time::Duration::from_secs(3600));
        c.set_frozen(true);
        assert!(c.is_frozen());
        let stopped = c.now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(c.now(), stopped);
        c.set_frozen(false);
        assert!(!c.is_frozen());
        // From where it stood (the running clock keeps whole milliseconds of offset).
        let running = c.now();
        assert!((running - stopped).num_milliseconds().abs() < 1000);
    }

    #[test]
    fn system_clock_advances_by_offset() {
        let mut c = Clock::default();
        c.advance(std::time::Duration::from_secs(3600));
        assert!(c.now() > Utc::now() + Duration::seconds(3599));
    }
}
