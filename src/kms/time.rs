//! Time in the vocabulary: `Timestamp` (UTC), and the conversions every layer shares:
//! the epoch seconds the KMS API writes (millisecond precision), and how dates are shown.

use chrono::{DateTime, Utc};

pub type Timestamp = DateTime<Utc>;

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
    fn dates_read_in_utc() {
        let t = DateTime::from_timestamp(1_772_357_400, 0).expect("in range");
        assert_eq!(format_utc(t), "2026-03-01 09:30:00 UTC");
    }
}
