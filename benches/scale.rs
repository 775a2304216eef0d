//! Scale, end to end, on generated worlds of 1k, 10k and 100k keys (5 grants per key, 50
//! roles, one alias per key, plus one key at the 50,000-grant quota held by one grantee):
//! scenario load (TOML text to world), snapshot save and load, the UI's first frame (the
//! real start-up path: world, backend, the keys and the first key's grants, one draw) and
//! its settled start-up (every start-up answer in: principals, audit, event log),
//! audit, report to JSON, and a decision for the grantee holding the 50,000 grants. Each
//! size is a criterion group, so the growth from 10k to 100k reads off the report: a
//! quadratic path shows as 100x where linear is 10x.
//!
//! Peak memory is measured outside criterion, in child processes started before any world
//! is built in the bench process, by reading each child's own peak RSS (`wait4`): the real
//! binary's report (`grantscope report --scenario FILE --format json`), and the UI's
//! settled start-up (this bench re-run as a child that loads the world, runs the UI's
//! start-up path through every answer, the stale-grant audit included, and draws a frame).
//! Both are printed first.
//!
//! `GRANTSCOPE_SCALE=1k,10k` limits the sizes (the 100k world takes minutes to bench).

use std::sync::Arc;
use std::time::Duration;

// The binary's allocator (src/main.rs), so the figures are the program's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use chrono::TimeZone;
use criterion::{black_box, criterion_group, BenchmarkId, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use grantscope::audit::{audit, AuditConfig};
use grantscope::backend::{Backend, SimBackend};
use grantscope::kms::{EncryptionContext, GrantOperation};
use grantscope::sim::authorize::{authorize, AuthRequest, GrantUse};
use grantscope::sim::conditions::RequestFacts;
use grantscope::sim::{inventory, snapshot, Caller, Clock, Scenario, SharedSimulator, Simulator};
use grantscope::tui::executor::execute;
use grantscope::tui::message::{Command, Msg, Work};
use grantscope::tui::{new_app, update, view, UiOptions};

const QUOTA_KEY: &str = "ffffffff-ffff-4fff-8fff-ffffffffffff";

/// A world of `keys` keys with 5 grants each, 50 roles, and the quota key.
fn world_toml(keys: usize) -> String {
    let mut out = String::with_capacity(keys * 260);
    out.push_str(
        "name = \"scale\"\nregion = \"eu-west-1\"\n[[accounts]]\nid = \"111122223333\"\n\n",
    );
    out.push_str(
        "[[principals]]\nname = \"admin\"\nmanaged_policies = [\"AdministratorAccess\"]\n\n",
    );
    for r in 0..50 {
        out.push_str(&format!(
            "[[principals]]\nname = \"app-{r}\"\nkind = \"role\"\n\n"
        ));
    }
    for k in 0..keys {
        out.push_str(&format!(
            "[[keys]]\nid = \"{k:08x}-0000-4000-8000-{k:012x}\"\naliases = [\"alias/key-{k}\"]\n\n"
        ));
    }
    out.push_str(&format!(
        "[[keys]]\nid = \"{QUOTA_KEY}\"\naliases = [\"alias/quota\"]\n\n"
    ));
    for k in 0..keys {
        out.push_str(&format!(
            "[[grants]]\nkey = \"alias/key-{k}\"\ngrantee = \"app-{}\"\noperations = [\"Encrypt\", \"Decrypt\"]\ncount = 5\nage = \"{}d\"\n\n",
            k % 50,
            k % 400
        ));
    }
    // One grantee holding the key's whole quota, each grant for one tenant.
    out.push_str(
        "[[grants]]\nkey = \"alias/quota\"\ngrantee = \"app-0\"\noperations = [\"Encrypt\"]\ncount = 50000\nconstraints = { subset = { tenant = \"t{n}\" } }\n\n",
    );
    out
}

fn start() -> grantscope::kms::Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2026, 3, 1, 9, 30, 0)
        .single()
        .expect("a date")
}

fn load(text: &str) -> grantscope::sim::World {
    Scenario::parse(text, "scale.toml", true)
        .and_then(|s| s.build_with_clock(Clock::manual(start())))
        .expect("the scale world builds")
}

/// The UI's start-up: backend over the world, the start-up commands, one frame. With
/// `settled == false` the frame is drawn as soon as the keys and the first key's grants are
/// in (the real runtime runs the principals listing, the audit and the event log as
/// separate tasks that answer later and never hold that frame back); with `true`, after
/// every start-up answer.
fn first_frame(rt: &tokio::runtime::Runtime, text: &str, settled: bool) -> impl Drop {
    let sim = SharedSimulator::new(Simulator::new(load(text)));
    let backend: Arc<dyn Backend> = Arc::new(SimBackend::new(sim, "scale", None).expect("backend"));
    let mut app = new_app(backend.as_ref(), UiOptions::default());
    let mut queue: std::collections::VecDeque<_> = update::init(&mut app).into();
    while let Some(cmd) = queue.pop_front() {
        if let Command::Run { job, work } = cmd {
            let first_view = matches!(work, Work::ListKeys | Work::ListGrants { .. });
            if !settled && !first_view {
                continue;
            }
            let result = rt.block_on(execute(backend.clone(), work.clone()));
            queue.extend(update::update(&mut app, Msg::Done { job, work, result }));
        }
    }
    let mut terminal = Terminal::new(TestBackend::new(120, 36)).expect("terminal");
    terminal.draw(|f| view::render(f, &app)).expect("draw");
    // The world lives on in the UI: dropping it is not part of start-up.
    Box::new((app, backend, terminal))
}

fn sizes() -> Vec<(&'static str, usize)> {
    let all = [("1k", 1_000), ("10k", 10_000), ("100k", 100_000)];
    let wanted = std::env::var("GRANTSCOPE_SCALE").unwrap_or_default();
    all.into_iter()
        .filter(|(name, _)| wanted.is_empty() || wanted.split(',').any(|w| w == *name))
        .collect()
}

/// The environment variable that makes this bench a child running the UI's start-up on the
/// world in the file it names.
const UI_CHILD: &str = "GRANTSCOPE_SCALE_UI_CHILD";

/// The child: the UI's settled start-up on the world in `path`.
fn ui_child(path: &str) {
    let text = std::fs::read_to_string(path).expect("the world file");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio");
    let ui = first_frame(&rt, &text, true);
    // The peak is reached; skip dropping a world the process is about to give back.
    std::mem::forget(ui);
}

/// Peak RSS (KiB) of `command` (on the world in `path`) as a child process: the child's
/// own `ru_maxrss`, from `wait4` on it. Linux counts in a child's peak the memory of the
/// process it was forked from, so this runs before the bench builds any world (the parent
/// is small then) and the figure is the child's own.
#[cfg(unix)]
#[allow(clippy::zombie_processes)] // reaped by the wait4 below, which std cannot do
fn peak_rss_kib(mut command: std::process::Command) -> i64 {
    let child = command
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("run the child");
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    let mut status = 0;
    // SAFETY: wait4 only writes the status and the struct it is given; the child is ours
    // and not waited for elsewhere (`child` is dropped without a wait).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 on the child");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the child failed (status {status})"
    );
    usage.ru_maxrss
}

fn scale(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio");
    #[cfg(unix)]
    for (name, keys) in sizes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("scale.toml");
        std::fs::write(&path, world_toml(keys)).expect("write the world");
        let mut report = std::process::Command::new(env!("CARGO_BIN_EXE_grantscope"));
        report
            .args(["report", "--scenario"])
            .arg(&path)
            .args(["--format", "json"]);
        let report = peak_rss_kib(report);
        let mut ui = std::process::Command::new(std::env::current_exe().expect("this bench"));
        ui.env(UI_CHILD, &path);
        let ui = peak_rss_kib(ui);
        println!(
            "scale {name} keys: peak RSS of `grantscope report` {:.1} MiB, of the UI's settled start-up {:.1} MiB",
            report as f64 / 1024.0,
            ui as f64 / 1024.0
        );
    }
    for (name, keys) in sizes() {
        let text = world_toml(keys);
        let mut group = c.benchmark_group(format!("scale {name} keys"));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(if keys >= 100_000 { 60 } else { 10 }));
        group.bench_function(BenchmarkId::new("scenario load", name), |b| {
            b.iter_with_large_drop(|| load(&text))
        });
        let world = load(&text);
        group.bench_function(BenchmarkId::new("snapshot save", name), |b| {
            b.iter(|| black_box(snapshot::to_json(&world)))
        });
        let json = snapshot::to_json(&world);
        group.bench_function(BenchmarkId::new("snapshot load", name), |b| {
            b.iter_with_large_drop(|| snapshot::from_json(&json, "scale.json").expect("loads"))
        });
        group.bench_function(BenchmarkId::new("first frame", name), |b| {
            b.iter_with_large_drop(|| first_frame(&rt, &text, false))
        });
        group.bench_function(BenchmarkId::new("start-up settled", name), |b| {
            b.iter_with_large_drop(|| first_frame(&rt, &text, true))
        });
        let inv = inventory::inventory(&world);
        let cfg = AuditConfig::default();
        group.bench_function(BenchmarkId::new("inventory + audit", name), |b| {
            b.iter(|| black_box(audit(&inventory::inventory(&world), &cfg)))
        });
        let report = audit(&inv, &cfg);
        group.bench_function(BenchmarkId::new("report to JSON", name), |b| {
            // Streamed, as `grantscope report --format json` writes it (never one string).
            b.iter(|| serde_json::to_writer_pretty(std::io::sink(), &report).expect("json"))
        });
        {
            let key = &world.keys[QUOTA_KEY];
            let caller = world.resolve_caller(&Caller::new("app-0")).expect("app-0");
            let context: EncryptionContext = [("tenant".to_string(), "t49999".to_string())].into();
            let decide = || {
                authorize(
                    &world,
                    &caller,
                    &AuthRequest {
                        action: "kms:Encrypt",
                        key: Some(key),
                        grant_use: GrantUse::Operation {
                            op: GrantOperation::Encrypt,
                            context: Some(&context),
                        },
                        token_grants: &[],
                        facts: RequestFacts {
                            encryption_context: Some(&context),
                            ..Default::default()
                        },
                    },
                    world.now(),
                )
            };
            assert!(decide().grant().is_some(), "the t49999 grant decides");
            group.bench_function(
                BenchmarkId::new("decision, grantee holding 50,000 grants", name),
                |b| b.iter(|| black_box(decide())),
            );
        }
        group.finish();
    }
}

criterion_group!(benches, scale);

// criterion_main!, with the child's entry first.
fn main() {
    // The binary's allocator settings (src/main.rs).
    grantscope::allocator::tune();
    if let Ok(path) = std::env::var(UI_CHILD) {
        ui_child(&path);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
