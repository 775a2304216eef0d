//! The one STS call grantscope needs, `GetCallerIdentity`, served beside KMS so the whole
//! AWS path (credentials -> caller identity -> KMS) runs on loopback. STS speaks the AWS
//! Query protocol: a form-encoded body (`Action=GetCallerIdentity&Version=2011-06-15`) and
//! XML answers.

use crate::kms::{ErrorCode, KmsError};
use crate::sim::World;

pub const XML_CONTENT_TYPE: &str = "text/xml";
const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Is this a Query-protocol (form-encoded) request?
pub fn is_query_request(content_type: &str) -> bool {
    content_type.starts_with("application/x-www-form-urlencoded")
}

/// The `Action` of a form body.
pub fn action(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.into_owned())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The XML answer to GetCallerIdentity for `caller_arn`.
pub fn get_caller_identity(
    world: &World,
    caller_arn: &str,
    request_id: &str,
) -> Result<String, KmsError> {
    let principal = world.find_principal(caller_arn).map_err(|_| {
        KmsError::new(
            ErrorCode::InvalidClientTokenId,
            "The security token included in the request is invalid.",
        )
    })?;
    let user_id = match principal.kind {
        crate::sim::PrincipalKind::User => principal.unique_id.clone(),
        crate::sim::PrincipalKind::Role => format!(
            "{}:{}",
            principal.unique_id,
            crate::sim::principals::DEFAULT_ROLE_SESSION
        ),
    };
    let arn = match principal.kind {
        crate::sim::PrincipalKind::User => principal.arn.clone(),
        crate::sim::PrincipalKind::Role => format!(
            "arn:aws:sts::{}:assumed-role/{}/{}",
            principal.account,
            principal.name,
            crate::sim::principals::DEFAULT_ROLE_SESSION
        ),
    };
    Ok(format!(
        "<GetCallerIdentityResponse xmlns=\"{NAMESPACE}\">\n  <GetCallerIdentityResult>\n    <Arn>{}</Arn>\n    <UserId>{}</UserId>\n    <Account>{}</Account>\n  </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n",
        escape(&arn),
        escape(&user_id),
        principal.account
    ))
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

/// A Query-protocol error body.
pub fn error_xml(e: &KmsError, request_id: &str) -> String {
    let kind = if e.http_status() >= 500 {
        "Receiver"
    } else {
        "Sender"
    };
    format!(
        "<ErrorResponse xmlns=\"{NAMESPACE}\">\n  <Error>\n    <Type>{kind}</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n",
        e.code.as_str(),
        escape(&e.message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_action_of_a_form_body() {
        assert_eq!(
            action(b"Action=GetCallerIdentity&Version=2011-06-15").as_deref(),
            Some("GetCallerIdentity")
        );
        assert_eq!(action(b"Version=1"), None);
    }

    #[test]
    fn identity_of_a_scenario_user() {
        let world = crate::sim::Scenario::load("classroom")
            .unwrap()
            .build()
            .unwrap();
        let xml = get_caller_identity(
            &world,
            "arn:aws:iam::111122223333:user/granttestuser",
            "rid",
        )
        .unwrap();
        assert!(
            xml.contains("<Arn>arn:aws:iam::111122223333:user/granttestuser</Arn>"),
            "{xml}"
        );
        assert!(xml.contains("<UserId>AIDAGRANTTESTUSER0001</UserId>"));
        assert!(xml.contains("<Account>111122223333</Account>"));
    }
}
