//! Every duration a person writes is range-checked (at most 100 years) with an error that
//! names the file and the field, or the flag: never a panic (exit 101), never a server that
//! starts and then fails every request. The real binary at each entry point: `--summary`,
//! `report` (errors exit 2), `serve`, `credentials`, `inventory`, `lesson --check`, and the
//! audit thresholds.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const HUGE: &str = "99999999d";

/// Bounded: before the fix, `serve --propagation-delay 99999999d` started and served.
fn grantscope(args: &[&str]) -> Output {
    support::grantscope_bounded(args)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A scenario of one account, one key and one grant, with `key_age` and `grant_age`.
fn scenario(dir: &Path, name: &str, key_age: &str, grant_age: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            r#"name = "ages"
region = "eu-west-1"

[[accounts]]
id = "111122223333"

[[principals]]
name = "alice"

[[keys]]
aliases = ["alias/k1"]
age = "{key_age}"

[[grants]]
key = "alias/k1"
grantee = "alice"
operations = ["Encrypt"]
age = "{grant_age}"
"#
        ),
    )
    .expect("write the scenario");
    path
}

/// The command failed with `code` (never a panic), saying every one of `words`.
fn assert_refused(out: &Output, code: i32, words: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "exit status; stderr:\n{err}");
    assert!(!err.contains("panicked"), "a panic:\n{err}");
    for w in words {
        assert!(err.contains(w), "stderr should say {w:?}:\n{err}");
    }
}

#[test]
fn a_key_age_beyond_a_hundred_years_is_refused_at_every_entry_point() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), "key-age.toml", HUGE, "1d");
    let file = path.to_str().unwrap();
    let said = [file, "keys[0].age", HUGE, "longer than 100 years"];
    refused_at_every_entry_point(file, &said);
}

/// Every command that loads a scenario refuses it the same way (`report` with its status 2).
fn refused_at_every_entry_point(file: &str, said: &[&str]) {
    assert_refused(&grantscope(&["--scenario", file, "--summary"]), 1, said);
    assert_refused(&grantscope(&["report", "--scenario", file]), 2, said);
    assert_refused(&grantscope(&["inventory", "--scenario", file]), 1, said);
    assert_refused(&grantscope(&["credentials", "--scenario", file]), 1, said);
    assert_refused(
        &grantscope(&["serve", "--bind", "127.0.0.1:0", "--scenario", file]),
        1,
        said,
    );
}

#[test]
fn a_grant_age_beyond_a_hundred_years_is_refused_at_every_entry_point() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), "grant-age.toml", "1d", HUGE);
    let file = path.to_str().unwrap();
    let said = [file, "grants[0].age", "longer than 100 years"];
    refused_at_every_entry_point(file, &said);
}

#[test]
fn a_hundred_years_exactly_is_still_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), "century.toml", "36500d", "36500d");
    let out = grantscope(&["--scenario", path.to_str().unwrap(), "--summary"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_propagation_delay_flag_beyond_a_hundred_years_is_refused_before_serving() {
    let said = ["--propagation-delay", HUGE, "longer than 100 years"];
    assert_refused(
        &grantscope(&[
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--propagation-delay",
            HUGE,
        ]),
        1,
        &said,
    );
    assert_refused(
        &grantscope(&["--summary", "--propagation-delay", HUGE]),
        1,
        &said,
    );
}

#[test]
fn a_scenario_propagation_delay_beyond_a_hundred_years_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("delay.toml");
    std::fs::write(
        &path,
        format!(
            "name = \"d\"\nregion = \"eu-west-1\"\npropagation_delay = \"{HUGE}\"\n[[accounts]]\nid = \"111122223333\"\n"
        ),
    )
    .unwrap();
    let file = path.to_str().unwrap();
    assert_refused(
        &grantscope(&["--scenario", file, "--summary"]),
        1,
        &[file, "propagation_delay", "longer than 100 years"],
    );
}

#[test]
fn a_served_world_with_a_long_delay_still_creates_grants() {
    // The longest delay accepted: CreateGrant answers (the grant takes effect in 100
    // years), it does not fail with a 500.
    let server = support::Server::start(&["--propagation-delay", "36500d"]);
    let dir = tempfile::tempdir().unwrap();
    let creds = support::credentials_file(dir.path(), &server.url, &[]);
    let out = Command::new(support::aws_cli())
        .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .args([
            "kms",
            "create-grant",
            "--key-id",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "--grantee-principal",
            "arn:aws:iam::111122223333:user/granttestuser",
            "--operations",
            "Encrypt",
            "--profile",
            "admin",
            "--endpoint-url",
            &server.url,
            "--region",
            "eu-west-1",
        ])
        .output()
        .expect("run the AWS CLI");
    assert!(
        out.status.success(),
        "create-grant: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("GrantId"));
}

#[test]
fn a_lesson_clock_step_beyond_a_hundred_years_is_refused_naming_the_step() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clock.toml");
    std::fs::write(
        &path,
        format!(
            "title = \"t\"\nscenario = \"classroom\"\n\n[[steps]]\nid = \"wait\"\ntitle = \"x\"\nnarration = \"y\"\naction = {{ do = \"advance-clock\", by = \"{HUGE}\" }}\n"
        ),
    )
    .unwrap();
    let file = path.to_str().unwrap();
    assert_refused(
        &grantscope(&["lesson", file, "--check"]),
        1,
        &[file, "step 1 \"wait\"", "by", "longer than 100 years"],
    );
}

#[test]
fn audit_thresholds_beyond_a_hundred_years_name_the_flag_or_the_config_field() {
    assert_refused(
        &grantscope(&["report", "--unused-for", HUGE]),
        2,
        &["--unused-for", "longer than 100 years"],
    );
    assert_refused(
        &grantscope(&["report", "--older-than", HUGE]),
        2,
        &["--older-than", "longer than 100 years"],
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("audit.toml");
    std::fs::write(&config, format!("orphan_grace = \"{HUGE}\"\n")).unwrap();
    let file = config.to_str().unwrap();
    assert_refused(
        &grantscope(&["report", "--config", file]),
        2,
        &[file, "orphan_grace", "longer than 100 years"],
    );
}
