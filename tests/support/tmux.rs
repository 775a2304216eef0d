//! The real program in a detached tmux session of fixed size, on a tmux server of its own
//! (killed when dropped): keys typed at a person's pace, the screen read back with
//! capture-pane, tmux's own view of the pane (`#{alternate_on}`...). Without tmux a test
//! fails, never passes silently: run the suite with tests/run.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub struct Tmux {
    pub socket: String,
    pub session: String,
}

impl Tmux {
    /// A detached `width` x `height` session named `name`, running `command`.
    pub fn start_sized(name: &str, (width, height): (u16, u16), command: &[&str]) -> Tmux {
        assert!(
            available(),
            "tmux is not on PATH. This test drives the real program in tmux: run the test script \
             (tests/run, or .ci/run, which installs tmux), or install tmux (apt-get install tmux)."
        );
        let t = Tmux {
            socket: format!("grantscope-{name}-{}", std::process::id()),
            session: name.into(),
        };
        let (width, height) = (width.to_string(), height.to_string());
        let mut args = vec![
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            &width,
            "-y",
            &height,
        ];
        args.extend_from_slice(command);
        let out = t.run(&args);
        assert!(out.status.success(), "tmux new-session: {out:?}");
        let _ = t.run(&["set-option", "-s", "escape-time", "0"]);
        t
    }

    /// A tmux command on this session's server.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("running tmux")
    }

    /// Type `keys` (tmux key names or text), each followed by a person's pause.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let out = self.run(&["send-keys", "-t", &self.session, k]);
            assert!(out.status.success(), "send-keys {k}: {out:?}");
            std::thread::sleep(super::pause_after(k));
        }
    }

    pub fn screen(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", &self.session]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A tmux format of the pane (`#{alternate_on}`, `#{pane_pid}`...).
    pub fn format(&self, f: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", &self.session, f]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Wait until `holds` is true of the screen (or fail, saying `what` and showing it).
    pub fn wait_until(&self, what: &str, holds: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if holds(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Wait until the screen shows every one of `texts`.
    pub fn wait_for(&self, texts: &[&str]) -> String {
        self.wait_until(&format!("{texts:?}"), |screen| {
            texts.iter().all(|t| screen.contains(t))
        })
    }

    pub fn alive(&self) -> bool {
        self.run(&["has-session", "-t", &self.session])
            .status
            .success()
    }

    /// Wait (up to 10 s) for the program, and so the session, to end.
    pub fn wait_ended(&self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.alive() {
            assert!(Instant::now() < deadline, "{what}:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

pub fn available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}
