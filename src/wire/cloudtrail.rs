//! CloudTrail's `LookupEvents`, served beside KMS from the simulator's activity log, so the
//! usage evidence of the `unused` rule (`crate::evidence`) is tested on loopback end to
//! end. CloudTrail speaks AWS JSON 1.1 (`X-Amz-Target:
//! com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`), signed for the
//! service `cloudtrail`; each event is shaped by `cloudtrail_event.rs`.
//!
//! AWS's documentation (API reference, LookupEvents), quoted for what is reproduced here:
//! - "You can look up events that occurred in a Region within the last 90 days."
//! - "All attributes are optional. The default number of results returned is 50, with a
//!   maximum of 50 possible. The response includes a token that you can use to get the next
//!   page of results."
//! - LookupAttributes: "Contains a list of lookup attributes. Currently the list can
//!   contain only one item." (more: InvalidLookupAttributesException)
//! - "The rate of lookup requests is limited to two per second, per account, per Region.
//!   If this limit is exceeded, a throttling error occurs." (`throttle.rs`, under
//!   `--throttle aws`)
//! - NextToken: "This token must be passed in with the same parameters that were specified
//!   in the original call." (a token of other parameters: InvalidNextTokenException)
//! - Events come newest first; StartTime after EndTime is InvalidTimeRangeException.
//!
//! Decisions where AWS is silent: the caller needs `cloudtrail:LookupEvents` in its
//! identity policies (CloudTrail has no resource policies for it); EventCategory `insight`
//! returns no events (the simulator has no Insights); a ResourceName matches the key ARN
//! exactly, as KMS events name keys by ARN.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::kms::Timestamp;
use crate::sim::activity::ActivityEntry;
use crate::sim::authorize::authorize_identity;
use crate::sim::{crypto, Caller, World};

use super::cloudtrail_event::{event, EventView};

use super::errors::JSON_CONTENT_TYPE;
use super::router::AppState;

/// The `X-Amz-Target` prefix of CloudTrail's operations, as the AWS CLI sends it; the
/// Rust SDK sends the short form (`SHORT_TARGET_PREFIX`).
pub const TARGET_PREFIX: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";
pub const SHORT_TARGET_PREFIX: &str = "CloudTrail_20131101.";

/// The operation a CloudTrail target names.
fn operation_name(target: &str) -> Option<&str> {
    target
        .strip_prefix(TARGET_PREFIX)
        .or_else(|| target.strip_prefix(SHORT_TARGET_PREFIX))
}
/// How far back LookupEvents reaches.
pub const RETENTION_DAYS: i64 = 90;
/// Events per page: the default and the maximum.
pub const MAX_RESULTS: usize = 50;

/// Is this request for CloudTrail (by its target)?
pub fn is_cloudtrail(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| operation_name(t).is_some())
}

/// A CloudTrail error: its code, HTTP status and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl TrailError {
    fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            status: 400,
            code: code.to_string(),
            message: message.into(),
        }
    }

    /// A failure of the wire layer (signature, throttling, internal) in CloudTrail's words.
    pub fn from_kms(e: crate::kms::KmsError) -> Self {
        Self {
            status: e.http_status(),
            code: e.code.as_str().to_string(),
            message: e.message,
        }
    }

    pub fn response(&self, request_id: &str) -> Response {
        let body = json!({ "__type": self.code, "message": self.message }).to_string();
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut resp = with_headers((status, body).into_response(), request_id);
        if let Ok(v) = HeaderValue::from_str(&self.code) {
            resp.headers_mut().insert("x-amzn-ErrorType", v);
        }
        resp
    }
}

fn with_headers(mut resp: Response, request_id: &str) -> Response {
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-RequestId", v);
    }
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    resp
}

/// A successful answer.
pub fn ok(body: Value, request_id: &str) -> Response {
    with_headers(
        (StatusCode::OK, body.to_string()).into_response(),
        request_id,
    )
}

/// Answer one CloudTrail request (its body already read): verify, throttle, authorize,
/// look up. `operation` is set to `cloudtrail:NAME` for the request log.
pub fn process(
    app: &AppState,
    parts: &axum::http::request::Parts,
    body: &[u8],
    operation: &mut Option<String>,
    caller_out: &mut Option<String>,
) -> Result<Value, TrailError> {
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let name = operation_name(target).unwrap_or_default();
    *operation = Some(format!("cloudtrail:{name}"));
    if parts.method != axum::http::Method::POST || name != "LookupEvents" {
        return Err(TrailError::new(
            "UnknownOperationException",
            format!("The simulator's CloudTrail answers LookupEvents only, not {name:?}."),
        ));
    }
    // Long-term keys and assumed-role sessions alike (`router::verify`).
    let caller =
        super::router::verify(app, "cloudtrail", parts, body).map_err(TrailError::from_kms)?;
    *caller_out = Some(caller.clone());
    let account = crate::kms::ids::Arn::parse(&caller).map_or("", |a| a.account);
    let region = super::query::signed_scope(&parts.headers).map(|(_, region)| region);
    if app
        .throttle
        .as_ref()
        .is_some_and(|t| !t.admit_lookup_events(account, region.as_deref().unwrap_or_default()))
    {
        return Err(TrailError::new("ThrottlingException", "Rate exceeded"));
    }
    let request = parse(body)?;
    let sim = app.sim.lock();
    let world = sim.world();
    let resolved = world
        .resolve_caller(&Caller::new(caller))
        .map_err(TrailError::from_kms)?;
    let action = "cloudtrail:LookupEvents";
    let decision = authorize_identity(world, &resolved, action, "*");
    if !decision.allowed {
        let e = decision.denial(&resolved.arn, action, "*");
        return Err(TrailError::new("AccessDeniedException", e.message));
    }
    lookup(world, &request)
}

/// One lookup attribute (AWS allows at most one).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
struct LookupAttribute {
    attribute_key: String,
    attribute_value: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawRequest {
    #[serde(default)]
    lookup_attributes: Vec<LookupAttribute>,
    start_time: Option<f64>,
    end_time: Option<f64>,
    event_category: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// A validated request.
#[derive(Debug)]
struct Request {
    attribute: Option<(Attribute, String)>,
    start: Option<f64>,
    end: Option<f64>,
    insight: bool,
    max: usize,
    next_token: Option<String>,
}

/// The attributes LookupEvents looks events up by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute {
    EventId,
    EventName,
    ReadOnly,
    Username,
    ResourceType,
    ResourceName,
    EventSource,
    AccessKeyId,
}

impl Attribute {
    const ALL: [(&'static str, Attribute); 8] = [
        ("EventId", Attribute::EventId),
        ("EventName", Attribute::EventName),
        ("ReadOnly", Attribute::ReadOnly),
        ("Username", Attribute::Username),
        ("ResourceType", Attribute::ResourceType),
        ("ResourceName", Attribute::ResourceName),
        ("EventSource", Attribute::EventSource),
        ("AccessKeyId", Attribute::AccessKeyId),
    ];

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, a)| *a)
    }
}

fn parse(body: &[u8]) -> Result<Request, TrailError> {
    let raw: RawRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RawRequest::default()
    } else {
        serde_json::from_slice(body).map_err(|e| {
            TrailError::new("SerializationException", format!("Malformed request: {e}"))
        })?
    };
    if raw.lookup_attributes.len() > 1 {
        return Err(TrailError::new(
            "InvalidLookupAttributesException",
            "You cannot specify more than one lookup attribute.",
        ));
    }
    let attribute = match raw.lookup_attributes.into_iter().next() {
        None => None,
        Some(a) => {
            let key = Attribute::parse(&a.attribute_key).ok_or_else(|| {
                TrailError::new(
                    "InvalidLookupAttributesException",
                    format!("The attribute key {:?} is not valid.", a.attribute_key),
                )
            })?;
            Some((key, a.attribute_value))
        }
    };
    if let (Some(s), Some(e)) = (raw.start_time, raw.end_time) {
        if s > e {
            return Err(TrailError::new(
                "InvalidTimeRangeException",
                "Start time must be before end time.",
            ));
        }
    }
    let insight = match raw.event_category.as_deref() {
        None => false,
        Some("insight") => true,
        Some(other) => {
            return Err(TrailError::new(
                "InvalidEventCategoryException",
                format!("The event category {other:?} is not valid; the only value is insight."),
            ))
        }
    };
    let max = match raw.max_results {
        None => MAX_RESULTS,
        Some(n) if (1..=MAX_RESULTS as i64).contains(&n) => n as usize,
        Some(n) => {
            return Err(TrailError::new(
                "InvalidMaxResultsException",
                format!("MaxResults {n} is not valid: it must be between 1 and {MAX_RESULTS}."),
            ))
        }
    };
    Ok(Request {
        attribute,
        start: raw.start_time,
        end: raw.end_time,
        insight,
        max,
        next_token: raw.next_token,
    })
}

/// The paging scope of a request: a token is only good for the same parameters.
fn scope(req: &Request) -> String {
    let (key, value) = match &req.attribute {
        Some((k, v)) => (format!("{k:?}"), v.as_str()),
        None => (String::new(), ""),
    };
    format!(
        "cloudtrail:{key}={value}:{:?}:{:?}",
        req.start.map(f64::to_bits),
        req.end.map(f64::to_bits)
    )
}

fn epoch(t: Timestamp) -> f64 {
    t.timestamp_millis() as f64 / 1000.0
}

/// The events a request selects, newest first, one page.
fn lookup(world: &World, req: &Request) -> Result<Value, TrailError> {
    let scope = scope(req);
    // The page starts at the newest event at or before the token's sequence number.
    let upto = match &req.next_token {
        None => u64::MAX,
        Some(t) => crypto::read_marker(&world.token_secret, &scope, t).ok_or_else(|| {
            TrailError::new(
                "InvalidNextTokenException",
                "The NextToken is not valid for these parameters.",
            )
        })?,
    };
    if req.insight {
        return Ok(json!({ "Events": [] }));
    }
    let now = world.now();
    let oldest = epoch(now) - (RETENTION_DAYS * 86_400) as f64;
    let start = req.start.unwrap_or(oldest).max(oldest);
    let end = req.end.unwrap_or(f64::INFINITY);
    let mut events = Vec::new();
    let mut next = None;
    for entry in world.activity.up_to(upto).rev() {
        let t = epoch(entry.time);
        if t < start {
            // Older entries only from here on.
            break;
        }
        if t > end || !selected(world, entry, req) {
            continue;
        }
        if events.len() == req.max {
            next = Some(crypto::issue_marker(&world.token_secret, &scope, entry.seq));
            break;
        }
        events.push(event(world, entry));
    }
    let mut body = json!({ "Events": events });
    if let Some(token) = next {
        body["NextToken"] = Value::String(token);
    }
    Ok(body)
}

fn selected(world: &World, entry: &ActivityEntry, req: &Request) -> bool {
    let Some((attribute, value)) = &req.attribute else {
        return true;
    };
    // The cheap attributes first: a look-up by key (the evidence's) allocates nothing.
    match attribute {
        Attribute::EventId => EventView::event_id(world, entry) == *value,
        Attribute::EventName => entry.operation.as_str() == *value,
        Attribute::ReadOnly => EventView::read_only(entry).to_string() == *value,
        Attribute::Username => {
            EventView::of(world, entry).username.as_deref() == Some(value.as_str())
        }
        Attribute::ResourceType => entry.key.is_some() && value == "AWS::KMS::Key",
        Attribute::ResourceName => entry.key.as_deref() == Some(value.as_str()),
        Attribute::EventSource => value == "kms.amazonaws.com",
        // The activity log does not keep which access key signed a call.
        Attribute::AccessKeyId => false,
    }
}

/// The wire-level error for a request that panicked or could not be read.
pub fn internal() -> TrailError {
    TrailError {
        status: 500,
        code: "InternalFailure".into(),
        message: "The request could not be processed.".into(),
    }
}
