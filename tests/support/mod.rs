//! Shared by the tests that run the real `grantscope` binary: start `grantscope serve` on an
//! ephemeral loopback port and stop it (SIGKILL) when dropped; find the AWS CLI; type keys
//! into tmux at a person's pace.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    pub child: Child,
    pub url: String,
}

impl Server {
    /// `grantscope serve --bind 127.0.0.1:0 ARGS...`, waiting for its "listening on" line.
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_grantscope"))
            .arg("serve")
            .args(["--bind", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start grantscope serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = loop {
            assert!(Instant::now() < deadline, "grantscope serve did not start");
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("listening on ") {
                        break url.trim().to_string();
                    }
                }
                _ => panic!("grantscope serve exited before listening"),
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, url }
    }

    /// Kill -9, as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `grantscope credentials --endpoint-url URL ARGS...` written to a file in `dir`.
pub fn credentials_file(dir: &std::path::Path, url: &str, args: &[&str]) -> std::path::PathBuf {
    let out = Command::new(env!("CARGO_BIN_EXE_grantscope"))
        .arg("credentials")
        .args(["--endpoint-url", url])
        .args(args)
        .output()
        .expect("run grantscope credentials");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.join("credentials");
    std::fs::write(&path, out.stdout).expect("write credentials");
    path
}

/// The AWS CLI that tests/run installs (`GRANTSCOPE_AWS_CLI`). A test that needs it fails
/// without it, never passes silently.
pub fn aws_cli() -> PathBuf {
    let path = std::env::var("GRANTSCOPE_AWS_CLI").unwrap_or_default();
    assert!(
        !path.is_empty() && Path::new(&path).exists(),
        "the AWS CLI is needed for this test: run the suite with tests/run (it installs the CLI into target/venv)"
    );
    PathBuf::from(path)
}

/// The pause after sending `key` to a terminal through tmux, as a person types: one key at a
/// time. A terminal cannot tell Esc followed at once by a key from Alt+key, so Esc gets a
/// pause well beyond the time the UI's input thread needs to read it on a loaded machine.
pub fn pause_after(key: &str) -> Duration {
    Duration::from_millis(if key == "Escape" { 400 } else { 60 })
}
