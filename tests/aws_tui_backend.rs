//! The UI's AWS backend (`AwsBackend`) against `grantscope serve` on loopback, with a
//! credentials file from `grantscope credentials` given explicitly (no process-wide
//! environment): the quick key list and its details, paging through grants, grant
//! changes, testing a grant as another profile (Decrypt, DryRun), principals from IAM, grants and key policies,
//! readable errors, and the UI showing progress while key details load. (IAM denied or
//! paged: tests/aws_iam.rs.)

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use grantscope::backend::aws::{AwsOptions, ProfileSources};
use grantscope::backend::{
    Actor, AwsBackend, Backend, BackendError, CreateGrantInput, ErrorKind, EventOutcome,
    PrincipalKindLabel, TestAnswer, TestCall,
};
use grantscope::kms::{ErrorCode, GrantId, GrantOperation, KeyRef, KeyState, Principal};
use grantscope::tui::dialogs::Dialog;
use grantscope::tui::executor::execute;
use grantscope::tui::input::map_key;
use grantscope::tui::message::{Command, Msg, Work};
use grantscope::tui::{new_app, update, view, App, UiOptions};
use support::ServedWorld;

const ADMIN: &str = "arn:aws:iam::111122223333:user/admin";
const USER: &str = "arn:aws:iam::111122223333:user/granttestuser";

fn key_ref(s: &str) -> KeyRef {
    KeyRef::parse(s)
}

fn principal(s: &str) -> Principal {
    Principal::parse(s).expect("a principal")
}

fn grant_id(s: &str) -> GrantId {
    GrantId::parse(s).expect("a grant id")
}

fn acting(s: &str) -> Actor {
    Actor::Principal(principal(s))
}

/// A scenario with `keys` keys, the first holding `grants` grants.
fn big_world(dir: &Path, keys: usize, grants: usize) -> PathBuf {
    let mut toml = String::from(
        "name = \"big\"\nregion = \"eu-west-1\"\n[[accounts]]\nid = \"111122223333\"\n\
         [[principals]]\nname = \"admin\"\nmanaged_policies = [\"AdministratorAccess\"]\n\
         [[principals]]\nname = \"app\"\nkind = \"role\"\n",
    );
    for i in 0..keys {
        toml.push_str(&format!("[[keys]]\naliases = [\"alias/k{i:04}\"]\n"));
    }
    toml.push_str(&format!(
        "[[grants]]\nkey = \"alias/k0000\"\ngrantee = \"app\"\noperations = [\"Encrypt\"]\nname = \"g-{{n}}\"\ncount = {grants}\n"
    ));
    let path = dir.join("big.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

fn big(keys: usize, grants: usize) -> ServedWorld {
    let dir = tempfile::tempdir().unwrap();
    let path = big_world(dir.path(), keys, grants).display().to_string();
    ServedWorld::start_in(dir, &["--scenario", &path])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_list_quickly_then_their_details_fill_in() {
    let w = ServedWorld::start(&[]);
    let b = w.connect("admin").await;
    let info = b.info();
    assert_eq!(
        (
            info.kind.as_str(),
            info.source.as_str(),
            info.account.as_str()
        ),
        ("aws", "admin", "111122223333")
    );
    assert_eq!(info.identity, ADMIN, "the caller identity comes from STS");
    assert_eq!(info.region, "eu-west-1");
    assert!(b.world().is_none(), "no world controls on AWS");

    let list = b.list_keys().await.unwrap();
    assert!(list.details_later);
    assert_eq!(list.keys.len(), 1);
    let key = &list.keys[0];
    assert_eq!(key.aliases, ["alias/classroom"]);

    let details = b.describe_keys(vec![key.key_id.clone()]).await.unwrap();
    let described = details[0].result.as_ref().unwrap();
    assert_eq!(described.state, KeyState::Enabled);
    assert_eq!(described.manager, "CUSTOMER");
    assert_eq!(described.aliases, ["alias/classroom"]);
    assert_eq!(described.grant_count, 0);
    assert_eq!(described.arn, key.arn);

    let missing = b.describe_keys(vec!["nope".into()]).await.unwrap();
    assert!(missing[0]
        .result
        .as_ref()
        .unwrap_err()
        .is(ErrorCode::NotFoundException));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grants_of_a_key_page_by_one_hundred() {
    let w = big(3, 250);
    let b = w.connect("admin").await;
    let keys = b.list_keys().await.unwrap().keys;
    let first = keys.iter().find(|k| k.aliases == ["alias/k0000"]).unwrap();
    let mut pages = Vec::new();
    let mut marker = None;
    loop {
        let page = b
            .list_grants(&key_ref(&first.key_id), marker)
            .await
            .unwrap();
        pages.push(page.grants);
        marker = page.next_marker;
        if marker.is_none() {
            break;
        }
    }
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [100, 100, 50]);
    let mut names: Vec<String> = pages.concat().into_iter().map(|g| g.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 250, "no grant lost or repeated across pages");
    let all = pages.concat();
    assert!(all.iter().all(|g| g.grantee_name == "app"));
    assert!(all
        .iter()
        .all(|g| g.key_alias.as_deref() == Some("alias/k0000")));

    let held = b
        .grants_of_principal("arn:aws:iam::111122223333:role/app")
        .await
        .unwrap();
    assert_eq!(held.len(), 250);
}

fn grant_to_user(key: &str, ops: &[GrantOperation], retiring: Option<&str>) -> CreateGrantInput {
    CreateGrantInput {
        key: key_ref(key),
        grantee: principal(USER),
        retiring: retiring.map(principal),
        operations: ops.to_vec(),
        constraints: None,
        name: Some("tui-test".into()),
    }
}

async fn grant_ids(b: &AwsBackend, key: &str) -> Vec<String> {
    let page = b.list_grants(&key_ref(key), None).await.unwrap();
    let mut ids: Vec<String> = page.grants.into_iter().map(|g| g.grant_id).collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_revoke_and_retire_through_the_aws_backend() {
    let w = ServedWorld::start(&[]);
    let b = w.connect("admin").await;
    let key = b.list_keys().await.unwrap().keys[0].arn.clone();

    let kept = b
        .create_grant(grant_to_user(&key, &[GrantOperation::Encrypt], None))
        .await
        .unwrap();
    let revoked = b
        .create_grant(grant_to_user(&key, &[GrantOperation::Decrypt], None))
        .await
        .unwrap();
    // Retirable by the grantee: the backend acts as the profile that resolves to it.
    let retired = b
        .create_grant(grant_to_user(
            &key,
            &[GrantOperation::Encrypt, GrantOperation::RetireGrant],
            None,
        ))
        .await
        .unwrap();
    assert_eq!(grant_ids(&b, &key).await.len(), 3);

    b.revoke_grant(&key_ref(&key), &grant_id(&revoked.grant_id))
        .await
        .unwrap();
    b.retire_grant(
        &key_ref(&key),
        &grant_id(&retired.grant_id),
        Some(&acting(USER)),
    )
    .await
    .unwrap();
    assert_eq!(
        grant_ids(&b, &key).await,
        std::slice::from_ref(&kept.grant_id)
    );

    // Retiring as the grantee of a grant without RetireGrant that names no retiring
    // principal: AWS's answer. (The operator could: AdministratorAccess delegates
    // kms:RetireGrant in the key's account.)
    let e = b
        .retire_grant(
            &key_ref(&key),
            &grant_id(&kept.grant_id),
            Some(&acting(USER)),
        )
        .await
        .unwrap_err();
    assert!(e.is_access_denied(), "{e}");

    // The backend's own event log: who, what, the verdict, and an honest WHY.
    let log = b.activity_since(0).await.unwrap();
    let ops: Vec<(&str, &str, &EventOutcome)> = log
        .iter()
        .map(|e| (e.caller.as_str(), e.operation.as_str(), &e.outcome))
        .collect();
    assert_eq!(
        ops,
        [
            (ADMIN, "CreateGrant", &EventOutcome::Allowed),
            (ADMIN, "CreateGrant", &EventOutcome::Allowed),
            (ADMIN, "CreateGrant", &EventOutcome::Allowed),
            (ADMIN, "RevokeGrant", &EventOutcome::Allowed),
            (USER, "RetireGrant", &EventOutcome::Allowed),
            (USER, "RetireGrant", &EventOutcome::Denied),
        ]
    );
    assert!(log[0]
        .why
        .contains("AWS does not say which statement or grant allowed it"));
    assert_eq!(b.activity_since(log[4].seq).await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_retiring_by_a_role_is_retired_by_the_profile_that_assumes_it() {
    // Grants name a role by its IAM ARN; a profile for it resolves (STS) to an
    // assumed-role session. The backend must see that they are the same principal.
    const ROLE: &str = "arn:aws:iam::111122223333:role/app";
    let w = big(1, 1);
    let b = w.connect("admin").await;
    let key = b.list_keys().await.unwrap().keys[0].arn.clone();
    let grant = b
        .create_grant(CreateGrantInput {
            grantee: principal(ROLE),
            ..grant_to_user(&key, &[GrantOperation::Encrypt], Some(ROLE))
        })
        .await
        .unwrap();
    b.retire_grant(
        &key_ref(&key),
        &grant_id(&grant.grant_id),
        Some(&acting(ROLE)),
    )
    .await
    .unwrap();
    assert!(!grant_ids(&b, &key).await.contains(&grant.grant_id));
    let log = b.activity_since(0).await.unwrap();
    let retire = log.iter().find(|e| e.operation == "RetireGrant").unwrap();
    assert_eq!(retire.outcome, EventOutcome::Allowed);
    assert!(
        retire
            .caller
            .starts_with("arn:aws:sts::111122223333:assumed-role/app/"),
        "{}",
        retire.caller
    );

    // A role no configured profile assumes: a clear refusal before any request.
    let kept = grant_ids(&b, &key).await;
    let e = b
        .retire_grant(
            &key_ref(&key),
            &grant_id(&kept[0]),
            Some(&acting("arn:aws:iam::111122223333:role/nobody")),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Configuration, "{e}");
    assert!(e.message.contains("role/nobody"), "{e}");
    assert_eq!(grant_ids(&b, &key).await, kept);
}

/// A grant test of `op` on `key` as the granttestuser profile, with these tokens.
fn as_granttestuser(key: &str, op: GrantOperation, tokens: Vec<String>) -> TestCall {
    let mut call = TestCall::new(key_ref(key), Actor::Profile("granttestuser".into()), op);
    call.grant_tokens = tokens;
    call
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_encrypt_as_another_profile_denied_then_allowed_with_a_grant_token() {
    let w = ServedWorld::start(&[]);
    let b = w.connect("admin").await;
    assert_eq!(b.acting_profiles(), ["default", "admin", "granttestuser"]);
    let key = b.list_keys().await.unwrap().keys[0].arn.clone();
    let input = |tokens| as_granttestuser(&key, GrantOperation::Encrypt, tokens);

    let out = b.test_operation(input(vec![])).await.unwrap();
    let denied = out.result.unwrap_err();
    assert!(denied.is_access_denied(), "{denied}");
    assert!(
        denied.message.starts_with(&format!(
            "User: {USER} is not authorized to perform: kms:Encrypt on resource: {key}"
        )),
        "{denied}"
    );

    let grant = b
        .create_grant(grant_to_user(
            &key,
            &[GrantOperation::Encrypt, GrantOperation::Decrypt],
            None,
        ))
        .await
        .unwrap();
    let allowed = b
        .test_operation(input(vec![grant.grant_token]))
        .await
        .unwrap();
    assert_eq!(allowed.caller, USER, "the caller the profile resolved to");
    assert_eq!(allowed.key_arn, key);
    assert!(!allowed.dry_run);
    match allowed.result {
        Ok(TestAnswer::Encrypted { round_trip, .. }) => {
            assert_eq!(round_trip, Ok("hello".to_string()))
        }
        other => panic!("expected a ciphertext, got {other:?}"),
    }

    let log = b.activity_since(0).await.unwrap();
    let denied_event = log.iter().find(|e| e.operation == "Encrypt").unwrap();
    assert_eq!(
        (denied_event.caller.as_str(), &denied_event.outcome),
        (USER, &EventOutcome::Denied)
    );

    let mut nobody = input(vec![]);
    nobody.actor = Actor::Profile("nobody".into());
    let e = b.test_operation(nobody).await.unwrap_err();
    assert!(!e.to_string().is_empty());
}

/// Decrypt of a sample ciphertext the operator makes, and DryRuns, through aws-sdk-kms:
/// AWS's DryRunOperationException reads as "would be allowed", and a RetireGrant DryRun
/// leaves the grant listed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decrypt_and_dry_runs_through_the_aws_backend() {
    let w = ServedWorld::start(&[]);
    let b = w.connect("admin").await;
    let key = b.list_keys().await.unwrap().keys[0].arn.clone();

    // Without a grant: the operator makes the sample, granttestuser may not decrypt it.
    let denied = b
        .test_operation(as_granttestuser(&key, GrantOperation::Decrypt, vec![]))
        .await
        .unwrap();
    assert!(denied
        .prepared
        .as_deref()
        .unwrap()
        .contains("made by admin"));
    let e = denied.result.unwrap_err();
    assert!(e.is_access_denied(), "{e}");
    assert!(e.message.contains("kms:Decrypt"), "{e}");

    let grant = b
        .create_grant(grant_to_user(
            &key,
            &[GrantOperation::Decrypt, GrantOperation::RetireGrant],
            None,
        ))
        .await
        .unwrap();
    let token = grant.grant_token.clone();
    let decrypted = b
        .test_operation(as_granttestuser(
            &key,
            GrantOperation::Decrypt,
            vec![token.clone()],
        ))
        .await
        .unwrap();
    assert_eq!(
        decrypted.result,
        Ok(TestAnswer::Decrypted {
            plaintext: "hello".into()
        })
    );

    // A DryRun that would succeed: AWS answers DryRunOperationException.
    let mut dry = as_granttestuser(&key, GrantOperation::Decrypt, vec![token.clone()]);
    dry.dry_run = true;
    let out = b.test_operation(dry).await.unwrap();
    assert!(out.dry_run);
    assert_eq!(out.result, Ok(TestAnswer::WouldBeAllowed));
    let last = b.activity_since(0).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.operation.as_str(), &last.outcome),
        ("Decrypt", &EventOutcome::DryRun)
    );
    assert!(last.why.starts_with("DryRun"), "{}", last.why);

    // A DryRun that would be denied is denied, in AWS's words.
    let mut dry = as_granttestuser(&key, GrantOperation::GenerateDataKey, vec![token]);
    dry.dry_run = true;
    let out = b.test_operation(dry).await.unwrap();
    assert!(out.result.unwrap_err().is_access_denied());

    // RetireGrant DryRun as the grantee: would be allowed, and the grant stays.
    let mut retire = as_granttestuser(&key, GrantOperation::RetireGrant, vec![]);
    retire.grant = Some(grant_id(&grant.grant_id));
    retire.dry_run = true;
    let out = b.test_operation(retire).await.unwrap();
    assert_eq!(out.result, Ok(TestAnswer::WouldBeAllowed));
    assert_eq!(grant_ids(&b, &key).await, [grant.grant_id]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn principals_come_from_iam_grants_and_key_policies() {
    let w = ServedWorld::start(&[]);
    let b = w.connect("admin").await;
    let key = b.list_keys().await.unwrap().keys[0].arn.clone();
    b.create_grant(grant_to_user(&key, &[GrantOperation::Encrypt], Some(ADMIN)))
        .await
        .unwrap();
    let list = b.list_principals().await.unwrap();
    assert_eq!(list.note, None, "the admin may list IAM");
    let user = list
        .principals
        .iter()
        .find(|p| p.arn == USER)
        .expect("the grantee");
    assert_eq!(
        (
            user.kind,
            user.name.as_str(),
            user.grant_count,
            user.unique_id.as_deref()
        ),
        (
            PrincipalKindLabel::User,
            "granttestuser",
            1,
            Some("AIDAGRANTTESTUSER0001")
        )
    );
    let admin = list
        .principals
        .iter()
        .find(|p| p.arn == ADMIN)
        .expect("the admin, from IAM");
    assert_eq!(admin.policies, ["AdministratorAccess"]);
    assert!(
        list.principals
            .iter()
            .any(|p| p.kind == PrincipalKindLabel::Root),
        "the key policy names the account"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_endpoint_is_a_readable_error() {
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials");
    std::fs::write(
        &creds,
        "[admin]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n",
    )
    .unwrap();
    let e = AwsBackend::connect_with(
        AwsOptions {
            profile: Some("admin".into()),
            region: Some("eu-west-1".into()),
            endpoint_url: Some("http://127.0.0.1:9".into()),
        },
        ProfileSources {
            config_file: Some(dir.path().join("absent-config")),
            credentials_file: Some(creds),
        },
    )
    .await
    .err()
    .expect("no connection");
    assert_eq!(e.kind, ErrorKind::Network, "{e}");
    assert!(
        e.to_string()
            .starts_with("The endpoint could not be reached"),
        "{e}"
    );
}

#[test]
fn grantscope_aws_reports_a_failed_connection_before_opening_the_ui() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_grantscope"))
        .args([
            "--region",
            "eu-west-1",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ])
        .env_remove("AWS_PROFILE")
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("grantscope: The endpoint could not be reached"),
        "{err}"
    );
}

/// The UI driven by messages on the AWS backend, commands run one at a time so each
/// intermediate state can be seen.
struct Ui {
    rt: tokio::runtime::Runtime,
    backend: Arc<dyn Backend>,
    app: App,
    queue: std::collections::VecDeque<Command>,
    _world: ServedWorld,
}

impl Ui {
    fn new(world: ServedWorld) -> Ui {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let backend: Arc<dyn Backend> = Arc::new(rt.block_on(world.connect("admin")));
        let mut app = new_app(backend.as_ref(), UiOptions::default());
        let queue = update::init(&mut app).into();
        Ui {
            rt,
            backend,
            app,
            queue,
            _world: world,
        }
    }

    /// Run the next queued command; false when none is left.
    fn step(&mut self) -> bool {
        let Some(cmd) = self.queue.pop_front() else {
            return false;
        };
        if let Command::Run { job, work } = cmd {
            let result = self
                .rt
                .block_on(execute(self.backend.clone(), work.clone()));
            let more = update::update(&mut self.app, Msg::Done { job, work, result });
            self.queue.extend(more);
        }
        true
    }

    fn run_all(&mut self) {
        while self.step() {}
    }

    fn send(&mut self, msg: Msg) {
        let more = update::update(&mut self.app, msg);
        self.queue.extend(more);
        self.run_all();
    }

    fn press(&mut self, c: char) {
        if let Some(msg) = map_key(
            &self.app,
            KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
        ) {
            self.send(msg);
        }
    }

    fn screen(&self) -> String {
        let mut terminal = Terminal::new(TestBackend::new(140, 30)).unwrap();
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
}

/// The test-a-grant dialog on AWS: opened on a grant, it acts as the grantee's ARN
/// through the profile that resolves to it; Decrypt is performed, RetireGrant is a DryRun
/// that AWS answers "would have succeeded", and the grant stays.
#[test]
fn a_grant_test_on_aws_acts_as_the_grantee_and_dry_runs_retire() {
    use grantscope::tui::message::Key;
    let mut ui = Ui::new(ServedWorld::start(&[]));
    ui.run_all();
    let key = ui.app.selected_key().unwrap().arn.clone();
    let backend = ui.backend.clone();
    let grant = ui
        .rt
        .block_on(backend.create_grant(grant_to_user(
            &key,
            &[GrantOperation::Decrypt, GrantOperation::RetireGrant],
            None,
        )))
        .unwrap();
    // The session knows its token (as when the create-grant dialog made it).
    ui.app.tokens.push(grantscope::tui::effect::KnownToken {
        key_id: ui.app.selected_key().unwrap().key_id.clone(),
        grant_id: grant.grant_id.clone(),
        token: grant.grant_token.clone(),
    });
    ui.send(Msg::Act(grantscope::tui::actions::Action::Refresh));
    ui.send(Msg::FocusNext);
    assert_eq!(ui.app.grants.len(), 1);
    ui.press('e');
    match &ui.app.dialog {
        Some(Dialog::TestGrant(d)) => {
            assert_eq!(d.operation, GrantOperation::Decrypt);
            assert_eq!(d.act_as.value(), USER);
        }
        other => panic!("expected the test-a-grant dialog, got {other:?}"),
    }
    // Not propagated yet: Ctrl-T presents the grant's token.
    ui.send(Msg::Dialog(Key::Ctrl('t')));
    ui.send(Msg::Dialog(Key::Submit));
    let screen = ui.screen();
    assert!(screen.contains("Performed Decrypt: ALLOWED"), "{screen}");
    assert!(screen.contains("Plaintext \"hello\""), "{screen}");
    assert!(screen.contains(&format!("As {USER}")), "{screen}");

    ui.send(Msg::Dialog(Key::Left));
    ui.send(Msg::Dialog(Key::Left));
    ui.send(Msg::Dialog(Key::Submit));
    let screen = ui.screen();
    assert!(
        screen.contains("DryRun RetireGrant: WOULD BE ALLOWED"),
        "{screen}"
    );
    ui.send(Msg::Dialog(Key::Cancel));
    assert_eq!(ui.app.grants.len(), 1, "the DryRun retired nothing");
    assert!(ui
        .app
        .events
        .all()
        .iter()
        .any(|e| e.operation == "RetireGrant" && e.outcome == EventOutcome::DryRun));
}

/// A DescribeKey batch that fails as a whole (the network went away): its keys say they
/// could not be described, the status line says why, and the next batches still come;
/// no key is left "loading" for ever.
#[test]
fn a_failed_batch_of_key_details_is_reported_and_the_round_goes_on() {
    let mut ui = Ui::new(big(60, 3));
    while ui.app.keys.total() == 0 {
        assert!(ui.step(), "the keys never arrived");
    }
    // The first DescribeKeys batch fails instead of running.
    let at = ui
        .queue
        .iter()
        .position(|c| {
            matches!(
                c,
                Command::Run {
                    work: Work::DescribeKeys(_),
                    ..
                }
            )
        })
        .expect("a batch of key details asked for");
    let Some(Command::Run { job, work }) = ui.queue.remove(at) else {
        unreachable!()
    };
    let Work::DescribeKeys(batch) = &work else {
        unreachable!()
    };
    let batch = batch.clone();
    let error = BackendError::network("connection refused (127.0.0.1:1)");
    let more = update::update(
        &mut ui.app,
        Msg::Done {
            job,
            work,
            result: Err(error),
        },
    );
    ui.queue.extend(more);
    for id in &batch {
        assert!(ui.app.key_details.failed.contains_key(id), "{id}");
        assert!(!ui.app.key_details.pending.contains(id), "{id}");
    }
    let status = ui.app.status.clone().expect("a message");
    assert!(
        status.error && status.text.contains("connection refused"),
        "{status:?}"
    );
    ui.run_all();
    assert!(
        ui.app.key_details.pending.is_empty(),
        "the other batches came"
    );
    assert_eq!(ui.app.key_details_progress(), None);
}

#[test]
fn the_ui_shows_progress_while_aws_key_details_load() {
    let mut ui = Ui::new(big(60, 3));
    // Run until the quick key list has arrived.
    while ui.app.keys.total() == 0 {
        assert!(ui.step(), "the keys never arrived");
    }
    assert_eq!(ui.app.keys.total(), 60);
    assert_eq!(
        ui.app.key_details_progress().as_deref(),
        Some("key details 0/60")
    );
    let screen = ui.screen();
    assert!(screen.contains("key details 0/60"), "{screen}");
    let label = ui.app.selected_key().unwrap().aliases[0].clone();
    assert!(screen.contains(&label), "{screen}");
    assert!(
        screen.contains("details loading"),
        "the detail pane says so:\n{screen}"
    );
    assert!(
        screen.contains('…'),
        "placeholders while loading:\n{screen}"
    );
    let selected = ui.app.selected_key().unwrap().key_id.clone();

    // One batch later the progress moves and those keys show their state.
    while ui.app.key_details.done == 0 {
        assert!(ui.step());
    }
    assert_eq!(
        ui.app.key_details_progress().as_deref(),
        Some("key details 25/60")
    );
    assert!(ui.screen().contains("key details 25/60"));

    ui.run_all();
    assert_eq!(ui.app.key_details_progress(), None);
    assert!(ui.app.key_details.pending.is_empty());
    let first = ui.app.selected_key().unwrap();
    assert_eq!(first.key_id, selected, "the selection survived the details");
    assert_eq!(first.state, KeyState::Enabled);
    let k0 = ui
        .app
        .keys
        .all()
        .iter()
        .find(|k| k.aliases == ["alias/k0000"])
        .unwrap();
    assert_eq!((k0.state, k0.grant_count), (KeyState::Enabled, 3));
    let screen = ui.screen();
    assert!(!screen.contains('…'), "{screen}");
    assert!(screen.contains("Enabled"), "{screen}");
    assert!(
        !screen.contains("not listed"),
        "IAM could be listed: the principals pane has no note:\n{screen}"
    );
    let app_role = ui
        .app
        .principals
        .all()
        .iter()
        .find(|p| p.name == "app")
        .expect("the role is a principal");
    assert!(app_role.unique_id.is_some(), "its IAM details are known");

    // A refresh keeps the selection and the known details while they reload.
    ui.press('j');
    let second = ui.app.selected_key().unwrap().key_id.clone();
    let cmds = update::update(
        &mut ui.app,
        Msg::Act(grantscope::tui::actions::Action::Refresh),
    );
    assert!(matches!(
        cmds.first(),
        Some(Command::Run {
            work: Work::ListKeys,
            ..
        })
    ));
    ui.queue.extend(cmds);
    ui.step();
    assert_eq!(
        ui.app.key_details_progress().as_deref(),
        Some("key details 0/60")
    );
    assert!(ui.app.key_details.pending.is_empty(), "known details stay");
    assert_eq!(ui.app.selected_key().unwrap().key_id, second);
    assert_eq!(ui.app.selected_key().unwrap().state, KeyState::Enabled);
    ui.run_all();
    assert_eq!(ui.app.selected_key().unwrap().key_id, second);

    // Testing a grant offers the profiles configured on the machine.
    ui.press('e');
    match &ui.app.dialog {
        Some(Dialog::TestGrant(f)) => {
            let labels: Vec<&str> = f.act_as.choices.iter().map(|(l, _)| l.as_str()).collect();
            assert_eq!(labels, ["profile default", "profile admin", "profile app"]);
        }
        other => panic!("expected the test-a-grant dialog, got {other:?}"),
    }
}

/// The real program in tmux on `--profile admin` against `grantscope serve`, the
/// environment set for that child only: keys fill in, IAM's users join the principals,
/// and an Encrypt test as the granttestuser profile is denied, then allowed with a grant
/// token.
#[test]
fn aws_mode_typed_in_tmux() {
    use support::tmux::Tmux;
    let w = ServedWorld::start(&[]);
    let creds = w.sources.credentials_file.clone().unwrap();
    let command = format!(
        "env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
         -u AWS_REGION -u AWS_DEFAULT_REGION -u AWS_ENDPOINT_URL \
         AWS_SHARED_CREDENTIALS_FILE={} AWS_CONFIG_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
         {} --profile admin",
        creds.display(),
        env!("CARGO_BIN_EXE_grantscope")
    );
    let t = Tmux::start_sized("aws", (140, 40), &[&command]);
    t.wait_for(&["aws:admin", "alias/classroom", "Enabled"]);
    // No grant names granttestuser yet: IAM lists it.
    t.wait_for(&["Principals (3)", "granttestuser"]);

    t.keys(&["e"]);
    t.wait_for(&["Test a grant on alias/classroom", "◀ Encrypt ▶"]);
    // Whom to act as: a configured profile, typed (or picked with ↑↓).
    t.keys(&["Tab", "Tab"]);
    t.wait_for(&["↑↓ to pick"]);
    t.keys(&["granttestuser"]);
    t.wait_for(&["(profile granttestuser)"]);
    t.keys(&["Enter"]);
    t.wait_for(&["Encrypt: DENIED", "user/granttestuser is not authorized"]);
    t.keys(&["Escape"]);

    t.keys(&["c"]);
    t.wait_for(&["Create grant on alias/classroom"]);
    t.keys(&[USER, "Tab", "Down", "Space"]);
    t.wait_for(&["[x] Encrypt"]);
    t.keys(&["Enter"]);
    t.wait_for(&["Grant created on alias/classroom", "GrantToken"]);
    t.keys(&["Escape"]);

    t.keys(&["e"]);
    t.wait_for(&["Test a grant on alias/classroom"]);
    // It remembers whom it acted as last; the token is this session's.
    t.wait_for(&["(profile granttestuser)"]);
    t.keys(&["Tab", "Tab", "Tab", "Tab", "Down", "Enter"]);
    t.wait_for(&["Encrypt: ALLOWED", &format!("As {USER}")]);
    t.keys(&["Escape", "q"]);
    t.wait_ended("q did not quit");
}
