//! What users of the terminal UI feel: one full frame with 10,000 keys and a key holding
//! 50,000 grants (target < 2 ms), one filter keystroke over 50,000 grants (< 5 ms), and
//! start-up to the first frame with data on the classroom scenario (< 100 ms). With the
//! stale-grant audit: the same frame with a stale marker on every grant, and the findings
//! view over every finding of those 50,000 grants (both < 2 ms).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeZone;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use grantscope::audit::audit_indexed;
use grantscope::audit::AuditConfig;
use grantscope::backend::{
    Backend, BackendInfo, GrantSummary, KeySummary, PrincipalKindLabel, PrincipalSummary,
    SimBackend,
};
use grantscope::kms::Timestamp;
use grantscope::kms::{GrantConstraints, GrantOperation, KeySpec, KeyState};
use grantscope::sim::{Scenario, SharedSimulator, Simulator};
use grantscope::tui::actions::Action;
use grantscope::tui::executor::execute;
use grantscope::tui::message::{Command, Key, Msg, Work};
use grantscope::tui::pane::Pane;
use grantscope::tui::panes::{grants, keys, principals};
use grantscope::tui::text_field::TextField;
use grantscope::tui::{new_app, update, view, App, UiOptions};

fn now() -> Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2026, 3, 1, 9, 30, 0)
        .single()
        .expect("a valid date")
}

fn info() -> BackendInfo {
    BackendInfo {
        kind: "simulator".into(),
        source: "bench".into(),
        account: "111122223333".into(),
        region: "eu-west-1".into(),
        identity: "arn:aws:iam::111122223333:user/admin".into(),
        endpoint: None,
    }
}

fn key(i: usize) -> KeySummary {
    let id = format!("{i:08x}-0000-4000-8000-{i:012x}");
    KeySummary {
        arn: format!("arn:aws:kms:eu-west-1:111122223333:key/{id}"),
        key_id: id,
        aliases: vec![format!("alias/key-{i}")],
        description: format!("Key number {i}"),
        state: KeyState::Enabled,
        spec: KeySpec::SymmetricDefault,
        usage: "ENCRYPT_DECRYPT".into(),
        manager: "CUSTOMER".into(),
        created: now() - chrono::Duration::days(30),
        deletion_date: None,
        grant_count: if i == 0 { 50_000 } else { i % 7 },
        multi_region: None,
    }
}

fn grant(i: usize) -> GrantSummary {
    GrantSummary {
        grant_id: format!("{i:064x}"),
        key_arn: "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000000"
            .into(),
        key_id: "00000000-0000-4000-8000-000000000000".into(),
        key_alias: Some("alias/key-0".into()),
        name: if i.is_multiple_of(3) {
            format!("job-{i}")
        } else {
            String::new()
        },
        created: Some(now() - chrono::Duration::minutes(i as i64)),
        grantee: format!("arn:aws:iam::111122223333:role/worker-{}", i % 500),
        grantee_name: format!("worker-{}", i % 500),
        grantee_is_service: false,
        retiring: Some("arn:aws:iam::111122223333:user/admin".into()),
        retiring_name: Some("admin".into()),
        issuing_account: "arn:aws:iam::111122223333:root".into(),
        operations: vec![GrantOperation::Encrypt, GrantOperation::Decrypt],
        constraints: i.is_multiple_of(2).then(GrantConstraints::default),
    }
}

/// 10,000 keys, the first holding 50,000 grants, 500 principals; grants pane focused.
fn big_app() -> App {
    let mut app = App::new(info(), false, now());
    app.keys
        .set_items((0..10_000).map(key).collect(), keys::search_text, |_| false);
    app.grants.set_items(
        (0..50_000).map(grant).collect(),
        grants::search_text,
        |_| false,
    );
    app.principals.set_items(
        (0..500)
            .map(|i| PrincipalSummary {
                kind: PrincipalKindLabel::Role,
                name: format!("worker-{i}"),
                arn: format!("arn:aws:iam::111122223333:role/worker-{i}"),
                unique_id: Some(format!("AROA{i:017}")),
                account: Some("111122223333".into()),
                policies: vec![],
                grant_count: 100,
            })
            .collect(),
        principals::search_text,
        |_| false,
    );
    app.focus = Pane::Grants;
    app.grants.move_by(25_000);
    app
}

fn frame(c: &mut Criterion) {
    let app = big_app();
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    c.bench_function("frame: 10k keys, 50k grants", |b| {
        b.iter(|| {
            terminal.draw(|f| view::render(f, &app)).expect("draw");
        })
    });
}

fn filter_keystroke(c: &mut Criterion) {
    let mut app = big_app();
    c.bench_function("filter keystroke over 50k grants", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                app.grants.set_filter("");
                app.filter = Some(TextField::default());
                let start = Instant::now();
                let _ = update::update(&mut app, Msg::Filter(Key::Char('7')));
                total += start.elapsed();
            }
            total
        })
    });
}

/// Load the classroom, run the start-up commands to completion, draw the first frame.
fn startup(c: &mut Criterion) {
    c.bench_function("start-up to first frame (classroom)", |b| {
        b.iter(|| {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("tokio");
            let world = Scenario::load("classroom")
                .expect("scenario")
                .build()
                .expect("world");
            let sim = SharedSimulator::new(Simulator::new(world));
            let backend: Arc<dyn Backend> =
                Arc::new(SimBackend::new(sim, "classroom", None).expect("backend"));
            let mut app = new_app(backend.as_ref(), UiOptions::default());
            let mut queue: Vec<_> = update::init(&mut app);
            while let Some(cmd) = queue.pop() {
                if let Command::Run { job, work } = cmd {
                    let result = rt.block_on(execute(backend.clone(), work.clone()));
                    queue.extend(update::update(&mut app, Msg::Done { job, work, result }));
                }
            }
            let mut terminal = Terminal::new(TestBackend::new(120, 36)).expect("terminal");
            terminal.draw(|f| view::render(f, &app)).expect("draw");
            rt.shutdown_background();
        })
    });
}

/// An audit result for `big_app`'s grants: every one of them has findings (they allow
/// Decrypt; half have no constraint), so every row carries a marker.
fn audited(app: &mut App) {
    use grantscope::kms::inventory::{Inventory, InventoryGrant, InventoryKey, UsageSource};
    let k = key(0);
    let grants = app
        .grants
        .all()
        .iter()
        .map(|g| InventoryGrant {
            entry: grantscope::kms::GrantListEntry {
                key_id: g.key_arn.clone(),
                grant_id: g.grant_id.clone(),
                name: g.name.clone(),
                creation_date: g.created.map(|c| c.timestamp() as f64),
                grantee_principal: Some(g.grantee.clone()),
                retiring_principal: g.retiring.clone(),
                issuing_account: Some(g.issuing_account.clone()),
                operations: g.operations.clone(),
                constraints: g.constraints.clone(),
                ..Default::default()
            },
            grantee_name: g.grantee_name.clone(),
            retiring_name: g.retiring_name.clone(),
            last_used: None,
            evidence: None,
        })
        .collect();
    let inv = Inventory {
        backend: "simulator".into(),
        account: "111122223333".into(),
        region: "eu-west-1".into(),
        generated_at: now().timestamp() as f64,
        usage: UsageSource::Grants,
        principals: None,
        keys: vec![InventoryKey {
            key_id: k.key_id.clone(),
            arn: k.arn.clone(),
            aliases: k.aliases.clone(),
            state: KeyState::Enabled,
            manager: grantscope::kms::KeyManager::Customer,
            description: k.description.clone(),
            creation_date: Some(k.created.timestamp() as f64),
            grants,
            unreadable: vec![],
        }],
    };
    let outcome = audit_indexed(&inv, &AuditConfig::default());
    assert!(outcome.report.findings.len() >= 50_000);
    app.findings.outcome = Some(Arc::new(outcome));
}

fn frame_with_findings(c: &mut Criterion) {
    let mut app = big_app();
    audited(&mut app);
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    c.bench_function("frame: 10k keys, 50k grants, all stale", |b| {
        b.iter(|| {
            terminal.draw(|f| view::render(f, &app)).expect("draw");
        })
    });
    app.findings.view_open = true;
    app.findings.selected = app.findings.len() / 2;
    let findings = app.findings.len();
    c.bench_function(&format!("frame: findings view, {findings} findings"), |b| {
        b.iter(|| {
            terminal.draw(|f| view::render(f, &app)).expect("draw");
        })
    });
}

/// The stale-only toggle over 50,000 grants: what the UI thread does (the toggle on, which
/// asks for the mask, and off), and the mask itself, each grant looked up in the audit's
/// index, as the background job works it out.
fn stale_only_toggle(c: &mut Criterion) {
    let mut app = big_app();
    audited(&mut app);
    c.bench_function("stale-only toggle over 50k grants, UI thread", |b| {
        b.iter(|| {
            let asked = update::update(&mut app, Msg::Act(Action::StaleOnly));
            assert!(
                asked.iter().any(|c| matches!(
                    c,
                    Command::Run {
                        work: Work::GrantMask(_),
                        ..
                    }
                )),
                "the mask is asked for off the UI thread"
            );
            let _ = update::update(&mut app, Msg::Act(Action::AllGrants));
        })
    });
    let _ = update::update(&mut app, Msg::Act(Action::StaleOnly));
    let request = update::update(&mut app, Msg::Act(Action::AllGrants))
        .into_iter()
        .chain(update::update(&mut app, Msg::Act(Action::StaleOnly)))
        .find_map(|c| match c {
            Command::Run {
                work: Work::GrantMask(r),
                ..
            } => Some(r),
            _ => None,
        })
        .expect("a mask request");
    c.bench_function("stale-only mask over 50k grants, background job", |b| {
        b.iter(|| black_box(request.compute()))
    });
}

criterion_group!(
    benches,
    frame,
    frame_with_findings,
    stale_only_toggle,
    filter_keystroke,
    startup
);
criterion_main!(benches);
