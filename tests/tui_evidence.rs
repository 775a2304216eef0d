//! The UI with `--evidence cloudtrail` end to end: its AWS backend against `grantscope
//! serve` on loopback, the audit job looking CloudTrail's evidence up through the backend
//! (the code `inventory` and `report` use) with its progress reported as keys complete,
//! and the grants pane and detail showing, for the right grants, "possibly used" (the
//! last call and its operation), "unused" (no call in the window: an `unused` finding),
//! and "not determined" (the page budget ran out; CloudTrail not readable).

mod support;

use std::sync::{Arc, Mutex};

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use grantscope::backend::Backend;
use grantscope::evidence::EvidenceOptions;
use grantscope::kms::usage::UsageEvidence;
use grantscope::tui::executor::execute_reporting;
use grantscope::tui::last_seen;
use grantscope::tui::message::{Command, Msg};
use grantscope::tui::pane::Pane;
use grantscope::tui::{new_app, update, view, App, UiOptions};
use support::{kms_as, profile_keys, ServedWorld};

const SCENARIO: &str = r#"
name = "evidence-ui"
description = "Two keys, grants used and unused, an auditor who may not read CloudTrail."
region = "eu-west-1"

[[accounts]]
id = "111122223333"

[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]

[[principals]]
name = "auditor"
[[principals.policies]]
name = "kms-read"
document = '''{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:List*","kms:Describe*","kms:Get*","iam:List*"],"Resource":"*"}]}'''

[[principals]]
name = "alice"

[[principals]]
name = "carol"

[[keys]]
id = "0a1b2c3d-0000-4000-8000-0000000000e1"
aliases = ["alias/used"]
age = "100d"

[[keys]]
id = "0a1b2c3d-0000-4000-8000-0000000000e2"
aliases = ["alias/busy"]
age = "100d"

[[grants]]
key = "alias/used"
grantee = "alice"
retiring = "admin"
operations = ["Encrypt"]
name = "alice-writer"
age = "30d"

[[grants]]
key = "alias/used"
grantee = "carol"
retiring = "admin"
operations = ["Decrypt"]
name = "carol-reader"
age = "30d"

[[grants]]
key = "alias/busy"
grantee = "carol"
retiring = "admin"
operations = ["Encrypt"]
name = "carol-busy"
age = "30d"
"#;

const USED: &str = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-0000-4000-8000-0000000000e1";
const BUSY: &str = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-0000-4000-8000-0000000000e2";

/// Serve the scenario; alice encrypts under `used`, the admin describes `busy` 60 times
/// (more than one page of CloudTrail events, so one page is not enough for it).
fn world() -> ServedWorld {
    let w = ServedWorld::scenario_toml(SCENARIO);
    let creds = w.sources.credentials_file.clone().expect("credentials");
    let text = std::fs::read_to_string(creds).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let alice = kms_as(&w.server.url, profile_keys(&text, "alice"));
        alice
            .encrypt()
            .key_id(USED)
            .plaintext(aws_sdk_kms::primitives::Blob::new("hi"))
            .send()
            .await
            .expect("alice encrypts through her grant");
        let admin = kms_as(&w.server.url, profile_keys(&text, "admin"));
        for _ in 0..60 {
            admin.describe_key().key_id(BUSY).send().await.unwrap();
        }
    });
    w
}

/// The UI on the AWS backend as `profile`, with `--evidence cloudtrail --unused-for 7d
/// --evidence-pages PAGES`; every job runs to its answer, the audit's progress messages
/// delivered to the model before its answer, as the runtime delivers them.
struct Ui {
    rt: tokio::runtime::Runtime,
    backend: Arc<dyn Backend>,
    app: App,
    /// Every progress report of the audits run: (done, total).
    progress: Arc<Mutex<Vec<(usize, usize)>>>,
    _world: ServedWorld,
}

impl Ui {
    fn new(world: ServedWorld, profile: &str, pages: u32) -> Ui {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let backend: Arc<dyn Backend> = Arc::new(rt.block_on(world.connect(profile)));
        let audit = grantscope::audit::AuditConfig {
            unused_for: std::time::Duration::from_secs(7 * 86_400),
            ..Default::default()
        };
        let options = UiOptions {
            evidence: Some(EvidenceOptions::for_window(audit.unused_for, pages)),
            audit,
            ..Default::default()
        };
        let mut app = new_app(backend.as_ref(), options);
        let cmds = update::init(&mut app);
        let mut ui = Ui {
            rt,
            backend,
            app,
            progress: Default::default(),
            _world: world,
        };
        ui.run(cmds);
        ui
    }

    fn run(&mut self, cmds: Vec<Command>) {
        let mut queue: std::collections::VecDeque<Command> = cmds.into();
        while let Some(cmd) = queue.pop_front() {
            let Command::Run { job, work } = cmd else {
                continue;
            };
            let (tx, rx) = std::sync::mpsc::channel();
            let progress = Arc::new(move |done, total| {
                let _ = tx.send((done, total));
            });
            let result = self.rt.block_on(execute_reporting(
                self.backend.clone(),
                work.clone(),
                progress,
            ));
            for (done, total) in rx.try_iter() {
                self.progress.lock().unwrap().push((done, total));
                queue.extend(update::update(
                    &mut self.app,
                    Msg::EvidenceProgress { job, done, total },
                ));
            }
            queue.extend(update::update(
                &mut self.app,
                Msg::Done { job, work, result },
            ));
        }
    }

    fn send(&mut self, msg: Msg) {
        let cmds = update::update(&mut self.app, msg);
        self.run(cmds);
    }

    fn select_key(&mut self, arn: &str) {
        self.app.focus = Pane::Keys;
        self.send(Msg::Top);
        while self.app.selected_key().map(|k| k.arn.as_str()) != Some(arn) {
            let before = self.app.keys.selected_index();
            self.send(Msg::Down);
            assert_ne!(before, self.app.keys.selected_index(), "{arn} not listed");
        }
    }

    /// The detail's LastSeen sentence and the Seen cell of the grant named `name`, and
    /// the evidence the audit kept for it.
    fn seen(&self, key: &str, name: &str) -> (String, String, Option<UsageEvidence>) {
        let o = self
            .app
            .findings
            .outcome
            .as_deref()
            .expect("an audit result");
        let g = self
            .app
            .grants
            .all()
            .iter()
            .find(|g| g.name == name)
            .unwrap_or_else(|| panic!("{name} is listed"));
        assert_eq!(g.key_arn, key);
        let known = last_seen::known(Some(o), &g.key_arn, &g.grant_id);
        let evidence = match o.usage.last_use(&g.key_arn, &g.grant_id) {
            Some(grantscope::kms::usage::LastUse::Evidence(e)) => Some(e.clone()),
            _ => None,
        };
        (
            last_seen::sentence(known, self.app.now, None),
            last_seen::cell(known, self.app.now),
            evidence,
        )
    }

    fn screen(&self, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| view::render(f, &self.app)).unwrap();
        let buffer = terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buffer.area.height {
            for x in 0..buffer.area.width {
                out.push_str(buffer[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }

    fn unused_findings(&self) -> Vec<String> {
        let o = self.app.findings.outcome.as_deref().unwrap();
        let mut ids: Vec<String> = o
            .report
            .findings
            .iter()
            .filter(|f| f.rule == grantscope::audit::Rule::Unused)
            .map(|f| f.key.to_string())
            .collect();
        ids.sort();
        ids
    }
}

#[test]
fn the_ui_shows_possibly_used_and_unused_grants_from_cloudtrail() {
    let mut ui = Ui::new(world(), "admin", 10);
    assert!(!ui.app.auditing());
    // The look-up reported its progress, key by key, up to every key.
    let progress = ui.progress.lock().unwrap().clone();
    assert_eq!(progress.first(), Some(&(0, 2)), "{progress:?}");
    assert_eq!(progress.last(), Some(&(2, 2)), "{progress:?}");
    assert_eq!(
        ui.app.findings.evidence_progress, None,
        "cleared by the answer"
    );
    let o = ui.app.findings.outcome.clone().unwrap();
    let tally = o.usage.tally.expect("the look-up's tally");
    assert_eq!((tally.decided, tally.undetermined), (3, 0), "{tally:?}");
    assert!(
        o.report.summary.unavailable.is_empty(),
        "unused is evaluated"
    );

    ui.select_key(USED);
    ui.send(Msg::FocusNext);
    let (sentence, cell, evidence) = ui.seen(USED, "alice-writer");
    assert!(
        matches!(evidence, Some(UsageEvidence::PossiblyUsed { ref operation, .. }) if operation == "Encrypt"),
        "{evidence:?}"
    );
    assert!(
        sentence.contains(" UTC (")
            && sentence.ends_with(" ago), Encrypt by the grantee (CloudTrail)"),
        "{sentence}"
    );
    assert!(cell.ends_with(" ago"), "{cell}");
    let (sentence, cell, _) = ui.seen(USED, "carol-reader");
    assert_eq!(
        sentence,
        "no call by the grantee on this key in the last 7d (CloudTrail, unused)"
    );
    assert_eq!(cell, ">7d");
    // carol never called either key: both her grants are `unused` findings.
    assert_eq!(ui.unused_findings(), [USED, BUSY]);

    // On screen: the Seen column beside each grant, and the detail's LastSeen.
    let screen = ui.screen(160, 45);
    let row = |name: &str| {
        screen
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name}:\n{screen}"))
            .to_string()
    };
    assert!(row("alice-writer").contains(" ago"), "{screen}");
    assert!(row("carol-reader").contains(">7d"), "{screen}");
    while ui.app.selected_grant().map(|g| g.name.as_str()) != Some("alice-writer") {
        let before = ui.app.grants.selected_index();
        ui.send(Msg::Down);
        assert_ne!(
            before,
            ui.app.grants.selected_index(),
            "alice-writer listed"
        );
    }
    ui.send(Msg::Act(grantscope::tui::actions::Action::Detail));
    let detail = ui.screen(160, 45);
    assert!(
        detail.contains("Encrypt by the grantee (CloudTrail)"),
        "{detail}"
    );
}

#[test]
fn the_ui_says_not_determined_when_the_budget_runs_out_or_cloudtrail_is_denied() {
    // One page per key: `busy` has 60 events by the admin before carol's nothing.
    let mut ui = Ui::new(world(), "admin", 1);
    ui.select_key(BUSY);
    ui.send(Msg::FocusNext);
    let (sentence, cell, _) = ui.seen(BUSY, "carol-busy");
    assert_eq!(
        sentence,
        "not determined: look-up budget ran out: 1 LookupEvents pages read for the key (raise --evidence-pages)"
    );
    assert_eq!(cell, "?");
    // The quiet key is still decided; only it has an `unused` finding.
    assert_eq!(ui.unused_findings(), [USED]);
    ui.send(Msg::Act(grantscope::tui::actions::Action::Findings));
    let findings = ui.screen(160, 45);
    assert!(
        findings.contains(
            "Rule unused: usage of 1 grant not determined (1 grant: look-up budget ran out"
        ),
        "{findings}"
    );
    drop(ui);

    // An auditor without cloudtrail:LookupEvents: every grant not determined, AWS's
    // message shown, no `unused` finding guessed, and nothing panics.
    let mut ui = Ui::new(world(), "auditor", 10);
    assert!(
        ui.app.findings.error.is_none(),
        "{:?}",
        ui.app.findings.error
    );
    let status = ui.app.status.clone().expect("a message");
    assert!(
        status.error
            && status
                .text
                .starts_with("CloudTrail evidence not read (AccessDeniedException"),
        "{status:?}"
    );
    ui.select_key(USED);
    ui.send(Msg::FocusNext);
    let (sentence, cell, _) = ui.seen(USED, "carol-reader");
    assert!(
        sentence.starts_with("not determined: CloudTrail not readable: AccessDeniedException"),
        "{sentence}"
    );
    assert!(sentence.contains("cloudtrail:LookupEvents"), "{sentence}");
    assert_eq!(cell, "?");
    assert!(ui.unused_findings().is_empty());
    let o = ui.app.findings.outcome.as_deref().unwrap();
    assert_eq!(o.report.summary.usage_not_determined, 3);
}

#[test]
fn a_rerun_soon_after_reuses_the_evidence_instead_of_asking_cloudtrail_again() {
    let mut ui = Ui::new(world(), "admin", 10);
    let first = ui.app.findings.outcome.clone().unwrap();
    let asked = first.usage.tally.unwrap().requests;
    assert!(asked >= 2, "{asked}");
    // A refresh reruns the audit: every key's grants had evidence a moment ago.
    ui.send(Msg::Act(grantscope::tui::actions::Action::Refresh));
    let again = ui.app.findings.outcome.clone().unwrap();
    assert!(!Arc::ptr_eq(&first, &again), "the audit ran again");
    let tally = again.usage.tally.unwrap();
    assert_eq!(tally.requests, 0, "{tally:?}");
    assert_eq!(tally.decided, 3);
    assert_eq!(ui.unused_findings(), [USED, BUSY]);
    // A new grant on `used` makes that key be looked up again, and only it.
    let key = grantscope::kms::KeyRef::parse(USED);
    let rt = &ui.rt;
    rt.block_on(
        ui.backend
            .create_grant(grantscope::backend::CreateGrantInput {
                key,
                grantee: grantscope::kms::Principal::parse("arn:aws:iam::111122223333:user/alice")
                    .unwrap(),
                operations: vec![grantscope::kms::GrantOperation::Decrypt],
                retiring: None,
                constraints: None,
                name: Some("alice-new".into()),
            }),
    )
    .expect("grant created");
    ui.send(Msg::Act(grantscope::tui::actions::Action::Refresh));
    let third = ui.app.findings.outcome.clone().unwrap();
    let tally = third.usage.tally.unwrap();
    assert!(
        tally.requests >= 1 && tally.requests < asked + 1,
        "{tally:?}"
    );
    assert_eq!(tally.decided, 4, "{tally:?}");
}

/// The real program in tmux: `grantscope --profile admin --evidence cloudtrail
/// --unused-for 7d` against `grantscope serve` (the environment set for that child only):
/// the flags reach the UI, the grants of `used` show when each was last seen, and the
/// detail says it in full.
#[test]
fn the_evidence_flags_reach_the_ui_typed_in_tmux() {
    use support::tmux::Tmux;
    let w = world();
    let creds = w.sources.credentials_file.clone().unwrap();
    let command = format!(
        "env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
         -u AWS_REGION -u AWS_DEFAULT_REGION -u AWS_ENDPOINT_URL \
         AWS_SHARED_CREDENTIALS_FILE={} AWS_CONFIG_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
         {} --profile admin --region eu-west-1 --endpoint-url {} --evidence cloudtrail \
         --unused-for 7d --evidence-pages 3",
        creds.display(),
        env!("CARGO_BIN_EXE_grantscope"),
        w.server.url,
    );
    let t = Tmux::start_sized("evidence", (160, 45), &[&command]);
    t.wait_for(&["aws:admin", "alias/used", "alias/busy"]);
    // Select alias/used (keys are listed by alias) and go to its grants.
    let screen = t.wait_for(&["Grants of alias"]);
    if !screen.contains("Grants of alias/used") {
        t.keys(&["j"]);
    }
    t.wait_for(&["Grants of alias/used"]);
    t.wait_until("the Seen column with CloudTrail's answers", |s| {
        s.contains("Seen") && s.contains(">7d") && s.contains(" ago")
    });
    t.keys(&["Tab"]);
    t.wait_for(&["by the grantee (CloudTrail)"]);
    t.keys(&["q"]);
    t.wait_ended("q did not quit");
}
