//! `grantscope serve` against clients that misbehave, through the real binary and raw TCP:
//! idle, slowloris and partial-body connections are closed or answered within the
//! timeouts `serve` is given; at the connection cap (and under a low open-file limit) a new
//! client is still served; a malformed chunked body is answered for what it is. And the
//! signature checks AWS makes beyond the signature itself: SignedHeaders lowercase, sorted,
//! naming only headers the request carries; no session token with a long-term key.
//! Short timeouts are passed as flags so each test takes a few seconds.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use support::reply::Reply;
use support::{credentials_file, AwsCli, Server, Signer};

const ADMIN: (&str, &str) = (
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
);
const JSON_11: &str = "application/x-amz-json-1.1";

/// Longer than any timeout a test sets, so a connection still open after it is a hang.
const HANG: Duration = Duration::from_secs(15);

fn addr_of(server: &Server) -> String {
    server
        .url
        .strip_prefix("http://")
        .expect("an http URL")
        .to_string()
}

fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect(addr_of(server)).expect("connect");
    stream.set_read_timeout(Some(HANG)).expect("a read timeout");
    stream
}

/// The headers of a signed `TrentService.<op>` call with `body`, signed as `key`, with
/// `extra` headers signed too.
fn signed_headers(
    server: &Server,
    op: &str,
    body: &[u8],
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut headers = vec![
        ("host".to_string(), addr_of(server)),
        ("content-type".to_string(), JSON_11.to_string()),
        ("x-amz-target".to_string(), format!("TrentService.{op}")),
    ];
    headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let signer = Signer {
        key: ADMIN,
        region: "eu-west-1",
        service: "kms",
        time: SystemTime::now(),
    };
    let added = signer.headers("POST", "/", &headers, body);
    headers.extend(added);
    headers
}

fn head_bytes(headers: &[(String, String)]) -> Vec<u8> {
    let mut out = b"POST / HTTP/1.1\r\n".to_vec();
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out
}

/// A whole request: the headers, a content length and the body (keep-alive).
fn request_bytes(headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut out = head_bytes(headers);
    out.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

/// What these tests ask of an error answer, beyond `support::Reply`.
impl Reply {
    /// An AWS JSON error with this status and code.
    fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.describe());
        assert_eq!(self.json()["__type"], code, "{}", self.describe());
        assert_eq!(self.header("x-amzn-ErrorType"), Some(code));
        assert!(self.header("x-amzn-RequestId").is_some(), "{self:?}");
    }
}

/// Read one response (headers and a content-length body) from `stream`.
fn read_reply(stream: &mut TcpStream) -> Reply {
    Reply::read_from(stream)
}

/// Wait until the server closes `stream` (EOF or reset), ignoring anything it sends; how
/// long that took.
fn time_until_closed(stream: &mut TcpStream, since: Instant) -> Duration {
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) if since.elapsed() < HANG => return since.elapsed(),
            Ok(_) if since.elapsed() < HANG => continue,
            _ => panic!("the connection was still open after {HANG:?}"),
        }
    }
}

/// One signed ListKeys on `stream`, answered 200.
fn list_keys(server: &Server, stream: &mut TcpStream) {
    let headers = signed_headers(server, "ListKeys", b"{}", &[]);
    stream
        .write_all(&request_bytes(&headers, b"{}"))
        .expect("send");
    let reply = read_reply(stream);
    assert_eq!(reply.status, 200, "{}", reply.describe());
}

// ---------------------------------------------------------------------------------------
// Timeouts.

#[test]
fn an_idle_connection_is_closed_after_the_idle_timeout() {
    let server = Server::start(&["--idle-timeout", "2s", "--header-timeout", "1s"]);
    let started = Instant::now();
    let mut stream = connect(&server);
    let open_for = time_until_closed(&mut stream, started);
    // The idle timeout, not the (shorter) header timeout: nothing was sent.
    assert!(
        open_for >= Duration::from_millis(1500),
        "closed after {open_for:?}"
    );
    assert!(
        open_for < Duration::from_secs(6),
        "closed after {open_for:?}"
    );
}

#[test]
fn a_keep_alive_connection_outlives_the_header_timeout_between_requests() {
    let server = Server::start(&["--idle-timeout", "3s", "--header-timeout", "1s"]);
    let mut stream = connect(&server);
    list_keys(&server, &mut stream);
    std::thread::sleep(Duration::from_millis(1800));
    // Waiting for the next request is idle time, not a slow header.
    list_keys(&server, &mut stream);
    let answered = Instant::now();
    let open_for = time_until_closed(&mut stream, answered);
    assert!(
        open_for >= Duration::from_millis(2500) && open_for < Duration::from_secs(7),
        "closed {open_for:?} after the last answer"
    );
}

#[test]
fn a_header_sent_a_byte_at_a_time_is_cut_off_at_the_header_timeout() {
    let server = Server::start(&["--idle-timeout", "30s", "--header-timeout", "1s"]);
    let mut stream = connect(&server);
    let started = Instant::now();
    let mut writer = stream.try_clone().expect("a second handle");
    let trickle = std::thread::spawn(move || {
        for byte in b"POST / HTTP/1.1\r\nhost: slow\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaa" {
            if writer.write_all(&[*byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    });
    let open_for = time_until_closed(&mut stream, started);
    assert!(
        open_for < Duration::from_secs(4),
        "closed after {open_for:?}"
    );
    let _ = stream.shutdown(std::net::Shutdown::Both);
    trickle.join().expect("the trickling thread ends");
}

#[test]
fn a_body_that_stops_coming_is_answered_408_at_the_body_timeout() {
    let server = Server::start(&["--body-timeout", "1s"]);
    let mut stream = connect(&server);
    let body = br#"{"Limit": 10}"#;
    let headers = signed_headers(&server, "ListKeys", body, &[]);
    let mut raw = head_bytes(&headers);
    raw.extend_from_slice(b"content-length: 100\r\n\r\n");
    raw.extend_from_slice(body);
    let started = Instant::now();
    stream.write_all(&raw).expect("send");
    let reply = read_reply(&mut stream);
    let after = started.elapsed();
    reply.assert_error(408, "RequestTimeoutException");
    assert!(reply.message().contains("1s"), "{}", reply.message());
    assert!(
        after >= Duration::from_millis(800) && after < Duration::from_secs(5),
        "answered after {after:?}"
    );
    // Nothing more can be read from a request cut short: the connection ends.
    time_until_closed(&mut stream, Instant::now());
}

#[test]
fn a_malformed_chunked_body_is_answered_as_malformed_not_as_too_large() {
    let server = Server::start(&[]);
    let mut stream = connect(&server);
    let headers = signed_headers(&server, "ListKeys", b"{}", &[]);
    let mut raw = head_bytes(&headers);
    raw.extend_from_slice(b"transfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
    stream.write_all(&raw).expect("send");
    let reply = read_reply(&mut stream);
    reply.assert_error(400, "SerializationException");
    assert!(
        reply.message().contains("malformed") && reply.message().contains("chunk"),
        "{}",
        reply.message()
    );
}

// ---------------------------------------------------------------------------------------
// The connection cap.

#[test]
fn at_the_connection_cap_the_longest_idle_connection_makes_room() {
    let server = Server::start(&["--max-connections", "4", "--idle-timeout", "60s"]);
    let mut idle: Vec<TcpStream> = Vec::new();
    for _ in 0..4 {
        let mut stream = connect(&server);
        // A request answered on each: the server has accepted it before the next.
        list_keys(&server, &mut stream);
        idle.push(stream);
    }
    let started = Instant::now();
    let mut fresh = connect(&server);
    list_keys(&server, &mut fresh);
    assert!(started.elapsed() < Duration::from_secs(5));
    // The oldest idle connection was closed to make room; the newest is still served.
    time_until_closed(&mut idle[0], started);
    let newest = idle.last_mut().expect("four connections");
    list_keys(&server, newest);
}

#[cfg(unix)]
#[test]
fn a_new_client_is_served_beside_300_idle_connections_under_a_256_file_limit() {
    // The shell lowers the open-file limit, then becomes the server.
    let mut command = Command::new("sh");
    command.args([
        "-c",
        "ulimit -n 256 && exec \"$0\" serve --bind 127.0.0.1:0",
        env!("CARGO_BIN_EXE_grantscope"),
    ]);
    let server = Server::spawn(command);
    let idle: Vec<TcpStream> = (0..300).map(|_| connect(&server)).collect();
    let started = Instant::now();
    let mut fresh = connect(&server);
    fresh
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a read timeout");
    list_keys(&server, &mut fresh);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "served after {:?}",
        started.elapsed()
    );
    drop(idle);
    // The startup lines say why the cap is below --max-connections.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !server
        .output()
        .iter()
        .any(|l| l.contains("lowered to fit the open-file limit"))
    {
        assert!(
            Instant::now() < deadline,
            "the banner says the cap was lowered: {:?}",
            server.output()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ---------------------------------------------------------------------------------------
// Flags.

#[test]
fn serve_help_shows_the_connection_flags_and_their_defaults() {
    let out = Command::new(env!("CARGO_BIN_EXE_grantscope"))
        .args(["serve", "--help"])
        .output()
        .expect("run serve --help");
    let help = String::from_utf8_lossy(&out.stdout);
    for (flag, default) in [
        ("--idle-timeout", "[default: 60s]"),
        ("--header-timeout", "[default: 10s]"),
        ("--body-timeout", "[default: 20s]"),
        ("--max-connections", "[default: 512]"),
    ] {
        let at = help
            .find(flag)
            .unwrap_or_else(|| panic!("{flag} in serve --help:\n{help}"));
        let rest = &help[at..];
        let next_flag = rest[2..].find("\n  -").map_or(rest.len(), |i| i + 2);
        assert!(
            rest[..next_flag].contains(default),
            "{flag} {default}:\n{help}"
        );
    }
}

#[test]
fn absurd_connection_timeouts_are_refused_naming_the_flag() {
    for (flag, value, says) in [
        ("--idle-timeout", "400d", "at most 1 day"),
        ("--header-timeout", "0s", "more than 0s"),
        ("--body-timeout", "soon", "not a duration"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_grantscope"))
            .args(["serve", "--bind", "127.0.0.1:0", flag, value])
            .output()
            .expect("run serve");
        assert!(!out.status.success(), "{flag} {value} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(flag) && stderr.contains(says),
            "{flag} {value}: {stderr}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_grantscope"))
        .args(["serve", "--bind", "127.0.0.1:0", "--max-connections", "0"])
        .output()
        .expect("run serve");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-connections"));
}

// ---------------------------------------------------------------------------------------
// Signature strictness.

/// `headers` with the Authorization header's SignedHeaders replaced by `f(old)`.
fn with_signed_headers(
    mut headers: Vec<(String, String)>,
    f: impl Fn(&str) -> String,
) -> Vec<(String, String)> {
    let auth = headers
        .iter_mut()
        .find(|(k, _)| k == "authorization")
        .expect("an authorization header");
    let start = auth.1.find("SignedHeaders=").expect("SignedHeaders") + "SignedHeaders=".len();
    let end = start
        + auth.1[start..]
            .find(',')
            .expect("a comma after SignedHeaders");
    let list = f(&auth.1[start..end]);
    auth.1.replace_range(start..end, &list);
    headers
}

fn exchange(server: &Server, headers: &[(String, String)], body: &[u8]) -> Reply {
    let mut stream = connect(server);
    stream
        .write_all(&request_bytes(headers, body))
        .expect("send");
    read_reply(&mut stream)
}

#[test]
fn signed_headers_out_of_order_are_an_incomplete_signature() {
    let server = Server::start(&[]);
    let headers = signed_headers(&server, "ListKeys", b"{}", &[]);
    // The control: as signed, it verifies.
    assert_eq!(exchange(&server, &headers, b"{}").status, 200);
    let reversed = with_signed_headers(headers.clone(), |list| {
        let mut names: Vec<&str> = list.split(';').collect();
        names.reverse();
        names.join(";")
    });
    let reply = exchange(&server, &reversed, b"{}");
    reply.assert_error(400, "IncompleteSignatureException");
    assert!(
        reply.message().contains("alphabetical"),
        "{}",
        reply.message()
    );
    let upper = with_signed_headers(headers, |list| list.replace("host", "Host"));
    exchange(&server, &upper, b"{}").assert_error(400, "IncompleteSignatureException");
}

#[test]
fn a_signed_header_the_request_does_not_carry_is_an_invalid_signature() {
    let server = Server::start(&[]);
    let headers = signed_headers(&server, "ListKeys", b"{}", &[]);
    // Still sorted: only the absence is wrong.
    let named = with_signed_headers(headers, |list| format!("{list};x-amz-zzz"));
    let reply = exchange(&server, &named, b"{}");
    reply.assert_error(400, "InvalidSignatureException");
    assert!(reply.message().contains("x-amz-zzz"), "{}", reply.message());
}

#[test]
fn a_long_term_key_with_a_session_token_is_an_unrecognized_client() {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let server = Server::start(&[]);
    let headers = vec![
        ("host".to_string(), addr_of(&server)),
        ("content-type".to_string(), JSON_11.to_string()),
        (
            "x-amz-target".to_string(),
            "TrentService.ListKeys".to_string(),
        ),
    ];
    let identity = aws_credential_types::Credentials::new(
        ADMIN.0,
        ADMIN.1,
        Some("FwoGZXIvYXdzEXAMPLETOKEN".to_string()),
        None,
        "test",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("eu-west-1")
        .name("kms")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .expect("signing parameters")
        .into();
    let signable = SignableRequest::new(
        "POST",
        "/",
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(b"{}"),
    )
    .expect("a signable request");
    let (instructions, _) = sign(signable, &params).expect("signs").into_parts();
    let mut signed = headers.clone();
    signed.extend(
        instructions
            .headers()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    assert!(signed.iter().any(|(k, _)| k == "x-amz-security-token"));
    let reply = exchange(&server, &signed, b"{}");
    reply.assert_error(400, "UnrecognizedClientException");
    assert_eq!(
        reply.message(),
        "The security token included in the request is invalid."
    );
}

#[test]
fn the_aws_cli_with_a_session_token_on_a_long_term_key_is_refused() {
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let creds = credentials_file(dir.path(), &server.url, &[]);
    let text = std::fs::read_to_string(&creds).expect("the credentials file");
    let with_token = text.replacen(
        "[admin]\n",
        "[admin]\naws_session_token = FwoGZXIvYXdzEXAMPLETOKEN\n",
        1,
    );
    assert_ne!(with_token, text, "an [admin] profile in {text}");
    std::fs::write(&creds, with_token).expect("write the credentials");
    let cli = AwsCli {
        exe: support::aws_cli(),
        creds,
        url: server.url.clone(),
    };
    let err = cli.err("admin", &["kms", "list-keys"]);
    assert!(
        err.contains("UnrecognizedClientException")
            && err.contains("The security token included in the request is invalid."),
        "{err}"
    );
    // Without the token the same profile works (the CLI signs as the checks expect).
    let plain = AwsCli {
        exe: support::aws_cli(),
        creds: credentials_file(dir.path(), &server.url, &[]),
        url: server.url.clone(),
    };
    assert!(plain.ok("admin", &["kms", "list-keys"])["Keys"].is_array());
}
