//! A harness for driving the UI without a terminal: the model, the simulator backend on
//! a manual clock, and the runtime's own command executor, run to completion after each
//! message so every test sees the state a person would see once the spinner stops.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::TimeZone;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use grantscope::backend::{Backend, SimBackend, TESTABLE};
use grantscope::kms::GrantOperation;
use grantscope::kms::Timestamp;
use grantscope::sim::{Clock, Scenario, SharedSimulator, Simulator};
use grantscope::tui::dialogs::{Dialog, TestField, TestGrant};
use grantscope::tui::executor::execute;
use grantscope::tui::input::key_messages;
use grantscope::tui::keys_overlay::KeyTrail;
use grantscope::tui::lesson::LessonUi;
use grantscope::tui::message::{Command, Msg};
use grantscope::tui::pane::Pane;
use grantscope::tui::{new_app, update, view, App, UiOptions};

/// The fixed "now" every test world starts at.
pub fn t0() -> Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2026, 3, 1, 9, 30, 0)
        .single()
        .expect("a valid date")
}

pub struct Harness {
    pub rt: tokio::runtime::Runtime,
    pub sim: SharedSimulator,
    pub backend: Arc<dyn Backend>,
    pub app: App,
    /// Every command the update function asked for, in order.
    pub commands: Vec<Command>,
}

impl Harness {
    pub fn scenario(name: &str, read_only: bool) -> Self {
        let scenario = Scenario::load(name).expect("bundled scenario");
        Self::from_scenario(scenario, name, read_only)
    }

    /// A scenario from TOML text (fixed grant ids make screens deterministic).
    pub fn from_toml(text: &str, name: &str) -> Self {
        let scenario = Scenario::parse(text, name, true).expect("valid scenario");
        Self::from_scenario(scenario, name, false)
    }

    fn from_scenario(scenario: Scenario, name: &str, read_only: bool) -> Self {
        let world = scenario
            .build_with_clock(Clock::manual(t0()))
            .expect("scenario builds");
        Self::from_world(world, name, read_only)
    }

    /// The classroom, with two grants of fixed ids made an hour and a day before `t0`
    /// (one named nightly-batch, with a retiring principal and a constraint).
    pub fn classroom_with_grants() -> Self {
        let mut text = include_str!("../../assets/scenarios/classroom.toml").to_string();
        text.push_str(
            r#"
    [[grants]]
    key = "alias/classroom"
    grantee = "granttestuser"
    operations = ["Encrypt"]
    id = "c1b42687c23cf408a0f8a31ea2fa3b1e34b9c1e5a6b7c8d9e0f1a2b3c4d5e6f7"
    age = "1h"

    [[grants]]
    key = "alias/classroom"
    grantee = "granttestuser"
    retiring = "admin"
    operations = ["Decrypt", "DescribeKey"]
    name = "nightly-batch"
    constraints = { subset = { job = "nightly" } }
    id = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
    age = "1d"
    "#,
        );
        Self::from_toml(&text, "classroom")
    }

    /// The classroom with a second key (alias/archive), a user with no rights at all
    /// (outsider), and a grant named all-ops of fixed id, made an hour before `t0`, that
    /// allows granttestuser every grant operation of a symmetric key the UI can test.
    pub fn classroom_for_grant_tests() -> Self {
        let mut text = include_str!("../../assets/scenarios/classroom.toml").to_string();
        text.push_str(
            r#"
    [[principals]]
    name = "outsider"
    kind = "user"

    [[keys]]
    id = "5678abcd-56ef-78ab-90cd-567890abcdef"
    aliases = ["alias/archive"]
    description = "Where ciphertexts are re-encrypted to"

    [[grants]]
    key = "alias/classroom"
    grantee = "granttestuser"
    operations = ["Encrypt", "Decrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "DescribeKey", "CreateGrant", "RetireGrant"]
    name = "all-ops"
    id = "a11a11a11a11a11a11a11a11a11a11a11a11a11a11a11a11a11a11a11a11a11a"
    age = "1h"
    "#,
        );
        Self::from_toml(&text, "classroom")
    }

    /// A world built beforehand (tests of a big scenario build it once and clone it).
    pub fn from_world(world: grantscope::sim::World, name: &str, read_only: bool) -> Self {
        let sim = SharedSimulator::new(Simulator::new(world));
        let backend = SimBackend::new(sim.clone(), name, None).expect("backend");
        Self::start(sim, backend, |app| app.read_only = read_only)
    }

    /// A shipped lesson presented in the UI (`grantscope lesson NAME`): its world on a
    /// manual clock at `t0`, the narration panel, the keys overlay on.
    pub fn lesson(name: &str) -> Self {
        Self::lesson_from(grantscope::lesson::Lesson::load(name).expect("shipped lesson"))
    }

    /// A lesson given whole (a shipped one changed by the test), presented as above.
    pub fn lesson_from(lesson: grantscope::lesson::Lesson) -> Self {
        let (run, world) = lesson.start_at(t0()).expect("lesson world");
        let backend =
            grantscope::lesson::backend_for(world, &lesson.scenario.name).expect("backend");
        let sim = backend.simulator().clone();
        let ui = LessonUi::new(run);
        Self::start(sim, backend, move |app| {
            app.lesson = Some(ui);
            app.keys_trail = KeyTrail::new(true);
        })
    }

    /// The UI on `backend`, set up by `configure` before its first commands run.
    fn start(sim: SharedSimulator, backend: SimBackend, configure: impl FnOnce(&mut App)) -> Self {
        let backend: Arc<dyn Backend> = Arc::new(backend);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("tokio");
        let mut app = new_app(backend.as_ref(), UiOptions::default());
        configure(&mut app);
        let cmds = update::init(&mut app);
        let mut h = Self {
            rt,
            sim,
            backend,
            app,
            commands: Vec::new(),
        };
        h.run(cmds);
        h
    }

    /// Execute commands (and the ones their answers ask for) until nothing is pending.
    pub fn run(&mut self, cmds: Vec<Command>) {
        let mut queue: VecDeque<Command> = cmds.into();
        while let Some(cmd) = queue.pop_front() {
            self.commands.push(cmd.clone());
            if let Command::Run { job, work } = cmd {
                let backend = self.backend.clone();
                let result = self.rt.block_on(execute(backend, work.clone()));
                queue.extend(update::update(
                    &mut self.app,
                    Msg::Done { job, work, result },
                ));
            }
        }
    }

    /// The work the update function asked for, in order.
    pub fn works(&self) -> Vec<&grantscope::tui::message::Work> {
        self.commands
            .iter()
            .filter_map(|c| match c {
                Command::Run { work, .. } => Some(work),
                Command::Copy(_) => None,
            })
            .collect()
    }

    /// The backend answers `work` with this error, as the answer of a job the UI started.
    pub fn fail(
        &mut self,
        work: grantscope::tui::message::Work,
        error: grantscope::backend::BackendError,
    ) {
        let job = self.app.jobs.start(work.slot());
        self.send(Msg::Done {
            job,
            work,
            result: Err(error),
        });
    }

    pub fn send(&mut self, msg: Msg) {
        let cmds = update::update(&mut self.app, msg);
        self.run(cmds);
    }

    /// Press a key as a person would (through the real key map).
    pub fn key(&mut self, code: KeyCode) {
        self.key_with(code, KeyModifiers::NONE);
    }

    pub fn key_with(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        for msg in key_messages(&self.app, KeyEvent::new(code, modifiers)) {
            self.send(msg);
        }
    }

    pub fn press(&mut self, c: char) {
        self.key(KeyCode::Char(c));
    }

    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(c);
        }
    }

    /// Move the simulator's clock (grant propagation) and tell the UI.
    pub fn advance(&mut self, secs: u64) {
        self.sim
            .lock()
            .advance_clock(std::time::Duration::from_secs(secs));
        let now = self.backend.now();
        self.send(Msg::Tick(now));
    }

    /// Tab until `pane` has the focus.
    pub fn focus(&mut self, pane: Pane) {
        for _ in 0..Pane::ALL.len() {
            if self.app.focus == pane {
                return;
            }
            self.key(KeyCode::Tab);
        }
        assert_eq!(self.app.focus, pane, "Tab never reached the pane");
    }

    /// Select the principal named `name` in the principals pane (failing when it is not
    /// listed).
    pub fn select_principal(&mut self, name: &str) {
        self.focus(Pane::Principals);
        self.key(KeyCode::Home);
        for _ in 0..self.app.principals.len() {
            if self.app.selected_principal().map(|p| p.name.as_str()) == Some(name) {
                return;
            }
            self.press('j');
        }
        panic!("{name} is not in the principals pane");
    }

    /// Select the grant named `name` in the grants pane of the selected key.
    pub fn select_grant(&mut self, name: &str) {
        self.focus(Pane::Grants);
        self.key(KeyCode::Home);
        for _ in 0..self.app.grants.len() {
            if self.app.selected_grant().map(|g| g.name.as_str()) == Some(name) {
                return;
            }
            self.press('j');
        }
        panic!("no grant named {name}");
    }

    /// The open test-a-grant dialog.
    pub fn grant_test(&self) -> &TestGrant {
        match &self.app.dialog {
            Some(Dialog::TestGrant(d)) => d,
            other => panic!("expected the test-a-grant dialog, got {other:?}"),
        }
    }

    /// Open the test-a-grant dialog on the grant named `grant` and choose `op` with the
    /// arrow keys.
    pub fn open_grant_test(&mut self, grant: &str, op: GrantOperation) {
        self.select_grant(grant);
        self.press('e');
        assert_eq!(self.grant_test().field(), TestField::Operation);
        for _ in 0..TESTABLE.len() {
            if self.grant_test().operation == op {
                return;
            }
            self.key(KeyCode::Right);
        }
        panic!("{op} is not offered");
    }

    /// Tab to `field` of the test-a-grant dialog.
    pub fn tab_to(&mut self, field: TestField) {
        for _ in 0..12 {
            if self.grant_test().field() == field {
                return;
            }
            self.key(KeyCode::Tab);
        }
        panic!("{field:?} is not in the dialog");
    }

    /// The screen drawn, `width` x `height`, cell by cell (colours included).
    pub fn buffer(&self, width: u16, height: u16) -> ratatui::buffer::Buffer {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        terminal.draw(|f| view::render(f, &self.app)).expect("draw");
        terminal.backend().buffer().clone()
    }

    /// The screen as text, `width` x `height`.
    pub fn screen(&self, width: u16, height: u16) -> String {
        buffer_text(&self.buffer(width, height))
    }
}

pub fn buffer_text(buffer: &ratatui::buffer::Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
