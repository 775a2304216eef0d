//! AWS Organizations `ListAccounts` (AWS JSON 1.1, `X-Amz-Target:
//! AWSOrganizationsV20161128.ListAccounts`), and the HTTP front of the two JSON services
//! served beside KMS for organization-wide work: Organizations and Account (`account.rs`,
//! `POST /listRegions`), told apart by the service their requests are signed for.
//!
//! AWS's documentation, followed here: ListAccounts "can be called only from the
//! organization's management account or by a member account that is a delegated
//! administrator"; MaxResults has a "Valid Range: Minimum value of 1. Maximum value of 20",
//! and "Organizations might return fewer results than the maximum even when there are more
//! results available. You should check NextToken after every operation". Decisions: the
//! simulator has no delegated administrators (the management account only); a page holds
//! MaxResults accounts (default 20); the NextToken is the position, authenticated with the
//! organization's secret, so a token of another organization or a forged one is refused
//! with InvalidInputException. An account's Email is made up (`ID@example.com`): scenarios
//! declare none.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use crate::kms::AccountId;
use crate::sim::{Caller, World};

use super::errors::JSON_CONTENT_TYPE;
use super::request_log::Trace;
use super::router::AppState;

/// The services of this front.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonService {
    Organizations,
    Account,
}

impl JsonService {
    /// The service a request is signed for, if it is one of these.
    pub fn of(headers: &axum::http::HeaderMap) -> Option<Self> {
        match super::query::signed_scope(headers)?.0.as_str() {
            "organizations" => Some(Self::Organizations),
            "account" => Some(Self::Account),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Organizations => "organizations",
            Self::Account => "account",
        }
    }
}

/// An error in these services' words: status, `__type` code, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl ServiceError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_string(),
            message: message.into(),
        }
    }

    pub fn access_denied() -> Self {
        Self::new(
            403,
            "AccessDeniedException",
            "You don't have permissions to access this resource.",
        )
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidInputException", message)
    }

    fn from_kms(e: crate::kms::KmsError) -> Self {
        Self::new(e.http_status(), e.code.as_str(), e.message)
    }
}

fn reply(status: u16, body: String, rid: &str, code: Option<&str>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut resp = (status, body).into_response();
    let headers = resp.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    if let Ok(v) = HeaderValue::from_str(rid) {
        headers.insert("x-amzn-RequestId", v);
    }
    if let Some(v) = code.and_then(|c| HeaderValue::from_str(c).ok()) {
        headers.insert("x-amzn-ErrorType", v);
    }
    resp
}

/// Answer one request to Organizations or Account.
pub async fn respond(
    app: &AppState,
    service: JsonService,
    req: Request<Body>,
    rid: &str,
    trace: &mut Trace,
) -> Response {
    let (parts, body) = req.into_parts();
    let timeout = parts
        .extensions
        .get::<super::server::BodyTimeout>()
        .map_or(super::server::DEFAULT_BODY_TIMEOUT, |t| t.0);
    let result = match super::body::read(body, super::MAX_BODY_BYTES, timeout).await {
        Err(e) => Err(ServiceError::from_kms(e.to_kms_error())),
        Ok(body) => super::query::verify_global(&app.sim, service.name(), &parts, &body)
            .map_err(ServiceError::from_kms)
            .and_then(|caller| {
                trace.caller = Some(caller.clone());
                let input: Value = if body.is_empty() {
                    json!({})
                } else {
                    serde_json::from_slice(&body).map_err(|_| {
                        ServiceError::new(400, "SerializationException", "Malformed JSON body.")
                    })?
                };
                let world = app.sim.lock();
                match service {
                    JsonService::Organizations => {
                        let target = parts
                            .headers
                            .get("x-amz-target")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default();
                        trace.operation = Some(format!("organizations:{target}"));
                        match target {
                            "AWSOrganizationsV20161128.ListAccounts" => {
                                list_accounts(world.world(), &caller, &input)
                            }
                            _ => Err(ServiceError::new(
                                400,
                                "UnknownOperationException",
                                format!("{target} is not served."),
                            )),
                        }
                    }
                    JsonService::Account => {
                        trace.operation = Some(format!("account:{}", parts.uri.path()));
                        match parts.uri.path() {
                            "/listRegions" => {
                                super::account::list_regions(world.world(), &caller, &input)
                            }
                            other => Err(ServiceError::new(
                                404,
                                "UnknownOperationException",
                                format!("{other} is not served."),
                            )),
                        }
                    }
                }
            }),
    };
    match result {
        Ok(v) => reply(200, v.to_string(), rid, None),
        Err(e) => {
            let body = json!({ "__type": e.code, "message": e.message }).to_string();
            reply(e.status, body, rid, Some(&e.code))
        }
    }
}

/// The caller's account, when the world knows the caller.
pub fn caller_account(world: &World, caller: &str) -> Result<AccountId, ServiceError> {
    world
        .resolve_caller(&Caller::new(caller))
        .map(|c| c.account)
        .map_err(|_| ServiceError::access_denied())
}

/// A paging token: the position, authenticated with the organization's secret.
pub fn page_token(secret: &[u8], what: &str, position: usize) -> String {
    let tag = &super::sessions::tag(secret, &[what, &position.to_string()])[..12];
    format!("{position}.{}", URL_SAFE_NO_PAD.encode(tag))
}

/// Read a paging token of `page_token`.
pub fn read_page_token(secret: &[u8], what: &str, token: &str) -> Option<usize> {
    let (position, _) = token.split_once('.')?;
    let position: usize = position.parse().ok()?;
    (page_token(secret, what, position) == token).then_some(position)
}

/// A page size within 1..=max (default `max`).
pub fn page_size(input: &Value, max: usize) -> Result<usize, ServiceError> {
    match input.get("MaxResults") {
        None | Some(Value::Null) => Ok(max),
        Some(v) => v
            .as_u64()
            .map(|n| n as usize)
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                ServiceError::invalid_input(format!("MaxResults must be between 1 and {max}."))
            }),
    }
}

fn list_accounts(world: &World, caller: &str, input: &Value) -> Result<Value, ServiceError> {
    let account = caller_account(world, caller)?;
    let Some(org) = &world.organization else {
        return Err(ServiceError::new(
            400,
            "AWSOrganizationsNotInUseException",
            "Your account is not a member of an organization.",
        ));
    };
    if account != org.management_account {
        return Err(ServiceError::access_denied());
    }
    let size = page_size(input, 20)?;
    let start = match input.get("NextToken").and_then(Value::as_str) {
        None => 0,
        Some(t) => read_page_token(&org.session_secret, "ListAccounts", t)
            .ok_or_else(|| ServiceError::invalid_input("The provided token is invalid."))?,
    };
    let joined = world.now().timestamp();
    let accounts: Vec<Value> = world
        .accounts
        .iter()
        .skip(start)
        .take(size)
        .map(|a| {
            json!({
                "Id": a.id.as_str(),
                "Arn": org.account_arn(&a.id),
                "Email": format!("{}@example.com", a.id),
                "Name": if a.name.is_empty() { a.id.as_str() } else { a.name.as_str() },
                "Status": "ACTIVE",
                "State": "ACTIVE",
                "JoinedMethod": "CREATED",
                "JoinedTimestamp": joined,
            })
        })
        .collect();
    let mut out = json!({ "Accounts": accounts });
    if start + size < world.accounts.len() {
        out["NextToken"] = json!(page_token(
            &org.session_secret,
            "ListAccounts",
            start + size
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_read_back_and_forgeries_do_not() {
        let t = page_token(b"k", "ListAccounts", 20);
        assert_eq!(read_page_token(b"k", "ListAccounts", &t), Some(20));
        assert_eq!(read_page_token(b"other", "ListAccounts", &t), None);
        assert_eq!(read_page_token(b"k", "ListRegions", &t), None);
        let forged = t.replacen("20", "40", 1);
        assert_eq!(read_page_token(b"k", "ListAccounts", &forged), None);
        for junk in ["", ".", "x.y", "99999999999999999999999.a"] {
            assert_eq!(read_page_token(b"k", "ListAccounts", junk), None);
        }
    }

    #[test]
    fn page_sizes_outside_the_documented_range_are_refused() {
        assert_eq!(page_size(&json!({}), 20), Ok(20));
        assert_eq!(page_size(&json!({"MaxResults": 5}), 20), Ok(5));
        for bad in [json!(0), json!(21), json!("5"), json!(-1)] {
            let e = page_size(&json!({ "MaxResults": bad }), 20).expect_err("refused");
            assert_eq!(e.code, "InvalidInputException");
        }
    }
}
