//! A signal sent to the UI (SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1) gives the terminal
//! back as it was: the real binary in a detached tmux session, signalled with `kill -s`,
//! then the pane is read: the normal screen again (`#{alternate_on}` 0), the cursor shown,
//! no mouse reporting, `stty -a` in the pane showing `icanon echo isig`, and the exit status
//! 128 + the signal's number. Without tmux this test fails (run the suite with tests/run).

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A tmux server of its own with one pane running `sh -c SCRIPT`; killed when dropped.
struct Pane {
    socket: String,
}

impl Pane {
    fn start(name: &str, script: &str) -> Pane {
        assert!(
            Command::new("tmux")
                .arg("-V")
                .output()
                .is_ok_and(|o| o.status.success()),
            "tmux is not on PATH: run the suite with tests/run, which installs it"
        );
        let pane = Pane {
            socket: format!("grantscope-signal-{name}-{}", std::process::id()),
        };
        let out = pane.tmux(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "s",
            "-x",
            "120",
            "-y",
            "40",
            "sh",
            "-c",
            script,
        ]);
        assert!(out.status.success(), "tmux new-session: {out:?}");
        pane
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("running tmux")
    }

    fn format(&self, f: &str) -> String {
        let out = self.tmux(&["display-message", "-p", "-t", "s", f]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn screen(&self) -> String {
        let out = self.tmux(&["capture-pane", "-p", "-t", "s"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The pid of the pane's shell's only child: grantscope.
    fn grantscope_pid(&self) -> String {
        let shell = self.format("#{pane_pid}");
        let children =
            std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap();
        let pids: Vec<&str> = children.split_whitespace().collect();
        assert_eq!(pids.len(), 1, "the shell runs grantscope alone: {pids:?}");
        pids[0].to_string()
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// Start the UI in a pane, send `signal`, and check that the terminal is restored and the
/// exit status is 128 + `signo`.
fn terminal_is_restored_after(signal: &str, signo: i32) {
    let bin = env!("CARGO_BIN_EXE_grantscope");
    // After grantscope: its exit status, the tty's settings, then wait to be read.
    let script = format!("'{bin}'; echo \"exit=$?\"; stty -a; echo stty-done; sleep 60");
    let pane = Pane::start(&signal.to_lowercase(), &script);
    pane.wait_for("alias/classroom");
    assert_eq!(pane.format("#{alternate_on}"), "1", "the UI is on");

    let pid = pane.grantscope_pid();
    let out = Command::new("kill")
        .args(["-s", signal, &pid])
        .output()
        .unwrap();
    assert!(out.status.success(), "kill -s {signal} {pid}: {out:?}");

    let screen = pane.wait_for("stty-done");
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
