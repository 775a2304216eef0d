//! The HTTP front: one handler for every request. It reads the body (capped), checks the
//! protocol headers, verifies the SigV4 signature, dispatches under the simulator lock,
//! saves acknowledged changes when a state file is set, and answers with AWS's shapes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;

use crate::kms::{ApiOperation, ErrorCode, KmsError};
use crate::sim::snapshot;
use crate::sim::{Caller, SharedSimulator};

use super::dispatch::{dispatch, is_mutating};
use super::errors::{error, ok, request_id};
use super::persist::StateFile;
use super::sigv4;
use super::sts;
use super::throttle::{Throttle, ThrottlePolicy};
use super::MAX_BODY_BYTES;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub sim: SharedSimulator,
    pub state_file: Option<Arc<StateFile>>,
    pub throttle: Option<Arc<Throttle>>,
    version: Arc<AtomicU64>,
}

impl AppState {
    pub fn new(sim: SharedSimulator, state_file: Option<Arc<StateFile>>) -> Self {
        Self {
            sim,
            state_file,
            throttle: None,
            version: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Refuse requests above a rate with ThrottlingException.
    pub fn with_throttle(mut self, policy: ThrottlePolicy) -> Self {
        self.throttle = Some(Arc::new(Throttle::new(policy)));
        self
    }

    /// Save the current world now (on shutdown).
    pub fn save_now(&self) {
        if let Some(file) = &self.state_file {
            let (json, version) = {
                let sim = self.sim.lock();
                (
                    snapshot::to_json(sim.world()),
                    self.version.fetch_add(1, Ordering::SeqCst) + 1,
                )
            };
            if let Err(e) = file.write(&json, version) {
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
    let rid = request_id();
    if is_sts_request(&req) {
        return sts_response(&app, req, &rid).await;
    }
    match answer(&app, req).await {
        Ok(body) => ok(body, &rid),
        Err(e) => error(&e, &rid),
    }
}

/// STS speaks the Query protocol: a form body and no `X-Amz-Target`.
fn is_sts_request(req: &Request<Body>) -> bool {
    let content_type = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    !req.headers().contains_key("x-amz-target") && sts::is_query_request(content_type)
}

async fn sts_response(app: &AppState, req: Request<Body>, rid: &str) -> Response {
    let (parts, body) = req.into_parts();
    let result = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(body) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            sts_process(app, &parts, &body, rid)
        }))
        .unwrap_or_else(|_| Err(KmsError::internal("The request could not be processed."))),
        Err(_) => Err(too_large()),
    };
    match result {
        Ok(xml) => sts::xml_response(200, xml, rid),
        Err(e) => sts::xml_response(e.http_status(), sts::error_xml(&e, rid), rid),
    }
}

fn sts_process(
    app: &AppState,
    parts: &axum::http::request::Parts,
    body: &[u8],
    rid: &str,
) -> Result<String, KmsError> {
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    // STS's global endpoint signs with us-east-1; a regional one with the world's region.
    let signed_region = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| sigv4::parse_auth_header(v).ok())
        .map(|a| a.region)
        .unwrap_or_default();
    let caller = sigv4::verify_with(
        |akid| {
            sigv4::signing_key(app.sim.lock().world(), akid).map(|mut key| {
                if signed_region == "us-east-1" {
                    key.region = signed_region.clone();
                }
                key
            })
        },
        "sts",
        parts.method.as_str(),
        path,
        &parts.headers,
        body,
        SystemTime::now(),
    )?;
    match sts::action(body).as_deref() {
        Some("GetCallerIdentity") => sts::get_caller_identity(app.sim.lock().world(), &caller, rid),
        Some(other) => Err(KmsError::new(
            ErrorCode::InvalidAction,
            format!("Could not find operation {other} for version 2011-06-15"),
        )),
        None => Err(KmsError::new(ErrorCode::MissingAction, "Missing Action")),
    }
}

fn too_large() -> KmsError {
    KmsError::new(
        ErrorCode::RequestEntityTooLargeException,
        format!("Request body must be at most {MAX_BODY_BYTES} bytes."),
    )
}

async fn answer(app: &AppState, req: Request<Body>) -> Result<Vec<u8>, KmsError> {
    let (parts, body) = req.into_parts();
    // A body announced as too large is refused before any of it is read.
    let announced = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let body = to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| too_large())?;
    // The rest is synchronous. A panic in it (a bug) becomes a KMSInternalException
    // answer instead of a connection dropped without one; the simulator lock recovers
    // from poisoning (operations validate before they mutate).
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| process(app, &parts, &body)))
        .unwrap_or_else(|_| Err(KmsError::internal("The request could not be processed.")))
}

fn process(
    app: &AppState,
    parts: &axum::http::request::Parts,
    body: &[u8],
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
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    // The simulator lock is held only to look the access key up; the signature (the
    // costly part) is checked without it, so concurrent requests verify in parallel.
    let caller = sigv4::verify_with(
        |akid| sigv4::signing_key(app.sim.lock().world(), akid),
        "kms",
        parts.method.as_str(),
        path,
        &parts.headers,
        body,
        SystemTime::now(),
    )?;
    if app.throttle.as_ref().is_some_and(|t| !t.admit(op)) {
        return Err(KmsError::throttled());
    }
    let caller = Caller::new(caller);
    let (result, save) = {
        let mut sim = app.sim.lock();
        let result = dispatch(&mut sim, &caller, op, body);
        let save = match (&result, &app.state_file) {
            (Ok(_), Some(_)) if is_mutating(op) => Some((
                snapshot::to_json(sim.world()),
                app.version.fetch_add(1, Ordering::SeqCst) + 1,
            )),
            _ => None,
        };
        (result, save)
    };
    if let (Some((json, version)), Some(file)) = (save, &app.state_file) {
        // Not on disk means not acknowledged.
        file.write(&json, version)
            .map_err(|e| KmsError::internal(format!("The change could not be saved: {e}")))?;
    }
    result
}
