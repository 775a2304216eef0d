//! The wire server at the HTTP level, with a tiny HTTP/1.1 client and requests signed here
//! with `aws-sigv4`: bad input gets AWS's protocol errors (never a 500, never a hung
//! connection), every response has the `{"__type", "message"}` shape and an
//! `x-amzn-RequestId` header, SigV4 failures get AWS's authentication errors, and with
//! `--state` every acknowledged change is on disk before its response.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use chrono::TimeZone;
use grantscope::sim::{Clock, Scenario, SharedSimulator, Simulator, World};
use grantscope::wire::{self, StateFile};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use support::reply::Reply;
use support::Signer;

const ADMIN: (&str, &str) = (
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
);
const TESTUSER_ARN: &str = "arn:aws:iam::111122223333:user/granttestuser";
const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_ARN: &str = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const JSON_11: &str = "application/x-amz-json-1.1";

/// How long any one exchange may take before the test calls it a hang.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------
// Fixture: the server on an ephemeral port.

fn classroom() -> World {
    let start = chrono::Utc
        .with_ymd_and_hms(2024, 5, 1, 12, 0, 0)
        .single()
        .expect("a valid date");
    Scenario::load("classroom")
        .expect("the classroom scenario is bundled")
        .build_with_clock(Clock::manual(start))
        .expect("the classroom scenario builds")
}

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    async fn start() -> Self {
        Self::start_with(classroom(), None).await
    }

    async fn start_with(world: World, state: Option<StateFile>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("a local address");
        let sim = SharedSimulator::new(Simulator::new(world));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(wire::serve(listener, sim, state, async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            stop: Some(stop),
            task: Some(task),
        }
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(EXCHANGE_TIMEOUT, task)
                .await
                .expect("the server shuts down promptly")
                .expect("the server task did not panic")
                .expect("the server ended without an I/O error");
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

// ---------------------------------------------------------------------------------------
// A tiny HTTP/1.1 client.

#[derive(Debug, Clone)]
struct Request {
    method: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    /// A POST to `/` with the KMS protocol headers (each optional) and `body`.
    fn kms(
        addr: SocketAddr,
        target: Option<&str>,
        content_type: Option<&str>,
        body: impl Into<Vec<u8>>,
    ) -> Self {
        let mut headers = vec![("host".to_string(), addr.to_string())];
        if let Some(ct) = content_type {
            headers.push(("content-type".to_string(), ct.to_string()));
        }
        if let Some(t) = target {
            headers.push(("x-amz-target".to_string(), t.to_string()));
        }
        Self {
            method: "POST".to_string(),
            headers,
            body: body.into(),
        }
    }

    /// A well-formed KMS call: `TrentService.<op>` with the JSON 1.1 content type.
    fn op(addr: SocketAddr, op: &str, body: impl Into<Vec<u8>>) -> Self {
        Self::kms(
            addr,
            Some(&format!("TrentService.{op}")),
            Some(JSON_11),
            body,
        )
    }

    /// Sign with SigV4 as `access_key_id` in `region` at `time`, adding the headers the
    /// signer asks for (`x-amz-date`, `authorization`).
    fn signed_as(
        mut self,
        (access_key_id, secret): (&str, &str),
        region: &str,
        time: SystemTime,
    ) -> Self {
        let signer = Signer {
            key: (access_key_id, secret),
            region,
            service: "kms",
            time,
        };
        let added = signer.headers(&self.method, "/", &self.headers, &self.body);
        self.headers.extend(added);
        self
    }

    fn signed(self) -> Self {
        self.signed_as(ADMIN, "eu-west-1", SystemTime::now())
    }

    fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    fn without_header(mut self, name: &str) -> Self {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{} / HTTP/1.1\r\n", self.method).into_bytes();
        for (k, v) in &self.headers {
            out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "content-length: {}\r\nconnection: close\r\n\r\n",
                self.body.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&self.body);
        out
    }
}

/// What these tests ask of every answer, beyond `support::Reply`.
impl Reply {
    /// Every answer: an `x-amzn-RequestId`, the JSON 1.1 content type and never a 5xx.
    fn assert_well_formed(&self) {
        let rid = self.header("x-amzn-RequestId").unwrap_or_else(|| {
            panic!("no x-amzn-RequestId: {self:?}");
        });
        assert!(!rid.is_empty());
        assert!(self.status < 500, "a server fault: {}", self.describe());
        assert_eq!(self.header("content-type"), Some(JSON_11), "{self:?}");
        let body = self.json();
        assert!(body.is_object(), "{}", self.describe());
    }

    /// An error in AWS's shape: `{"__type": CODE, "message": ...}` with this status.
    fn assert_error(&self, status: u16, code: &str) {
        self.assert_well_formed();
        assert_eq!(self.status, status, "{}", self.describe());
        assert_eq!(self.error_type(), code, "{}", self.describe());
        assert!(
            self.json()["message"].is_string(),
            "a message member: {}",
            self.describe()
        );
        assert_eq!(self.header("x-amzn-ErrorType"), Some(code));
    }
}

/// Send raw bytes on a fresh connection and read the answer until the server closes it.
/// The write runs beside the read, so a server that answers before reading a whole
/// (oversized) body is seen answering; a write error after that is fine.
async fn exchange_raw(addr: SocketAddr, bytes: Vec<u8>) -> Reply {
    let work = async move {
        let stream = TcpStream::connect(addr).await.expect("connect");
        let (mut rd, mut wr) = stream.into_split();
        let writer = tokio::spawn(async move {
            let _ = wr.write_all(&bytes).await;
            let _ = wr.flush().await;
            // Keep the write half open until the server closes the connection.
            wr
        });
        let mut raw = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            match rd.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => raw.extend_from_slice(&buf[..n]),
                // A reset after the answer (unread request body) ends the exchange.
                Err(_) if !raw.is_empty() => break,
                Err(e) => panic!("read failed before any answer: {e}"),
            }
        }
        drop(writer.await);
        raw
    };
    let raw = tokio::time::timeout(EXCHANGE_TIMEOUT, work)
        .await
        .expect("the server answered and closed the connection in time (no hang)");
    Reply::parse(&raw)
}

async fn exchange(addr: SocketAddr, req: &Request) -> Reply {
    exchange_raw(addr, req.to_bytes()).await
}

// ---------------------------------------------------------------------------------------
// Success, as a baseline for the signer and the client.

#[tokio::test]
async fn signed_requests_succeed_with_json_bodies_and_request_ids() {
    let server = Server::start().await;
    let addr = server.addr;

    let reply = exchange(
        addr,
        &Request::op(
            addr,
            "Encrypt",
            json!({"KeyId": KEY_ID, "Plaintext": "aGVsbG8="}).to_string(),
        )
        .signed(),
    )
    .await;
    reply.assert_well_formed();
    assert_eq!(reply.status, 200, "{}", reply.describe());
    let body = reply.json();
    assert_eq!(body["KeyId"], KEY_ARN);
    assert_eq!(body["EncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    let blob = body["CiphertextBlob"]
        .as_str()
        .expect("a base64 blob")
        .to_string();

    let reply = exchange(
        addr,
        &Request::op(addr, "Decrypt", json!({"CiphertextBlob": blob}).to_string()).signed(),
    )
    .await;
    reply.assert_well_formed();
    assert_eq!(reply.status, 200, "{}", reply.describe());
    assert_eq!(reply.json()["Plaintext"], "aGVsbG8=");

    // An empty body means `{}`.
    let reply = exchange(addr, &Request::op(addr, "ListKeys", "").signed()).await;
    reply.assert_well_formed();
    assert_eq!(reply.status, 200, "{}", reply.describe());
    assert_eq!(reply.json()["Keys"][0]["KeyId"], KEY_ID);
    assert_eq!(reply.json()["Truncated"], false);

    // Timestamps are epoch seconds as JSON numbers.
    let reply = exchange(
        addr,
        &Request::op(
            addr,
            "DescribeKey",
            json!({"KeyId": "alias/classroom"}).to_string(),
        )
        .signed(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.describe());
    assert!(reply.json()["KeyMetadata"]["CreationDate"].is_number());

    // The JSON 1.0 content type is accepted too.
    let reply = exchange(
        addr,
        &Request::kms(
            addr,
            Some("TrentService.ListAliases"),
            Some("application/x-amz-json-1.0"),
            "{}",
        )
        .signed(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.describe());
    server.stop().await;
}

#[tokio::test]
async fn request_ids_differ_between_responses() {
    let server = Server::start().await;
    let addr = server.addr;
    let a = exchange(addr, &Request::op(addr, "ListKeys", "{}").signed()).await;
    let b = exchange(addr, &Request::op(addr, "ListKeys", "{not json").signed()).await;
    let c = exchange(addr, &Request::op(addr, "ListKeys", "{}")).await;
    let ids: Vec<&str> = [&a, &b, &c]
        .iter()
        .map(|r| r.header("x-amzn-RequestId").expect("x-amzn-RequestId"))
        .collect();
    assert_ne!(ids[0], ids[1]);
    assert_ne!(ids[1], ids[2]);
    assert_ne!(ids[0], ids[2]);
    server.stop().await;
}

// ---------------------------------------------------------------------------------------
// Bad input.

#[tokio::test]
async fn malformed_json_is_a_serialization_exception() {
    let server = Server::start().await;
    let addr = server.addr;
    for body in [
        "{not json",
        "{\"KeyId\": ",
        "[1,2]",
        // serde would read a struct from an array: not a request body.
        "[\"alias/classroom\"]",
        "\"text\"",
        "42",
        "null",
        // Trailing characters after the object.
        "{\"KeyId\":\"alias/classroom\"}}",
        "{\"KeyId\":\"alias/classroom\"} {}",
    ] {
        let reply = exchange(addr, &Request::op(addr, "DescribeKey", body).signed()).await;
        reply.assert_error(400, "SerializationException");
        assert!(!reply.message().is_empty(), "{body}");
    }
    server.stop().await;
}

#[tokio::test]
async fn wrong_or_missing_content_type_is_unknown_operation() {
    let server = Server::start().await;
    let addr = server.addr;
    for content_type in [None, Some("text/plain"), Some("application/json")] {
        let req = Request::kms(addr, Some("TrentService.ListKeys"), content_type, "{}").signed();
        let reply = exchange(addr, &req).await;
        reply.assert_error(400, "UnknownOperationException");
    }
    server.stop().await;
}

#[tokio::test]
async fn unknown_or_missing_target_is_unknown_operation() {
    let server = Server::start().await;
    let addr = server.addr;
    for target in [
        Some("TrentService.MakeCoffee"),
        Some("TrentService."),
        Some("KinesisService.ListKeys"),
        Some("ListKeys"),
        Some("TrentService.listkeys"),
        None,
    ] {
        let req = Request::kms(addr, target, Some(JSON_11), "{}").signed();
        let reply = exchange(addr, &req).await;
        reply.assert_error(400, "UnknownOperationException");
    }
    server.stop().await;
}

#[tokio::test]
async fn missing_required_member_is_a_validation_exception_in_aws_words() {
    let server = Server::start().await;
    let addr = server.addr;
    let reply = exchange(
        addr,
        &Request::op(addr, "Encrypt", json!({"Plaintext": "aGk="}).to_string()).signed(),
    )
    .await;
    reply.assert_error(400, "ValidationException");
    assert_eq!(
        reply.message(),
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"
    );
    // An explicit null is the same as a missing member.
    let reply = exchange(
        addr,
        &Request::op(addr, "DescribeKey", json!({"KeyId": null}).to_string()).signed(),
    )
    .await;
    reply.assert_error(400, "ValidationException");
    assert_eq!(
        reply.message(),
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"
    );
    let reply = exchange(
        addr,
        &Request::op(
            addr,
            "CreateGrant",
            json!({"KeyId": KEY_ID, "Operations": ["Encrypt"]}).to_string(),
        )
        .signed(),
    )
    .await;
    // GranteePrincipal is optional since GranteeServicePrincipal exists; one of them is
    // needed (API Reference, CreateGrant).
    reply.assert_error(400, "ValidationException");
    assert_eq!(
        reply.message(),
        "You must specify either GranteePrincipal or GranteeServicePrincipal, but not both."
    );
    server.stop().await;
}

#[tokio::test]
async fn wrong_member_type_is_a_serialization_exception() {
    let server = Server::start().await;
    let addr = server.addr;
    for (op, body) in [
        ("ListGrants", json!({"KeyId": KEY_ID, "Limit": "ten"})),
        ("DescribeKey", json!({"KeyId": 42})),
        (
            "Encrypt",
            json!({"KeyId": KEY_ID, "Plaintext": "%%% not base64"}),
        ),
        ("Encrypt", json!({"KeyId": KEY_ID, "Plaintext": ["a"]})),
        (
            "CreateGrant",
            json!({"KeyId": KEY_ID, "GranteePrincipal": TESTUSER_ARN, "Operations": "Encrypt"}),
        ),
        (
            "Encrypt",
            json!({"KeyId": KEY_ID, "Plaintext": "aGk=", "EncryptionContext": {"a": 1}}),
        ),
        ("ListKeys", json!({"Limit": 1.5})),
        ("ListKeys", json!({"Limit": 1e300})),
        ("ListKeys", json!({"Limit": true})),
    ] {
        let reply = exchange(addr, &Request::op(addr, op, body.to_string()).signed()).await;
        reply.assert_error(400, "SerializationException");
    }
    // A number too large for any integer.
    let reply = exchange(
        addr,
        &Request::op(
            addr,
            "ListKeys",
            r#"{"Limit": 123456789012345678901234567890}"#,
        )
        .signed(),
    )
    .await;
    reply.assert_error(400, "SerializationException");
    server.stop().await;
}

#[tokio::test]
async fn huge_limit_is_a_validation_exception() {
    let server = Server::start().await;
    let addr = server.addr;
    // Each listing's documented maximum: ListKeys 1000, ListGrants and ListAliases 100.
    for (op, max) in [
        ("ListGrants", 100),
        ("ListKeys", 1000),
        ("ListAliases", 100),
    ] {
        let reply = exchange(
            addr,
            &Request::op(
                addr,
                op,
                json!({"KeyId": KEY_ID, "Limit": 100000}).to_string(),
            )
            .signed(),
        )
        .await;
        reply.assert_error(400, "ValidationException");
        assert_eq!(
            reply.message(),
            format!("1 validation error detected: Value '100000' at 'limit' failed to satisfy constraint: Member must have value less than or equal to {max}"),
            "{op}"
        );
        let reply = exchange(
            addr,
            &Request::op(
                addr,
                op,
                json!({"KeyId": KEY_ID, "Limit": i64::MAX}).to_string(),
            )
            .signed(),
        )
        .await;
        reply.assert_error(400, "ValidationException");
        let reply = exchange(
            addr,
            &Request::op(addr, op, json!({"KeyId": KEY_ID, "Limit": -1}).to_string()).signed(),
        )
        .await;
        reply.assert_error(400, "ValidationException");
    }
    server.stop().await;
}

#[tokio::test]
async fn oversized_body_is_413_without_a_hang() {
    let server = Server::start().await;
    let addr = server.addr;
    let big = format!(
        "{{\"KeyId\":\"{KEY_ID}\",\"Plaintext\":\"{}\"}}",
        "A".repeat(wire::MAX_BODY_BYTES + 1)
    );
    let reply = exchange(addr, &Request::op(addr, "Encrypt", big).signed()).await;
    reply.assert_error(413, "RequestEntityTooLargeException");

    // One byte over, unsigned and with nothing else right: the size is checked first.
    let reply = exchange(
        addr,
        &Request::kms(addr, None, None, vec![b' '; wire::MAX_BODY_BYTES + 1]),
    )
    .await;
    reply.assert_error(413, "RequestEntityTooLargeException");

    // A body that announces more than the limit but stops early is answered too.
    let mut raw = Request::op(addr, "Encrypt", "").signed().to_bytes();
    let announced = format!("content-length: {}", 8 * 1024 * 1024);
    let text = String::from_utf8(raw.clone()).expect("ASCII headers");
    raw = text.replace("content-length: 0", &announced).into_bytes();
    raw.extend_from_slice(&vec![b'{'; 64 * 1024]);
    let reply = exchange_raw(addr, raw).await;
    reply.assert_error(413, "RequestEntityTooLargeException");

    // The server still answers afterwards.
    let reply = exchange(addr, &Request::op(addr, "ListKeys", "{}").signed()).await;
    assert_eq!(reply.status, 200, "{}", reply.describe());
    server.stop().await;
}

#[tokio::test]
async fn a_body_just_under_the_limit_is_read_and_judged() {
    let server = Server::start().await;
    let addr = server.addr;
    // 1 MiB of JSON: accepted by the transport, then refused by validation (the plaintext
    // is far over 4096 bytes).
    let filler = "A".repeat(wire::MAX_BODY_BYTES - 200);
    let body = format!("{{\"KeyId\":\"{KEY_ID}\",\"Plaintext\":\"{filler}\"}}");
    assert!(body.len() <= wire::MAX_BODY_BYTES);
    let reply = exchange(addr, &Request::op(addr, "Encrypt", body).signed()).await;
    reply.assert_error(400, "ValidationException");
    server.stop().await;
}

#[tokio::test]
async fn other_methods_and_paths_are_errors_not_faults() {
    let server = Server::start().await;
    let addr = server.addr;
    for method in ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let mut req = Request::op(addr, "ListKeys", "{}");
        req.method = method.to_string();
        let reply = exchange(addr, &req.signed()).await;
        reply.assert_well_formed();
        assert!(
            (400..500).contains(&reply.status),
            "{method}: {}",
            reply.describe()
        );
        assert!(!reply.error_type().is_empty(), "{method}");
    }
    // A plain GET as a browser would send it.
    let reply = exchange_raw(
        addr,
        format!("GET /favicon.ico HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n")
            .into_bytes(),
    )
    .await;
    reply.assert_well_formed();
    assert!((400..500).contains(&reply.status), "{}", reply.describe());
    // HEAD must not hang waiting for a body either.
    let reply = exchange_raw(
        addr,
        format!("HEAD / HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n").into_bytes(),
    )
    .await;
    assert!((400..500).contains(&reply.status), "{reply:?}");
    assert!(reply.header("x-amzn-RequestId").is_some());
    server.stop().await;
}

#[tokio::test]
async fn every_operation_answers_garbage_without_a_fault() {
    let server = Server::start().await;
    let addr = server.addr;
    let operations = [
        "CreateKey",
        "DescribeKey",
        "ListKeys",
        "ListAliases",
        "CreateAlias",
        "DeleteAlias",
        "EnableKey",
        "DisableKey",
        "ScheduleKeyDeletion",
        "CancelKeyDeletion",
        "GetKeyPolicy",
        "PutKeyPolicy",
        "CreateGrant",
        "ListGrants",
        "ListRetirableGrants",
        "RetireGrant",
        "RevokeGrant",
        "Encrypt",
        "Decrypt",
        "ReEncrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
    ];
    let long = "x".repeat(5000);
    let bodies = [
        "null".to_string(),
        "[]".to_string(),
        "\"\"".to_string(),
        "{\"KeyId\":\"\"}".to_string(),
        json!({"KeyId": long, "AliasName": long, "GrantId": long, "GrantToken": long, "RetiringPrincipal": long, "TargetKeyId": long}).to_string(),
        json!({"KeyId": "arn:aws:kms:eu-west-1:111122223333:alias/", "CiphertextBlob": "", "Marker": "%", "Limit": 0}).to_string(),
        json!({"KeyId": "alias/classroom", "GrantTokens": vec!["t"; 11], "Policy": "", "PendingWindowInDays": -5}).to_string(),
        "{\"KeyId\":\"\u{0}\u{ffff}\"}".to_string(),
        "\u{feff}{}".to_string(),
    ];
    for op in operations {
        for body in &bodies {
            let reply = exchange(addr, &Request::op(addr, op, body.clone()).signed()).await;
            reply.assert_well_formed();
            // (CreateKey and ListKeys ignore members they do not know, so some of these
            // succeed.)
            assert!(
                reply.status == 200 || (400..500).contains(&reply.status),
                "{op} {body}: {}",
                reply.describe()
            );
        }
    }
    // And the world is still intact.
    let reply = exchange(
        addr,
        &Request::op(addr, "DescribeKey", json!({"KeyId": KEY_ID}).to_string()).signed(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.describe());
    assert_eq!(reply.json()["KeyMetadata"]["KeyState"], "Enabled");
    server.stop().await;
}

// ---------------------------------------------------------------------------------------
// SigV4.

#[tokio::test]
async fn wrong_secret_is_an_invalid_signature() {
    let server = Server::start().await;
    let addr = server.addr;
    let req = Request::op(addr, "ListKeys", "{}").signed_as(
        (ADMIN.0, "not-the-secret"),
        "eu-west-1",
        SystemTime::now(),
    );
    let reply = exchange(addr, &req).await;
    reply.assert_error(400, "InvalidSignatureException");
    assert_eq!(
        reply.message(),
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    );
    server.stop().await;
}

#[tokio::test]
async fn a_changed_body_or_header_breaks_the_signature() {
    let server = Server::start().await;
    let addr = server.addr;
    let mut req = Request::op(addr, "DescribeKey", json!({"KeyId": KEY_ID}).to_string()).signed();
    req.body = json!({"KeyId": "alias/classroom"}).to_string().into_bytes();
    exchange(addr, &req)
        .await
        .assert_error(400, "InvalidSignatureException");

    let req = Request::op(addr, "DescribeKey", json!({"KeyId": KEY_ID}).to_string())
        .signed()
        .without_header("x-amz-target")
        .header("x-amz-target", "TrentService.ListKeys");
    exchange(addr, &req)
        .await
        .assert_error(400, "InvalidSignatureException");
    server.stop().await;
}

#[tokio::test]
async fn unknown_access_key_is_an_unrecognized_client() {
    let server = Server::start().await;
    let addr = server.addr;
    let req = Request::op(addr, "ListKeys", "{}").signed_as(
        ("AKIANOTAREALKEY00000", "whatever"),
        "eu-west-1",
        SystemTime::now(),
    );
    let reply = exchange(addr, &req).await;
    reply.assert_error(400, "UnrecognizedClientException");
    assert_eq!(
        reply.message(),
        "The security token included in the request is invalid."
    );
    server.stop().await;
}

#[tokio::test]
async fn unsigned_request_is_missing_authentication_token() {
    let server = Server::start().await;
    let addr = server.addr;
    let reply = exchange(addr, &Request::op(addr, "ListKeys", "{}")).await;
    reply.assert_error(400, "MissingAuthenticationTokenException");
    assert_eq!(reply.message(), "Missing Authentication Token");
    server.stop().await;
}

#[tokio::test]
async fn a_twenty_minute_old_signature_has_expired() {
    let server = Server::start().await;
    let addr = server.addr;
    let then = SystemTime::now() - Duration::from_secs(20 * 60);
    let req = Request::op(addr, "ListKeys", "{}").signed_as(ADMIN, "eu-west-1", then);
    let reply = exchange(addr, &req).await;
    reply.assert_error(400, "InvalidSignatureException");
    let date = req
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-date"))
        .map(|(_, v)| v.clone())
        .expect("the signer set X-Amz-Date");
    assert!(
        reply
            .message()
            .starts_with(&format!("Signature expired: {date} is now earlier than ")),
        "{}",
        reply.message()
    );
    assert!(
        reply.message().ends_with(" - 15 min.)"),
        "{}",
        reply.message()
    );

    // And one from 20 minutes in the future is not yet current.
    let later = SystemTime::now() + Duration::from_secs(20 * 60);
    let req = Request::op(addr, "ListKeys", "{}").signed_as(ADMIN, "eu-west-1", later);
    let reply = exchange(addr, &req).await;
    reply.assert_error(400, "InvalidSignatureException");
    assert!(
        reply.message().starts_with("Signature not yet current: "),
        "{}",
        reply.message()
    );
    // Ten minutes of skew is tolerated.
    let skewed = SystemTime::now() - Duration::from_secs(10 * 60);
    let req = Request::op(addr, "ListKeys", "{}").signed_as(ADMIN, "eu-west-1", skewed);
    assert_eq!(exchange(addr, &req).await.status, 200);
    server.stop().await;
}

#[tokio::test]
async fn a_signature_for_a_region_the_server_does_not_serve_is_invalid() {
    let server = Server::start().await;
    let addr = server.addr;
    // Every AWS commercial Region is served (`sim/regions.rs`): a region AWS does not have
    // is not.
    let req =
        Request::op(addr, "ListKeys", "{}").signed_as(ADMIN, "xx-nowhere-1", SystemTime::now());
    let reply = exchange(addr, &req).await;
    reply.assert_error(400, "InvalidSignatureException");
    assert!(
        reply.message().contains("region") && reply.message().contains("xx-nowhere-1"),
        "{}",
        reply.message()
    );
    server.stop().await;
}

#[tokio::test]
async fn malformed_authorization_headers_are_incomplete_signatures() {
    let server = Server::start().await;
    let addr = server.addr;
    let signed = Request::op(addr, "ListKeys", "{}").signed();
    let auth = signed
        .headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .map(|(_, v)| v.clone())
        .expect("an authorization header");

    for bad in [
        "Basic YWRtaW46YWRtaW4=".to_string(),
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240501".to_string(),
        auth.replace("Signature=", "Sig="),
        // The host must be signed.
        auth.replace(
            "SignedHeaders=content-type;host;",
            "SignedHeaders=content-type;",
        ),
    ] {
        let req = signed
            .clone()
            .without_header("authorization")
            .header("authorization", &bad);
        let reply = exchange(addr, &req).await;
        reply.assert_well_formed();
        assert_eq!(reply.status, 400, "{bad}: {}", reply.describe());
        assert_eq!(reply.error_type(), "IncompleteSignatureException", "{bad}");
    }

    // Missing X-Amz-Date.
    let req = signed.clone().without_header("x-amz-date");
    let reply = exchange(addr, &req).await;
    reply.assert_error(400, "IncompleteSignatureException");
    server.stop().await;
}

#[tokio::test]
async fn a_request_without_a_host_header_is_answered() {
    let server = Server::start().await;
    let addr = server.addr;
    // Signed without a host header (the signer then signs no host at all).
    let mut req = Request::op(addr, "ListKeys", "{}").without_header("host");
    let signer = Signer {
        key: ADMIN,
        region: "eu-west-1",
        service: "kms",
        time: SystemTime::now(),
    };
    let uri = format!("http://{addr}/");
    let added = signer.headers("POST", &uri, &req.headers, &req.body);
    req.headers.extend(added);
    let reply = exchange(addr, &req).await;
    reply.assert_well_formed();
    assert!((400..500).contains(&reply.status), "{}", reply.describe());
    server.stop().await;
}

// ---------------------------------------------------------------------------------------
// --state.

/// The world as `serve --state` would load it now: the state file and its journal.
fn on_disk(path: &std::path::Path) -> World {
    StateFile::new(path)
        .load()
        .expect("the state file loads")
        .expect("the state file exists")
}

#[tokio::test]
async fn state_file_holds_every_acknowledged_change_before_the_response() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("world.json");
    let server = Server::start_with(classroom(), Some(StateFile::new(&path))).await;
    let addr = server.addr;
    // The state file exists from the start, with an empty journal; reads save nothing.
    let journal = StateFile::new(&path).journal_path().to_path_buf();
    let reply = exchange(addr, &Request::op(addr, "ListKeys", "{}").signed()).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        std::fs::read(&journal).expect("the journal").len(),
        0,
        "a read wrote to the journal"
    );

    let reply = exchange(
        addr,
        &Request::op(
            addr,
            "CreateGrant",
            json!({"KeyId": KEY_ARN, "GranteePrincipal": TESTUSER_ARN, "Operations": ["Encrypt"], "Name": "persisted"}).to_string(),
        )
        .signed(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.describe());
    let grant_id = reply.json()["GrantId"]
        .as_str()
        .expect("a GrantId")
        .to_string();
    // The server is still running: the grant is on disk because the response waited
    // for it, not because of a save at shutdown.
    let world = on_disk(&path);
    let grant = world
        .grants
        .values()
        .find(|g| g.id.as_str() == grant_id)
        .expect("the new grant is in the state file");
    assert_eq!(grant.name.as_deref(), Some("persisted"));
    assert_eq!(grant.key_id, KEY_ID);

    // A failed change writes nothing new; a successful one does.
    let before = std::fs::read(&journal).expect("read the journal");
    let reply = exchange(
        addr,
        &Request::op(
            addr,
            "RevokeGrant",
            json!({"KeyId": KEY_ID, "GrantId": "f".repeat(64)}).to_string(),
        )
        .signed(),
    )
    .await;
    reply.assert_error(400, "NotFoundException");
    assert_eq!(std::fs::read(&journal).expect("read the journal"), before);
    let reply = exchange(
        addr,
        &Request::op(
            addr,
            "RevokeGrant",
            json!({"KeyId": KEY_ID, "GrantId": grant_id}).to_string(),
        )
        .signed(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.describe());
    let world = on_disk(&path);
    assert!(
        world
            .grants
            .values()
            .all(|g| g.id.as_str() != grant_id || !g.is_listed()),
        "the revocation is on disk"
    );

    let reply = exchange(
        addr,
        &Request::op(
            addr,
            "CreateKey",
            json!({"Description": "saved key"}).to_string(),
        )
        .signed(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.describe());
    let new_key = reply.json()["KeyMetadata"]["KeyId"]
        .as_str()
        .expect("a KeyId")
        .to_string();
    let world = on_disk(&path);
    assert_eq!(
        world.keys.get(&new_key).map(|k| k.description.as_str()),
        Some("saved key")
    );
    server.stop().await;

    // A new server on the same file starts where the old one stopped.
    let world = StateFile::new(&path)
        .load()
        .expect("the state file loads")
        .expect("the state file exists");
    let server = Server::start_with(world, Some(StateFile::new(&path))).await;
    let addr = server.addr;
    let reply = exchange(
        addr,
        &Request::op(addr, "DescribeKey", json!({"KeyId": new_key}).to_string()).signed(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.describe());
    assert_eq!(reply.json()["KeyMetadata"]["Description"], "saved key");
    server.stop().await;
}
