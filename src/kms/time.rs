//! Time in the vocabulary: `Timestamp` (UTC), and the conversions every layer shares:
//! the epoch seconds the KMS API writes (millisecond precision), how dates are shown, the
//! durations people write ("90d", at most [`MAX_DURATION`]), and the checked arithmetic
//! that moves a timestamp by one (never a panic, whatever a scenario or a flag says).

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

pub type Timestamp = DateTime<Utc>;

/// The longest duration grantscope accepts anywhere a person writes one (scenario ages,
/// `--propagation-delay`, a lesson's clock step, the audit's thresholds): 100 years of 365
/// days. Far beyond any grant's life, and far inside the dates a timestamp can hold.
pub const MAX_DURATION: Duration = Duration::from_secs(100 * 365 * 86_400);

/// The latest time the simulator's clock reaches: the end of the year 9999. With
/// durations capped at [`MAX_DURATION`], a time plus a duration stays far inside what a
/// timestamp can hold.
pub fn latest() -> Timestamp {
    // 9999-12-31T23:59:59Z is inside chrono's range (years up to 262,142).
    DateTime::from_timestamp(253_402_300_799, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// A duration a person wrote that grantscope does not take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("{text:?} is not a duration ({reason}); write e.g. \"5s\" or \"90d\"")]
    NotADuration { text: String, reason: String },
    #[error("{text:?} is longer than 100 years (36500d), the longest duration grantscope takes")]
    TooLong { text: String },
}

/// "5s", "200d", "90 days", "1h 30m": at most [`MAX_DURATION`].
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let d = humantime::parse_duration(text).map_err(|e| DurationError::NotADuration {
        text: text.to_string(),
        reason: e.to_string(),
    })?;
    if d > MAX_DURATION {
        return Err(DurationError::TooLong {
            text: text.to_string(),
        });
    }
    Ok(d)
}

/// A `std::time::Duration` as a chrono one, saturating at chrono's largest (a duration
/// of [`MAX_DURATION`] or less converts exactly).
pub fn delta(d: Duration) -> TimeDelta {
    i64::try_from(d.as_millis())
        .ok()
        .and_then(TimeDelta::try_milliseconds)
        .unwrap_or(TimeDelta::MAX)
}

/// `t + d`, or None past what a timestamp holds.
pub fn checked_later(t: Timestamp, d: Duration) -> Option<Timestamp> {
    t.checked_add_signed(delta(d))
}

/// `t - d`, or None before what a timestamp holds.
pub fn checked_earlier(t: Timestamp, d: Duration) -> Option<Timestamp> {
    t.checked_sub_signed(delta(d))
}

/// `t + d`, stopping at the latest time a timestamp holds (for a time that only says
/// "not before": a grant taking effect after an absurd delay takes effect never).
pub fn later_saturating(t: Timestamp, d: Duration) -> Timestamp {
    checked_later(t, d).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Epoch seconds with millisecond precision, as the KMS API writes timestamps.
pub fn epoch_seconds(t: Timestamp) -> f64 {
    t.timestamp_millis() as f64 / 1000.0
}

/// The timestamp of epoch seconds as the KMS API writes them, rounded to the millisecond
/// (`1.0049999` is 1.005 s, not 1.004); None when out of chrono's range or not a number.
pub fn from_epoch_seconds(secs: f64) -> Option<Timestamp> {
    if !secs.is_finite() {
        return None;
    }
    let millis = (secs * 1000.0).round();
    if millis.abs() > i64::MAX as f64 / 2.0 {
        return None;
    }
    DateTime::from_timestamp_millis(millis as i64)
}

/// A timestamp as people read it in the UI and reports: `2026-03-01 09:30:00 UTC`.
pub fn format_utc(t: Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_seconds_round_trip_to_the_millisecond() {
        let t = DateTime::from_timestamp_millis(1_772_357_400_123).expect("in range");
        assert_eq!(from_epoch_seconds(epoch_seconds(t)), Some(t));
        // The API's float may sit just below the millisecond: rounding, not truncating.
        assert_eq!(
            from_epoch_seconds(1.0049999).map(|t| t.timestamp_millis()),
            Some(1005)
        );
        assert_eq!(from_epoch_seconds(f64::NAN), None);
        assert_eq!(from_epoch_seconds(1e300), None);
    }

    #[test]
    fn durations_are_capped_at_a_hundred_years() {
        assert_eq!(parse_duration("90d"), Ok(Duration::from_secs(90 * 86_400)));
        assert_eq!(parse_duration("36500d"), Ok(MAX_DURATION));
        let e = parse_duration("99999999d").unwrap_err();
        assert!(matches!(e, DurationError::TooLong { .. }), "{e}");
        assert!(e.to_string().contains("longer than 100 years"), "{e}");
        // humantime's own overflow is an error too, never a panic.
        assert!(parse_duration("99999999999999999999999y").is_err());
        assert!(matches!(
            parse_duration("soon"),
            Err(DurationError::NotADuration { .. })
        ));
    }

    #[test]
    fn moving_a_time_by_a_duration_never_panics() {
        let t = DateTime::from_timestamp(1_772_357_400, 0).expect("in range");
        let huge = Duration::from_secs(u64::MAX);
        assert_eq!(checked_later(t, huge), None);
        assert_eq!(checked_earlier(t, huge), None);
        assert_eq!(later_saturating(t, huge), DateTime::<Utc>::MAX_UTC);
        assert!(checked_later(latest(), MAX_DURATION).is_some());
        assert!(checked_earlier(t, MAX_DURATION).is_some());
    }

    #[test]
    fn dates_read_in_utc() {
        let t = DateTime::from_timestamp(1_772_357_400, 0).expect("in range");
        assert_eq!(format_utc(t), "2026-03-01 09:30:00 UTC");
    }
}
