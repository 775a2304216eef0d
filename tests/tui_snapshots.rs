//! Screen snapshots (ratatui `TestBackend` + insta): the main screen, each dialog, the
//! help, an error, read-only mode and a terminal too small. Worlds run on a manual clock
//! with fixed grant ids, so every screen is the same on every run.

mod tui_common;

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use grantscope::backend::BackendError;
use grantscope::kms::ErrorCode;
use grantscope::tui::dialogs::{Dialog, GrantCreated};
use grantscope::tui::message::Work;
use grantscope::tui::pane::Pane;
use tui_common::Harness;

const W: u16 = 120;
const H: u16 = 36;

#[test]
fn main_screen() {
    let h = Harness::classroom_with_grants();
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn main_screen_grants_focused() {
    let mut h = Harness::classroom_with_grants();
    h.focus(Pane::Grants);
    h.press('j');
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn main_screen_principal_view() {
    let mut h = Harness::classroom_with_grants();
    h.focus(Pane::Principals);
    h.press('j');
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn main_screen_read_only() {
    let h = Harness::scenario("classroom", true);
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn create_grant_dialog() {
    let mut h = Harness::classroom_with_grants();
    h.press('c');
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Down);
    h.press(' ');
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn create_grant_dialog_with_error() {
    let mut h = Harness::classroom_with_grants();
    h.press('c');
    h.type_text("arn:aws:iam::111122223333:user/nobody");
    h.key(KeyCode::Tab);
    h.press(' ');
    h.key(KeyCode::Enter);
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn grant_created_dialog() {
    let mut h = Harness::classroom_with_grants();
    h.app.dialog = Some(Dialog::GrantCreated(GrantCreated {
        key_label: "alias/classroom".into(),
        grant_id: "c1b42687c23cf408a0f8a31ea2fa3b1e34b9c1e5a6b7c8d9e0f1a2b3c4d5e6f7".into(),
        grant_token: "AQpAMWIyNTQ4MjBiZTEzNzQ0ZmQ5ZGY2N2Y0YjJmYjQxZmQ2ZWYxNzY0ZWQ0Yzc0NjYxYjQ5MzQ4MDM3ZjE4ZjI1YTE".into(),
    }));
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn confirm_revoke_dialog() {
    let mut h = Harness::classroom_with_grants();
    h.focus(Pane::Grants);
    h.press('x');
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn test_encrypt_denied() {
    let mut h = Harness::scenario("classroom", false);
    h.focus(Pane::Principals);
    h.key(KeyCode::End);
    h.press('e');
    h.key(KeyCode::Enter);
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn help_screen() {
    let mut h = Harness::classroom_with_grants();
    h.press('?');
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn detail_dialog() {
    let mut h = Harness::classroom_with_grants();
    h.focus(Pane::Grants);
    h.press('j');
    h.key(KeyCode::Enter);
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn error_in_status_line() {
    let mut h = Harness::classroom_with_grants();
    h.fail(
        Work::ListKeys,
        BackendError::aws(
            ErrorCode::AccessDeniedException,
            "User: arn:aws:iam::111122223333:user/admin is not authorized to perform: kms:ListKeys on resource: *",
        ),
    );
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn filter_in_grants_pane() {
    let mut h = Harness::classroom_with_grants();
    h.focus(Pane::Grants);
    h.press('/');
    h.type_text("nightly");
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn tiny_terminal() {
    let h = Harness::classroom_with_grants();
    assert_snapshot!(h.screen(60, 20));
}

#[test]
fn every_size_renders_without_panicking() {
    let mut h = Harness::classroom_with_grants();
    h.press('c');
    for (w, hgt) in [
        (1, 1),
        (10, 5),
        (79, 23),
        (80, 24),
        (81, 25),
        (200, 60),
        (300, 10),
    ] {
        let _ = h.screen(w, hgt);
    }
}
