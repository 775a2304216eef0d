//! The AWS Query protocol, shared by the STS and IAM endpoints: a form-encoded body
//! (`Action=ListUsers&Version=2010-05-08&...`) without `X-Amz-Target`, signed for the
//! service it is meant for, answered with XML. Here: recognising such a request and its
//! service, reading its parameters, verifying its signature for a global service, and the
//! XML answer and error bodies.

use std::time::SystemTime;

use axum::http::HeaderMap;

use crate::kms::KmsError;
use crate::sim::SharedSimulator;

use super::sigv4;

pub const XML_CONTENT_TYPE: &str = "text/xml";

/// Is this a Query-protocol request (a form body and no `X-Amz-Target`)?
pub fn is_query_request(headers: &HeaderMap) -> bool {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    !headers.contains_key("x-amz-target")
        && content_type.starts_with("application/x-www-form-urlencoded")
}

/// The service and region of the request's SigV4 credential scope (`iam`, `us-east-1`),
/// if it carries a readable `Authorization` header.
pub fn signed_scope(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let auth = sigv4::parse_auth_header(value).ok()?;
    Some((auth.service, auth.region))
}

/// The parameters of a form body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(body: &[u8]) -> Self {
        Self(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn action(&self) -> Option<&str> {
        self.get("Action")
    }
}

/// Verify the signature of a request to a global service (STS's and IAM's global
/// endpoints are signed for us-east-1; with an endpoint URL set, clients sign with their
/// configured region, which must then be the world's). On success, the caller's ARN.
pub fn verify_global(
    sim: &SharedSimulator,
    service: &str,
    parts: &axum::http::request::Parts,
    body: &[u8],
) -> Result<String, KmsError> {
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let signed_region = signed_scope(&parts.headers)
        .map(|(_, region)| region)
        .unwrap_or_default();
    let token = super::sessions::token_header(&parts.headers);
    let mut session_error = None;
    sigv4::verify_with(
        |akid| {
            super::sessions::signing_key(sim.lock().world(), akid, token.as_deref())
                .unwrap_or_else(|e| {
                    session_error = Some(e);
                    None
                })
                .map(|mut key| {
                    if signed_region == "us-east-1" {
                        key.region = signed_region.clone();
                    }
                    key
                })
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

/// A request without `Action`.
pub fn missing_action() -> KmsError {
    KmsError::new(crate::kms::ErrorCode::MissingAction, "Missing Action")
}

/// An `Action` the service (API `version`) does not have.
pub fn unknown_action(action: &str, version: &str) -> KmsError {
    KmsError::new(
        crate::kms::ErrorCode::InvalidAction,
        format!("Could not find operation {action} for version {version}"),
    )
}

/// Escape text for an XML element. Characters XML 1.0 cannot carry at all (control
/// characters other than tab, newline and carriage return, e.g. from a `UserName=%01`
/// echoed in a message) become U+FFFD, so the answer always parses.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A Query-protocol error as the service reports it: HTTP status, code, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl QueryError {
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
        }
    }
}

/// An error of the wire layer (signature, protocol, authorization, validation) with the
/// code and status every Query-protocol service (STS, IAM) answers it with: a bad
/// signature is `SignatureDoesNotMatch`, an unknown access key `InvalidClientTokenId`.
/// Codes these services word alike only; each service maps its own first (`iam.rs`,
/// `sts.rs`), and the rest keep the KMS vocabulary's code and status.
pub fn common_error(e: KmsError) -> QueryError {
    use crate::kms::ErrorCode::*;
    let (status, code) = match e.code {
        AccessDeniedException => (403, "AccessDenied"),
        MissingAuthenticationTokenException => (403, "MissingAuthenticationToken"),
        UnrecognizedClientException | InvalidClientTokenId => (403, "InvalidClientTokenId"),
        InvalidSignatureException => (403, "SignatureDoesNotMatch"),
        IncompleteSignatureException => (400, "IncompleteSignature"),
        ExpiredTokenException => (403, "ExpiredToken"),
        ValidationException => (400, "ValidationError"),
        _ => (e.http_status(), e.code.as_str()),
    };
    QueryError::new(status, code, e.message)
}

/// A Query-protocol error body in the service's XML namespace.
pub fn error_xml(namespace: &str, e: &QueryError, request_id: &str) -> String {
    let kind = if e.status >= 500 {
        "Receiver"
    } else {
        "Sender"
    };
    format!(
        "<ErrorResponse xmlns=\"{namespace}\">\n  <Error>\n    <Type>{kind}</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{}</RequestId>\n</ErrorResponse>\n",
        escape(&e.code),
        escape(&e.message),
        escape(request_id)
    )
}

/// A successful answer: `<{action}Response><{action}Result>{result}</...>` and the
/// request id, in the service's XML namespace. `result` is already XML.
pub fn response_xml(namespace: &str, action: &str, result: &str, request_id: &str) -> String {
    format!(
        "<{action}Response xmlns=\"{namespace}\">\n  <{action}Result>\n{result}  </{action}Result>\n  <ResponseMetadata>\n    <RequestId>{}</RequestId>\n  </ResponseMetadata>\n</{action}Response>\n",
        escape(request_id)
    )
}

/// An XML response with AWS's headers.
pub fn xml_response(status: u16, body: String, request_id: &str) -> axum::response::Response {
    use axum::http::{HeaderValue, StatusCode};
    use axum::response::IntoResponse;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut resp = (status, body).into_response();
    let headers = resp.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static(XML_CONTENT_TYPE),
    );
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-RequestId", v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_parameters_of_a_form_body() {
        let p = Params::parse(b"Action=ListUsers&Version=2010-05-08&Marker=a%2Bb%3D");
        assert_eq!(p.action(), Some("ListUsers"));
        assert_eq!(p.get("Marker"), Some("a+b="));
        assert_eq!(Params::parse(b"Version=1").action(), None);
    }

    #[test]
    fn a_query_request_is_a_form_body_without_a_target() {
        let mut h = HeaderMap::new();
        h.insert(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8"
                .parse()
                .unwrap(),
        );
        assert!(is_query_request(&h));
        h.insert("x-amz-target", "TrentService.ListKeys".parse().unwrap());
        assert!(!is_query_request(&h));
    }

    #[test]
    fn the_signed_service_comes_from_the_credential_scope() {
        let mut h = HeaderMap::new();
        assert_eq!(signed_scope(&h), None);
        h.insert(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKID/20240501/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            signed_scope(&h),
            Some(("iam".to_string(), "us-east-1".to_string()))
        );
    }

    #[test]
    fn signature_failures_are_worded_as_query_services_word_them() {
        use crate::kms::ErrorCode;
        let cases = [
            (
                ErrorCode::InvalidSignatureException,
                403,
                "SignatureDoesNotMatch",
            ),
            (
                ErrorCode::UnrecognizedClientException,
                403,
                "InvalidClientTokenId",
            ),
            (
                ErrorCode::MissingAuthenticationTokenException,
                403,
                "MissingAuthenticationToken",
            ),
            (
                ErrorCode::IncompleteSignatureException,
                400,
                "IncompleteSignature",
            ),
            (ErrorCode::AccessDeniedException, 403, "AccessDenied"),
            (ErrorCode::MissingAction, 400, "MissingAction"),
        ];
        for (code, status, query_code) in cases {
            let e = common_error(KmsError::new(code, "why"));
            assert_eq!(
                (e.status, e.code.as_str(), e.message.as_str()),
                (status, query_code, "why"),
                "{code}"
            );
        }
    }

    #[test]
    fn text_xml_cannot_carry_becomes_a_replacement_character() {
        assert_eq!(
            escape("a\u{1}b\tc\nd\re\u{FFFF}"),
            "a\u{FFFD}b\tc\nd\re\u{FFFD}"
        );
        assert_eq!(escape("<ok & 'fine'>"), "&lt;ok &amp; &apos;fine&apos;&gt;");
    }

    #[test]
    fn error_bodies_escape_what_they_quote() {
        let e = QueryError::new(400, "ValidationError", "Value '<a & b>' is \"bad\"");
        let xml = error_xml("https://example/", &e, "rid");
        assert!(
            xml.contains(
                "<Message>Value &apos;&lt;a &amp; b&gt;&apos; is &quot;bad&quot;</Message>"
            ),
            "{xml}"
        );
        assert!(xml.contains("<Type>Sender</Type>"));
        let fault = error_xml("ns", &QueryError::new(500, "InternalFailure", ""), "rid");
        assert!(fault.contains("<Type>Receiver</Type>"));
    }
}
