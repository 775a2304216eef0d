//! AWS managed keys on screen: the keys pane marks them `(AWS)`, and the detail panel says
//! what an AWS managed key is (used only through its service, rotated yearly by AWS), at
//! 80x24, 100x30 and 160x45.

mod tui_common;

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use grantscope::tui::pane::Pane;
use tui_common::Harness;

const SIZES: [(u16, u16); 3] = [(80, 24), (100, 30), (160, 45)];

const WORLD: &str = r#"
name = "managed"
region = "eu-west-1"
aws_managed_keys = ["s3"]
[[accounts]]
id = "111122223333"
[[principals]]
name = "admin"
managed_policies = ["AdministratorAccess"]
[[keys]]
id = "1234abcd-12ab-34cd-56ef-1234567890ab"
aliases = ["alias/app"]
description = "application data"
"#;

#[test]
fn an_aws_managed_key_is_marked_and_explained_at_every_size() {
    let mut h = Harness::from_toml(WORLD, "managed.toml");
    h.focus(Pane::Keys);
    h.key(KeyCode::End);
    let screens: Vec<String> = SIZES
        .iter()
        .map(|&(w, hgt)| format!("── {w}x{hgt} ──\n{}", h.screen(w, hgt)))
        .collect();
    for s in &screens {
        assert!(s.contains("alias/aws/s3 (AWS)"), "{s}");
        assert!(s.contains("AWS managed"), "{s}");
    }
    assert_snapshot!(screens.join("\n"));
}
