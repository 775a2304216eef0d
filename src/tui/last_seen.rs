//! What the UI says of a grant's last use, from the audit's result (`UsageKnown`): the
//! grants pane's short "Seen" cell and the detail panel's `LastSeen` sentence with its
//! source. The vocabulary is the CLI inventory's ("last seen ... (Operation)", "not seen
//! in N days", "usage not determined: why"):
//!
//! | known                              | Seen      | LastSeen                                              |
//! | ---------------------------------- | --------- | ----------------------------------------------------- |
//! | simulator, used                    | `3d ago`  | `<time> (3d ago), a call this grant authorized (simulator)` |
//! | simulator, never used              | `never`   | `never used (simulator)`                              |
//! | CloudTrail: possibly used          | `3d ago`  | `<time> (3d ago), Decrypt by the grantee (CloudTrail)` |
//! | CloudTrail: unused in the window   | `>30d`    | `no call by the grantee on this key in the last 30d (CloudTrail, unused)` |
//! | CloudTrail: not determined         | `?`       | `not determined: <why>`                               |
//! | AWS without `--evidence`           | `-`       | `unknown: run with --evidence cloudtrail`             |
//!
//! "Seen" is the grantee's last call on the key (CloudTrail cannot say which grant
//! authorized it: "possibly used"), or on the simulator the grant's own last use.

use crate::audit::IndexedReport;
use crate::kms::inventory::UsageSource;
use crate::kms::time::{format_utc, from_epoch_seconds};
use crate::kms::usage::{LastUse, UsageEvidence};
use crate::kms::Timestamp;

use super::widgets::age;

/// What is known of one grant's use, as the audit's result says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Known<'a> {
    /// No audit result yet.
    Pending,
    /// The backend gives no usage data (AWS without `--evidence cloudtrail`).
    NoData,
    /// The inventory has nothing on this grant: never used on the simulator (usage per
    /// grant); not looked up on AWS (a grant newer than the audit).
    Nothing(UsageSource),
    /// A last use (per grant on the simulator, the grantee's on the key otherwise).
    At(f64, UsageSource),
    Evidence(&'a UsageEvidence),
}

/// What the audit's result knows of the grant `grant_id` of `key_arn`.
pub fn known<'a>(o: Option<&'a IndexedReport>, key_arn: &str, grant_id: &str) -> Known<'a> {
    let Some(o) = o else {
        return Known::Pending;
    };
    let source = o.usage.source;
    if source == UsageSource::None {
        return Known::NoData;
    }
    match o.usage.last_use(key_arn, grant_id) {
        None => Known::Nothing(source),
        Some(LastUse::At(t)) => Known::At(*t, source),
        Some(LastUse::Evidence(e)) => Known::Evidence(e),
    }
}

/// How the Seen column sorts, ascending: the stalest first. Never used (simulator) and no
/// call in the window (CloudTrail, unused) come first, then by the last use, oldest first;
/// what is not known (not determined, not looked up, no usage data, auditing) last.
pub fn order(k: Known<'_>) -> (u8, f64) {
    match k {
        Known::Nothing(UsageSource::Grants) | Known::Evidence(UsageEvidence::Unused { .. }) => {
            (0, 0.0)
        }
        Known::At(t, _) | Known::Evidence(&UsageEvidence::PossiblyUsed { last_seen: t, .. }) => {
            (1, t)
        }
        Known::Evidence(UsageEvidence::NotDetermined { .. })
        | Known::Nothing(_)
        | Known::NoData
        | Known::Pending => (2, 0.0),
    }
}

/// Compare two `order` keys.
pub fn compare_order(a: (u8, f64), b: (u8, f64)) -> std::cmp::Ordering {
    a.0.cmp(&b.0).then(a.1.total_cmp(&b.1))
}

/// "3d ago" from epoch seconds ("-" for a time no clock holds).
fn ago(now: Timestamp, at: f64) -> Option<(Timestamp, String)> {
    from_epoch_seconds(at).map(|t| (t, format!("{} ago", age(now, t))))
}

/// The grants pane's cell: `3d ago`, `never`, `>30d` (no call in the window), `?` (not
/// determined), `-` (no usage data, or not looked up), empty while auditing.
pub fn cell(k: Known<'_>, now: Timestamp) -> String {
    match k {
        Known::Pending => String::new(),
        Known::NoData => "-".into(),
        Known::Nothing(UsageSource::Grants) => "never".into(),
        Known::Nothing(_) => "-".into(),
        Known::At(t, _) | Known::Evidence(&UsageEvidence::PossiblyUsed { last_seen: t, .. }) => {
            ago(now, t).map_or_else(|| "-".into(), |(_, a)| a)
        }
        Known::Evidence(UsageEvidence::Unused { window_days, .. }) => format!(">{window_days}d"),
        Known::Evidence(UsageEvidence::NotDetermined { .. }) => "?".into(),
    }
}

/// The detail panel's `LastSeen` sentence, with its source. `looking_up`: the running
/// audit's CloudTrail progress, shown while there is no result yet.
pub fn sentence(k: Known<'_>, now: Timestamp, looking_up: Option<&str>) -> String {
    let when = |t: f64| match ago(now, t) {
        Some((t, a)) => format!("{} ({a})", format_utc(t)),
        None => "an unreadable time".into(),
    };
    match k {
        Known::Pending => match looking_up {
            Some(p) => format!("looking up… ({p})"),
            None => "auditing…".into(),
        },
        Known::NoData => "unknown: run with --evidence cloudtrail".into(),
        Known::Nothing(UsageSource::Grants) => "never used (simulator)".into(),
        Known::Nothing(_) => "unknown: not looked up yet (newer than the audit)".into(),
        Known::At(t, UsageSource::Grants) => {
            format!("{}, a call this grant authorized (simulator)", when(t))
        }
        Known::At(t, _) => format!("{}, by the grantee on this key", when(t)),
        Known::Evidence(UsageEvidence::PossiblyUsed {
            last_seen,
            operation,
        }) => format!(
            "{}, {operation} by the grantee (CloudTrail)",
            when(*last_seen)
        ),
        Known::Evidence(UsageEvidence::Unused { window_days, .. }) => format!(
            "no call by the grantee on this key in the last {window_days}d (CloudTrail, unused)"
        ),
        Known::Evidence(UsageEvidence::NotDetermined { reason }) => {
            format!("not determined: {}", reason.sentence())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kms::usage::Undetermined;
    use chrono::TimeZone;

    fn now() -> Timestamp {
        chrono::Utc
            .with_ymd_and_hms(2026, 12, 3, 10, 2, 0)
            .single()
            .unwrap()
    }

    fn days_ago(d: i64) -> f64 {
        (now().timestamp() - d * 86_400) as f64
    }

    #[test]
    fn a_call_cloudtrail_found_is_its_time_age_operation_and_source() {
        let e = UsageEvidence::PossiblyUsed {
            last_seen: days_ago(3),
            operation: "Decrypt".into(),
        };
        assert_eq!(cell(Known::Evidence(&e), now()), "3d ago");
        assert_eq!(
            sentence(Known::Evidence(&e), now(), None),
            "2026-11-30 10:02:00 UTC (3d ago), Decrypt by the grantee (CloudTrail)"
        );
    }

    #[test]
    fn no_call_in_the_window_is_not_called_never() {
        let e = UsageEvidence::Unused {
            since: days_ago(30),
            window_days: 30,
            source: crate::evidence::SOURCE.into(),
        };
        assert_eq!(cell(Known::Evidence(&e), now()), ">30d");
        assert_eq!(
            sentence(Known::Evidence(&e), now(), None),
            "no call by the grantee on this key in the last 30d (CloudTrail, unused)"
        );
    }

    #[test]
    fn not_determined_says_why_in_the_report_s_words() {
        let e = UsageEvidence::NotDetermined {
            reason: Undetermined::BudgetExhausted { pages: 5 },
        };
        assert_eq!(cell(Known::Evidence(&e), now()), "?");
        assert_eq!(
            sentence(Known::Evidence(&e), now(), None),
            "not determined: look-up budget ran out: 5 LookupEvents pages read for the key (raise --evidence-pages)"
        );
        let denied = UsageEvidence::NotDetermined {
            reason: Undetermined::NotReadable {
                error: "AccessDeniedException: no".into(),
            },
        };
        assert_eq!(
            sentence(Known::Evidence(&denied), now(), None),
            "not determined: CloudTrail not readable: AccessDeniedException: no"
        );
    }

    #[test]
    fn the_simulator_knows_each_grant_s_own_use() {
        let used = Known::At(days_ago(0) - 7200.0, UsageSource::Grants);
        assert_eq!(cell(used, now()), "2h ago");
        assert_eq!(
            sentence(used, now(), None),
            "2026-12-03 08:02:00 UTC (2h ago), a call this grant authorized (simulator)"
        );
        let never = Known::Nothing(UsageSource::Grants);
        assert_eq!(cell(never, now()), "never");
        assert_eq!(sentence(never, now(), None), "never used (simulator)");
    }

    #[test]
    fn aws_without_evidence_says_how_to_get_it_and_nothing_is_guessed() {
        assert_eq!(cell(Known::NoData, now()), "-");
        assert_eq!(
            sentence(Known::NoData, now(), None),
            "unknown: run with --evidence cloudtrail"
        );
        let newer = Known::Nothing(UsageSource::Principals);
        assert_eq!(cell(newer, now()), "-");
        assert!(sentence(newer, now(), None).starts_with("unknown: "));
        assert_eq!(cell(Known::Pending, now()), "");
        assert_eq!(
            sentence(Known::Pending, now(), Some("CloudTrail: 3/9 keys")),
            "looking up… (CloudTrail: 3/9 keys)"
        );
    }

    #[test]
    fn a_time_no_clock_holds_is_shown_as_unknown_not_a_panic() {
        let bad = Known::At(f64::NAN, UsageSource::Grants);
        assert_eq!(cell(bad, now()), "-");
        assert!(sentence(bad, now(), None).starts_with("an unreadable time"));
        let far = Known::At(1e300, UsageSource::Grants);
        assert_eq!(cell(far, now()), "-");
    }
}
