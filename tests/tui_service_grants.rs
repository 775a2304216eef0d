//! How the UI shows a grant to a service principal (`GranteeServicePrincipal`) and a grant
//! held to a `SourceArn`: the detail names the service as AWS lists it, the constraint says
//! on whose behalf alone it works, and the audit files the service grant under its own
//! rule. Snapshots at 80x24 and 100x30 (a projector).

mod tui_common;

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use grantscope::tui::pane::Pane;
use tui_common::Harness;

const SERVICE_GRANT: &str = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";

fn world() -> Harness {
    let mut text = include_str!("../assets/scenarios/classroom.toml").to_string();
    text.push_str(&format!(
        r#"
    [[grants]]
    key = "alias/classroom"
    grantee = "logs.eu-west-1.amazonaws.com"
    service_principal = true
    retiring = "admin"
    operations = ["Encrypt", "Decrypt"]
    constraints = {{ source_arn = "arn:aws:logs:eu-west-1:111122223333:log-group:app" }}
    id = "{SERVICE_GRANT}"
    age = "2h"
    "#
    ));
    Harness::from_toml(&text, "classroom")
}

fn open_service_grant(h: &mut Harness) {
    h.focus(Pane::Grants);
    h.key(KeyCode::Enter);
}

#[test]
fn a_service_grant_detail_names_the_service_and_its_source() {
    let mut h = world();
    open_service_grant(&mut h);
    let screen = h.screen(100, 30);
    assert!(screen.contains("GranteeServicePrincipal"), "{screen}");
    assert!(screen.contains("logs.eu-west-1.amazonaws.com"), "{screen}");
    assert!(screen.contains("SourceArn"), "{screen}");
    assert!(
        screen.contains("arn:aws:logs:eu-west-1:111122223333:log-group:app"),
        "{screen}"
    );
    assert_snapshot!("service_grant_detail_100x30", screen);
    assert_snapshot!("service_grant_detail_80x24", h.screen(80, 24));
}

#[test]
fn a_service_grant_is_marked_constrained_in_the_grants_pane() {
    let mut h = world();
    h.focus(Pane::Grants);
    let screen = h.screen(100, 30);
    assert!(screen.contains("logs.eu-west-1.amazonaws.com"), "{screen}");
    assert_snapshot!("service_grant_pane_100x30", screen);
}
