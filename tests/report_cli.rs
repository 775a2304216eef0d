//! `grantscope report` and `grantscope inventory` as a pipeline runs them: output formats
//! and exit statuses (0 clean, 1 findings at or above --fail-on, 2 errors).

use std::process::{Command, Output};

fn grantscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_grantscope"))
        .args(args)
        .output()
        .expect("run grantscope")
}

#[test]
fn report_exit_status_follows_fail_on() {
    let out = grantscope(&["report", "--scenario", "stale-grants", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "high findings fail by default");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["findings"], 13);
    assert_eq!(json["findings"][0]["severity"], "high");

    assert_eq!(
        grantscope(&["report", "--scenario", "classroom"])
            .status
            .code(),
        Some(0)
    );
    // Trusting the partner account removes the cross-account finding; re-delegation stays high.
    let trusted = grantscope(&[
        "report",
        "--scenario",
        "stale-grants",
        "--trusted-account",
        "444455556666",
    ]);
    assert_eq!(trusted.status.code(), Some(1));
    let text = String::from_utf8_lossy(&trusted.stdout);
    assert!(!text.contains("cross-account"), "{text}");
    assert!(text.contains("re-delegation"));
}

#[test]
fn report_errors_exit_2_with_a_message() {
    for args in [
        &["report", "--fail-on", "severe"][..],
        &["report", "--scenario", "no-such-world"],
        &["report", "--older-than", "ninety"],
        &["report", "--trusted-account", "12"],
    ] {
        let out = grantscope(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("grantscope report: "),
            "{args:?}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn report_csv_has_one_row_per_finding() {
    let out = grantscope(&[
        "report",
        "--scenario",
        "stale-grants",
        "--format",
        "csv",
        "--fail-on",
        "info",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("rule,severity,key,grant_id,grantee,reason,action")
    );
    assert_eq!(lines.count(), 13);
}

#[test]
fn inventory_formats() {
    let out = grantscope(&[
        "inventory",
        "--scenario",
        "stale-grants",
        "--format",
        "json",
    ]);
    assert!(out.status.success());
    let inv: grantscope::kms::inventory::Inventory = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(inv.keys.len(), 5);
    assert_eq!(
        inv.keys.iter().map(|k| k.grants.len()).sum::<usize>(),
        45_515
    );
    let bob = inv.keys[0]
        .grants
        .iter()
        .find(|g| g.entry.name == "bob-export")
        .unwrap();
    assert_eq!(bob.entry.grantee(), "AIDASTALEBOB000000001");

    let out = grantscope(&["inventory", "--scenario", "stale-grants", "--format", "csv"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 45_516);

    let out = grantscope(&["inventory", "--scenario", "classroom"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("alias/classroom"), "{text}");
}
