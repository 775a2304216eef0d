//! Shared by the tests that run the real `grantscope` binary: start `grantscope serve` on an
//! ephemeral loopback port and stop it (SIGKILL) when dropped, with the profile files that
//! reach it; sign raw requests with SigV4; find the AWS CLI; type keys into tmux at a
//! person's pace.

#![allow(dead_code)]

pub mod reply;
pub mod tmux;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use grantscope::backend::aws::{AwsOptions, ProfileSources};
use grantscope::backend::AwsBackend;

pub struct Server {
    pub child: Child,
    pub url: String,
    /// Everything the server printed after its "listening on" line (the request log).
    output: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    /// `grantscope serve --bind 127.0.0.1:0 ARGS...`, waiting for its "listening on" line.
    pub fn start(args: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_grantscope"));
        command
            .arg("serve")
            .args(["--bind", "127.0.0.1:0"])
            .args(args);
        Server::spawn(command)
    }

    /// Run `command` (a `grantscope serve` set up by the caller, e.g. under a resource
    /// limit), waiting for its "listening on" line.
    pub fn spawn(mut command: Command) -> Server {
        let mut child = command
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
        // Keep draining stdout so the server never blocks on a full pipe, and keep what
        // it says for the tests that read the request log.
        let output = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = output.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        Server { child, url, output }
    }

    /// The lines printed so far after "listening on" (banner tail and request log).
    pub fn output(&self) -> Vec<String> {
        self.output.lock().unwrap().clone()
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

/// `grantscope serve` and the profile files that reach it: a credentials file from
/// `grantscope credentials` and an empty config file, in a temporary directory (given
/// explicitly to the backend: no process-wide environment).
pub struct ServedWorld {
    pub server: Server,
    pub sources: ProfileSources,
    _dir: tempfile::TempDir,
}

impl ServedWorld {
    /// Serve with `args` (`--scenario NAME|PATH`, ...).
    pub fn start(args: &[&str]) -> ServedWorld {
        ServedWorld::start_in(tempfile::tempdir().unwrap(), args)
    }

    /// Serve with `args`; the profile files go into `dir` (which may hold the scenario).
    pub fn start_in(dir: tempfile::TempDir, args: &[&str]) -> ServedWorld {
        let server = Server::start(args);
        let creds = credentials_file(dir.path(), &server.url, args);
        let config = dir.path().join("config");
        std::fs::write(&config, "").unwrap();
        ServedWorld {
            server,
            sources: ProfileSources {
                config_file: Some(config),
                credentials_file: Some(creds),
            },
            _dir: dir,
        }
    }

    /// Serve the scenario `toml` (written to a temporary file).
    pub fn scenario_toml(toml: &str) -> ServedWorld {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("world.toml");
        std::fs::write(&path, toml).unwrap();
        let path = path.display().to_string();
        ServedWorld::start_in(dir, &["--scenario", &path])
    }

    /// The AWS options that reach the server as `profile`.
    pub fn options(&self, profile: &str) -> AwsOptions {
        AwsOptions {
            profile: Some(profile.into()),
            region: Some("eu-west-1".into()),
            endpoint_url: Some(self.server.url.clone()),
        }
    }

    /// The AWS backend connected as `profile`.
    pub async fn connect(&self, profile: &str) -> AwsBackend {
        AwsBackend::connect_with(self.options(profile), self.sources.clone())
            .await
            .expect("connect")
    }
}

/// SigV4 for a request built by hand: who signs, where, for which service, when.
pub struct Signer<'a> {
    pub key: (&'a str, &'a str),
    pub region: &'a str,
    pub service: &'a str,
    pub time: SystemTime,
}

impl Signer<'_> {
    /// The headers the signer adds (`x-amz-date`, `authorization`) to a request with these
    /// `headers` and `body`.
    pub fn headers(
        &self,
        method: &str,
        uri: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Vec<(String, String)> {
        use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
        let identity =
            aws_credential_types::Credentials::new(self.key.0, self.key.1, None, None, "test")
                .into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(self.region)
            .name(self.service)
            .time(self.time)
            .settings(SigningSettings::default())
            .build()
            .expect("signing parameters")
            .into();
        let signable = SignableRequest::new(
            method,
            uri,
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(body),
        )
        .expect("a signable request");
        let (instructions, _signature) = sign(signable, &params)
            .expect("the request signs")
            .into_parts();
        instructions
            .headers()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

/// The AWS CLI pointed at a server, with a credentials file of its world, run with a
/// clean environment (no developer profile, no real AWS).
pub struct AwsCli {
    pub exe: PathBuf,
    pub creds: PathBuf,
    pub url: String,
}

impl AwsCli {
    /// The CLI for `server`, with its credentials written into `dir`.
    pub fn for_server(server: &Server, dir: &Path, args: &[&str]) -> AwsCli {
        AwsCli {
            exe: aws_cli(),
            creds: credentials_file(dir, &server.url, args),
            url: server.url.clone(),
        }
    }

    pub fn run(&self, profile: &str, args: &[&str]) -> std::process::Output {
        Command::new(&self.exe)
            .args([
                "--endpoint-url",
                &self.url,
                "--profile",
                profile,
                "--output",
                "json",
            ])
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", std::env::temp_dir())
            .env("AWS_SHARED_CREDENTIALS_FILE", &self.creds)
            .env("AWS_CONFIG_FILE", "/dev/null")
            .output()
            .expect("run the AWS CLI")
    }

    /// Run and expect success: the JSON it printed (Null when nothing).
    pub fn ok(&self, profile: &str, args: &[&str]) -> serde_json::Value {
        let out = self.run(profile, args);
        assert!(
            out.status.success(),
            "aws {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if out.stdout.is_empty() {
            return serde_json::Value::Null;
        }
        serde_json::from_slice(&out.stdout).expect("the CLI prints JSON")
    }

    /// Run and expect failure: what the CLI printed on stderr.
    pub fn err(&self, profile: &str, args: &[&str]) -> String {
        let out = self.run(profile, args);
        assert!(
            !out.status.success(),
            "aws {args:?} unexpectedly succeeded: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).trim().to_string()
    }
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

/// `grantscope ARGS...` with stdin closed, its output collected; the test fails (and the
/// program is killed) if it has not finished in 15 s: a start-up that hangs (a FIFO read,
/// a server that should have refused to start) fails instead of hanging the suite.
pub fn grantscope_bounded(args: &[&str]) -> std::process::Output {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_grantscope"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run grantscope");
    // Read both pipes on threads, so a chatty program never blocks on a full pipe.
    fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut bytes);
            }
            bytes
        })
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for grantscope") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("grantscope {args:?} did not finish in 15 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    std::process::Output {
        status,
        stdout: stdout.join().expect("stdout"),
        stderr: stderr.join().expect("stderr"),
    }
}

/// An aws-sdk-kms client for a served world, as the classroom's `admin` (the scenario's
/// example access key), with retries off so a test sees every answer as sent.
pub fn sdk_client(url: &str) -> aws_sdk_kms::Client {
    kms_as(
        url,
        (
            "AKIAIOSFODNN7EXAMPLE".into(),
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        ),
    )
}

/// An aws-sdk-kms client for a served world in eu-west-1 as the access key `(id, secret)`
/// (`profile_keys`), with retries off so a test sees every answer as sent.
pub fn kms_as(url: &str, (id, secret): (String, String)) -> aws_sdk_kms::Client {
    use aws_sdk_kms::config::{Credentials, Region};
    let config = aws_sdk_kms::Config::builder()
        .behavior_version_latest()
        .endpoint_url(url)
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new(id, secret, None, None, "test"))
        .retry_config(aws_sdk_kms::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_kms::Client::from_conf(config)
}

/// The access key id and secret of `profile` in a credentials file from
/// `grantscope credentials`.
pub fn profile_keys(text: &str, profile: &str) -> (String, String) {
    let section = text
        .split(&format!("[{profile}]"))
        .nth(1)
        .expect("the profile is in the file");
    let field = |name: &str| {
        section
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} = ")))
            .expect("the field is in the profile")
            .to_string()
    };
    (field("aws_access_key_id"), field("aws_secret_access_key"))
}
