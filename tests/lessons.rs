//! Classroom lessons (issue #7): every shipped lesson runs to its end on the simulator
//! through the runner, each step's outcome as the lesson says (denials are AWS's
//! AccessDeniedException); steps done through the normal UI are noticed; a wrong outcome
//! is flagged; replay and reset work; malformed lessons are refused naming file and step.

use grantscope::audit::AuditConfig;
use grantscope::backend::{Actor, Backend, SimBackend, TestCall, WorldControls};
use grantscope::kms::{GrantId, GrantOperation, KeyRef, Principal};
use grantscope::lesson::placeholders::scan;
use grantscope::lesson::{
    backend_for, perform, Completion, Lesson, LessonRequest, LessonResult, LessonRun, StepKey,
    StepStatus, Verdict,
};

const CLASSROOM_KEY: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

struct Live {
    run: LessonRun,
    backend: SimBackend,
}

fn start(name: &str) -> Live {
    let lesson = Lesson::load(name).expect("shipped lesson loads");
    let (run, world) = lesson.start().expect("lesson world builds");
    let backend = backend_for(world, &lesson.scenario.name).expect("backend");
    Live { run, backend }
}

/// Press the step key once and perform what it asks; the request and its result.
async fn press(live: &mut Live) -> Option<(LessonRequest, LessonResult)> {
    match live.run.step_key() {
        StepKey::Perform { ticket, request } => {
            let done = perform(
                &live.backend,
                &request,
                live.run.seen_seq(),
                &AuditConfig::default(),
            )
            .await;
            let result = done.result.clone();
            live.run.complete(ticket, done);
            Some((request, result))
        }
        StepKey::Advanced => None,
        other => panic!("step key: {other:?}"),
    }
}

fn index_of(run: &LessonRun, id: &str) -> usize {
    run.lesson()
        .steps
        .iter()
        .position(|s| s.id == id)
        .unwrap_or_else(|| panic!("no step {id}"))
}

/// The presenter tests Encrypt as granttestuser through the UI's own backend call.
async fn encrypt_as_granttestuser(live: &Live) -> bool {
    live.backend
        .test_operation(TestCall::new(
            KeyRef::parse("alias/classroom"),
            Actor::Principal(
                Principal::parse("arn:aws:iam::111122223333:user/granttestuser").unwrap(),
            ),
            GrantOperation::Encrypt,
        ))
        .await
        .is_ok_and(|out| out.allowed())
}

/// Show the runner what happened in the UI since it last looked; did a step complete?
async fn observe_ui(live: &mut Live) -> bool {
    let events = live
        .backend
        .activity_since(live.run.seen_seq())
        .await
        .unwrap();
    live.run.observe(&events)
}

async fn press_until(live: &mut Live, id: &str) {
    let target = index_of(&live.run, id);
    while live.run.current_index() < target {
        press(live).await;
    }
}

fn assert_access_denied<T: std::fmt::Debug>(
    r: &Result<T, grantscope::backend::BackendError>,
    who: &str,
) {
    let e = r.as_ref().expect_err("denied");
    assert!(e.is_access_denied(), "{e}");
    assert!(
        e.message
            .starts_with(&format!("User: {who} is not authorized to perform: kms:")),
        "AWS's wording: {}",
        e.message
    );
}

#[tokio::test]
async fn every_shipped_lesson_runs_to_its_end_with_the_expected_outcomes() {
    assert_eq!(
        Lesson::builtin_names(),
        vec!["walkthrough", "constraints", "stale-grant-hunt"]
    );
    for name in Lesson::builtin_names() {
        let mut live = start(name);
        let steps = live.run.lesson().steps.clone();
        for (i, step) in steps.iter().enumerate() {
            assert_eq!(live.run.current_index(), i, "{name}: step {}", step.id);
            // Every placeholder of the CLI command is filled by the time the step runs.
            if let Some(cli) = live.run.cli(i) {
                assert!(
                    scan(&cli).is_empty(),
                    "{name} {}: unfilled in {cli}",
                    step.id
                );
            }
            let performed = press(&mut live).await;
            match live.run.status(i) {
                Some(StepStatus::Done { how, .. }) => assert_eq!(*how, Completion::StepKey),
                other => panic!("{name} step {}: {other:?}", step.id),
            }
            // The lesson's denials are AWS's AccessDeniedException, not any failure.
            if step.expect.outcome == Some(Verdict::Denied) {
                let (request, result) = performed.expect("a denied step calls KMS");
                let who = match &request {
                    LessonRequest::Encrypt(i) | LessonRequest::Decrypt(i) => i.actor.to_string(),
                    LessonRequest::RetireGrant { actor, .. } => {
                        actor.as_ref().expect("retire as someone").to_string()
                    }
                    other => panic!("unexpected denied request {other:?}"),
                };
                match (&request, &result) {
                    (LessonRequest::Decrypt(_), LessonResult::Encrypted(Ok(out))) => {
                        assert_access_denied(&out.decrypt, &who)
                    }
                    (_, LessonResult::Encrypted(r)) => assert_access_denied(r, &who),
                    (_, LessonResult::Done(r)) => assert_access_denied(r, &who),
                    other => panic!("{name} {}: {other:?}", step.id),
                }
            }
        }
        assert!(live.run.is_finished(), "{name} ends");
        assert!(matches!(live.run.step_key(), StepKey::Finished));
    }
}

#[tokio::test]
async fn walkthrough_shows_eventual_consistency() {
    let mut live = start("walkthrough");
    press_until(&mut live, "not-yet").await;
    let (_, before_wait) = press(&mut live).await.expect("encrypt");
    let LessonResult::Encrypted(r) = before_wait else {
        panic!("encrypt result")
    };
    assert_access_denied(&r, "arn:aws:iam::111122223333:user/granttestuser");
    let (_, with_token) = press(&mut live).await.expect("encrypt with token");
    assert!(matches!(with_token, LessonResult::Encrypted(Ok(_))));
    press(&mut live).await; // wait 5s
    let (_, after_wait) = press(&mut live).await.expect("encrypt");
    assert!(matches!(after_wait, LessonResult::Encrypted(Ok(_))));
}

#[tokio::test]
async fn a_step_done_in_the_ui_is_noticed() {
    let mut live = start("walkthrough");
    press_until(&mut live, "denied").await;
    let i = live.run.current_index();
    // The presenter tests Encrypt as granttestuser through the UI's own backend call.
    assert!(!encrypt_as_granttestuser(&live).await);
    assert!(observe_ui(&mut live).await);
    assert!(matches!(
        live.run.status(i),
        Some(StepStatus::Done {
            how: Completion::Observed,
            ..
        })
    ));
    assert_eq!(live.run.current_step().unwrap().id, "create-grant");

    // Create the grant in the UI: the step completes and captures the UI's GrantId/token.
    let LessonRequest::CreateGrant(input) = live.run.request(live.run.current_index()).unwrap()
    else {
        panic!("create-grant request")
    };
    let created = live.backend.create_grant(input.clone()).await.unwrap();
    live.run.note_created_grant(&created, &input);
    assert!(observe_ui(&mut live).await);
    assert_eq!(live.run.vars().get("grant_id"), Some(&created.grant_id));
    assert_eq!(
        live.run.vars().get("grant_token"),
        Some(&created.grant_token)
    );
    assert_eq!(live.run.current_step().unwrap().id, "not-yet");

    // The UI's own listing (any refresh) does not complete unrelated steps.
    live.backend
        .list_grants(&KeyRef::parse(CLASSROOM_KEY), None)
        .await
        .unwrap();
    observe_ui(&mut live).await;
    assert_eq!(live.run.current_step().unwrap().id, "not-yet");
}

#[tokio::test]
async fn the_request_of_a_step_key_is_not_observed_twice() {
    let mut live = start("walkthrough");
    press_until(&mut live, "not-yet").await;
    press(&mut live).await; // not-yet: Encrypt denied
    assert_eq!(live.run.current_step().unwrap().id, "with-token");
    // Feeding the whole log (the UI polls it) must not complete the next Encrypt step.
    let events = live.backend.activity_since(0).await.unwrap();
    live.run.observe(&events);
    assert_eq!(live.run.current_step().unwrap().id, "with-token");
}

#[tokio::test]
async fn a_wrong_outcome_is_flagged_not_accepted() {
    let mut live = start("walkthrough");
    press_until(&mut live, "not-yet").await;
    // Let the grant propagate behind the lesson's back: "still denied" is now allowed.
    WorldControls::advance_clock(&live.backend, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    let i = live.run.current_index();
    press(&mut live).await;
    match live.run.status(i) {
        Some(StepStatus::Unexpected { message }) => {
            assert!(
                message.contains("expected AccessDeniedException"),
                "{message}"
            );
            assert!(message.contains("allowed"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(live.run.current_index(), i, "the step stays current");

    // Observed through the UI, a wrong verdict is flagged too.
    let mut live = start("walkthrough");
    press_until(&mut live, "propagated").await;
    let i = live.run.current_index();
    live.backend
        .revoke_grant(
            &KeyRef::parse(CLASSROOM_KEY),
            &GrantId::parse(&live.run.vars()["grant_id"]).unwrap(),
        )
        .await
        .unwrap();
    WorldControls::advance_clock(&live.backend, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    encrypt_as_granttestuser(&live).await;
    observe_ui(&mut live).await;
    assert!(
        matches!(live.run.status(i), Some(StepStatus::Unexpected { message }) if message.contains("expected allowed")),
        "{:?}",
        live.run.status(i)
    );
}

#[tokio::test]
async fn replay_and_reset() {
    let mut live = start("walkthrough");
    press_until(&mut live, "list").await;
    let denied = index_of(&live.run, "denied");
    // Replaying "denied" now (the grant has propagated) meets today's world: allowed.
    assert!(live.run.replay(denied));
    assert_eq!(live.run.current_index(), denied);
    assert!(live.run.statuses()[denied..]
        .iter()
        .all(|s| *s == StepStatus::Pending));
    press(&mut live).await;
    assert!(matches!(
        live.run.status(denied),
        Some(StepStatus::Unexpected { .. })
    ));

    // A request handed out before a reset is ignored after it.
    let StepKey::Perform { ticket, request } = live.run.step_key() else {
        panic!("perform")
    };
    let stale = perform(&live.backend, &request, 0, &AuditConfig::default()).await;
    let world = live.run.reset().expect("reset");
    assert!(live.run.complete(ticket, stale).is_none());
    assert_eq!(live.run.current_index(), 0);
    assert!(live.run.vars().get("grant_id").is_none());
    assert!(live
        .run
        .statuses()
        .iter()
        .all(|s| *s == StepStatus::Pending));
    // The world is back at the lesson's start: the grant made in the lesson is gone.
    let backend = backend_for(world, "classroom").unwrap();
    let page = backend
        .list_grants(&KeyRef::parse(CLASSROOM_KEY), None)
        .await
        .unwrap();
    assert!(page.grants.is_empty());
    live.backend = backend;
    press_until(&mut live, "not-yet").await;
    let (_, r) = press(&mut live).await.unwrap();
    assert!(matches!(r, LessonResult::Encrypted(Err(ref e)) if e.is_access_denied()));
}

const HEAD: &str = "title = \"t\"\nscenario = \"classroom\"\n";

fn step(id: &str, body: &str) -> String {
    format!("\n[[steps]]\nid = \"{id}\"\ntitle = \"x\"\nnarration = \"y\"\n{body}\n")
}

#[test]
fn malformed_lessons_are_refused_naming_file_and_step() {
    let dir = tempfile::tempdir().unwrap();
    let grant = "action = { do = \"create-grant\", key = \"alias/classroom\", grantee = \"granttestuser\", operations = [\"Encryptt\"] }";
    let cases: Vec<(&str, String, String)> = vec![
        (
            "op",
            format!("{HEAD}{}{}", step("intro", ""), step("create-grant", grant)),
            "step 2 \"create-grant\": unknown operation \"Encryptt\"".into(),
        ),
        (
            "principal",
            format!("{HEAD}{}", step("enc", "action = { do = \"encrypt\", key = \"alias/classroom\", as = \"nobody\" }")),
            "step 1 \"enc\": unknown principal \"nobody\"".into(),
        ),
        (
            "key",
            format!("{HEAD}{}", step("list", "action = { do = \"list-grants\", key = \"alias/nope\" }")),
            "step 1 \"list\": unknown key \"alias/nope\"".into(),
        ),
        (
            "early",
            format!(
                "{HEAD}{}{}",
                step("revoke", "action = { do = \"revoke-grant\", key = \"alias/classroom\", grant = \"{grant_id}\" }"),
                step("create", &grant.replace("Encryptt", "Encrypt"))
            ),
            "step 1 \"revoke\": {grant_id} is used before a step captures it".into(),
        ),
        (
            "unknown-var",
            format!("{HEAD}{}", step("a", "cli = \"aws kms list-grants --key-id {kee}\"")),
            "step 1 \"a\": unknown placeholder {kee}".into(),
        ),
        (
            "dup",
            format!("{HEAD}{}{}", step("a", ""), step("a", "")),
            "step 2 \"a\": duplicate step id \"a\"".into(),
        ),
        (
            "select-grant",
            format!("{HEAD}{}", step("a", "action = { do = \"select\", principal = \"granttestuser\", grant = \"{grant_id}\" }")),
            "step 1 \"a\": select with a grant needs the grant's key".into(),
        ),
        ("empty", HEAD.to_string(), "the lesson has no steps".into()),
        (
            "denied-narration",
            format!("{HEAD}{}", step("a", "expect = { outcome = \"denied\" }")),
            "step 1 \"a\": expect: a narrate step makes no KMS call".into(),
        ),
        (
            "field",
            format!("{HEAD}{}", step("a", "colour = \"red\"")),
            "unknown field `colour`".into(),
        ),
    ];
    for (name, text, want) in cases {
        let path = dir.path().join(format!("{name}.toml"));
        std::fs::write(&path, text).unwrap();
        let err = Lesson::load(path.to_str().unwrap())
            .expect_err(name)
            .to_string();
        assert!(
            err.starts_with(&path.display().to_string()),
            "{name}: {err}"
        );
        assert!(err.contains(&want), "{name}: {err}\nwanted: {want}");
    }
    // A well-formed lesson next to its own scenario file loads.
    std::fs::write(
        dir.path().join("w.toml"),
        "name = \"w\"\nregion = \"eu-west-1\"\n[[accounts]]\nid = \"111122223333\"\n[[principals]]\nname = \"u\"\n[[keys]]\naliases = [\"alias/k\"]\n",
    )
    .unwrap();
    let path = dir.path().join("ok.toml");
    std::fs::write(
        &path,
        format!(
            "title = \"t\"\nscenario = \"w.toml\"\n{}",
            step("enc", "action = { do = \"encrypt\", key = \"alias/k\", as = \"u\" }\nexpect = { outcome = \"denied\" }")
        ),
    )
    .unwrap();
    let lesson = Lesson::load(path.to_str().unwrap()).expect("loads");
    assert_eq!(lesson.steps.len(), 1);
    assert!(lesson.start().is_ok());
}

#[test]
fn the_cli_lists_and_checks_lessons() {
    let list = grantscope::cli::lesson::list().unwrap();
    for name in Lesson::builtin_names() {
        assert!(list.contains(name), "{list}");
    }
    let (report, ok) = grantscope::cli::lesson::check("walkthrough").unwrap();
    assert!(ok, "{report}");
    assert!(
        report.contains("--grant-tokens A"),
        "token filled: {report}"
    );
    assert!(!report.contains("{grant_id}"), "{report}");
}

#[tokio::test]
async fn a_grant_made_in_the_ui_that_is_not_the_steps_is_flagged_with_what_differs() {
    for observed_first in [false, true] {
        let mut live = start("walkthrough");
        press_until(&mut live, "create-grant").await;
        let i = live.run.current_index();
        let LessonRequest::CreateGrant(mut input) = live.run.request(i).unwrap() else {
            panic!("create-grant request")
        };
        // The presenter ticks Decrypt instead of Encrypt.
        input.operations = vec![grantscope::kms::GrantOperation::Decrypt];
        let created = live.backend.create_grant(input.clone()).await.unwrap();
        if observed_first {
            observe_ui(&mut live).await;
            live.run.note_created_grant(&created, &input);
        } else {
            live.run.note_created_grant(&created, &input);
            observe_ui(&mut live).await;
        }
        match live.run.status(i) {
            Some(StepStatus::Unexpected { message }) => {
                assert!(
                    message.contains("it allows Decrypt, the step asks for Encrypt"),
                    "{message}"
                );
                assert!(message.contains("Revoke it"), "{message}");
            }
            other => panic!("observed first: {observed_first}: {other:?}"),
        }
        assert_eq!(live.run.current_index(), i, "the step stays current");
        assert!(
            live.run.vars().get("grant_id").is_none(),
            "nothing captured"
        );
    }
}
