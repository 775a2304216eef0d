//! Checking a step's outcome against what the lesson expects: from a performed request's
//! result (the step key) or from an activity event (the presenter used the normal UI).
//! `Ok(note)` says what happened; `Err(message)` says how it differed.

use std::collections::BTreeMap;

use crate::audit::Report;
use crate::backend::{ActivityEvent, BackendError, EventOutcome};
use crate::kms::words::count;

use super::placeholders::fill;
use super::request::LessonResult;
use super::schema::{Action, Expect, FindingSpec, Verdict};

/// How a KMS call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Allowed,
    Failed { code: String, message: String },
}

impl Seen {
    fn of<T>(r: &Result<T, BackendError>) -> Self {
        match r {
            Ok(_) => Seen::Allowed,
            Err(e) => Seen::Failed {
                code: e.label().to_string(),
                message: e.message.clone(),
            },
        }
    }

    fn describe(&self) -> String {
        match self {
            Seen::Allowed => "allowed".into(),
            Seen::Failed { code, message } if message.is_empty() => code.clone(),
            Seen::Failed { code, message } => format!("{code}: {message}"),
        }
    }
}

/// The expected verdict as an error code (None: allowed).
fn wanted(outcome: Option<Verdict>, error: Option<&str>) -> Option<String> {
    match (outcome, error) {
        (_, Some(code)) => Some(code.to_string()),
        (Some(Verdict::Denied), None) => Some("AccessDeniedException".into()),
        _ => None,
    }
}

fn compare(what: &str, want: Option<String>, seen: &Seen) -> Result<String, String> {
    match (want, seen) {
        (None, Seen::Allowed) => Ok(format!("{what} allowed, as expected")),
        (Some(code), Seen::Failed { code: got, .. }) if *got == code => {
            Ok(format!("{what}: {} (as expected)", seen.describe()))
        }
        (None, _) => Err(format!(
            "{what}: expected allowed, but got {}",
            seen.describe()
        )),
        (Some(code), _) => Err(format!(
            "{what}: expected {code}, but got {}",
            seen.describe()
        )),
    }
}

/// Check a performed request's result.
pub fn check_result(
    action: &Action,
    expect: &Expect,
    result: &LessonResult,
    vars: &BTreeMap<String, String>,
) -> Result<String, String> {
    let want = wanted(expect.outcome, expect.error.as_deref());
    match result {
        LessonResult::Nothing => Ok(match action {
            Action::Select { .. } => "selected".into(),
            _ => String::new(),
        }),
        LessonResult::Encrypted(r) => {
            if matches!(action, Action::Decrypt { .. }) {
                return match r {
                    Ok(out) => compare("Decrypt", want, &Seen::of(&out.decrypt)),
                    Err(_) => compare("Encrypt (before the Decrypt)", want, &Seen::of(r)),
                };
            }
            let mut note = compare("Encrypt", want, &Seen::of(r))?;
            if let (Some(d), Ok(out)) = (expect.decrypt, r) {
                let more = compare("Decrypt", wanted(Some(d), None), &Seen::of(&out.decrypt))?;
                note = format!("{note}; {more}");
            }
            Ok(note)
        }
        LessonResult::Created(r) => {
            let note = compare("CreateGrant", want, &Seen::of(r))?;
            Ok(match r {
                Ok(g) => format!("{note}: GrantId {}", g.grant_id),
                Err(_) => note,
            })
        }
        LessonResult::Listed(r) => {
            let note = compare("ListGrants", want, &Seen::of(r))?;
            match (r, expect.grants) {
                (Ok(list), Some(n)) if list.len() != n => Err(format!(
                    "ListGrants: expected {}, but {} {} listed",
                    count(n, "grant"),
                    count(list.len(), "grant"),
                    if list.len() == 1 { "is" } else { "are" }
                )),
                (Ok(list), _) => Ok(format!("{note}: {} listed", count(list.len(), "grant"))),
                (Err(_), _) => Ok(note),
            }
        }
        LessonResult::Done(r) => match (action, r) {
            (Action::AdvanceClock { by }, Ok(())) => Ok(format!("the clock moved {by}")),
            _ => compare(done_name(action), want, &Seen::of(r)),
        },
        LessonResult::Audited(Ok(report)) => check_report(expect, report, vars),
        LessonResult::Audited(Err(e)) => Err(format!("the audit could not run: {e}")),
    }
}

fn done_name(action: &Action) -> &'static str {
    match action {
        Action::RevokeGrant { .. } => "RevokeGrant",
        Action::RetireGrant { .. } => "RetireGrant",
        Action::AdvanceClock { .. } => "Advancing the clock",
        _ => "The step",
    }
}

/// Check an audit report: every expected finding present, every absent one gone.
pub fn check_report(
    expect: &Expect,
    report: &Report,
    vars: &BTreeMap<String, String>,
) -> Result<String, String> {
    let found = |f: &FindingSpec| {
        let grant = f.grant.as_deref().map(|g| fill(g, vars));
        report.findings.iter().any(|x| {
            x.rule.id() == f.rule
                && grant
                    .as_deref()
                    .is_none_or(|g| x.grant_id.as_deref() == Some(g))
        })
    };
    let label = |f: &FindingSpec| match &f.grant {
        Some(g) => format!("{} on grant {}", f.rule, fill(g, vars)),
        None => f.rule.clone(),
    };
    if let Some(f) = expect.findings.iter().find(|f| !found(f)) {
        return Err(format!("the audit did not report {}", label(f)));
    }
    if let Some(f) = expect.absent.iter().find(|f| found(f)) {
        return Err(format!("the audit still reports {}", label(f)));
    }
    Ok(format!(
        "{} on {}",
        count(report.summary.findings, "finding"),
        count(report.summary.grants, "grant")
    ))
}

/// Check the verdict of an activity event (a step done through the normal UI). Counts and
/// findings cannot be seen in an event and are not checked.
pub fn check_event(
    action: &Action,
    expect: &Expect,
    event: &ActivityEvent,
) -> Result<String, String> {
    let want = wanted(expect.outcome, expect.error.as_deref());
    let seen = match &event.outcome {
        EventOutcome::Allowed => Seen::Allowed,
        EventOutcome::Denied => Seen::Failed {
            code: "AccessDeniedException".into(),
            message: String::new(),
        },
        EventOutcome::Failed(code) => Seen::Failed {
            code: code.clone(),
            message: event.why.clone(),
        },
        EventOutcome::DryRun => Seen::Failed {
            code: "DryRunOperationException".into(),
            message: event.why.clone(),
        },
    };
    let what = action.observed_operation().unwrap_or("The call");
    compare(what, want, &seen).map(|note| format!("{note} (done in the UI)"))
}
