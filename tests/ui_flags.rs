//! The UI's simulator flags checked without a terminal: `--summary` prints the world the UI
//! would open, so `--propagation-delay` can be seen taking effect, and bad values or flags
//! that make no sense over AWS are refused with a clear message and a failing exit code.

use std::process::Command;

fn grantscope(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_grantscope"))
        .args(args)
        .env("AWS_CONFIG_FILE", "/nonexistent/grantscope-test-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/grantscope-test-credentials",
        )
        .output()
        .expect("run grantscope")
}

#[test]
fn propagation_delay_overrides_the_scenarios() {
    let default = grantscope(&["--summary"]);
    assert!(default.status.success());
    let default = String::from_utf8_lossy(&default.stdout);
    assert!(
        default
            .lines()
            .next()
            .unwrap_or_default()
            .ends_with("grant propagation delay 5s"),
        "the classroom scenario's delay: {default}"
    );

    for (flag, shown) in [("0s", "0s"), ("90s", "1m 30s"), ("2m", "2m")] {
        let out = grantscope(&["--summary", "--propagation-delay", flag]);
        assert!(out.status.success(), "{flag}");
        let text = String::from_utf8_lossy(&out.stdout);
        let first = text.lines().next().unwrap_or_default();
        assert!(
            first.ends_with(&format!("grant propagation delay {shown}")),
            "{flag}: {first}"
        );
    }
}

#[test]
fn a_bad_propagation_delay_is_refused_with_an_example() {
    let out = grantscope(&["--propagation-delay", "soon"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--propagation-delay \"soon\""), "{err}");
    assert!(err.contains("\"5s\""), "{err}");
}

#[test]
fn simulator_flags_are_refused_over_aws() {
    let out = grantscope(&["--profile", "admin", "--propagation-delay", "5s"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--propagation-delay"), "{err}");
    assert!(err.contains("for the simulator"), "{err}");
}
