//! The files a person names, through the real binary: anything but a regular file (a
//! FIFO, a directory) given as a scenario or a state file is refused at once with a clear
//! error (a FIFO used to hang start-up); a file that is not a scenario is described
//! without quoting its content; `credentials --output FILE` writes the secrets readable by
//! the owner only, and printing them to a terminal says so.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Bounded: before the fix, a FIFO hung start-up.
fn grantscope(args: &[&str]) -> Output {
    support::grantscope_bounded(args)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn fifo(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let made = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
    assert!(made.success());
    path
}

fn assert_refused(out: &Output, code: i32, words: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "exit status; stderr:\n{err}");
    for w in words {
        assert!(err.contains(w), "stderr should say {w:?}:\n{err}");
    }
}

#[test]
fn a_fifo_as_the_scenario_is_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let path = fifo(dir.path(), "scenario.toml");
    let file = path.to_str().unwrap();
    let said = [file, "not a regular file (a FIFO (named pipe))"];
    assert_refused(&grantscope(&["--scenario", file, "--summary"]), 1, &said);
    assert_refused(&grantscope(&["--scenario", file]), 1, &said);
    assert_refused(&grantscope(&["report", "--scenario", file]), 2, &said);
    assert_refused(&grantscope(&["inventory", "--scenario", file]), 1, &said);
    assert_refused(
        &grantscope(&["serve", "--bind", "127.0.0.1:0", "--scenario", file]),
        1,
        &said,
    );
}

#[test]
fn a_fifo_as_the_state_file_is_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let path = fifo(dir.path(), "state.json");
    let file = path.to_str().unwrap();
    let said = [
        "cannot read state file",
        file,
        "not a regular file (a FIFO (named pipe))",
    ];
    assert_refused(
        &grantscope(&["serve", "--bind", "127.0.0.1:0", "--state", file]),
        1,
        &said,
    );
    assert_refused(&grantscope(&["credentials", "--state", file]), 1, &said);
}

#[test]
fn a_directory_as_the_scenario_or_the_state_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    assert_refused(
        &grantscope(&["--scenario", d, "--summary"]),
        1,
        &[d, "not a regular file (a directory)"],
    );
    assert_refused(
        &grantscope(&["serve", "--bind", "127.0.0.1:0", "--state", d]),
        1,
        &[d, "not a regular file (a directory)"],
    );
    assert_refused(
        &grantscope(&["lesson", d, "--check"]),
        1,
        &[d, "not a regular file (a directory)"],
    );
    assert_refused(
        &grantscope(&["report", "--config", d]),
        2,
        &[d, "not a regular file (a directory)"],
    );
}

#[test]
fn a_lesson_whose_scenario_is_not_a_scenario_does_not_quote_that_file() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("passwd");
    std::fs::write(
        &secret,
        "root:x:0:0:root:/root:/bin/bash\nalice:hunter2:1000:1000::/home/alice:/bin/sh\n",
    )
    .unwrap();
    let lessons = dir.path().join("a/b");
    std::fs::create_dir_all(&lessons).unwrap();
    let lesson = lessons.join("peek.toml");
    std::fs::write(
        &lesson,
        "title = \"t\"\nscenario = \"../../passwd\"\n\n[[steps]]\nid = \"s\"\ntitle = \"x\"\nnarration = \"y\"\n",
    )
    .unwrap();
    let out = grantscope(&["lesson", lesson.to_str().unwrap(), "--check"]);
    assert_refused(
        &out,
        1,
        &[
            "peek.toml",
            "not a scenario (TOML)",
            "line 1, column 5",
            "expected",
        ],
    );
    let err = stderr(&out);
    for content in ["root:x", "/bin/bash", "hunter2", "alice"] {
        assert!(
            !err.contains(content),
            "quotes the file ({content}):\n{err}"
        );
    }
}

#[test]
fn credentials_output_is_written_readable_by_the_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grantscope.credentials");
    let out = grantscope(&["credentials", "--output", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing printed when writing a file");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("aws_secret_access_key"), "{text}");

    // An existing, world-readable file is replaced by one only the owner reads.
    std::fs::write(&path, "old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = grantscope(&["credentials", "--output", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o} after replacing a 0644 file");
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("aws_access_key_id"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
}

#[test]
fn credentials_output_refuses_a_directory_or_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    assert_refused(
        &grantscope(&["credentials", "--output", d]),
        1,
        &["--output", d, "not a regular file (a directory)"],
    );
    let f = fifo(dir.path(), "pipe");
    assert_refused(
        &grantscope(&["credentials", "--output", f.to_str().unwrap()]),
        1,
        &["--output", "not a regular file (a FIFO (named pipe))"],
    );
}

#[test]
fn credentials_printed_to_a_pipe_carry_no_warning() {
    let out = grantscope(&["credentials"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("aws_secret_access_key"));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn credentials_printed_to_a_terminal_say_they_are_secrets() {
    // `script` gives the command a terminal for stdout and stderr.
    let bin = env!("CARGO_BIN_EXE_grantscope");
    let out = Command::new("script")
        .args(["-qec", &format!("'{bin}' credentials"), "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("run script (util-linux)");
    let seen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{seen}");
    assert!(
        seen.contains("printing credentials (secret access keys)"),
        "{seen}"
    );
    assert!(seen.contains("aws_secret_access_key"), "{seen}");
}
