//! The HTTP front: one handler for every request. It reads the body (capped and timed by
//! `body.rs`, which says why a body could not be read), checks the protocol headers,
//! verifies the SigV4 signature, dispatches under the simulator lock, saves acknowledged
//! changes when a state file is set, and answers with AWS's shapes. Query-protocol requests
//! (form bodies) go to STS or IAM by the service they are signed for.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;

use crate::kms::{ApiOperation, ErrorCode, KmsError};
use crate::sim::{Caller, Outcome, SharedSimulator, Simulator};

use super::body::{self as request_body, BodyError};
use super::dispatch::{dispatch, is_mutating};
use super::errors::{error, ok, request_id};
use super::persist::{StateFile, NOT_SAVED};
use super::query::{self, QueryError};
use super::request_log::{LogLine, RequestLog, Trace};
use super::server::{BodyTimeout, DEFAULT_BODY_TIMEOUT};
use super::sessions;
use super::sigv4;
use super::throttle::{Throttle, ThrottlePolicy};
use super::MAX_BODY_BYTES;
use super::{cloudtrail, iam, organizations, sts};

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub sim: SharedSimulator,
    pub state_file: Option<Arc<StateFile>>,
    pub throttle: Option<Arc<Throttle>>,
    /// Added to every answer (`serve --latency`): a network round trip, as a client far
    /// from the endpoint sees it. Zero on loopback.
    pub latency: Duration,
    /// One line per request (`serve --log-format`), when set.
    pub log: Option<Arc<RequestLog>>,
}

impl AppState {
    pub fn new(sim: SharedSimulator, state_file: Option<Arc<StateFile>>) -> Self {
        Self {
            sim,
            state_file,
            throttle: None,
            latency: Duration::ZERO,
            log: None,
        }
    }

    /// Log every request to `log`.
    pub fn with_log(mut self, log: RequestLog) -> Self {
        self.log = Some(Arc::new(log));
        self
    }

    /// Refuse requests above a rate with ThrottlingException.
    pub fn with_throttle(mut self, policy: ThrottlePolicy) -> Self {
        self.throttle = Some(Arc::new(Throttle::new(policy)));
        self
    }

    /// Answer every request `latency` later than it is ready (the request is still
    /// processed at once; other requests are not held up).
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Save the current world now (on shutdown): a snapshot, and an empty journal.
    pub fn save_now(&self) {
        if let Some(file) = &self.state_file {
            if let Err(e) = file.save_now(&self.sim) {
                eprintln!("grantscope serve: {e}");
            }
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new().fallback(handle).with_state(state)
}

fn unknown_operation() -> KmsError {
    KmsError::new(ErrorCode::UnknownOperationException, "")
}

async fn handle(State(app): State<AppState>, req: Request<Body>) -> Response {
    let started = std::time::Instant::now();
    let rid = request_id();
    let mut trace = Trace::default();
    let response = if query::is_query_request(req.headers()) {
        query_response(&app, req, &rid, &mut trace).await
    } else if cloudtrail::is_cloudtrail(req.headers()) {
        cloudtrail_response(&app, req, &rid, &mut trace).await
    } else if let Some(service) = organizations::JsonService::of(req.headers()) {
        organizations::respond(&app, service, req, &rid, &mut trace).await
    } else {
        match answer(&app, req, &mut trace).await {
            Ok(body) => ok(body, &rid),
            Err(e) => error(&e, &rid),
        }
    };
    if !app.latency.is_zero() {
        tokio::time::sleep(app.latency).await;
    }
    if let Some(log) = &app.log {
        let code = response
            .headers()
            .get("x-amzn-ErrorType")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        log.write(&LogLine::new(
            chrono::Utc::now(),
            &rid,
            trace,
            response.status().as_u16(),
            code,
            started.elapsed(),
        ));
    }
    response
}

/// The Query-protocol services served beside KMS, told apart by the service their
/// requests are signed for (unsigned requests go to STS, which says what is missing).
#[derive(Clone, Copy)]
enum QueryService {
    Sts,
    Iam,
}

impl QueryService {
    fn of(headers: &axum::http::HeaderMap) -> Self {
        match query::signed_scope(headers) {
            Some((service, _)) if service == "iam" => QueryService::Iam,
            _ => QueryService::Sts,
        }
    }

    fn process(
        self,
        app: &AppState,
        parts: &axum::http::request::Parts,
        body: &[u8],
        rid: &str,
    ) -> Result<String, QueryError> {
        match self {
            QueryService::Sts => sts::process(&app.sim, parts, body, rid),
            QueryService::Iam => iam::process(&app.sim, parts, body, rid),
        }
    }

    /// A failure of the server itself, in the service's terms.
    fn error(self, e: KmsError) -> QueryError {
        match self {
            QueryService::Sts => sts::error_from(e),
            QueryService::Iam => iam::error_from(e),
        }
    }

    fn error_xml(self, e: &QueryError, rid: &str) -> String {
        match self {
            QueryService::Sts => sts::error_xml(e, rid),
            QueryService::Iam => iam::error_xml(e, rid),
        }
    }
}

async fn query_response(
    app: &AppState,
    req: Request<Body>,
    rid: &str,
    trace: &mut Trace,
) -> Response {
    let (parts, body) = req.into_parts();
    let service = QueryService::of(&parts.headers);
    let result = match read_body(&parts, body).await {
        Ok(body) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let prefix = match service {
                QueryService::Sts => "sts",
                QueryService::Iam => "iam",
            };
            let params = query::Params::parse(&body);
            trace.operation = Some(format!("{prefix}:{}", params.action().unwrap_or("-")));
            service.process(app, &parts, &body, rid)
        }))
        .unwrap_or_else(|_| {
            Err(service.error(KmsError::internal("The request could not be processed.")))
        }),
        Err(e) => Err(service.error(e.to_kms_error())),
    };
    match result {
        Ok(xml) => query::xml_response(200, xml, rid),
        Err(e) => query::xml_response(e.status, service.error_xml(&e, rid), rid),
    }
}

/// A CloudTrail request (`cloudtrail.rs`): its body read, then answered in CloudTrail's
/// JSON shapes; a panic in it becomes an InternalFailure answer.
async fn cloudtrail_response(
    app: &AppState,
    req: Request<Body>,
    rid: &str,
    trace: &mut Trace,
) -> Response {
    let (parts, body) = req.into_parts();
    let result = match read_body(&parts, body).await {
        Ok(body) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            cloudtrail::process(app, &parts, &body, &mut trace.operation, &mut trace.caller)
        }))
        .unwrap_or_else(|_| Err(cloudtrail::internal())),
        Err(e) => Err(cloudtrail::TrailError::from_kms(e.to_kms_error())),
    };
    match result {
        Ok(body) => cloudtrail::ok(body, rid),
        Err(e) => e.response(rid),
    }
}

/// The whole body, within the size limit and the connection's body timeout.
async fn read_body(
    parts: &axum::http::request::Parts,
    body: Body,
) -> Result<axum::body::Bytes, BodyError> {
    let timeout = parts
        .extensions
        .get::<BodyTimeout>()
        .map_or(DEFAULT_BODY_TIMEOUT, |t| t.0);
    request_body::read(body, MAX_BODY_BYTES, timeout).await
}

async fn answer(
    app: &AppState,
    req: Request<Body>,
    trace: &mut Trace,
) -> Result<Vec<u8>, KmsError> {
    let (parts, body) = req.into_parts();
    // A body announced as too large is refused before any of it is read.
    let announced = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(BodyError::TooLarge {
            limit: MAX_BODY_BYTES,
        }
        .to_kms_error());
    }
    let body = read_body(&parts, body)
        .await
        .map_err(|e| e.to_kms_error())?;
    // The rest is synchronous. A panic in it (a bug) becomes a KMSInternalException
    // answer instead of a connection dropped without one; the simulator lock recovers
    // from poisoning (operations validate before they mutate).
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        process(app, &parts, &body, trace)
    }))
    .unwrap_or_else(|_| Err(KmsError::internal("The request could not be processed.")))
}

fn process(
    app: &AppState,
    parts: &axum::http::request::Parts,
    body: &[u8],
    trace: &mut Trace,
) -> Result<Vec<u8>, KmsError> {
    if parts.method != axum::http::Method::POST {
        return Err(unknown_operation());
    }
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let op = target
        .strip_prefix("TrentService.")
        .and_then(|name| name.parse::<ApiOperation>().ok())
        .ok_or_else(unknown_operation)?;
    trace.operation = Some(op.as_str().to_string());
    let content_type = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/x-amz-json-1.1")
        && !content_type.starts_with("application/x-amz-json-1.0")
    {
        return Err(KmsError::new(
            ErrorCode::UnknownOperationException,
            format!(
                "Unsupported Content-Type '{content_type}': KMS speaks application/x-amz-json-1.1."
            ),
        ));
    }
    // The simulator lock is held only to look the access key up; the signature (the
    // costly part) is checked without it, so concurrent requests verify in parallel.
    let caller = verify(app, "kms", parts, body)?;
    trace.caller = Some(caller.clone());
    // The signature check accepted the scope's region: the request is answered there,
    // and counts against the calling account's quota in that region.
    let region = super::query::signed_scope(&parts.headers).map(|(_, region)| region);
    let account = crate::kms::ids::Arn::parse(&caller).map_or("", |a| a.account);
    let quota_region = region.as_deref().unwrap_or_default();
    if app
        .throttle
        .as_ref()
        .is_some_and(|t| !t.admit(account, quota_region, op))
    {
        return Err(KmsError::throttled());
    }
    let caller = match region {
        Some(region) => Caller::new(caller).in_region(region),
        None => Caller::new(caller),
    };
    match app.state_file.as_ref().filter(|_| is_mutating(op)) {
        Some(file) => blocking(|| durable_change(app, file, &caller, op, body, trace)),
        None => {
            let mut sim = app.sim.lock();
            run_traced(app, &mut sim, &caller, op, body, trace)
        }
    }
}

/// Verify a request's signature for `service`; on success, the caller's ARN (for an STS
/// session, `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`). An expired session says so.
pub(super) fn verify(
    app: &AppState,
    service: &str,
    parts: &axum::http::request::Parts,
    body: &[u8],
) -> Result<String, KmsError> {
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let token = sessions::token_header(&parts.headers);
    let mut session_error = None;
    sigv4::verify_with(
        |akid| {
            sessions::signing_key(app.sim.lock().world(), akid, token.as_deref()).unwrap_or_else(
                |e| {
                    session_error = Some(e);
                    None
                },
            )
        },
        service,
        parts.method.as_str(),
        path,
        &parts.headers,
        body,
        SystemTime::now(),
    )
    .map_err(|e| session_error.unwrap_or(e))
}

/// Dispatch under the simulator lock, keeping the call's activity entry for the request
/// log.
fn run_traced(
    app: &AppState,
    sim: &mut Simulator,
    caller: &Caller,
    op: ApiOperation,
    body: &[u8],
    trace: &mut Trace,
) -> Result<Vec<u8>, KmsError> {
    let before = sim.world().activity.last().map(|e| e.seq);
    let result = dispatch(sim, caller, op, body);
    if app.log.is_some() {
        trace.entry = sim
            .world()
            .activity
            .last()
            .filter(|e| Some(e.seq) != before)
            .cloned();
    }
    result
}

/// A change under `--state`: applied under the simulator lock, then made durable (journal
/// appended and flushed) with the lock released, so reads proceed meanwhile; acknowledged
/// only once durable. A change that cannot be saved is undone before the answer: it is
/// either durable and acknowledged, or not made at all (`persist.rs`).
fn durable_change(
    app: &AppState,
    file: &Arc<StateFile>,
    caller: &Caller,
    op: ApiOperation,
    body: &[u8],
    trace: &mut Trace,
) -> Result<Vec<u8>, KmsError> {
    let mut durable = file.begin();
    let (result, change) = {
        let mut sim = app.sim.lock();
        sim.world_mut().begin_change();
        let result = run_traced(app, &mut sim, caller, op, body, trace);
        let change = match &result {
            Ok(_) => sim.world_mut().finish_change(),
            Err(_) => {
                sim.world_mut().cancel_change();
                None
            }
        };
        (result, change)
    };
    if let Some((record, undo)) = change {
        // Not on disk means not acknowledged, and not made.
        if let Err(e) = file.commit(&mut durable, &app.sim, record, undo) {
            let e = KmsError::internal(format!("{NOT_SAVED}: {e}"));
            // The request log says what the activity log now says.
            if let Some(entry) = trace.entry.as_mut() {
                entry.outcome = Outcome::Failed { code: e.code };
                entry.why = e.message.clone();
            }
            return Err(e);
        }
    }
    result
}

/// Run blocking work (waiting for the writer lock, flushing the journal) without holding
/// up the other requests of this runtime worker.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}
