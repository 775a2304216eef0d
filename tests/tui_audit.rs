//! Stale-grant findings in the terminal UI, on the `stale-grants` scenario: markers in the
//! grants pane and counts in the keys pane, the stale-only toggle, the findings view (in
//! severity order, jump to the grant, revoke from a finding through the confirmation),
//! read-only mode, reruns after changes, failures, and screen snapshots of each.

mod tui_common;

use std::sync::OnceLock;

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use grantscope::audit::{Rule, Severity};
use grantscope::backend::BackendError;
use grantscope::kms::{ErrorCode, GrantId, KeyRef};
use grantscope::sim::{Clock, Scenario};
use grantscope::tui::actions::Action;
use grantscope::tui::dialogs::Dialog;
use grantscope::tui::effect::ConfirmAction;
use grantscope::tui::jobs::{Job, Slot};
use grantscope::tui::keymap::available;
use grantscope::tui::message::{Answer, Command, Msg, Work};
use grantscope::tui::pane::Pane;
use grantscope::tui::update;
use tui_common::Harness;

/// The audit job among `cmds`.
fn audit_job(cmds: &[Command]) -> Job {
    cmds.iter()
        .find_map(|c| match c {
            Command::Run {
                job,
                work: Work::Audit(_),
            } => Some(*job),
            _ => None,
        })
        .expect("an audit run")
}

/// How many audit runs `cmds` start.
fn audits(cmds: &[Command]) -> usize {
    cmds.iter()
        .filter(|c| {
            matches!(
                c,
                Command::Run {
                    work: Work::Audit(_),
                    ..
                }
            )
        })
        .count()
}

fn revoke_partner_feed() -> Work {
    Work::RevokeGrant {
        key: KeyRef::parse(APP_DATA),
        grant: GrantId::parse(PARTNER_FEED).unwrap(),
    }
}

const W: u16 = 120;
const H: u16 = 36;

const APP_DATA: &str =
    "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000001";
const LEGACY: &str = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000002";
const TENANT: &str = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000005";
const EBS: &str = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000004";
/// cross-account: the grantee is in the partner account.
const PARTNER_FEED: &str = "5a1e000000000000000000000000000000000000000000000000000000000006";
/// key-not-enabled: a grant on the disabled legacy-reports key.
const LEGACY_WRITER: &str = "5a1e00000000000000000000000000000000000000000000000000000000000d";
/// Healthy: no finding.
const APP_WRITER: &str = "5a1e000000000000000000000000000000000000000000000000000000000001";

/// The stale-grants world on the tests' manual clock, built once (45,500 grants take a
/// while in a debug build) and cloned for each test.
fn world() -> grantscope::sim::World {
    static WORLD: OnceLock<grantscope::sim::World> = OnceLock::new();
    WORLD
        .get_or_init(|| {
            Scenario::load("stale-grants")
                .expect("bundled scenario")
                .build_with_clock(Clock::manual(tui_common::t0()))
                .expect("scenario builds")
        })
        .clone()
}

fn stale_grants_as(read_only: bool) -> Harness {
    Harness::from_world(world(), "stale-grants", read_only)
}

fn stale_grants() -> Harness {
    let h = stale_grants_as(false);
    assert!(!h.app.auditing(), "the start-up audit has finished");
    assert!(
        h.app.findings.outcome.is_some(),
        "the start-up audit has a result"
    );
    h
}

/// Select the key whose ARN is `arn` in the keys pane (its grants load).
fn select_key(h: &mut Harness, arn: &str) {
    h.focus(Pane::Keys);
    h.key(KeyCode::Home);
    while h.app.selected_key().map(|k| k.arn.as_str()) != Some(arn) {
        let before = h.app.keys.selected_index();
        h.press('j');
        assert_ne!(before, h.app.keys.selected_index(), "key {arn} not listed");
    }
}

/// Select, in the open findings view, the first finding for which `f` is true.
fn select_finding(h: &mut Harness, f: impl Fn(&grantscope::audit::Finding) -> bool) {
    assert!(h.app.findings.view_open);
    h.key(KeyCode::Home);
    while !h.app.findings.selected_finding().is_some_and(&f) {
        let before = h.app.findings.selected;
        h.press('j');
        assert_ne!(before, h.app.findings.selected, "no such finding");
    }
}

fn finding_ids(h: &Harness) -> Vec<(Rule, Option<String>)> {
    let o = h.app.findings.outcome.as_ref().expect("an audit result");
    o.report
        .findings
        .iter()
        .map(|f| (f.rule, f.grant_id.as_deref().map(str::to_string)))
        .collect()
}

#[test]
fn stale_grants_carry_markers_and_keys_count_them() {
    let mut h = stale_grants();
    let o = h.app.findings.outcome.clone().unwrap();
    assert_eq!(o.grant_worst(APP_DATA, PARTNER_FEED), Some(Severity::High));
    assert_eq!(o.grant_worst(LEGACY, LEGACY_WRITER), Some(Severity::Low));
    assert_eq!(o.grant_worst(APP_DATA, APP_WRITER), None);
    // Grants 3..c of app-data each break one rule (0b is the original of duplicate 0c).
    assert_eq!(o.key(APP_DATA).unwrap().stale_grants, 9);
    assert_eq!(o.key(LEGACY).unwrap().stale_grants, 1);
    // A service grant is informational, not stale; near-quota is about the key itself.
    let ebs = o.key(EBS).unwrap();
    assert_eq!((ebs.stale_grants, ebs.worst), (0, Some(Severity::Info)));
    let tenant = o.key(TENANT).unwrap();
    assert_eq!((tenant.stale_grants, tenant.key_level.len()), (0, 1));

    select_key(&mut h, APP_DATA);
    h.focus(Pane::Grants);
    assert!(h.app.grants.select_where(|g| g.grant_id == PARTNER_FEED));
    let screen = h.screen(W, H);
    let row = screen
        .lines()
        .find(|l| l.contains("partner-feed") && l.contains("partner-app"))
        .unwrap_or_else(|| panic!("the partner-feed row:\n{screen}"));
    assert!(row.contains("HIGH"), "{row}");
    let healthy = screen.lines().find(|l| l.contains("app-writer")).unwrap();
    assert!(
        !healthy.contains("HIGH") && !healthy.contains("LOW"),
        "{healthy}"
    );
    let keys_row = screen
        .lines()
        .find(|l| l.starts_with("│alias/app-data"))
        .unwrap();
    assert!(
        keys_row.contains("    9 "),
        "the key counts 9 stale grants: {keys_row}"
    );
    let tenant_row = screen
        .lines()
        .find(|l| l.starts_with("│alias/tenant-data"))
        .unwrap();
    assert!(
        tenant_row.contains("0!"),
        "near-quota marks the key: {tenant_row}"
    );
    // The detail panel explains: rule, severity and reason (and `▼`: there is more);
    // Enter shows it all, with what to do.
    assert!(screen.contains("high   cross-account: The grantee is in account 444455556666"));
    assert!(screen.contains('▼'), "{screen}");
    h.key(KeyCode::Enter);
    let screen = h.screen(W, H);
    assert!(screen.contains("-> "), "{screen}");
}

#[test]
fn detail_of_a_grant_lists_every_finding_with_its_action() {
    let mut h = stale_grants();
    select_key(&mut h, APP_DATA);
    h.focus(Pane::Grants);
    assert!(h.app.grants.select_where(|g| g.name == "app-any-context"));
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.dialog, Some(Dialog::Detail(_))));
    let (_, lines) = grantscope::tui::panes::detail::lines(&h.app);
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let o = h.app.findings.outcome.clone().unwrap();
    let grant = h.app.selected_grant().unwrap();
    let findings: Vec<_> = o.grant_findings(&grant.key_arn, &grant.grant_id).collect();
    assert!(!findings.is_empty());
    for f in findings {
        assert!(
            text.iter().any(|l| l.contains(f.severity.as_str())
                && l.contains(f.rule.id())
                && l.contains(&f.reason())),
            "{f:?} in {text:#?}"
        );
        assert!(text.iter().any(|l| l.contains(&f.action())), "{text:#?}");
    }
}

#[test]
fn stale_only_shows_only_stale_grants_and_toggles_back() {
    let mut h = stale_grants();
    select_key(&mut h, APP_DATA);
    h.focus(Pane::Grants);
    assert_eq!(h.app.grants.len(), 12);
    assert!(available(&h.app).contains(&Action::StaleOnly));
    h.press('s');
    assert!(h.app.findings.stale_only);
    assert_eq!(h.app.grants.len(), 9);
    let o = h.app.findings.outcome.clone().unwrap();
    for i in 0..h.app.grants.len() {
        let g = h.app.grants.row(i).unwrap();
        assert!(
            o.is_stale(&g.key_arn, &g.grant_id),
            "{} is not stale",
            g.name
        );
    }
    assert!(h
        .screen(W, H)
        .contains("Grants of alias/app-data (9/12) stale only"));
    // The toggle survives a change of key and a reload.
    select_key(&mut h, EBS);
    assert_eq!((h.app.grants.len(), h.app.grants.total()), (0, 1));
    select_key(&mut h, APP_DATA);
    h.focus(Pane::Grants);
    assert_eq!(h.app.grants.len(), 9);
    assert!(available(&h.app).contains(&Action::AllGrants));
    h.press('s');
    assert!(!h.app.findings.stale_only);
    assert_eq!(h.app.grants.len(), 12);
}

#[test]
fn findings_view_lists_every_finding_most_severe_first() {
    let mut h = stale_grants();
    h.press('f');
    assert!(h.app.findings.view_open);
    let o = h.app.findings.outcome.clone().unwrap();
    let sev: Vec<Severity> = o.report.findings.iter().map(|f| f.severity).collect();
    assert_eq!(sev.len(), 13);
    assert!(sev.windows(2).all(|w| w[0] >= w[1]), "{sev:?}");
    assert_eq!(sev[0], Severity::High);
    let screen = h.screen(W, H);
    assert!(screen.contains("13 findings over 5 keys and"), "{screen}");
    let rows: Vec<&str> = screen
        .lines()
        .filter(|l| {
            let body: String = l.chars().skip(1).collect();
            body.contains("alias/")
                && ["high ", "medium ", "low ", "info "]
                    .iter()
                    .any(|s| body.starts_with(s))
        })
        .collect();
    assert_eq!(rows.len(), 13, "{screen}");
    assert!(rows[0].contains("cross-account") && rows[0].contains("partner-feed"));
    assert!(rows[12].contains("service-grant"));
    // Paging moves through the list and stays inside it.
    h.key(KeyCode::PageDown);
    assert_eq!(h.app.findings.selected, 10);
    h.key(KeyCode::End);
    assert_eq!(h.app.findings.selected, 12);
    h.key(KeyCode::PageDown);
    assert_eq!(h.app.findings.selected, 12);
    h.key(KeyCode::Home);
    assert_eq!(h.app.findings.selected, 0);
    // Tab does not move focus behind the view; Esc closes it.
    let focus_before = h.app.focus;
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, focus_before);
    h.key(KeyCode::Esc);
    assert!(!h.app.findings.view_open);
}

#[test]
fn enter_on_a_finding_selects_its_key_and_grant() {
    let mut h = stale_grants();
    h.press('f');
    select_finding(&mut h, |f| f.grant_id.as_deref() == Some(LEGACY_WRITER));
    h.key(KeyCode::Enter);
    assert!(!h.app.findings.view_open);
    assert_eq!(h.app.selected_key().unwrap().arn, LEGACY);
    assert_eq!(h.app.focus, Pane::Grants);
    assert_eq!(h.app.selected_grant().unwrap().grant_id, LEGACY_WRITER);
    assert_eq!(h.app.jump, None);

    // A finding on a grant of the key already shown, with the grants pane filtered.
    select_key(&mut h, APP_DATA);
    h.focus(Pane::Grants);
    h.press('/');
    h.type_text("app-writer");
    h.key(KeyCode::Enter);
    h.press('f');
    select_finding(&mut h, |f| f.grant_id.as_deref() == Some(PARTNER_FEED));
    h.key(KeyCode::Enter);
    assert_eq!(h.app.selected_grant().unwrap().grant_id, PARTNER_FEED);

    // A key-level finding (near-quota) has no grant to revoke: Enter selects the key.
    h.press('f');
    select_finding(&mut h, |f| f.rule == Rule::NearQuota);
    assert!(!available(&h.app).contains(&Action::RevokeFinding));
    h.press('x');
    assert!(h.app.dialog.is_none());
    h.key(KeyCode::Enter);
    assert_eq!(h.app.selected_key().unwrap().arn, TENANT);
    assert_eq!(h.app.focus, Pane::Keys);
}

#[test]
fn revoke_from_a_finding_asks_then_the_grant_and_its_finding_are_gone() {
    let mut h = stale_grants();
    select_key(&mut h, APP_DATA);
    h.press('f');
    select_finding(&mut h, |f| f.rule == Rule::CrossAccount);
    let before = finding_ids(&h);
    assert!(before.contains(&(Rule::CrossAccount, Some(PARTNER_FEED.into()))));

    // The confirmation starts on Cancel: Enter cancels, nothing is revoked.
    h.press('x');
    match &h.app.dialog {
        Some(Dialog::Confirm(c)) => {
            assert!(!c.confirm_chosen, "the default is Cancel");
            assert_eq!(c.request.action, ConfirmAction::Run(revoke_partner_feed()));
            assert!(c.request.lines.iter().any(|l| l.contains("cross-account")));
        }
        other => panic!("expected the revoke confirmation, got {other:?}"),
    }
    h.key(KeyCode::Enter);
    assert!(h.app.dialog.is_none());
    assert!(h.app.findings.view_open, "back in the findings view");
    assert_eq!(finding_ids(&h), before);
    assert!(!h
        .works()
        .iter()
        .any(|w| matches!(w, Work::RevokeGrant { .. })));

    // Tab to Revoke, Enter: the grant is revoked, the audit reruns, the finding is gone.
    let start = h.commands.len();
    h.press('x');
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    assert!(h.works().contains(&&revoke_partner_feed()));
    assert!(audits(&h.commands[start..]) > 0, "the audit reran");
    assert!(!h.app.auditing());
    let after = finding_ids(&h);
    assert_eq!(after.len(), before.len() - 1);
    assert!(!after
        .iter()
        .any(|(_, g)| g.as_deref() == Some(PARTNER_FEED)));
    assert!(h.app.findings.view_open);
    assert!(!h
        .app
        .grants
        .all()
        .iter()
        .any(|g| g.grant_id == PARTNER_FEED));
}

#[test]
fn read_only_offers_no_revoke_from_findings() {
    let mut h = stale_grants_as(true);
    h.press('f');
    assert!(h.app.findings.view_open);
    select_finding(&mut h, |f| f.rule == Rule::CrossAccount);
    let offered = available(&h.app);
    assert!(offered.contains(&Action::JumpToFinding));
    assert!(!offered.contains(&Action::RevokeFinding));
    h.press('x');
    assert!(h.app.dialog.is_none());
    let screen = h.screen(W, H);
    let action_bar = screen.lines().last().unwrap_or_default();
    assert!(action_bar.contains("go to grant"), "{action_bar}");
    assert!(!action_bar.contains("revoke"), "{action_bar}");
}

#[test]
fn changes_rerun_the_audit_once_however_many_arrive() {
    let mut h = stale_grants();
    let cmds = grantscope::tui::update::update(&mut h.app, Msg::Act(Action::Refresh));
    assert_eq!(audits(&cmds), 1);
    assert!(h.app.auditing());
    assert!(h.screen(W, H).contains("auditing grants…"));
    // More changes while it runs: no second run now, one after.
    let more = grantscope::tui::update::update(&mut h.app, Msg::Act(Action::Refresh));
    let again = grantscope::tui::update::update(&mut h.app, Msg::Act(Action::Refresh));
    assert_eq!(audits(&more) + audits(&again), 0);
    let start = h.commands.len();
    h.run(cmds.into_iter().chain(more).chain(again).collect());
    assert_eq!(audits(&h.commands[start..]), 2, "the run, then one rerun");
    assert!(!h.app.auditing() && !h.app.jobs.clone().take_again(Slot::Audit));
    assert!(!h.screen(W, H).contains("auditing grants…"));
}

#[test]
fn a_principal_deleted_in_the_ui_makes_its_grants_orphaned() {
    let mut h = stale_grants();
    let orphaned = |h: &Harness| {
        finding_ids(h)
            .iter()
            .filter(|(r, _)| *r == Rule::OrphanedGrantee)
            .count()
    };
    let before = orphaned(&h);
    h.focus(Pane::Principals);
    h.key(KeyCode::Home);
    while h.app.selected_principal().map(|p| p.name.as_str()) != Some("alice") {
        h.press('j');
    }
    h.press('D');
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    assert_eq!(orphaned(&h), before + 2, "alice's two grants");
}

#[test]
fn audit_flags_reach_the_ui_and_a_failure_is_said_plainly() {
    let mut h = stale_grants();
    h.app.findings.config.trusted_accounts = vec!["444455556666".into()];
    h.press('r');
    assert!(!finding_ids(&h)
        .iter()
        .any(|(r, _)| *r == Rule::CrossAccount));

    let cmds = grantscope::tui::update::update(&mut h.app, Msg::Act(Action::Refresh));
    let job = audit_job(&cmds);
    drop(cmds);
    h.send(Msg::Done {
        job,
        work: Work::Audit(h.app.findings.request()),
        result: Err(BackendError::aws(
            ErrorCode::AccessDeniedException,
            "User: arn:aws:iam::111122223333:user/auditor is not authorized to perform: kms:ListGrants",
        )),
    });
    assert!(!h.app.auditing());
    let status = h.app.status.clone().unwrap();
    assert!(status.error);
    assert!(status
        .text
        .starts_with("The stale-grant audit failed: AccessDeniedException: User:"));
    h.press('f');
    let screen = h.screen(W, H);
    assert!(
        screen.contains("The latest rerun failed (AccessDeniedException"),
        "{screen}"
    );
}

#[test]
fn rules_the_backend_cannot_evaluate_are_named_in_the_findings_view() {
    let mut h = stale_grants();
    // As over AWS: no usage data, so `unused` cannot be evaluated.
    let mut inv = grantscope::sim::inventory::inventory(h.sim.lock().world());
    inv.usage = grantscope::kms::inventory::UsageSource::None;
    let outcome = grantscope::audit::audit_indexed(&inv, &Default::default());
    assert_eq!(outcome.report.summary.unavailable, vec![Rule::Unused]);
    let cmds = grantscope::tui::update::update(&mut h.app, Msg::Act(Action::Refresh));
    h.send(Msg::Done {
        job: audit_job(&cmds),
        work: Work::Audit(Default::default()),
        result: Ok(Answer::Audited(std::sync::Arc::new(outcome))),
    });
    h.press('f');
    let screen = h.screen(W, H);
    assert!(
        screen.contains("Rule unused not evaluated on this backend: no usage data"),
        "{screen}"
    );
    assert!(!finding_ids(&h).iter().any(|(r, _)| *r == Rule::Unused));
}

// ---------------------------------------------------------------- snapshots

#[test]
fn snapshot_grants_pane_with_stale_markers() {
    let mut h = stale_grants();
    select_key(&mut h, APP_DATA);
    h.focus(Pane::Grants);
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn snapshot_detail_panel_with_findings() {
    let mut h = stale_grants();
    select_key(&mut h, APP_DATA);
    h.focus(Pane::Grants);
    assert!(h.app.grants.select_where(|g| g.name == "alice-delegate"));
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn snapshot_findings_view() {
    let mut h = stale_grants();
    h.press('f');
    h.press('j');
    h.press('j');
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn snapshot_findings_view_in_the_smallest_terminal() {
    let mut h = stale_grants();
    h.press('f');
    h.key(KeyCode::End);
    assert_snapshot!(h.screen(80, 24));
}

#[test]
fn snapshot_findings_view_read_only() {
    let mut h = stale_grants_as(true);
    h.press('f');
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn the_findings_view_draws_in_the_session_theme() {
    use ratatui::style::Color;
    let mut h = stale_grants();
    // A theme of its own colours (the default's name: no high-contrast pass over it).
    h.app.theme.accent = Color::Magenta;
    h.app.theme.heading = Color::Blue;
    h.press('f');
    let buffer = h.buffer(W, H);
    // The view's frame (top-left corner) and its table header are in the theme's colours.
    assert_eq!(buffer[(0, 0)].fg, Color::Magenta);
    let header_row = (0..H)
        .find(|&y| {
            (0..W)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .contains("Sev    Rule")
        })
        .expect("the findings table's header");
    assert_eq!(buffer[(1, header_row)].fg, Color::Blue);
}

/// In the stale-grants world generated ids share their first 12 characters: the revoke
/// confirmation names the grant as the pane and the findings view do (its name, or the
/// part of its id that tells it apart), never an ambiguous short id.
#[test]
fn revoke_confirmations_name_the_grant_unambiguously() {
    let title = |h: &Harness| match &h.app.dialog {
        Some(Dialog::Confirm(c)) => c.request.title.clone(),
        other => panic!("expected a confirmation, got {other:?}"),
    };
    let mut h = stale_grants();
    select_key(&mut h, APP_DATA);
    h.focus(Pane::Grants);
    assert!(h.app.grants.select_where(|g| g.grant_id == PARTNER_FEED));
    h.press('x');
    assert_eq!(title(&h), "Revoke grant partner-feed?");
    h.key(KeyCode::Esc);
    let unnamed = "5a1e000000000000000000000000000000000000000000000000000000000002";
    assert!(h.app.grants.select_where(|g| g.grant_id == unnamed));
    h.press('x');
    assert_eq!(title(&h), "Revoke grant 5a1e00…00002?");
    h.key(KeyCode::Esc);
    // From the findings view: the first finding is partner-feed's (cross-account).
    h.press('f');
    h.press('x');
    assert_eq!(title(&h), "Revoke grant partner-feed?");
}

/// A key with 3,500 grants: 2,500 a year old (stale), 1,000 fresh, constrained and with a
/// retiring principal (no finding above info).
const LONG_LIST: &str = r#"
name = "long-list"
region = "eu-west-1"
[[accounts]]
id = "111122223333"

[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]

[[principals]]
name = "app"
kind = "role"

[[keys]]
id = "0000aaaa-0000-4000-8000-000000000001"
aliases = ["alias/long-list"]

[[grants]]
key = "alias/long-list"
grantee = "app"
operations = ["Encrypt"]
count = 2500
age = "400d"

[[grants]]
key = "alias/long-list"
grantee = "app"
retiring = "admin"
operations = ["Encrypt"]
count = 1000
constraints = { subset = { tenant = "t{n}" } }
"#;

#[test]
fn stale_only_over_a_long_list_is_worked_out_off_the_ui_thread() {
    let mut h = Harness::from_toml(LONG_LIST, "long-list");
    assert_eq!(h.app.grants.total(), 3_500);
    let o = h.app.findings.outcome.clone().expect("the start-up audit");
    let stale: Vec<String> = h
        .app
        .grants
        .all()
        .iter()
        .filter(|g| o.is_stale(&g.key_arn, &g.grant_id))
        .map(|g| g.grant_id.clone())
        .collect();
    assert_eq!(stale.len(), 2_500, "the year-old grants, and only them");
    h.focus(Pane::Grants);

    // The toggle asks for the mask as background work and shows no grant it has no
    // answer for; the title says the list is being checked.
    let asked = update::update(&mut h.app, Msg::Act(Action::StaleOnly));
    let masks = |cmds: &[Command]| {
        cmds.iter()
            .filter(|c| {
                matches!(
                    c,
                    Command::Run {
                        work: Work::GrantMask(_),
                        ..
                    }
                )
            })
            .count()
    };
    assert_eq!(masks(&asked), 1);
    assert_eq!(h.app.grants.len(), 0);
    for (w, h_) in [(80, 24), (100, 30), (W, H)] {
        let screen = h.screen(w, h_);
        assert!(
            screen.contains("Grants of alias/long-list (…/3500) stale only"),
            "{screen}"
        );
    }

    // Toggled off and on again before the answer: the first answer is dropped, the
    // second is taken.
    let off = update::update(&mut h.app, Msg::Act(Action::AllGrants));
    assert_eq!((masks(&off), h.app.grants.len()), (0, 3_500));
    let again = update::update(&mut h.app, Msg::Act(Action::StaleOnly));
    assert_eq!(masks(&again), 1);
    h.run(asked);
    assert!(
        h.app.grants.mask_pending(),
        "a superseded answer is not taken"
    );
    assert_eq!(h.app.grants.len(), 0);
    h.run(again);
    assert!(!h.app.grants.mask_pending());
    let shown: Vec<String> = (0..h.app.grants.len())
        .filter_map(|i| h.app.grants.row(i).map(|g| g.grant_id.clone()))
        .collect();
    assert_eq!(shown, stale);
    let screen = h.screen(W, H);
    assert!(
        screen.contains("Grants of alias/long-list (2500/3500) stale only"),
        "{screen}"
    );
}
