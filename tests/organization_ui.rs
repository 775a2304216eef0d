//! The UI across an organization (`--accounts org --regions all`), against `serve` of
//! tests/fixtures/organization.toml on loopback, through the app's real update function
//! and executor over `ScopedBackend`: every scope read and shown with its counts in the
//! scope selector, account and region columns, a scope that cannot be read shown with
//! why (not fatal), and the walkthrough of the cross-account grant: found from the
//! organization view, revoked from it (with account A's credentials), gone from B's view.

mod support;

use std::collections::VecDeque;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use insta::assert_snapshot;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use grantscope::backend::{Actor, Backend, CreateGrantInput, EventOutcome, Scope, TestCall};
use grantscope::kms::{GrantOperation, KeyRef, Principal};
use grantscope::scope::backend::ScopedBackend;
use grantscope::scope::{parse_accounts, parse_regions, ScopeSpec};
use grantscope::tui::dialogs::Dialog;
use grantscope::tui::executor::execute;
use grantscope::tui::input::key_messages;
use grantscope::tui::message::{Answer, Command, Msg, Work};
use grantscope::tui::pane::Pane;
use grantscope::tui::scopes::{ScopeState, ScopeView};
use grantscope::tui::{new_app, update, view, App, UiOptions};
use support::ServedWorld;

const ORG: &str = include_str!("fixtures/organization.toml");
const READER: &str = "arn:aws:iam::333333333333:role/reader";
const A: &str = "222222222222";
const B: &str = "333333333333";

/// The organization with fixed key and grant ids, so that screens are the same each run.
fn org_fixed() -> String {
    ORG.replace(
        "aliases = [\"alias/payments\"]",
        "id = \"aaaa0001-0000-4000-8000-000000000001\"\naliases = [\"alias/payments\"]",
    )
    .replace(
        "aliases = [\"alias/payments-us\"]",
        "id = \"aaaa0002-0000-4000-8000-000000000002\"\naliases = [\"alias/payments-us\"]",
    )
    .replace(
        "aliases = [\"alias/analytics\"]",
        "id = \"bbbb0001-0000-4000-8000-000000000001\"\naliases = [\"alias/analytics\"]",
    )
    .replace(
        "name = \"analytics-reads-payments\"",
        "name = \"analytics-reads-payments\"\nid = \"c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00\"",
    )
}

/// The UI over `ScopedBackend`, its commands run to completion after each message.
struct Ui {
    rt: tokio::runtime::Runtime,
    backend: Arc<dyn Backend>,
    app: App,
}

impl Ui {
    fn start(world: &ServedWorld, accounts: &str, regions: &str) -> Ui {
        let (mut ui, cmds) = Ui::connect(world, accounts, regions);
        ui.run(cmds);
        ui
    }

    /// The UI connected, and the commands it starts with (not run yet).
    fn connect(world: &ServedWorld, accounts: &str, regions: &str) -> (Ui, Vec<Command>) {
        let spec = ScopeSpec {
            accounts: parse_accounts(accounts).expect("accounts"),
            regions: parse_regions(regions).expect("regions"),
            ..ScopeSpec::default()
        };
        Ui::connect_with(world, spec)
    }

    fn connect_with(world: &ServedWorld, spec: ScopeSpec) -> (Ui, Vec<Command>) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio");
        let backend = rt
            .block_on(ScopedBackend::connect(
                world.options("ops"),
                world.sources.clone(),
                spec,
            ))
            .expect("connect");
        let backend: Arc<dyn Backend> = Arc::new(backend);
        let mut app = new_app(backend.as_ref(), UiOptions::default());
        let cmds = update::init(&mut app);
        (Ui { rt, backend, app }, cmds)
    }

    fn run(&mut self, cmds: Vec<Command>) {
        let held = self.run_holding(cmds, |_| false);
        assert!(held.is_empty());
    }

    /// Run the commands, and those their answers ask for, but for the work `hold` names:
    /// those are given back, not run (a scope still loading).
    fn run_holding(&mut self, cmds: Vec<Command>, hold: impl Fn(&Work) -> bool) -> Vec<Command> {
        let mut held = Vec::new();
        let mut queue: VecDeque<Command> = cmds.into();
        while let Some(cmd) = queue.pop_front() {
            if matches!(&cmd, Command::Run { work, .. } if hold(work)) {
                held.push(cmd);
                continue;
            }
            if let Command::Run { job, work } = cmd {
                let result = self
                    .rt
                    .block_on(execute(self.backend.clone(), work.clone()));
                queue.extend(update::update(
                    &mut self.app,
                    Msg::Done { job, work, result },
                ));
            }
        }
        held
    }

    fn send(&mut self, msg: Msg) {
        let cmds = update::update(&mut self.app, msg);
        self.run(cmds);
    }

    fn key(&mut self, code: KeyCode) {
        for msg in key_messages(&self.app, KeyEvent::new(code, KeyModifiers::NONE)) {
            self.send(msg);
        }
    }

    fn press(&mut self, c: char) {
        self.key(KeyCode::Char(c));
    }

    fn focus(&mut self, pane: Pane) {
        for _ in 0..Pane::ALL.len() {
            if self.app.focus == pane {
                return;
            }
            self.key(KeyCode::Tab);
        }
        assert_eq!(self.app.focus, pane);
    }

    fn select_principal(&mut self, arn: &str) {
        self.focus(Pane::Principals);
        self.key(KeyCode::Home);
        for _ in 0..self.app.principals.len() {
            if self.app.selected_principal().map(|p| p.arn.as_str()) == Some(arn) {
                return;
            }
            self.press('j');
        }
        panic!(
            "{arn} is not in the principals pane: {:?}",
            self.app
                .principals
                .all()
                .iter()
                .map(|p| &p.arn)
                .collect::<Vec<_>>()
        );
    }

    /// Open the scope selector and choose the entry showing `view`.
    fn choose_scope(&mut self, view: ScopeView) {
        self.press('S');
        assert!(self.app.scopes.selector.is_some(), "S opens the selector");
        self.key(KeyCode::Home);
        for _ in 0..self.app.scopes.entries().len() {
            let at = self.app.scopes.selector.unwrap_or(0);
            let entry = self.app.scopes.entries()[at].clone();
            if format!("{entry:?}").contains(&match &view {
                ScopeView::All => "All".to_string(),
                ScopeView::Account(a) => format!("Account(\"{a}\")"),
                ScopeView::One(s) => format!("{:?}", s),
            }) {
                self.key(KeyCode::Enter);
                assert_eq!(self.app.scopes.view, view);
                return;
            }
            self.key(KeyCode::Down);
        }
        panic!("{view:?} is not in the selector");
    }

    fn screen(&self, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        terminal.draw(|f| view::render(f, &self.app)).expect("draw");
        let buffer = terminal.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..height {
            let mut line = String::new();
            for x in 0..width {
                line.push_str(buffer[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

fn scope(account: &str, region: &str) -> Scope {
    Scope {
        account: account.into(),
        region: region.into(),
    }
}

#[test]
fn every_scope_is_read_and_shown_with_account_and_region_columns() {
    let world = ServedWorld::scenario_toml(&org_fixed());
    let mut ui = Ui::start(&world, "org", "all");
    ui.press('?');
    let help = ui.screen(100, 30);
    assert!(
        help.contains("Across accounts: S scopes  enter show scope"),
        "{help}"
    );
    ui.key(KeyCode::Esc);
    let s = &ui.app.scopes;
    assert!(s.spans && !s.discovering);
    assert_eq!(s.planned.len(), 6, "{:?}", s.planned);
    assert!(
        s.planned.iter().all(|(_, st)| *st == ScopeState::Read),
        "{:?}",
        s.planned
    );
    assert_eq!(s.progress(), None, "nothing loading");
    let mut aliases: Vec<&str> = ui.app.keys.all().iter().map(|k| k.label()).collect();
    aliases.sort();
    assert_eq!(
        aliases,
        ["alias/analytics", "alias/payments", "alias/payments-us"]
    );
    assert!(ui.app.several_accounts && ui.app.several_regions);
    // The principals pane counts the reader's grant on A's key (across accounts).
    let reader = ui
        .app
        .principals
        .all()
        .iter()
        .find(|p| p.arn == READER)
        .expect("the reader is listed");
    assert_eq!(reader.grant_count, 1);
}

#[test]
fn the_first_scope_read_is_usable_while_the_others_load() {
    let world = ServedWorld::scenario_toml(&org_fixed());
    let (mut ui, cmds) = Ui::connect(&world, "org", "all");
    let first = scope(A, "eu-west-1");
    let held = ui.run_holding(cmds, |w| matches!(w, Work::ListKeysIn(s) if *s != first));
    assert_eq!(held.len(), 5, "five scopes still loading");
    assert_eq!(ui.app.scopes.progress().as_deref(), Some("scopes 1/6"));
    assert!(ui.app.is_busy(), "the spinner turns while scopes load");
    // A's keys are listed and usable: the grants pane shows the selected key's grants.
    let keys: Vec<&str> = ui.app.keys.all().iter().map(|k| k.label()).collect();
    assert_eq!(keys, ["alias/payments"]);
    assert_eq!(ui.app.grants.len(), 1, "the payments key's grant is listed");
    let screen = ui.screen(80, 24);
    assert!(screen.contains("scopes 1/6"), "{screen}");
    ui.press('S');
    let screen = ui.screen(100, 30);
    assert!(screen.contains("loading, 1/6 read"), "{screen}");
    assert_eq!(screen.matches("loading…").count(), 5, "{screen}");
    ui.key(KeyCode::Esc);
    // The rest arrive; the selection stays on its key.
    ui.run(held);
    assert_eq!(ui.app.scopes.progress(), None);
    assert_eq!(ui.app.keys.len(), 3);
    assert_eq!(
        ui.app.selected_key().map(|k| k.label()),
        Some("alias/payments")
    );
}

#[test]
fn a_scope_that_cannot_be_read_is_shown_with_why_and_the_rest_is_usable() {
    let world = ServedWorld::scenario_toml(&org_fixed());
    // 444444444444 is no account of the organization: AssumeRole is refused there.
    let mut ui = Ui::start(&world, "222222222222,444444444444", "eu-west-1");
    let planned = &ui.app.scopes.planned;
    assert_eq!(planned[0], (scope(A, "eu-west-1"), ScopeState::Read));
    match &planned[1] {
        (s, ScopeState::Unread(why)) if *s == scope("444444444444", "eu-west-1") => {
            assert!(why.contains("AccessDenied"), "{why}")
        }
        other => panic!("444444444444 should be unread: {other:?}"),
    }
    assert_eq!(ui.app.keys.len(), 1, "A's key is listed");
    ui.press('S');
    let screen = ui.screen(100, 30);
    assert!(screen.contains("unread: AssumeRole"), "{screen}");
    assert!(ui.app.status.as_ref().is_some_and(|s| s.error));
    // The unread scope under the cursor: its why in full below the list.
    ui.key(KeyCode::End);
    let screens: String = [(80, 24), (100, 30), (160, 45)]
        .iter()
        .map(|&(w, h)| format!("── {w}x{h} ──\n{}", ui.screen(w, h)))
        .collect();
    assert_snapshot!(mask(&screens));
}

/// The walkthrough: a role in account B (analytics) was granted Decrypt on a key in
/// account A (payments). From the organization view the reader's grant is found, revoked
/// (the revoke is made with A's credentials, A's access role session), and B's view no
/// longer shows it.
/// The key of `key_arn`, asked with its account's credentials, lists no grant to B's reader.
fn no_grant_to_the_reader_on(ui: &Ui, key_arn: &str) {
    let page = ui
        .rt
        .block_on(ui.backend.list_grants(&KeyRef::parse(key_arn), None))
        .expect("ListGrants");
    assert!(page.grants.iter().all(|g| g.grantee != READER), "{page:?}");
}

/// Confirm the open dialog; the status says `done`, and the event log has `operation`
/// allowed and made with A's credentials (its access role session).
fn confirm_made_by_a(ui: &mut Ui, operation: &str, done: &str) {
    ui.key(KeyCode::Tab);
    ui.key(KeyCode::Enter);
    assert_eq!(
        ui.app.status.as_ref().map(|s| s.text.as_str()),
        Some(done),
        "{:?}",
        ui.app.status
    );
    let event = ui
        .app
        .events
        .all()
        .iter()
        .find(|e| e.operation == operation)
        .unwrap_or_else(|| panic!("{operation} is in the event log"))
        .clone();
    assert_eq!(event.outcome, EventOutcome::Allowed);
    assert!(
        event
            .caller
            .starts_with("arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/"),
        "{}",
        event.caller
    );
}

#[test]
fn a_cross_account_grant_is_found_from_the_organization_view_revoked_and_gone_from_bs_view() {
    let world = ServedWorld::scenario_toml(&org_fixed());
    let mut ui = Ui::start(&world, "org", "all");
    assert_eq!(ui.app.scopes.view, ScopeView::All);

    // Found: the reader of account B holds a grant on a key of account A.
    ui.select_principal(READER);
    let held = ui.app.grants.all().to_vec();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0].name, "analytics-reads-payments");
    assert!(
        held[0].key_arn.contains(":222222222222:key/"),
        "{}",
        held[0].key_arn
    );
    let key_arn = held[0].key_arn.clone();

    // Revoked from the organization view, through the confirmation.
    ui.focus(Pane::Grants);
    ui.press('x');
    assert!(matches!(ui.app.dialog, Some(Dialog::Confirm(_))));
    // With A's credentials: the event log names A's access role session.
    confirm_made_by_a(&mut ui, "RevokeGrant", "Revoked the grant");
    assert!(ui.app.grants.is_empty(), "the reader holds no grant now");

    // Gone from B's view: B's reader holds no grant, on any account's key.
    ui.choose_scope(ScopeView::One(scope(B, "eu-west-1")));
    let keys: Vec<&str> = ui.app.keys.all().iter().map(|k| k.label()).collect();
    assert_eq!(keys, ["alias/analytics"], "B's view shows B's keys");
    let reader = ui.app.principals.all().iter().find(|p| p.arn == READER);
    assert!(reader.is_none_or(|p| p.grant_count == 0), "{reader:?}");
    if reader.is_some() {
        ui.select_principal(READER);
        assert!(ui.app.grants.is_empty());
    }
    // And A's key lists no grant to B, asked with A's credentials.
    no_grant_to_the_reader_on(&ui, &key_arn);
}

/// Retire, as revoke above, from the organization view: the grant names no retiring
/// principal and does not allow its grantee RetireGrant, so it is retired by its key's
/// account (AWS: "the AWS account in which the grant was created"), with that account's
/// session, and is gone from B's side.
#[test]
fn a_cross_account_grant_is_retired_from_the_organization_view_with_the_keys_account() {
    let world = ServedWorld::scenario_toml(&org_fixed());
    let mut ui = Ui::start(&world, "org", "all");
    ui.select_principal(READER);
    let held = ui.app.grants.all().to_vec();
    assert_eq!(held.len(), 1, "{held:?}");
    let key_arn = held[0].key_arn.clone();

    ui.focus(Pane::Grants);
    ui.press('t');
    let Some(Dialog::Confirm(confirm)) = &ui.app.dialog else {
        panic!("a confirmation: {:?}", ui.app.dialog.is_some());
    };
    let said = format!("{confirm:?}");
    assert!(
        said.contains("RetireGrant is made as you, the operator."),
        "{said}"
    );
    confirm_made_by_a(&mut ui, "RetireGrant", "Retired the grant");
    assert!(ui.app.grants.is_empty(), "the reader holds no grant now");
    no_grant_to_the_reader_on(&ui, &key_arn);
}

#[test]
fn snapshot_the_scope_selector_and_the_panes_across_accounts() {
    let world = ServedWorld::scenario_toml(&org_fixed());
    let mut ui = Ui::start(&world, "org", "all");
    let sizes = [(80, 24), (100, 30), (160, 45)];
    let mut out = String::new();
    ui.press('S');
    for (w, h) in sizes {
        out.push_str(&format!(
            "── scope selector {w}x{h} ──\n{}",
            ui.screen(w, h)
        ));
    }
    ui.key(KeyCode::Esc);
    // Two more grants to the reader, on B's own key and on A's key in us-east-1, made
    // through the backend (each with its key's account's credentials); then a refresh.
    for alias in ["alias/analytics", "alias/payments-us"] {
        let key = ui
            .app
            .keys
            .all()
            .iter()
            .find(|k| k.label() == alias)
            .expect("listed")
            .arn
            .clone();
        ui.rt
            .block_on(ui.backend.create_grant(CreateGrantInput {
                key: KeyRef::parse(&key),
                grantee: Principal::parse(READER).expect("principal"),
                retiring: None,
                operations: vec![GrantOperation::Encrypt],
                constraints: None,
                name: Some(format!("reader-{}", &alias[6..])),
            }))
            .expect("created in the key's account");
    }
    ui.press('r');
    // A's key's grants name the grantee's account.
    ui.focus(Pane::Keys);
    ui.key(KeyCode::Home);
    assert_eq!(
        ui.app.selected_key().map(|k| k.label()),
        Some("alias/payments")
    );
    for (w, h) in sizes {
        out.push_str(&format!(
            "── payments' grants {w}x{h} ──\n{}",
            ui.screen(w, h)
        ));
    }
    ui.select_principal(READER);
    assert_eq!(ui.app.grants.len(), 3);
    for (w, h) in sizes {
        out.push_str(&format!(
            "── reader's grants {w}x{h} ──\n{}",
            ui.screen(w, h)
        ));
    }
    assert_snapshot!(mask(&out));
}

/// What changes from run to run: the server's port, unique ids, times of day (each
/// replaced by as many characters, so the columns stay where they are).
fn mask(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let at = |i: usize, s: &str| chars[i..].iter().take(s.len()).copied().eq(s.chars());
    while i < chars.len() {
        if at(i, "127.0.0.1:") {
            out.push_str("127.0.0.1:");
            i += 10;
            while i < chars.len() && chars[i].is_ascii_digit() {
                out.push('N');
                i += 1;
            }
        } else if at(i, "AROA") || at(i, "AIDA") {
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                out.push('X');
                i += 1;
            }
        } else if i + 8 <= chars.len()
            && [0, 1, 3, 4, 6, 7]
                .iter()
                .all(|&d| chars[i + d].is_ascii_digit())
            && chars[i + 2] == ':'
            && chars[i + 5] == ':'
        {
            out.push_str("hh:mm:ss");
            i += 8;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The walkthrough with the real program in tmux, started with the scope flags: the
/// organization view loads every scope, the reader's cross-account grant is found from
/// the principals pane, revoked through the confirmation, and B's view (chosen in the
/// scope selector) shows B's key only, the reader holding nothing; `q` quits with the
/// terminal restored.
#[test]
fn the_walkthrough_typed_in_tmux_with_the_scope_flags() {
    let world = ServedWorld::scenario_toml(&org_fixed());
    let creds = world
        .sources
        .credentials_file
        .as_deref()
        .expect("credentials file")
        .display()
        .to_string();
    let script = format!(
        "unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_ENDPOINT_URL; \
         AWS_CONFIG_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_SHARED_CREDENTIALS_FILE={creds} \
         {bin} --accounts org --regions all --profile ops --region eu-west-1 --endpoint-url {url}; \
         echo EXIT=$?; sleep 30",
        bin = env!("CARGO_BIN_EXE_grantscope"),
        url = world.server.url,
    );
    let t = support::tmux::Tmux::start_sized("org-ui", (120, 36), &["sh", "-c", &script]);
    t.wait_until("every scope read", |s| {
        s.contains("alias/payments-us")
            && s.contains("alias/analytics")
            && !s.contains("discovering")
            && !(0..6).any(|n| s.contains(&format!("scopes {n}/6")))
    });
    t.keys(&["S"]);
    t.wait_for(&["Scopes: organization > account > region", "6/6 read"]);
    t.keys(&["Escape"]);
    // Found from the organization view: the reader's grants, across accounts.
    t.keys(&["Tab", "Tab", "/", "reader", "Enter"]);
    t.wait_for(&["Grants held by reader (1)", "analytics-reads-payments"]);
    t.keys(&["BTab", "x"]);
    t.wait_for(&["Revoke grant analytics-reads-payments?"]);
    t.keys(&["Tab", "Enter"]);
    t.wait_for(&["Revoked the grant", "Grants held by reader (0)"]);
    // B's view: organization, 3 accounts of 2 regions each: B's eu-west-1 is the 9th.
    t.keys(&["S", "Home"]);
    for _ in 0..8 {
        t.keys(&["Down"]);
    }
    t.keys(&["Enter"]);
    let screen = t.wait_for(&["Showing 333333333333/eu-west-1"]);
    assert!(screen.contains("alias/analytics"), "{screen}");
    assert!(!screen.contains("alias/payments"), "{screen}");
    t.keys(&["q"]);
    let screen = t.wait_for(&["EXIT=0"]);
    assert_eq!(t.format("#{alternate_on}"), "0", "{screen}");
}

/// The UI's scope flags (and `[scope]` of `--config`) are read and checked before the
/// terminal is touched: a bad value is refused with what is wrong.
#[test]
fn the_uis_scope_flags_are_checked_before_the_terminal_is_touched() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("grantscope.toml");
    std::fs::write(&config, "[scope]\naccounts = \"1234\"\n").expect("write");
    let config = config.display().to_string();
    let cases: [(&[&str], &str); 5] = [
        (&["--accounts", "1234"], "not an account id"),
        (&["--regions", "EU West"], "not a region name"),
        (
            &["--accounts", "org", "--rate", "Nope=5"],
            "not a KMS operation",
        ),
        (&["--accounts", "org", "--as", "admin"], "--as"),
        (&["--config", &config], "not an account id"),
    ];
    for (args, says) in cases {
        let out = support::grantscope_bounded(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

/// Create and test, as the UI runs them (its executor), are made in the key's account:
/// a grant on B's key is created by B's access role session, and a Decrypt test on A's
/// key (its sample ciphertext made by the operator) succeeds as B's reader through the
/// cross-account grant, which the management account's operator could not have prepared.
#[test]
fn create_and_test_are_made_with_the_credentials_of_the_keys_account() {
    let world = ServedWorld::scenario_toml(&org_fixed());
    let ui = Ui::start(&world, "org", "eu-west-1");
    let arn_of = |alias: &str| {
        ui.app
            .keys
            .all()
            .iter()
            .find(|k| k.label() == alias)
            .map(|k| k.arn.clone())
            .unwrap_or_else(|| panic!("{alias} is listed"))
    };
    let created = ui.rt.block_on(execute(
        ui.backend.clone(),
        Work::CreateGrant(CreateGrantInput {
            key: KeyRef::parse(&arn_of("alias/analytics")),
            grantee: Principal::parse(READER).expect("principal"),
            retiring: None,
            operations: vec![GrantOperation::Encrypt],
            constraints: None,
            name: None,
        }),
    ));
    assert!(created.is_ok(), "{created:?}");
    let tested = ui
        .rt
        .block_on(execute(
            ui.backend.clone(),
            Work::TestGrant(TestCall::new(
                KeyRef::parse(&arn_of("alias/payments")),
                Actor::Profile("reader".into()),
                GrantOperation::Decrypt,
            )),
        ))
        .expect("the test is made");
    let Answer::Tested(outcome) = tested else {
        panic!("{tested:?}")
    };
    // The reader profile is the role's session.
    assert!(
        outcome
            .caller
            .starts_with("arn:aws:sts::333333333333:assumed-role/reader/"),
        "{}",
        outcome.caller
    );
    assert!(outcome.result.is_ok(), "{outcome:?}");
    let events = ui.rt.block_on(ui.backend.activity_since(0)).expect("log");
    let by = |op: &str| {
        events
            .iter()
            .filter(|e| e.operation == op)
            .map(|e| e.caller.clone())
            .collect::<Vec<_>>()
    };
    let created_by = by("CreateGrant");
    assert_eq!(created_by.len(), 1, "{events:?}");
    assert!(
        created_by[0].starts_with("arn:aws:sts::333333333333:assumed-role/"),
        "{created_by:?}"
    );
    let prepared = outcome.prepared.clone().unwrap_or_default();
    // Made by A's access role session, not by the management account's operator (ops).
    assert!(
        prepared.contains("made by OrganizationAccountAccessRole/grantscope"),
        "{prepared}"
    );
    assert!(
        by("Encrypt")
            .iter()
            .all(|c| c.starts_with("arn:aws:sts::222222222222:assumed-role/")),
        "the sample ciphertext is made in A: {events:?}"
    );
}

/// From B's view, the findings view's cross-account finding on A's key is reached: the
/// panes go back to the organization view to show its grant.
#[test]
fn a_finding_on_another_scopes_key_is_reached_from_the_organization_view() {
    let world = ServedWorld::scenario_toml(&org_fixed());
    let mut ui = Ui::start(&world, "org", "eu-west-1");
    ui.choose_scope(ScopeView::One(scope(B, "eu-west-1")));
    ui.press('f');
    assert!(ui.app.findings.view_open);
    ui.key(KeyCode::Home);
    for _ in 0..ui.app.findings.len() {
        let f = ui.app.findings.selected_finding().expect("a finding");
        if f.grantee.as_deref() == Some(READER) {
            break;
        }
        ui.key(KeyCode::Down);
    }
    let f = ui.app.findings.selected_finding().expect("a finding");
    assert_eq!(f.grantee.as_deref(), Some(READER));
    ui.key(KeyCode::Enter);
    assert_eq!(ui.app.scopes.view, ScopeView::All);
    assert_eq!(
        ui.app.selected_grant().map(|g| g.name.as_str()),
        Some("analytics-reads-payments"),
        "{:?}",
        ui.app.status
    );
}

/// `--region-endpoint` sends a region's calls to its own endpoint in the UI too: here
/// us-east-1's goes to another server (the classroom), which knows none of the
/// organization's sessions, so that scope is unread while eu-west-1's is read.
#[test]
fn a_region_endpoint_is_where_that_regions_scopes_are_read() {
    let world = ServedWorld::scenario_toml(&org_fixed());
    let other = ServedWorld::start(&[]);
    let url = other.server.url.clone();
    let spec = ScopeSpec {
        accounts: parse_accounts(A).expect("accounts"),
        regions: parse_regions("eu-west-1,us-east-1").expect("regions"),
        region_endpoints: vec![("us-east-1".into(), url)],
        ..ScopeSpec::default()
    };
    let (mut ui, cmds) = Ui::connect_with(&world, spec);
    ui.run(cmds);
    let planned = &ui.app.scopes.planned;
    assert_eq!(planned[0], (scope(A, "eu-west-1"), ScopeState::Read));
    assert!(
        matches!(&planned[1], (s, ScopeState::Unread(_)) if *s == scope(A, "us-east-1")),
        "{planned:?}"
    );
    let keys: Vec<&str> = ui.app.keys.all().iter().map(|k| k.label()).collect();
    assert_eq!(keys, ["alias/payments"]);
}

/// `--evidence cloudtrail` across an organization: each scope's keys are looked up in
/// CloudTrail with that account's session; the reader's Decrypt of A's key (a cross-account
/// call) is found on the cross-account grant, and a grant nobody used is unused.
#[test]
fn cloudtrail_evidence_is_looked_up_in_each_keys_account() {
    use grantscope::kms::usage::UsageEvidence;
    let world = ServedWorld::scenario_toml(&org_fixed());
    let ui = Ui::start(&world, "org", "eu-west-1");
    let arn_of = |alias: &str| {
        ui.app
            .keys
            .all()
            .iter()
            .find(|k| k.label() == alias)
            .map(|k| k.arn.clone())
            .unwrap_or_else(|| panic!("{alias} is listed"))
    };
    let analytics = arn_of("alias/analytics");
    let payments = arn_of("alias/payments");
    ui.rt
        .block_on(execute(
            ui.backend.clone(),
            Work::CreateGrant(CreateGrantInput {
                key: KeyRef::parse(&analytics),
                grantee: Principal::parse(READER).expect("principal"),
                retiring: None,
                operations: vec![GrantOperation::Encrypt],
                constraints: None,
                name: Some("never-used".into()),
            }),
        ))
        .expect("created");
    let tested = ui
        .rt
        .block_on(execute(
            ui.backend.clone(),
            Work::TestGrant(TestCall::new(
                KeyRef::parse(&payments),
                Actor::Profile("reader".into()),
                GrantOperation::Decrypt,
            )),
        ))
        .expect("the test is made");
    assert!(
        matches!(&tested, Answer::Tested(o) if o.result.is_ok()),
        "{tested:?}"
    );

    let mut inv = ui.rt.block_on(ui.backend.inventory()).expect("inventory");
    let progress = std::sync::Mutex::new(Vec::new());
    let opts = grantscope::evidence::EvidenceOptions {
        rate: std::num::NonZeroU32::new(50).expect("rate"),
        ..grantscope::evidence::EvidenceOptions::new(30, 5)
    };
    let tally = ui
        .rt
        .block_on(ui.backend.usage_evidence(&mut inv, opts, &|d, t| {
            progress.lock().expect("progress").push((d, t))
        }))
        .expect("a scoped backend looks evidence up");
    assert!(tally.requests >= 2, "{tally:?}");
    let evidence = |key: &str, name: &str| {
        inv.keys
            .iter()
            .filter(|k| k.arn == key)
            .flat_map(|k| &k.grants)
            .find(|g| g.entry.name == name)
            .and_then(|g| g.evidence.clone())
            .unwrap_or_else(|| panic!("{name} has evidence: {inv:?}"))
    };
    match evidence(&payments, "analytics-reads-payments") {
        UsageEvidence::PossiblyUsed { operation, .. } => assert_eq!(operation, "Decrypt"),
        other => panic!("the reader's Decrypt is found: {other:?}"),
    }
    assert!(
        matches!(
            evidence(&analytics, "never-used"),
            UsageEvidence::Unused { .. }
        ),
        "{inv:?}"
    );
    let last = progress.lock().expect("progress").last().copied();
    assert!(last.is_some_and(|(d, t)| d == t && t >= 2), "{last:?}");
}
