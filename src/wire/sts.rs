//! The STS calls grantscope makes, served beside KMS so the whole AWS path (credentials ->
//! caller identity -> assumed roles -> KMS) runs on loopback: `GetCallerIdentity`, and
//! `AssumeRole` for the organization's roles (`assume_role.rs`). STS speaks the AWS Query
//! protocol (`query.rs`): a form-encoded body (`Action=GetCallerIdentity&Version=2011-06-15`)
//! and XML answers.

use crate::kms::{ErrorCode, KmsError};
use crate::sim::{SharedSimulator, World};

use super::query::{self, escape, Params, QueryError};

pub const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Answer one STS request: check its signature, run its action; the XML result or the
/// error STS answers with.
pub fn process(
    sim: &SharedSimulator,
    parts: &axum::http::request::Parts,
    body: &[u8],
    request_id: &str,
) -> Result<String, QueryError> {
    let caller = query::verify_global(sim, "sts", parts, body).map_err(error_from)?;
    let params = Params::parse(body);
    let result = match params.action() {
        Some("GetCallerIdentity") => get_caller_identity(sim.lock().world(), &caller, request_id),
        Some("AssumeRole") => {
            return super::assume_role::assume_role(
                sim.lock().world(),
                &caller,
                &params,
                request_id,
            )
        }
        Some(other) => Err(query::unknown_action(other, "2011-06-15")),
        None => Err(query::missing_action()),
    };
    result.map_err(error_from)
}

/// An STS error body.
pub fn error_xml(e: &QueryError, request_id: &str) -> String {
    query::error_xml(NAMESPACE, e, request_id)
}

/// An error of the wire layer with the code and status STS uses for it (a bad signature
/// is `SignatureDoesNotMatch`, an unknown access key `InvalidClientTokenId`).
pub fn error_from(e: KmsError) -> QueryError {
    match e.code {
        ErrorCode::KmsInternalException => QueryError::new(500, "InternalFailure", e.message),
        _ => query::common_error(e),
    }
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
    // A role's caller is a session of it: the one named in the caller's ARN (an assumed
    // role), else the default session of a role's own access key.
    let session = match crate::kms::ids::PrincipalArn::parse(caller_arn) {
        Some(crate::kms::ids::PrincipalArn::AssumedRole { session, .. }) => session,
        _ => crate::sim::principals::DEFAULT_ROLE_SESSION.to_string(),
    };
    let user_id = match principal.kind {
        crate::sim::PrincipalKind::User => principal.unique_id.clone(),
        crate::sim::PrincipalKind::Role => format!("{}:{session}", principal.unique_id),
    };
    let arn = match principal.kind {
        crate::sim::PrincipalKind::User => principal.arn.clone(),
        crate::sim::PrincipalKind::Role => format!(
            "arn:aws:sts::{}:assumed-role/{}/{session}",
            principal.account, principal.name,
        ),
    };
    let result = format!(
        "    <Arn>{}</Arn>\n    <UserId>{}</UserId>\n    <Account>{}</Account>\n",
        escape(&arn),
        escape(&user_id),
        principal.account
    );
    Ok(query::response_xml(
        NAMESPACE,
        "GetCallerIdentity",
        &result,
        request_id,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_failures_are_answered_in_stss_words() {
        let e = error_from(KmsError::new(
            ErrorCode::InvalidSignatureException,
            "Credential should be scoped to a valid region. ",
        ));
        assert_eq!((e.status, e.code.as_str()), (403, "SignatureDoesNotMatch"));
        let xml = error_xml(&e, "rid-1");
        assert_eq!(
            xml,
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>SignatureDoesNotMatch</Code>\n    <Message>Credential should be scoped to a valid region. </Message>\n  </Error>\n  <RequestId>rid-1</RequestId>\n</ErrorResponse>\n"
        );
        let e = error_from(KmsError::new(ErrorCode::UnrecognizedClientException, ""));
        assert_eq!((e.status, e.code.as_str()), (403, "InvalidClientTokenId"));
        let e = error_from(KmsError::internal("boom"));
        assert_eq!((e.status, e.code.as_str()), (500, "InternalFailure"));
        assert!(error_xml(&e, "rid").contains("<Type>Receiver</Type>"));
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
