//! The UI's update function, driven by messages and key presses against the simulator
//! backend on a manual clock: the grants walkthrough end to end, and each interaction.

mod tui_common;

use crossterm::event::{KeyCode, KeyModifiers};

use grantscope::backend::{BackendError, PrincipalKindLabel, TestAnswer};
use grantscope::kms::GrantOperation;
use grantscope::kms::{AwsErrorCode, ErrorCode, KeyRef};
use grantscope::tui::actions::Action;
use grantscope::tui::app::GrantScope;
use grantscope::tui::dialogs::{Dialog, GrantField, TestField};
use grantscope::tui::jobs::Slot;
use grantscope::tui::keymap::available;
use grantscope::tui::message::{Command, Msg, Work};
use grantscope::tui::pane::Pane;
use tui_common::Harness;

const USER_ARN: &str = "arn:aws:iam::111122223333:user/granttestuser";

fn classroom() -> Harness {
    Harness::scenario("classroom", false)
}

/// An Encrypt test's answer: the ciphertext and its round trip.
#[derive(Debug)]
struct Encrypted {
    ciphertext_base64: String,
    decrypt: Result<String, BackendError>,
}

/// The open dialog's Encrypt test: its answer, or the Encrypt call's error.
fn encrypt_result(h: &Harness) -> Result<Encrypted, BackendError> {
    match &h.app.dialog {
        Some(Dialog::TestGrant(f)) => {
            let out = f
                .result
                .clone()
                .expect("a result")
                .expect("the test was made");
            out.result.map(|answer| match answer {
                TestAnswer::Encrypted {
                    ciphertext_base64,
                    round_trip,
                } => Encrypted {
                    ciphertext_base64,
                    decrypt: round_trip,
                },
                other => panic!("expected a ciphertext, got {other:?}"),
            })
        }
        other => panic!("expected the test-a-grant dialog, got {other:?}"),
    }
}

/// From the principals pane, create-grant for granttestuser with Encrypt ticked, as a
/// person types it; the grant-created dialog is closed.
fn grant_encrypt_to_granttestuser(h: &mut Harness) {
    h.select_principal("granttestuser");
    h.press('c');
    h.key(KeyCode::Tab);
    h.key(KeyCode::Down);
    h.press(' ');
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
}

/// Test Encrypt (the operation the dialog opens with off the grants pane) as the selected
/// principal, with this session's latest token for the key when `with_token`.
fn test_encrypt(h: &mut Harness, with_token: bool) -> Result<Encrypted, BackendError> {
    h.press('e');
    if with_token {
        // Operation, DryRun, Act as, Plaintext, then Grant tokens.
        for _ in 0..4 {
            h.key(KeyCode::Tab);
        }
        h.key(KeyCode::Down);
        match &h.app.dialog {
            Some(Dialog::TestGrant(f)) => {
                assert_eq!(f.field(), TestField::Tokens);
                assert!(!f.tokens.value().is_empty(), "a token is offered");
            }
            other => panic!("expected the test-a-grant dialog, got {other:?}"),
        }
    }
    h.key(KeyCode::Enter);
    let r = encrypt_result(h);
    h.key(KeyCode::Esc);
    assert!(h.app.dialog.is_none());
    r
}

#[test]
fn classroom_walkthrough_denied_granted_with_token_revoked_denied_again() {
    let mut h = classroom();
    // Select the classroom key: it is the only one and selected at start.
    assert_eq!(
        h.app.selected_key().unwrap().aliases,
        vec!["alias/classroom"]
    );
    assert!(
        matches!(&h.app.grant_scope, GrantScope::Key { label, .. } if label == "alias/classroom")
    );
    assert_eq!(h.app.grants.len(), 0);

    // Test Encrypt as granttestuser: denied, in AWS's words.
    h.select_principal("granttestuser");
    let denied = test_encrypt(&mut h, false).unwrap_err();
    assert!(denied.is_access_denied(), "{denied}");
    assert!(denied.message.contains(&format!(
        "User: {USER_ARN} is not authorized to perform: kms:Encrypt on resource: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )));

    // Create an Encrypt grant for granttestuser (the grantee comes from the selection).
    h.press('c');
    h.key(KeyCode::Tab);
    h.key(KeyCode::Down); // Decrypt -> Encrypt
    h.press(' ');
    match &h.app.dialog {
        Some(Dialog::CreateGrant(f)) => {
            assert_eq!(f.grantee.value(), USER_ARN);
            assert_eq!(f.checked(), vec![GrantOperation::Encrypt]);
            assert!(f.cli_command().ends_with(&format!(
                "--grantee-principal {USER_ARN} --operations Encrypt"
            )));
        }
        other => panic!("expected the create-grant form, got {other:?}"),
    }
    h.key(KeyCode::Enter);
    let (grant_id, token) = match &h.app.dialog {
        Some(Dialog::GrantCreated(d)) => (d.grant_id.clone(), d.grant_token.clone()),
        other => panic!("expected the grant-created dialog, got {other:?}"),
    };
    assert_eq!(grant_id.len(), 64);
    assert!(!token.is_empty());
    h.press('c');
    assert_eq!(h.commands.last(), Some(&Command::Copy(token.clone())));
    h.key(KeyCode::Esc);
    assert_eq!(h.app.selected_principal().unwrap().grant_count, 1);

    // Test Encrypt with the token: allowed at once (the grant has not propagated yet);
    // the decrypt round trip is denied, the grant allows Encrypt only.
    let ok = test_encrypt(&mut h, true).expect("encrypt with the token is allowed");
    assert!(!ok.ciphertext_base64.is_empty());
    assert!(ok.decrypt.unwrap_err().is_access_denied());
    let last = h
        .app
        .events
        .all()
        .iter()
        .rev()
        .find(|e| e.operation == "Encrypt")
        .unwrap();
    assert!(
        last.why.contains("effective now through its grant token"),
        "{}",
        last.why
    );

    // Revoke it from the grants pane of the key.
    h.key(KeyCode::Esc); // back to the keys pane
    assert_eq!(h.app.focus, Pane::Keys);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Pane::Grants);
    assert_eq!(h.app.grants.len(), 1);
    assert_eq!(
        h.app.selected_grant().unwrap().grantee_name,
        "granttestuser"
    );
    h.press('x');
    h.key(KeyCode::Tab); // from "Cancel" (the default) to "Revoke"
    h.key(KeyCode::Enter);
    assert!(h.app.dialog.is_none());
    assert_eq!(h.app.status.as_ref().unwrap().text, "Revoked the grant");
    assert_eq!(h.app.grants.len(), 0);
    assert_eq!(h.app.selected_key().unwrap().grant_count, 0);

    // Denied again, token or not.
    h.select_principal("granttestuser");
    let again = test_encrypt(&mut h, true).unwrap_err();
    assert!(again.is_access_denied(), "{again}");
}

#[test]
fn new_grant_needs_its_token_until_it_propagates() {
    let mut h = classroom();
    grant_encrypt_to_granttestuser(&mut h);
    assert!(test_encrypt(&mut h, false).unwrap_err().is_access_denied());
    h.advance(6);
    assert!(test_encrypt(&mut h, false).is_ok());
}

#[test]
fn confirmation_defaults_to_cancel() {
    let mut h = classroom();
    h.select_principal("granttestuser");
    h.press('c');
    h.key(KeyCode::Tab);
    h.press(' '); // Decrypt
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.grants.len(), 1);
    h.press('x');
    match &h.app.dialog {
        Some(Dialog::Confirm(c)) => assert!(!c.confirm_chosen),
        other => panic!("expected a confirmation, got {other:?}"),
    }
    h.key(KeyCode::Enter);
    assert!(h.app.dialog.is_none());
    assert_eq!(
        h.app.grants.len(),
        1,
        "Enter on the default choice revokes nothing"
    );
    h.press('t');
    h.key(KeyCode::Esc);
    assert_eq!(h.app.grants.len(), 1, "Esc retires nothing");
}

#[test]
fn retire_acts_as_the_retiring_principal() {
    let mut h = classroom();
    h.select_principal("granttestuser");
    h.press('c');
    h.key(KeyCode::Tab);
    h.press(' ');
    h.key(KeyCode::Tab);
    h.type_text(USER_ARN); // the retiring principal
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    h.key(KeyCode::Tab);
    h.press('t');
    match &h.app.dialog {
        Some(Dialog::Confirm(c)) => assert!(c.request.lines.iter().any(|l| l.contains(USER_ARN))),
        other => panic!("expected a confirmation, got {other:?}"),
    }
    h.key(KeyCode::Right);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.status.as_ref().unwrap().text, "Retired the grant");
    assert_eq!(h.app.grants.len(), 0);
}

#[test]
fn create_grant_errors_stay_in_the_form_and_the_status_line() {
    let mut h = classroom();
    h.press('c');
    h.key(KeyCode::Enter);
    match &h.app.dialog {
        Some(Dialog::CreateGrant(f)) => assert!(f.error.as_ref().unwrap().contains("grantee")),
        other => panic!("expected the form, got {other:?}"),
    }
    h.type_text("arn:aws:iam::111122223333:user/nobody");
    h.key(KeyCode::Tab);
    h.press(' ');
    h.key(KeyCode::Enter);
    match &h.app.dialog {
        Some(Dialog::CreateGrant(f)) => {
            let e = f.error.as_ref().unwrap();
            assert!(e.starts_with("InvalidArnException"), "{e}");
            assert!(!f.submitting);
        }
        other => panic!("the form stays open, got {other:?}"),
    }
    let status = h.app.status.clone().unwrap();
    assert!(status.error && status.text.contains("InvalidArnException"));
}

#[test]
fn form_fields_cycle_and_constraints_build() {
    let mut h = classroom();
    h.press('c');
    for _ in 0..GrantField::ALL.len() {
        h.key(KeyCode::Tab);
    }
    let Some(Dialog::CreateGrant(f)) = &h.app.dialog else {
        panic!()
    };
    assert_eq!(f.field(), GrantField::Grantee);
    h.key(KeyCode::Down);
    h.key(KeyCode::Tab);
    h.press(' ');
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Right);
    h.key(KeyCode::Tab);
    h.type_text("dept=it");
    h.key(KeyCode::Tab);
    h.type_text("my-grant");
    let Some(Dialog::CreateGrant(f)) = &h.app.dialog else {
        panic!()
    };
    let cmd = f.cli_command();
    assert!(
        cmd.contains("--constraints EncryptionContextSubset={dept=it}"),
        "{cmd}"
    );
    assert!(cmd.ends_with("--name my-grant"), "{cmd}");
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.dialog, Some(Dialog::GrantCreated { .. })));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Tab);
    let g = h.app.selected_grant().unwrap();
    assert_eq!(g.name, "my-grant");
    assert!(g.constraints.is_some());
}

#[test]
fn read_only_mode_offers_no_mutating_action() {
    let mut h = Harness::scenario("classroom", true);
    for pane in Pane::ALL {
        h.focus(pane);
        assert!(available(&h.app).iter().all(|a| !a.mutating()), "{pane:?}");
    }
    h.key(KeyCode::Tab); // keys pane
    h.press('c');
    h.press('d');
    h.press('+');
    assert!(h.app.dialog.is_none());
    assert!(available(&h.app).contains(&Action::TestGrant));
}

#[test]
fn tab_and_shift_tab_cycle_the_panes() {
    let mut h = classroom();
    let mut seen = vec![h.app.focus];
    for _ in 0..4 {
        h.key(KeyCode::Tab);
        seen.push(h.app.focus);
    }
    assert_eq!(
        seen,
        vec![
            Pane::Keys,
            Pane::Grants,
            Pane::Principals,
            Pane::Events,
            Pane::Keys
        ]
    );
    h.key(KeyCode::BackTab);
    assert_eq!(h.app.focus, Pane::Events);
}

#[test]
fn filter_narrows_the_focused_pane_and_esc_clears_it() {
    let mut h = classroom();
    h.select_principal("granttestuser");
    h.press('/');
    assert!(h.app.filter.is_some());
    h.type_text("ADM");
    assert_eq!(h.app.principals.len(), 1);
    assert_eq!(h.app.selected_principal().unwrap().name, "admin");
    h.key(KeyCode::Enter);
    assert!(h.app.filter.is_none());
    assert_eq!(h.app.principals.filter(), "ADM");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.principals.len(), 2);
}

#[test]
fn selecting_a_principal_shows_its_grants_across_keys() {
    let mut h = Harness::scenario("stale-grants", false);
    h.focus(Pane::Principals);
    let target = h
        .app
        .principals
        .all()
        .iter()
        .position(|p| p.name == "app-role")
        .unwrap();
    h.key(KeyCode::Home);
    for _ in 0..target {
        h.press('j');
    }
    let held = h.app.selected_principal().unwrap().grant_count;
    assert!(held > 0);
    assert!(matches!(&h.app.grant_scope, GrantScope::Principal { name, .. } if name == "app-role"));
    assert_eq!(h.app.grants.len(), held);
    assert!(h
        .app
        .grants
        .all()
        .iter()
        .all(|g| g.grantee_name == "app-role"));
    let deleted = h
        .app
        .principals
        .all()
        .iter()
        .find(|p| p.kind == PrincipalKindLabel::Deleted);
    assert!(
        deleted.is_some(),
        "a deleted grantee is listed by its unique id"
    );
}

#[test]
fn backend_errors_reach_the_status_line() {
    let mut h = classroom();
    h.fail(
        Work::ListKeys,
        BackendError::aws(ErrorCode::ThrottlingException, "Slow down"),
    );
    let s = h.app.status.clone().unwrap();
    assert!(s.error);
    assert_eq!(
        s.text,
        "Could not list keys: ThrottlingException: Slow down"
    );
    assert_eq!(h.app.keys.len(), 1, "the last good list stays");
}

#[test]
fn late_pages_of_an_old_scope_are_dropped() {
    let mut h = classroom();
    let key = KeyRef::parse(&h.app.selected_key().unwrap().arn);
    let old = h.app.jobs.start(Slot::Grants);
    h.send(Msg::Tick(h.backend.now()));
    h.send(Msg::Act(Action::Refresh));
    h.send(Msg::Done {
        job: old,
        work: Work::ListGrants { key, marker: None },
        result: Err(BackendError::aws(AwsErrorCode::parse("X"), "stale")),
    });
    assert!(!h.app.status.clone().unwrap().text.contains("stale"));
    assert!(
        !h.app.is_busy(),
        "the dropped answer no longer turns the spinner"
    );
}

#[test]
fn spinner_counts_pending_work() {
    let mut h = classroom();
    assert!(!h.app.is_busy());
    let cmds = grantscope::tui::update::update(&mut h.app, Msg::Act(Action::Refresh));
    assert!(h.app.is_busy());
    h.run(cmds);
    assert!(!h.app.is_busy());
}

#[test]
fn event_log_explains_each_call() {
    let mut h = classroom();
    h.select_principal("granttestuser");
    let _ = test_encrypt(&mut h, false);
    let e = h.app.events.all().last().unwrap();
    assert_eq!(e.operation, "Encrypt");
    assert_eq!(e.caller, USER_ARN);
    assert!(e.why.contains("denied"), "{}", e.why);
    let list = h
        .app
        .events
        .all()
        .iter()
        .find(|e| e.operation == "ListKeys")
        .unwrap();
    assert!(list.why.contains("AdministratorAccess"), "{}", list.why);
}

#[test]
fn simulator_controls_create_a_principal_and_disable_a_key() {
    let mut h = classroom();
    h.focus(Pane::Principals);
    h.press('a');
    h.type_text("auditor");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Down); // user -> role
    h.key(KeyCode::Enter);
    assert!(h
        .app
        .principals
        .all()
        .iter()
        .any(|p| p.name == "auditor" && p.kind == PrincipalKindLabel::Role));
    h.key(KeyCode::Esc);
    h.press('d');
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.selected_key().unwrap().state,
        grantscope::kms::KeyState::Disabled
    );
    h.press('+');
    assert!(h
        .app
        .status
        .clone()
        .unwrap()
        .text
        .contains("Advanced the simulator's clock"));
}

#[test]
fn help_detail_and_quit() {
    let mut h = classroom();
    h.press('?');
    assert!(matches!(h.app.dialog, Some(Dialog::Help(_))));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.dialog, Some(Dialog::Detail(_))));
    h.key(KeyCode::Esc);
    assert!(h.app.dialog.is_none());
    h.press('q');
    assert!(h.app.should_quit);
}

#[test]
fn bad_input_never_panics() {
    let mut h = classroom();
    let keys = [
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Backspace,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Char('x'),
        KeyCode::Char('t'),
        KeyCode::Char('e'),
        KeyCode::Char('c'),
        KeyCode::Char('/'),
        KeyCode::Char(' '),
        KeyCode::Char('D'),
        KeyCode::Char('y'),
        KeyCode::Char('é'),
    ];
    // A deterministic walk through many key sequences, quitting suppressed.
    let mut seed = 7u64;
    for _ in 0..600 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let k = keys[(seed >> 33) as usize % keys.len()];
        h.key(k);
        let _ = h.screen(100, 30);
    }
}

fn grantee(h: &Harness) -> String {
    match &h.app.dialog {
        Some(Dialog::CreateGrant(f)) => f.grantee.value().to_string(),
        other => panic!("expected the create-grant form, got {other:?}"),
    }
}

#[test]
fn text_fields_edit_like_a_shell_line_and_take_pasted_text() {
    let mut h = classroom();
    h.press('c');
    // A terminal's bracketed paste lands in the focused field, line break and all: it
    // neither submits the form nor types commands.
    h.send(Msg::Paste(format!("{USER_ARN}\n")));
    assert_eq!(grantee(&h), format!("{USER_ARN} "));
    assert!(matches!(h.app.dialog, Some(Dialog::CreateGrant(ref f)) if f.error.is_none()));
    // The cursor moves and edits in the middle of the line.
    h.key(KeyCode::Home);
    h.key(KeyCode::Delete);
    h.press('A');
    assert!(grantee(&h).starts_with("Arn:aws:iam::"), "{}", grantee(&h));
    h.key(KeyCode::Delete);
    h.key(KeyCode::Left);
    h.key(KeyCode::Delete);
    h.press('a');
    h.press('r');
    assert_eq!(grantee(&h), format!("{USER_ARN} "));
    h.key(KeyCode::End);
    h.key(KeyCode::Backspace);
    assert_eq!(grantee(&h), USER_ARN);
    // Ctrl-W takes the word before the cursor, Ctrl-U the whole line.
    h.key_with(KeyCode::Char('w'), KeyModifiers::CONTROL);
    assert_eq!(grantee(&h), "arn:aws:iam::111122223333:user/");
    h.key_with(KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert_eq!(grantee(&h), "");
    // A name from the pick list is taken for its ARN; the form builds typed values.
    h.type_text("granttestuser");
    h.key(KeyCode::Tab);
    h.press(' ');
    match &h.app.dialog {
        Some(Dialog::CreateGrant(f)) => {
            let input = f.build().expect("a valid request");
            assert_eq!(input.grantee.as_str(), USER_ARN);
            assert_eq!(
                input.key.key_id(),
                Some("1234abcd-12ab-34cd-56ef-1234567890ab")
            );
        }
        other => panic!("expected the create-grant form, got {other:?}"),
    }
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.dialog, Some(Dialog::GrantCreated(_))));
}

#[test]
fn a_name_that_is_no_principal_is_refused_by_the_form() {
    let mut h = classroom();
    h.press('c');
    h.type_text("nobody");
    h.key(KeyCode::Tab);
    h.press(' ');
    h.key(KeyCode::Enter);
    match &h.app.dialog {
        Some(Dialog::CreateGrant(f)) => {
            let e = f.error.as_deref().unwrap_or_default();
            assert!(e.contains("\"nobody\" is not an IAM ARN"), "{e}");
        }
        other => panic!("the form stays open with its error, got {other:?}"),
    }
    assert!(
        !h.works().iter().any(|w| matches!(w, Work::CreateGrant(_))),
        "nothing was sent"
    );
}

#[test]
fn the_filter_edits_like_a_line_and_takes_paste() {
    let mut h = classroom();
    h.select_principal("granttestuser");
    h.press('/');
    h.send(Msg::Paste("granttestuser".into()));
    assert_eq!(h.app.principals.filter(), "granttestuser");
    assert_eq!(h.app.principals.len(), 1);
    for _ in 0.."testuser".len() {
        h.key(KeyCode::Left);
    }
    h.key_with(KeyCode::Char('k'), KeyModifiers::CONTROL);
    assert_eq!(h.app.principals.filter(), "grant");
    // Typed letters are the filter's, not actions (`c` does not open create-grant).
    h.press('c');
    assert!(h.app.dialog.is_none());
    assert_eq!(h.app.principals.filter(), "grantc");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.principals.filter(), "");
    assert!(h.app.filter.is_none());
}

#[test]
fn every_piece_of_background_work_stops_the_spinner_when_it_fails() {
    let mut h = classroom();
    let key = KeyRef::parse(&h.app.selected_key().unwrap().arn);
    let works = [
        Work::ListKeys,
        Work::DescribeKeys(vec!["k".into()]),
        Work::ListGrants { key, marker: None },
        Work::ListPrincipals,
        Work::Activity { since: 0 },
        Work::Audit(Default::default()),
    ];
    for work in works {
        let what = work.failure_text();
        h.fail(
            work,
            BackendError::internal("the backend task failed: it panicked"),
        );
        assert!(!h.app.is_busy(), "{what}");
        let status = h.app.status.clone().unwrap();
        assert!(status.error, "{what}");
        assert_eq!(
            status.text,
            format!("{what}: the backend task failed: it panicked")
        );
    }
}

#[test]
fn o_sorts_the_focused_list_by_each_column_and_the_header_says_so() {
    let mut h = Harness::scenario("stale-grants", false);
    h.focus(Pane::Principals);
    let names = |h: &Harness| -> Vec<String> {
        (0..h.app.principals.len())
            .filter_map(|i| h.app.principals.row(i).map(|p| p.name.clone()))
            .collect()
    };
    let came = names(&h);
    h.press('o'); // Kind ▲
    h.press('o'); // Kind ▼
    h.press('o'); // Name ▲
    let mut sorted = came.clone();
    sorted.sort();
    assert_eq!(names(&h), sorted);
    assert_eq!(h.app.status.clone().unwrap().text, "Sorted by Name ▲");
    assert!(h.screen(120, 36).contains("Name▲"));
    h.press('o'); // Name ▼
    sorted.reverse();
    assert_eq!(names(&h), sorted);
    h.press('o'); // Grants ▲
    let counts: Vec<usize> = (0..h.app.principals.len())
        .filter_map(|i| h.app.principals.row(i).map(|p| p.grant_count))
        .collect();
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    h.press('o');
    h.press('o'); // back to the order they came in
    assert_eq!(names(&h), came);
    assert_eq!(h.app.status.clone().unwrap().text, "In the order they came");
}

#[test]
fn the_mouse_selects_what_it_clicks_and_the_wheel_scrolls() {
    let mut h = Harness::scenario("stale-grants", false);
    h.send(Msg::Resize(120, 36));
    // The principals pane is at the left, below the keys: click its third row.
    let screen = h.screen(120, 36);
    let (row, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("Principals ("))
        .expect("the principals pane");
    assert!(line.starts_with('┌'));
    let third = (row + 4) as u16;
    h.send(Msg::Click {
        column: 3,
        row: third,
    });
    assert_eq!(h.app.focus, Pane::Principals);
    assert_eq!(h.app.principals.selected_index(), 2);
    assert!(matches!(h.app.grant_scope, GrantScope::Principal { .. }));
    h.send(Msg::Wheel {
        column: 3,
        row: third,
        down: true,
    });
    assert_eq!(h.app.principals.selected_index(), 5);
    // A click on a frame's border or header selects nothing, and dialogs take no clicks.
    h.press('?');
    h.send(Msg::Click { column: 3, row: 2 });
    assert_eq!(h.app.focus, Pane::Principals);
}

#[test]
fn y_copies_the_selected_arn_in_every_pane() {
    let mut h = classroom();
    h.press('y');
    assert_eq!(
        h.commands.last(),
        Some(&Command::Copy(
            "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab".into()
        ))
    );
    h.select_principal("granttestuser");
    h.press('y');
    assert_eq!(h.commands.last(), Some(&Command::Copy(USER_ARN.into())));
}

#[test]
fn a_grant_test_remembers_whom_it_acted_as_and_shows_its_cli() {
    let mut h = classroom();
    h.select_principal("granttestuser");
    let _ = test_encrypt(&mut h, false);
    // From the keys pane, with no principal chosen there: the same principal again.
    h.key(KeyCode::Esc);
    h.press('e');
    match &h.app.dialog {
        Some(Dialog::TestGrant(f)) => {
            assert_eq!(f.act_as.value(), USER_ARN);
            let cli = f.cli_commands();
            assert!(
                cli[0].starts_with(
                    "aws kms encrypt --key-id arn:aws:kms:eu-west-1:111122223333:key/"
                ) && cli[0].contains("--plaintext hello")
                    && cli[0].contains("--profile granttestuser"),
                "{cli:?}"
            );
            assert!(cli[1].starts_with("aws kms decrypt"), "{cli:?}");
        }
        other => panic!("expected the test-a-grant dialog, got {other:?}"),
    }
}

#[test]
fn the_token_field_offers_no_token_and_clears() {
    let mut h = classroom();
    grant_encrypt_to_granttestuser(&mut h);
    h.press('e');
    for _ in 0..4 {
        h.key(KeyCode::Tab);
    }
    let tokens = |h: &Harness| match &h.app.dialog {
        Some(Dialog::TestGrant(f)) => (f.tokens.value().to_string(), f.token_list()),
        other => panic!("expected the test-a-grant dialog, got {other:?}"),
    };
    h.key(KeyCode::Down);
    assert_eq!(tokens(&h).1.len(), 1, "the session's token");
    h.key(KeyCode::Up);
    assert_eq!(tokens(&h).0, "", "no token");
    h.key(KeyCode::Down);
    h.key_with(KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert!(tokens(&h).1.is_empty(), "Ctrl-U clears");
}

#[test]
fn revoke_and_retire_show_their_cli_equivalent() {
    let mut h = classroom();
    h.select_principal("granttestuser");
    h.press('c');
    h.key(KeyCode::Tab);
    h.press(' ');
    h.key(KeyCode::Tab);
    h.type_text(USER_ARN);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    h.key(KeyCode::Tab);
    for (key, cli) in [
        ('x', "$ aws kms revoke-grant --key-id arn:aws:kms:"),
        ('t', "$ aws kms retire-grant --key-id arn:aws:kms:"),
    ] {
        h.press(key);
        match &h.app.dialog {
            Some(Dialog::Confirm(c)) => {
                let line = c
                    .request
                    .lines
                    .iter()
                    .find(|l| l.starts_with("$ aws"))
                    .cloned();
                let line = line.expect("a CLI line");
                assert!(
                    line.starts_with(cli) && line.contains("--grant-id "),
                    "{line}"
                );
                if key == 't' {
                    assert!(line.ends_with("--profile granttestuser"), "{line}");
                }
            }
            other => panic!("expected a confirmation, got {other:?}"),
        }
        h.key(KeyCode::Esc);
    }
}

#[test]
fn q_asks_before_leaving_a_changed_world_and_q_again_quits() {
    let mut h = classroom();
    h.press('+');
    h.press('q');
    assert!(!h.app.should_quit);
    match &h.app.dialog {
        Some(Dialog::Confirm(c)) => assert_eq!(c.request.title, "Quit grantscope?"),
        other => panic!("expected the quit confirmation, got {other:?}"),
    }
    h.key(KeyCode::Enter);
    assert!(!h.app.should_quit, "Enter on the default button cancels");
    h.press('q');
    h.press('q');
    assert!(h.app.should_quit);
    // Ctrl-C leaves at once.
    let mut h = classroom();
    h.press('+');
    h.key_with(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(h.app.should_quit);
}

#[test]
fn p_freezes_and_runs_the_simulators_clock_and_the_status_line_says_so() {
    let mut h = classroom();
    // The tests' worlds run on a clock that stands still.
    assert!(h.app.time_frozen);
    assert!(h.screen(120, 36).contains("⏸ time frozen"));
    assert!(available(&h.app).contains(&Action::ThawClock));
    h.press('p');
    assert!(!h.app.time_frozen);
    assert!(!h.sim.lock().world().clock.is_frozen());
    assert!(!h.screen(120, 36).contains("time frozen"));
    assert_eq!(h.app.status.clone().unwrap().text, "Time runs again");
    h.press('p');
    assert!(h.app.time_frozen && h.sim.lock().world().clock.is_frozen());
    assert!(h
        .app
        .status
        .clone()
        .unwrap()
        .text
        .starts_with("Time is frozen: new grants wait to propagate"));
    // Stopping or running the clock changes nothing q would warn about.
    assert!(!h.app.changed);
    // Read-only mode offers no clock control.
    let ro = Harness::scenario("classroom", true);
    assert!(!available(&ro.app).contains(&Action::ThawClock));
}

/// `r` says "Refreshing…" while its calls are out, and "Refreshed" once the last answer
/// is in (it does not stay on after the refresh is over).
#[test]
fn a_refresh_says_when_it_is_over() {
    let mut h = classroom();
    let cmds = grantscope::tui::update::update(&mut h.app, Msg::Act(Action::Refresh));
    assert!(h.app.is_busy());
    assert_eq!(h.app.status.clone().unwrap().text, "Refreshing…");
    h.run(cmds);
    assert!(!h.app.is_busy());
    assert_eq!(h.app.status.clone().unwrap().text, "Refreshed");
}
