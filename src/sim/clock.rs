//! The simulator's clock: real time (optionally shifted forward by "advance the clock"),
//! or a manual clock that only moves when told to, for tests and lessons. It never goes
//! past `kms::time::latest()` (the end of the year 9999), however far it is advanced.

use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::kms::time::{self, Timestamp};

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
            // A state file may carry any offset: out of range reads as the latest time.
            Clock::System { offset_ms } => Duration::try_milliseconds(*offset_ms)
                .and_then(|d| Utc::now().checked_add_signed(d))
                .map_or_else(time::latest, |t| t.min(time::latest())),
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

    /// Move forward by `by`, stopping at the latest time (the end of the year 9999).
    pub fn advance(&mut self, by: std::time::Duration) {
        match self {
            // `now` reads an offset past the latest time as the latest time.
            Clock::System { offset_ms } => {
                *offset_ms = offset_ms.saturating_add(time::delta(by).num_milliseconds());
            }
            Clock::Manual { now } => {
                *now = time::checked_later(*now, by)
                    .map_or_else(time::latest, |t| t.min(time::latest()));
            }
        }
    }
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
    fn the_clock_stops_at_the_end_of_the_year_9999() {
        let mut manual = Clock::manual(Utc::now());
        let mut system = Clock::default();
        for _ in 0..3000 {
            manual.advance(crate::kms::time::MAX_DURATION);
            system.advance(crate::kms::time::MAX_DURATION);
        }
        manual.advance(std::time::Duration::from_secs(u64::MAX));
        system.advance(std::time::Duration::from_secs(u64::MAX));
        assert_eq!(manual.now(), time::latest());
        assert!(system.now() <= time::latest());
        let far = Clock::System {
            offset_ms: i64::MAX,
        };
        assert_eq!(far.now(), time::latest());
    }

    #[test]
    fn system_clock_advances_by_offset() {
        let mut c = Clock::default();
        c.advance(std::time::Duration::from_secs(3600));
        assert!(c.now() > Utc::now() + Duration::seconds(3599));
    }
}
