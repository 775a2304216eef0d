//! Testing a grant through the UI (`e` on a grant): every grant operation of a symmetric
//! key, as the grantee (allowed, through the grant) and as a principal without rights
//! (denied in AWS's words, with the simulator's WHY); DryRuns that change nothing;
//! CreateGrant and RetireGrant performed for real only when DryRun is turned off (never in
//! read-only mode); the defaults taken from the selected grant; the CLI equivalent.

mod tui_common;

use crossterm::event::{KeyCode, KeyModifiers};

use grantscope::backend::{EventOutcome, TestAnswer, TestOutcome};
use grantscope::kms::GrantOperation;
use grantscope::tui::dialogs::{TestField, TestGrant};
use grantscope::tui::pane::Pane;
use tui_common::Harness;

const USER_ARN: &str = "arn:aws:iam::111122223333:user/granttestuser";
const OUTSIDER_ARN: &str = "arn:aws:iam::111122223333:user/outsider";

fn dialog(h: &Harness) -> &TestGrant {
    h.grant_test()
}

/// Open the dialog on the all-ops grant and choose `op`.
fn open_on(h: &mut Harness, op: GrantOperation) {
    h.open_grant_test("all-ops", op);
}

/// Act as `who` (a principal's name), typed into the Act as field.
fn act_as(h: &mut Harness, who: &str) {
    h.tab_to(TestField::ActAs);
    h.key_with(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text(who);
}

/// Run the test; its outcome.
fn run(h: &mut Harness) -> TestOutcome {
    h.key(KeyCode::Enter);
    let d = dialog(h);
    assert!(!d.running);
    d.result
        .clone()
        .expect("a result")
        .expect("the test was made")
}

/// Turn DryRun off (or on) from the operation field.
fn toggle_dry_run(h: &mut Harness) {
    h.tab_to(TestField::DryRun);
    h.press(' ');
}

fn grant_ids(h: &Harness) -> Vec<String> {
    h.app
        .grants
        .all()
        .iter()
        .map(|g| g.grant_id.clone())
        .collect()
}

/// The operations of the classroom's all-ops grant: every grant operation of a symmetric
/// key the UI tests, but the data key pair ones (tested in tui_test_grant_asymmetric).
const ALL_OPS: [GrantOperation; 9] = [
    GrantOperation::Encrypt,
    GrantOperation::Decrypt,
    GrantOperation::GenerateDataKey,
    GrantOperation::GenerateDataKeyWithoutPlaintext,
    GrantOperation::ReEncryptFrom,
    GrantOperation::ReEncryptTo,
    GrantOperation::DescribeKey,
    GrantOperation::CreateGrant,
    GrantOperation::RetireGrant,
];

#[test]
fn every_symmetric_grant_operation_is_allowed_to_the_grantee() {
    let mut h = Harness::classroom_for_grant_tests();
    let before = grant_ids(&h);
    for op in ALL_OPS {
        open_on(&mut h, op);
        let d = dialog(&h);
        assert_eq!(d.act_as.value(), USER_ARN, "the grant's grantee acts");
        assert!(d.granted(op));
        // CreateGrant and RetireGrant are DryRuns unless turned off.
        let dry = matches!(
            op,
            GrantOperation::CreateGrant | GrantOperation::RetireGrant
        );
        assert_eq!(d.is_dry_run(), dry, "{op}");
        let out = run(&mut h);
        assert_eq!(out.caller, USER_ARN);
        assert_eq!(out.dry_run, dry);
        let answer = out.result.clone().unwrap_or_else(|e| panic!("{op}: {e}"));
        match (op, &answer) {
            (GrantOperation::Encrypt, TestAnswer::Encrypted { round_trip, .. }) => {
                assert_eq!(round_trip.as_deref(), Ok("hello"))
            }
            (GrantOperation::Decrypt, TestAnswer::Decrypted { plaintext }) => {
                assert_eq!(plaintext, "hello");
                let note = out.prepared.as_deref().unwrap();
                assert!(note.contains("made by admin (the operator)"), "{note}");
            }
            (GrantOperation::GenerateDataKey, TestAnswer::DataKey(k)) => {
                let f = k.plaintext.as_ref().expect("a fingerprint");
                assert_eq!(f.bytes, 32);
            }
            (GrantOperation::GenerateDataKeyWithoutPlaintext, TestAnswer::DataKey(k)) => {
                assert!(k.plaintext.is_none());
                assert!(!k.ciphertext_base64.is_empty());
            }
            (
                GrantOperation::ReEncryptFrom | GrantOperation::ReEncryptTo,
                TestAnswer::ReEncrypted {
                    source_arn,
                    destination_arn,
                    ..
                },
            ) => assert_eq!(source_arn, destination_arn, "to the key itself"),
            (GrantOperation::DescribeKey, TestAnswer::Described(k)) => {
                assert_eq!(
                    (k.state.as_str(), k.usage.as_str()),
                    ("Enabled", "ENCRYPT_DECRYPT")
                )
            }
            (
                GrantOperation::CreateGrant | GrantOperation::RetireGrant,
                TestAnswer::WouldBeAllowed,
            ) => {}
            other => panic!("unexpected answer {other:?}"),
        }
        // The tested call's WHY: allowed through the grant.
        let why = dialog(&h).whys.last().expect("a WHY").clone();
        assert_eq!(why.caller, USER_ARN, "{op}");
        assert!(why.why.contains("grant"), "{op}: {}", why.why);
        let screen = h.screen(100, 30);
        let headline = if dry {
            format!("DryRun {op}: WOULD BE ALLOWED")
        } else {
            format!("Performed {}: ALLOWED", grantscope::backend::api_name(op))
        };
        assert!(screen.contains(&headline), "{op}:\n{screen}");
        h.key(KeyCode::Esc);
        assert!(h.app.dialog.is_none());
    }
    assert_eq!(grant_ids(&h), before, "the DryRuns changed nothing");
}

#[test]
fn every_symmetric_grant_operation_is_denied_to_a_principal_without_rights() {
    let mut h = Harness::classroom_for_grant_tests();
    for op in ALL_OPS {
        open_on(&mut h, op);
        act_as(&mut h, "outsider");
        let out = run(&mut h);
        assert_eq!(out.caller, OUTSIDER_ARN);
        let e = out.result.clone().unwrap_err();
        assert!(e.is_access_denied(), "{op}: {e}");
        assert!(
            e.message.starts_with(&format!(
                "User: {OUTSIDER_ARN} is not authorized to perform: kms:"
            )),
            "{op}: {e}"
        );
        let why = dialog(&h).whys.last().expect("a WHY").clone();
        assert_eq!(
            (why.caller.as_str(), &why.outcome),
            (OUTSIDER_ARN, &EventOutcome::Denied)
        );
        let screen = h.screen(160, 45);
        assert!(screen.contains("DENIED"), "{op}:\n{screen}");
        assert!(
            screen.contains("An error occurred (AccessDeniedException) when calling the"),
            "{op}:\n{screen}"
        );
        assert!(screen.contains("WHY "), "{op}:\n{screen}");
        h.key(KeyCode::Esc);
    }
}

#[test]
fn a_retire_grant_dry_run_leaves_the_grant_listed_and_retiring_for_real_removes_it() {
    let mut h = Harness::classroom_for_grant_tests();
    let all_ops = "a11a11a11a11a11a11a11a11a11a11a11a11a11a11a11a11a11a11a11a11a11a";
    open_on(&mut h, GrantOperation::RetireGrant);
    assert!(dialog(&h).cli_commands()[0].ends_with("--dry-run --profile granttestuser"));
    let out = run(&mut h);
    assert_eq!(out.result, Ok(TestAnswer::WouldBeAllowed));
    assert!(grant_ids(&h).contains(&all_ops.to_string()), "still listed");
    assert!(!h.app.changed, "nothing changed");

    // DryRun off: the button says it will do it, and it does.
    toggle_dry_run(&mut h);
    assert!(h
        .screen(100, 30)
        .contains("[ Perform RetireGrant for real ]"));
    let out = run(&mut h);
    assert_eq!(out.result, Ok(TestAnswer::Retired));
    assert!(h.screen(100, 30).contains("Performed RetireGrant: ALLOWED"));
    assert_eq!(
        h.app.status.as_ref().unwrap().text,
        "Performed RetireGrant: allowed"
    );
    assert!(!grant_ids(&h).contains(&all_ops.to_string()), "retired");
    assert!(h.app.changed);
}

#[test]
fn create_grant_for_real_adds_a_grant_and_offers_its_token() {
    let mut h = Harness::classroom_for_grant_tests();
    let before = h.app.grants.len();
    open_on(&mut h, GrantOperation::CreateGrant);
    // The new grant: for the principal acted as, with the selected grant's first use.
    assert!(dialog(&h).cli_commands()[0].contains(&format!(
        "--grantee-principal {USER_ARN} --operations Encrypt --dry-run"
    )));
    toggle_dry_run(&mut h);
    let out = run(&mut h);
    let Ok(TestAnswer::GrantCreated {
        grant_id,
        grant_token,
    }) = out.result
    else {
        panic!("expected a grant, got {:?}", out.result)
    };
    assert_eq!(h.app.grants.len(), before + 1);
    assert!(dialog(&h)
        .tokens
        .choices
        .iter()
        .any(|(_, t)| *t == grant_token));
    h.key(KeyCode::Esc);

    // Selected in the grants pane, its token is one key away (Ctrl-T).
    h.focus(Pane::Grants);
    h.key(KeyCode::Home);
    while h.app.selected_grant().unwrap().grant_id != grant_id {
        h.press('j');
    }
    h.press('e');
    h.key_with(KeyCode::Char('t'), KeyModifiers::CONTROL);
    assert_eq!(dialog(&h).tokens.value(), grant_token);
}

#[test]
fn read_only_tests_grant_changes_with_dry_run_only() {
    let mut h = Harness::classroom_for_grant_tests();
    h.app.read_only = true;
    open_on(&mut h, GrantOperation::RetireGrant);
    toggle_dry_run(&mut h);
    assert!(dialog(&h).is_dry_run(), "still a DryRun");
    assert!(dialog(&h)
        .error
        .as_deref()
        .unwrap()
        .starts_with("Read-only"));
    assert_eq!(run(&mut h).result, Ok(TestAnswer::WouldBeAllowed));
}

#[test]
fn a_constrained_grant_opens_on_its_first_operation_with_its_context() {
    let mut h = Harness::classroom_with_grants();
    h.select_grant("nightly-batch");
    h.press('e');
    let d = dialog(&h);
    assert_eq!(d.operation, GrantOperation::Decrypt);
    assert_eq!(d.context.value(), "job=nightly");
    assert_eq!(d.act_as.value(), USER_ARN);
    let out = run(&mut h);
    assert_eq!(
        out.result,
        Ok(TestAnswer::Decrypted {
            plaintext: "hello".into()
        })
    );
    assert!(out
        .prepared
        .as_deref()
        .unwrap()
        .contains("with the same encryption context"));
    // Without the context, the grant does not apply.
    let d = dialog(&h);
    assert_eq!(d.field(), TestField::Operation);
    h.tab_to(TestField::Context);
    h.key_with(KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert!(run(&mut h).result.unwrap_err().is_access_denied());
}

#[test]
fn the_cli_equivalent_follows_the_operation() {
    let mut h = Harness::classroom_for_grant_tests();
    let cli = |h: &mut Harness, op| {
        open_on(h, op);
        let cmds = dialog(h).cli_commands();
        h.key(KeyCode::Esc);
        cmds
    };
    let decrypt = cli(&mut h, GrantOperation::Decrypt);
    assert!(
        decrypt[0].starts_with("aws kms encrypt --key-id arn:aws:kms:"),
        "{decrypt:?}"
    );
    assert!(
        !decrypt[0].contains("--profile"),
        "the sample is the operator's: {decrypt:?}"
    );
    assert!(decrypt[1].starts_with("aws kms decrypt --key-id arn:aws:kms:"));
    assert!(decrypt[1].contains("--ciphertext-blob fileb://sample.bin"));
    assert!(decrypt[1].ends_with("--profile granttestuser"));
    let gdk = cli(&mut h, GrantOperation::GenerateDataKey);
    assert!(gdk[0].starts_with("aws kms generate-data-key --key-id"));
    assert!(gdk[0].contains("--key-spec AES_256"));
    let without = cli(&mut h, GrantOperation::GenerateDataKeyWithoutPlaintext);
    assert!(without[0].starts_with("aws kms generate-data-key-without-plaintext"));
    let re = cli(&mut h, GrantOperation::ReEncryptTo);
    assert!(re[1].starts_with("aws kms re-encrypt --ciphertext-blob fileb://sample.bin"));
    let describe = cli(&mut h, GrantOperation::DescribeKey);
    assert!(describe[0].starts_with("aws kms describe-key --key-id"));
    let create = cli(&mut h, GrantOperation::CreateGrant);
    assert!(create[0].starts_with("aws kms create-grant") && create[0].contains("--dry-run"));
    let retire = cli(&mut h, GrantOperation::RetireGrant);
    assert!(retire[0].starts_with("aws kms retire-grant") && retire[0].contains("--grant-id a11a"));

    // DryRun is a flag of the command.
    open_on(&mut h, GrantOperation::Encrypt);
    toggle_dry_run(&mut h);
    let cmds = dialog(&h).cli_commands();
    assert_eq!(cmds.len(), 1, "a DryRun has no round trip: {cmds:?}");
    assert!(cmds[0].contains("--dry-run"));
}

#[test]
fn re_encrypt_to_another_key_needs_re_encrypt_to_on_it() {
    let mut h = Harness::classroom_for_grant_tests();
    open_on(&mut h, GrantOperation::ReEncryptFrom);
    h.tab_to(TestField::OtherKey);
    h.key(KeyCode::Down); // the other key: alias/archive
    assert!(dialog(&h).other_key.value().contains("5678abcd"));
    let e = run(&mut h).result.unwrap_err();
    assert!(e.is_access_denied(), "{e}");
    assert!(e.message.contains("kms:ReEncryptTo"), "{e}");
}
