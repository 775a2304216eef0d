//! The UI over a world with keys in two regions and a multi-Region key: the keys pane
//! gains a Region column (dropped first where the pane is narrow), the key detail names
//! the region and the multi-Region configuration, and an action on a key of another
//! region reaches it. A one-region world shows none of it (the other snapshots).

mod tui_common;

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use grantscope::kms::api::CreateKeyRequest;
use grantscope::kms::multi_region::ReplicateKeyRequest;
use grantscope::sim::{snapshot, Caller, Clock, Scenario, Simulator};
use grantscope::tui::pane::Pane;
use tui_common::{t0, Harness};

const SIZES: [(u16, u16); 3] = [(80, 24), (100, 30), (160, 45)];

/// The classroom (eu-west-1) with a key in us-east-1 and a multi-Region key (`MRK`) whose
/// primary is in eu-west-1 and replica in us-east-1.
fn two_regions() -> Harness {
    let mut text = include_str!("../assets/scenarios/classroom.toml").to_string();
    text.push_str(
        r#"
    [[keys]]
    id = "9999aaaa-99aa-49aa-89aa-9999aaaa9999"
    region = "us-east-1"
    aliases = ["alias/us-reports"]
    description = "Reports kept in the US"
    "#,
    );
    let world = Scenario::parse(&text, "classroom", true)
        .unwrap()
        .build_with_clock(Clock::manual(t0()))
        .unwrap();
    let mut sim = Simulator::new(world);
    sim.world_mut().propagation_delay = std::time::Duration::ZERO;
    let admin = Caller::new("admin");
    let id = sim
        .create_key(
            &admin,
            CreateKeyRequest {
                multi_region: Some(true),
                description: Some("Shared by both regions".into()),
                ..Default::default()
            },
        )
        .unwrap()
        .key_metadata
        .key_id;
    sim.replicate_key(
        &admin,
        ReplicateKeyRequest {
            key_id: id.clone(),
            replica_region: "us-east-1".into(),
            description: Some("The US replica".into()),
            ..Default::default()
        },
    )
    .unwrap();
    // Creating ends with the next call.
    sim.list_keys(&admin, Default::default()).unwrap();
    // The id is random: the world is given a fixed one, so that screens are the same in
    // every run (an id wrapped over two lines could not be masked).
    let json = String::from_utf8(snapshot::to_json(sim.world())).unwrap();
    let world = snapshot::from_json(json.replace(&id, MRK).as_bytes(), "fixed.json").unwrap();
    Harness::from_world(world, "classroom", false)
}

const MRK: &str = "mrk-0123456789abcdef0123456789abcdef";

fn screens(h: &Harness) -> String {
    SIZES
        .iter()
        .map(|&(w, hgt)| format!("── {w}x{hgt} ──\n{}", h.screen(w, hgt)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Select the key row whose ARN is `arn`.
fn select_key(h: &mut Harness, arn: &str) {
    h.focus(Pane::Keys);
    for _ in 0..h.app.keys.all().len() {
        if h.app.selected_key().is_some_and(|k| k.arn == arn) {
            return;
        }
        h.press('j');
    }
    panic!("no key {arn}");
}

#[test]
fn keys_of_two_regions_show_their_region_and_multi_region_configuration_at_every_size() {
    let mut h = two_regions();
    assert!(h.app.several_regions);
    assert_eq!(h.app.keys.all().len(), 4, "both regions' keys are listed");
    let main = screens(&h);
    assert!(main.contains("Region"), "{main}");
    select_key(
        &mut h,
        &format!("arn:aws:kms:us-east-1:111122223333:key/{MRK}"),
    );
    h.key(KeyCode::Enter);
    let detail = screens(&h);
    for line in ["REPLICA key", "PrimaryRegion", "us-east-1"] {
        assert!(detail.contains(line), "{line}:\n{detail}");
    }
    assert_snapshot!(format!("{main}\n{detail}"));
}

#[test]
fn one_region_shows_no_region_column() {
    let h = Harness::classroom_with_grants();
    assert!(!h.app.several_regions);
    assert!(!h.screen(160, 45).contains("Region"));
}

#[test]
fn disabling_a_key_of_another_region_from_the_ui_reaches_it() {
    let mut h = two_regions();
    let us = "arn:aws:kms:us-east-1:111122223333:key/9999aaaa-99aa-49aa-89aa-9999aaaa9999";
    select_key(&mut h, us);
    h.press('d');
    // The confirmation names the key; Enter would be the safe default, so choose it.
    assert!(h.screen(100, 30).contains(us), "{}", h.screen(100, 30));
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    let state = h
        .sim
        .lock()
        .world()
        .key_in("us-east-1", "9999aaaa-99aa-49aa-89aa-9999aaaa9999")
        .map(|k| k.state);
    assert_eq!(state, Some(grantscope::kms::KeyState::Disabled));
}
