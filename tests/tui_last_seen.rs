//! What the UI shows of a grant's last use: the grants pane's "Seen" column and the
//! detail's `LastSeen` field, for the simulator's own record (per grant) and for
//! CloudTrail's three answers (possibly used, unused in the window, not determined), at
//! 80x24, 100x30 and 160x45; and the CloudTrail look-up's progress while an audit runs.
//! CloudTrail's evidence is put into the audit's answer here (the simulator has none);
//! tests/tui_evidence.rs gets it from `grantscope serve` end to end.

mod tui_common;

use std::sync::Arc;

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use grantscope::audit::{AuditConfig, IndexedAuditor};
use grantscope::evidence::Tally;
use grantscope::kms::inventory::UsageSource;
use grantscope::kms::usage::{Undetermined, UsageEvidence};
use grantscope::tui::jobs::Slot;
use grantscope::tui::message::{Answer, Msg, Work};
use grantscope::tui::pane::Pane;
use tui_common::{t0, Harness};

const WORLD: &str = r#"
name = "last-seen"
description = "Three grants whose use CloudTrail answers three ways, one used on the simulator."
region = "eu-west-1"

[[accounts]]
id = "111122223333"

[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]

[[principals]]
name = "app"

[[keys]]
id = "1234abcd-12ab-34cd-56ef-1234567890ab"
aliases = ["alias/orders"]
age = "200d"

[[grants]]
key = "alias/orders"
grantee = "app"
retiring = "admin"
operations = ["Decrypt"]
name = "reader"
id = "5ee0000000000000000000000000000000000000000000000000000000000001"
age = "40d"
last_used = "3d"

[[grants]]
key = "alias/orders"
grantee = "app"
retiring = "admin"
operations = ["Encrypt"]
name = "writer"
id = "5ee0000000000000000000000000000000000000000000000000000000000002"
age = "40d"

[[grants]]
key = "alias/orders"
grantee = "app"
retiring = "admin"
operations = ["GenerateDataKey"]
name = "signer"
id = "5ee0000000000000000000000000000000000000000000000000000000000003"
age = "40d"
"#;

const SIZES: [(u16, u16); 3] = [(80, 24), (100, 30), (160, 45)];

fn world() -> Harness {
    let mut h = Harness::from_toml(WORLD, "last-seen");
    h.focus(Pane::Grants);
    assert_eq!(h.app.grants.len(), 3);
    h
}

fn days_before_t0(days: i64) -> f64 {
    (t0().timestamp() - days * 86_400) as f64
}

/// The audit's answer as an AWS backend with `--evidence cloudtrail` gives it: reader
/// possibly used 3 days ago (Decrypt), writer not called in the 30-day window, signer not
/// determined (the page budget ran out).
fn with_cloudtrail_evidence(h: &mut Harness) {
    let mut inv = grantscope::sim::inventory::inventory(h.sim.lock().world());
    inv.usage = UsageSource::Principals;
    for g in inv.keys.iter_mut().flat_map(|k| k.grants.iter_mut()) {
        let e = match g.entry.name.as_str() {
            "reader" => UsageEvidence::PossiblyUsed {
                last_seen: days_before_t0(3),
                operation: "Decrypt".into(),
            },
            "writer" => UsageEvidence::Unused {
                since: days_before_t0(30),
                window_days: 30,
                source: grantscope::evidence::SOURCE.into(),
            },
            _ => UsageEvidence::NotDetermined {
                reason: Undetermined::BudgetExhausted { pages: 5 },
            },
        };
        g.last_used = e.last_seen();
        g.evidence = Some(e);
    }
    let mut auditor = IndexedAuditor::new(&inv, &AuditConfig::default());
    auditor.add(&inv.keys);
    auditor.set_tally(Tally {
        requests: 5,
        decided: 2,
        undetermined: 1,
    });
    let outcome = Arc::new(auditor.finish());
    let job = h.app.jobs.start(Slot::Audit);
    h.send(Msg::Done {
        job,
        work: Work::Audit(Default::default()),
        result: Ok(Answer::Audited(outcome)),
    });
}

/// The grants pane and the detail panel, then the detail dialog (Enter) whole.
fn screens(h: &mut Harness, grant: &str) -> String {
    h.select_grant(grant);
    let mut out = String::new();
    for (w, hgt) in SIZES {
        out.push_str(&format!("---- {w}x{hgt}\n{}", h.screen(w, hgt)));
        h.key(KeyCode::Enter);
        out.push_str(&format!(
            "---- {w}x{hgt}, detail dialog\n{}",
            h.screen(w, hgt)
        ));
        h.key(KeyCode::Esc);
    }
    out
}

fn last_seen_line(h: &Harness, grant: &str) -> String {
    let g = h
        .app
        .grants
        .all()
        .iter()
        .find(|g| g.name == grant)
        .expect("the grant");
    let known = grantscope::tui::last_seen::known(
        h.app.findings.outcome.as_deref(),
        &g.key_arn,
        &g.grant_id,
    );
    grantscope::tui::last_seen::sentence(known, h.app.now, None)
}

#[test]
fn cloudtrail_s_three_answers_in_the_grants_pane_and_the_detail() {
    let mut h = world();
    with_cloudtrail_evidence(&mut h);
    assert_eq!(
        last_seen_line(&h, "reader"),
        "2026-02-26 09:30:00 UTC (3d ago), Decrypt by the grantee (CloudTrail)"
    );
    assert_eq!(
        last_seen_line(&h, "writer"),
        "no call by the grantee on this key in the last 30d (CloudTrail, unused)"
    );
    assert!(last_seen_line(&h, "signer").starts_with("not determined: look-up budget ran out"));

    // Wide enough, the Seen column says it in short, on each grant's row.
    let wide = h.screen(160, 45);
    let row = |name: &str| {
        wide.lines()
            .find(|l| l.contains(name) && l.contains("app"))
            .unwrap_or_else(|| panic!("{name}:\n{wide}"))
            .to_string()
    };
    assert!(row("reader").contains(" 3d ago"), "{wide}");
    assert!(row("writer").contains(" >30d"), "{wide}");
    assert!(
        row("signer")
            .trim_end_matches(['│', '┃', ' '])
            .ends_with('?'),
        "{wide}"
    );
    // The findings view tallies the look-up and says why one grant is not determined.
    h.press('f');
    let findings = h.screen(160, 45);
    assert!(
        findings.contains("CloudTrail evidence: 5 LookupEvents requests; 2 of 3 grants decided, 1 not determined."),
        "{findings}"
    );
    assert!(
        findings.contains(
            "Rule unused: usage of 1 grant not determined (1 grant: look-up budget ran out"
        ),
        "{findings}"
    );
    h.press('f');

    let mut h = world();
    with_cloudtrail_evidence(&mut h);
    assert_snapshot!("cloudtrail_possibly_used", screens(&mut h, "reader"));
    assert_snapshot!("cloudtrail_unused", screens(&mut h, "writer"));
    assert_snapshot!("cloudtrail_not_determined", screens(&mut h, "signer"));
}

#[test]
fn the_simulator_shows_each_grant_s_own_last_use_and_never() {
    let mut h = world();
    assert_eq!(
        last_seen_line(&h, "reader"),
        "2026-02-26 09:30:00 UTC (3d ago), a call this grant authorized (simulator)"
    );
    assert_eq!(last_seen_line(&h, "writer"), "never used (simulator)");
    let wide = h.screen(160, 45);
    let writer = wide.lines().find(|l| l.contains("writer")).unwrap();
    assert!(writer.contains("never"), "{wide}");
    assert_snapshot!("simulator_last_seen", screens(&mut h, "reader"));
}

/// `o` until the grants are sorted by Seen, `descending` or not; the grants' names in order.
fn sorted_by_seen(h: &mut Harness, descending: bool) -> Vec<String> {
    let wanted = format!("Sorted by Seen {}", if descending { "▼" } else { "▲" });
    for _ in 0..30 {
        h.press('o');
        if h.app.status.as_ref().is_some_and(|s| s.text == wanted) {
            return names(h);
        }
    }
    panic!("never {wanted}: {:?}", h.app.status);
}

fn names(h: &Harness) -> Vec<String> {
    (0..h.app.grants.len())
        .filter_map(|i| h.app.grants.row(i).map(|g| g.name.clone()))
        .collect()
}

#[test]
fn the_grants_sort_by_seen_the_stalest_first_and_follow_a_new_audit() {
    // The simulator's record: writer and signer never used, reader 3 days ago.
    let mut h = world();
    let order = sorted_by_seen(&mut h, false);
    // The two never used first (a tie keeps the order they came in), then reader.
    assert_eq!(order[2], "reader", "{order:?}");
    // CloudTrail's answer arrives: writer unused in the window, reader possibly used, and
    // signer not determined (unknown sorts last). The list takes it in the same order.
    with_cloudtrail_evidence(&mut h);
    assert_eq!(names(&h), ["writer", "reader", "signer"]);
    assert_eq!(
        h.app.status.as_ref().map(|s| s.text.as_str()),
        Some("Sorted by Seen ▲")
    );
    let mut h = world();
    with_cloudtrail_evidence(&mut h);
    assert_eq!(sorted_by_seen(&mut h, true), ["signer", "reader", "writer"]);
}

#[test]
fn aws_without_evidence_has_no_seen_column_and_says_how_to_get_it() {
    let mut h = world();
    let mut inv = grantscope::sim::inventory::inventory(h.sim.lock().world());
    inv.usage = UsageSource::None;
    for g in inv.keys.iter_mut().flat_map(|k| k.grants.iter_mut()) {
        g.last_used = None;
    }
    let outcome = Arc::new(grantscope::audit::audit_indexed(
        &inv,
        &AuditConfig::default(),
    ));
    let job = h.app.jobs.start(Slot::Audit);
    h.send(Msg::Done {
        job,
        work: Work::Audit(Default::default()),
        result: Ok(Answer::Audited(outcome)),
    });
    assert_eq!(
        last_seen_line(&h, "reader"),
        "unknown: run with --evidence cloudtrail"
    );
    let wide = h.screen(160, 45);
    let header = wide.lines().find(|l| l.contains("Grantee")).unwrap();
    assert!(!header.contains("Seen"), "{header}");
    h.press('f');
    let findings = h.screen(160, 45);
    assert!(
        findings.contains("--evidence cloudtrail looks up who called each key"),
        "{findings}"
    );
}

#[test]
fn the_look_up_s_progress_shows_while_the_audit_runs_and_stale_progress_is_ignored() {
    let mut h = world();
    let old = h.app.jobs.start(Slot::Audit);
    let job = h.app.jobs.start(Slot::Audit);
    h.send(Msg::EvidenceProgress {
        job,
        done: 12,
        total: 200,
    });
    let screen = h.screen(100, 30);
    assert!(
        screen.contains("auditing, CloudTrail: 12/200 keys…"),
        "{screen}"
    );
    // A superseded run's progress does not move the count back.
    h.send(Msg::EvidenceProgress {
        job: old,
        done: 1,
        total: 200,
    });
    assert_eq!(h.app.findings.evidence_progress, Some((12, 200)));
    h.press('f');
    let view = h.screen(100, 30);
    assert!(
        view.contains("(auditing, CloudTrail: 12/200 keys…)"),
        "{view}"
    );
    h.press('f');
    // The answer (or a failure) ends the progress.
    h.send(Msg::Done {
        job,
        work: Work::Audit(Default::default()),
        result: Err(grantscope::backend::BackendError::network(
            "connection reset",
        )),
    });
    assert_eq!(h.app.findings.evidence_progress, None);
    assert!(!h.screen(100, 30).contains("CloudTrail: 12/200"));
}
