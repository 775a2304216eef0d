//! A signal sent to the UI (SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1) gives the terminal
//! back as it was: the real binary in a detached tmux session, signalled with `kill -s`,
//! then the pane is read: the normal screen again (`#{alternate_on}` 0), the cursor shown,
//! no mouse reporting, `stty -a` in the pane showing `icanon echo isig`, and the exit status
//! 128 + the signal's number. Without tmux this test fails (run the suite with tests/run).

mod support;

use std::process::Command;

use support::tmux::Tmux;

/// The pid of the pane's shell's only child: grantscope.
fn grantscope_pid(pane: &Tmux) -> String {
    let shell = pane.format("#{pane_pid}");
    let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap();
    let pids: Vec<&str> = children.split_whitespace().collect();
    assert_eq!(pids.len(), 1, "the shell runs grantscope alone: {pids:?}");
    pids[0].to_string()
}

/// Start the UI in a pane, send `signal`, and check that the terminal is restored and the
/// exit status is 128 + `signo`.
fn terminal_is_restored_after(signal: &str, signo: i32) {
    let bin = env!("CARGO_BIN_EXE_grantscope");
    // After grantscope: its exit status, the tty's settings, then wait to be read.
    let script = format!("'{bin}'; echo \"exit=$?\"; stty -a; echo stty-done; sleep 60");
    let name = format!("signal-{}", signal.to_lowercase());
    let pane = Tmux::start_sized(&name, (120, 40), &["sh", "-c", &script]);
    pane.wait_for(&["alias/classroom"]);
    assert_eq!(pane.format("#{alternate_on}"), "1", "the UI is on");

    let pid = grantscope_pid(&pane);
    let out = Command::new("kill")
        .args(["-s", signal, &pid])
        .output()
        .unwrap();
    assert!(out.status.success(), "kill -s {signal} {pid}: {out:?}");

    let screen = pane.wait_for(&["stty-done"]);
    let status = 128 + signo;
    assert!(
        screen.contains(&format!("exit={status}")),
        "exit status {status} after {signal}:\n{screen}"
    );
    assert_eq!(
        pane.format("#{alternate_on}"),
        "0",
        "back on the normal screen after {signal}:\n{screen}"
    );
    assert_eq!(pane.format("#{cursor_flag}"), "1", "the cursor is shown");
    assert_eq!(
        pane.format("#{mouse_any_flag}"),
        "0",
        "no mouse reporting left on"
    );
    let words: Vec<&str> = screen
        .split(|c: char| c.is_whitespace() || c == ';')
        .collect();
    for setting in ["icanon", "echo", "isig"] {
        assert!(
            words.contains(&setting),
            "the tty has {setting} again after {signal}:\n{screen}"
        );
    }
}

#[test]
fn sigterm_restores_the_terminal_and_exits_143() {
    terminal_is_restored_after("TERM", 15);
}

#[test]
fn sigint_restores_the_terminal_and_exits_130() {
    terminal_is_restored_after("INT", 2);
}

#[test]
fn sighup_restores_the_terminal_and_exits_129() {
    terminal_is_restored_after("HUP", 1);
}

#[test]
fn sigquit_restores_the_terminal_and_exits_131() {
    terminal_is_restored_after("QUIT", 3);
}

#[test]
fn sigusr1_restores_the_terminal_and_exits_138() {
    terminal_is_restored_after("USR1", 10);
}
