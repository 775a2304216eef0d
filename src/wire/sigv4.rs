//! SigV4 verification: who is calling. The access key id in the credential scope names the
//! principal; the signature is recomputed with the `aws-sigv4` crate over exactly the
//! headers the client signed, and compared. AWS's errors for a missing, malformed, stale or
//! wrong signature and for an unknown access key.
//!
//! Strict where AWS is. AWS's "Create a signed AWS API request" (IAM User Guide, step 1,
//! "Create a canonical request") defines SignedHeaders as "The list of headers that you
//! included in CanonicalHeaders, separated by semicolons (;). This indicates which headers
//! are part of the signing process. Header names must use lowercase characters and must
//! appear in alphabetical order.", and says "You must include the host header". A list
//! that is not lowercase, sorted and without repeats is an `IncompleteSignatureException`
//! (a malformed Authorization header, like a missing `Credential`); a header it names that
//! the request does not carry is an `InvalidSignatureException` (no signature can be over
//! it). A long-term access key (`AKIA...`) never comes with a session token: sent with
//! `X-Amz-Security-Token`, it is answered as AWS answers a token it does not recognize,
//! `UnrecognizedClientException`, "The security token included in the request is
//! invalid.".

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use axum::http::HeaderMap;
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::kms::{ErrorCode, KmsError};
use crate::sim::World;

/// How far a request's `X-Amz-Date` may be from now.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthHeader {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

fn incomplete(msg: &str) -> KmsError {
    KmsError::new(ErrorCode::IncompleteSignatureException, msg)
}

/// Parse the Authorization header.
pub fn parse_auth_header(value: &str) -> Result<AuthHeader, KmsError> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ").ok_or_else(|| {
        incomplete("Authorization header requires the AWS4-HMAC-SHA256 algorithm.")
    })?;
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let (credential, signed, signature) = match (credential, signed, signature) {
        (Some(c), Some(h), Some(s)) => (c, h, s),
        _ => {
            return Err(incomplete(&format!(
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization={value}"
            )))
        }
    };
    let scope: Vec<&str> = credential.split('/').collect();
    if scope.len() != 5 || scope[4] != "aws4_request" {
        return Err(incomplete(&format!(
            "Credential should be scoped to a valid region, service and 'aws4_request'. Credential={credential}"
        )));
    }
    Ok(AuthHeader {
        access_key_id: scope[0].to_string(),
        date: scope[1].to_string(),
        region: scope[2].to_string(),
        service: scope[3].to_string(),
        signed_headers: parse_signed_headers(signed)?,
        signature: signature.to_string(),
    })
}

/// SignedHeaders as the canonical request writes it: lowercase header names, in
/// alphabetical order, each once, separated by `;`.
fn parse_signed_headers(list: &str) -> Result<Vec<String>, KmsError> {
    let names: Vec<&str> = list.split(';').collect();
    let well_formed = names.iter().all(|name| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase())
    }) && names.windows(2).all(|pair| pair[0] < pair[1]);
    if !well_formed {
        return Err(incomplete(&format!(
            "SignedHeaders must list lowercase header names in alphabetical order, each once, separated by ';'. SignedHeaders={list}"
        )));
    }
    Ok(names.into_iter().map(str::to_string).collect())
}

/// The prefix of long-term (IAM user) access key ids; temporary ones start `ASIA`.
const LONG_TERM_KEY_PREFIX: &str = "AKIA";

fn parse_amz_date(value: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|n| n.and_utc())
}

fn fmt_amz(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// What verifying a signature needs from the world about one access key: who it names,
/// its secret, and the world's default region (served besides the commercial regions). Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct SigningKey {
    pub principal_arn: String,
    pub secret_access_key: String,
    pub region: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("principal_arn", &self.principal_arn)
            .field("secret_access_key", &"<redacted>")
            .field("region", &self.region)
            .finish()
    }
}

/// Look an access key up in `world`.
pub fn signing_key(world: &World, access_key_id: &str) -> Option<SigningKey> {
    world
        .principal_for_access_key(access_key_id)
        .map(|(principal, key)| SigningKey {
            principal_arn: principal.arn.clone(),
            secret_access_key: key.secret_access_key.clone(),
            region: world.region.clone(),
        })
}

/// Verify a request; on success, the ARN of the calling principal.
pub fn verify(
    world: &World,
    service: &str,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Result<String, KmsError> {
    verify_with(
        |akid| signing_key(world, akid),
        service,
        method,
        path_and_query,
        headers,
        body,
        now,
    )
}

/// Verify a request, looking its access key up with `lookup` (called at most once, so a
/// caller can take the simulator lock just for the look-up and check the signature, the
/// costly part, without holding it). On success, the ARN of the calling principal.
pub fn verify_with(
    lookup: impl FnOnce(&str) -> Option<SigningKey>,
    service: &str,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Result<String, KmsError> {
    let Some(auth) = headers.get("authorization") else {
        return Err(KmsError::new(
            ErrorCode::MissingAuthenticationTokenException,
            "Missing Authentication Token",
        ));
    };
    let auth = parse_auth_header(auth.to_str().unwrap_or_default())?;
    if auth.access_key_id.starts_with(LONG_TERM_KEY_PREFIX)
        && headers.contains_key("x-amz-security-token")
    {
        // A session token belongs to temporary credentials; with a long-term key it names
        // no session AWS knows.
        return Err(KmsError::new(
            ErrorCode::UnrecognizedClientException,
            "The security token included in the request is invalid.",
        ));
    }
    let Some(key) = lookup(&auth.access_key_id) else {
        return Err(KmsError::new(
            ErrorCode::UnrecognizedClientException,
            "The security token included in the request is invalid.",
        ));
    };
    let date_text = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."))?;
    let date = parse_amz_date(date_text).ok_or_else(|| {
        incomplete(&format!(
            "Date must be in ISO-8601 'basic format'. Got '{date_text}'."
        ))
    })?;
    let now_utc: DateTime<Utc> = now.into();
    let skew = chrono::Duration::from_std(MAX_SKEW).unwrap_or_default();
    if date < now_utc - skew {
        return Err(KmsError::new(
            ErrorCode::InvalidSignatureException,
            format!(
                "Signature expired: {} is now earlier than {} ({} - 15 min.)",
                fmt_amz(date),
                fmt_amz(now_utc - skew),
                fmt_amz(now_utc)
            ),
        ));
    }
    if date > now_utc + skew {
        return Err(KmsError::new(
            ErrorCode::InvalidSignatureException,
            format!(
                "Signature not yet current: {} is still later than {} ({} + 15 min.)",
                fmt_amz(date),
                fmt_amz(now_utc + skew),
                fmt_amz(now_utc)
            ),
        ));
    }
    if auth.service != service {
        return Err(KmsError::new(
            ErrorCode::InvalidSignatureException,
            format!("Credential should be scoped to correct service: '{service}'. "),
        ));
    }
    // One endpoint serves every region (`sim/regions.rs`): the world's default region
    // and AWS's commercial regions. A request is routed by its credential scope's region.
    if auth.region != key.region && !crate::sim::regions::is_commercial(&auth.region) {
        return Err(KmsError::new(
            ErrorCode::InvalidSignatureException,
            format!(
                "Credential should be scoped to a valid region. '{}' is not a region this endpoint serves (the AWS commercial Regions and '{}').",
                auth.region, key.region
            ),
        ));
    }
    if auth.date != date_text.get(..8).unwrap_or_default() {
        return Err(KmsError::new(
            ErrorCode::InvalidSignatureException,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.",
        ));
    }
    // AWS requires the Host header to be signed (and the signer cannot work without it).
    let host_signed = auth.signed_headers.iter().any(|h| h == "host")
        && headers
            .get(axum::http::header::HOST)
            .is_some_and(|v| v.to_str().is_ok());
    if !host_signed {
        return Err(incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    if let Some(absent) = auth.signed_headers.iter().find(|name| {
        headers
            .get(name.as_str())
            .is_none_or(|v| v.to_str().is_err())
    }) {
        return Err(KmsError::new(
            ErrorCode::InvalidSignatureException,
            format!(
                "The request signature we calculated does not match the signature you provided. SignedHeaders names '{absent}', which the request does not carry."
            ),
        ));
    }
    let expected = expected_signature(
        &auth,
        &key.secret_access_key,
        headers,
        method,
        path_and_query,
        body,
        date,
    )?;
    if !constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        return Err(KmsError::new(
            ErrorCode::InvalidSignatureException,
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ));
    }
    Ok(key.principal_arn)
}

/// The signature AWS would compute for this request with this secret.
fn expected_signature(
    auth: &AuthHeader,
    secret: &str,
    headers: &HeaderMap,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    date: DateTime<Utc>,
) -> Result<String, KmsError> {
    let session_token = headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let identity = Credentials::new(
        auth.access_key_id.clone(),
        secret.to_string(),
        session_token,
        None,
        "grantscope-wire",
    )
    .into();
    let mut settings = SigningSettings::default();
    // Sign exactly what the client signed.
    settings.excluded_headers = None;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&auth.region)
        .name(&auth.service)
        .time(date.into())
        .settings(settings)
        .build()
        .map_err(|e| KmsError::internal(format!("signing parameters: {e}")))?
        .into();
    let signed: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(name, _)| auth.signed_headers.iter().any(|h| h == name.as_str()))
        .filter_map(|(name, value)| value.to_str().ok().map(|v| (name.as_str(), v)))
        .collect();
    let request = SignableRequest::new(
        method,
        path_and_query,
        signed.into_iter(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| incomplete(&format!("The request could not be read for signing: {e}")))?;
    let out = sign(request, &params)
        .map_err(|e| incomplete(&format!("The request could not be signed: {e}")))?;
    Ok(out.signature().to_string())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_authorization_header() {
        let h = parse_auth_header(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        )
        .unwrap();
        assert_eq!(h.access_key_id, "AKIDEXAMPLE");
        assert_eq!(h.region, "us-east-1");
        assert_eq!(h.service, "kms");
        assert_eq!(h.signed_headers, vec!["content-type", "host", "x-amz-date"]);
    }

    #[test]
    fn signed_headers_must_be_lowercase_sorted_and_unique() {
        let auth = |signed: &str| {
            parse_auth_header(&format!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kms/aws4_request, SignedHeaders={signed}, Signature=00"
            ))
        };
        assert!(auth("content-type;host;x-amz-date").is_ok());
        for bad in [
            "host;content-type;x-amz-date",
            "Content-Type;host;x-amz-date",
            "content-type;host;host;x-amz-date",
            "content-type;;host",
            "",
        ] {
            assert_eq!(
                auth(bad).unwrap_err().code,
                ErrorCode::IncompleteSignatureException,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn rejects_incomplete_headers() {
        for bad in [
            "Basic abc",
            "AWS4-HMAC-SHA256 Credential=A/B",
            "AWS4-HMAC-SHA256 Credential=A/1/r/kms/x, SignedHeaders=h, Signature=s",
        ] {
            assert_eq!(
                parse_auth_header(bad).unwrap_err().code,
                ErrorCode::IncompleteSignatureException,
                "{bad}"
            );
        }
    }
}
