//! AWS error responses: `{"__type": "...", "message": "..."}` with the HTTP status AWS uses
//! and the `x-amzn-RequestId` header every response carries.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::kms::KmsError;

pub const JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// A fresh request id (AWS's are UUIDs): a version 4 UUID from the thread's random
/// generator, which needs no system call per request (`Uuid::new_v4` asks the OS each time).
pub fn request_id() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .hyphenated()
        .to_string()
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

/// A successful response with a JSON body.
pub fn ok(body: Vec<u8>, request_id: &str) -> Response {
    with_headers((StatusCode::OK, body).into_response(), request_id)
}

/// An error response in AWS's JSON shape.
pub fn error(e: &KmsError, request_id: &str) -> Response {
    let body = serde_json::json!({ "__type": e.code.as_str(), "message": e.message });
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut resp = with_headers((status, body.to_string()).into_response(), request_id);
    if let Ok(v) = HeaderValue::from_str(e.code.as_str()) {
        resp.headers_mut().insert("x-amzn-ErrorType", v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_distinct_version_4_uuids() {
        let id = request_id();
        let parsed = uuid::Uuid::parse_str(&id).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(id.len(), 36);
        assert_ne!(id, request_id());
    }
}
