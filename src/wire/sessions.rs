//! Temporary credentials (STS sessions) for the organization's roles: issued by
//! AssumeRole (`sts.rs`), accepted on every signed request (KMS, STS, Organizations,
//! Account) as the assumed-role session they name.
//!
//! Decision (the simulator's, AWS documents only the shape): sessions are stateless. The
//! session token carries the session's ARN, its access key id and its expiration, and an
//! HMAC over them with the organization's session secret; the secret access key is derived
//! from the access key id with the same secret. Nothing is stored, so sessions cost no
//! memory, survive a restart, and a session issued by one `serve` of a scenario is good at
//! another. AWS's shapes are kept: access key ids start `ASIA` (temporary credentials),
//! a session token is opaque, an expired one is refused with `ExpiredTokenException`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::kms::{ErrorCode, KmsError};
use crate::sim::World;

use super::sigv4::SigningKey;

/// The prefix of temporary access key ids.
pub const TEMPORARY_KEY_PREFIX: &str = "ASIA";

/// Credentials as AssumeRole returns them. `Debug` never shows the secret or the token.
#[derive(Clone, PartialEq, Eq)]
pub struct TemporaryCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// Epoch seconds.
    pub expiration: i64,
}

impl std::fmt::Debug for TemporaryCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemporaryCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &"<redacted>")
            .field("expiration", &self.expiration)
            .finish()
    }
}

/// An HMAC-SHA256 over `parts` with `secret` (also the paging tokens' tag).
pub fn tag(secret: &[u8], parts: &[&str]) -> Vec<u8> {
    mac(secret, parts)
}

fn mac(secret: &[u8], parts: &[&str]) -> Vec<u8> {
    // Invariant: HMAC-SHA256 takes a key of any length, so `new_from_slice` cannot fail.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    for p in parts {
        m.update(p.as_bytes());
        m.update(&[0]);
    }
    m.finalize().into_bytes().to_vec()
}

fn secret_for(secret: &[u8], access_key_id: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(&mac(secret, &["secret", access_key_id])[..30])
}

/// Issue credentials for `session_arn` (`arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`)
/// that expire at `expiration` (epoch seconds).
pub fn issue(secret: &[u8], session_arn: &str, expiration: i64) -> TemporaryCredentials {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let suffix: String = (0..16)
        .map(|_| ALPHABET[rand::random::<usize>() % ALPHABET.len()] as char)
        .collect();
    let access_key_id = format!("{TEMPORARY_KEY_PREFIX}{suffix}");
    let exp = expiration.to_string();
    let tag = mac(secret, &["token", &access_key_id, session_arn, &exp]);
    let session_token = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(session_arn),
        exp,
        URL_SAFE_NO_PAD.encode(tag)
    );
    TemporaryCredentials {
        secret_access_key: secret_for(secret, &access_key_id),
        access_key_id,
        session_token,
        expiration,
    }
}

/// Why a session token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionError {
    /// Not a token this world issued (or not for this access key).
    Invalid,
    Expired,
}

impl SessionError {
    pub fn to_kms_error(&self) -> KmsError {
        match self {
            SessionError::Invalid => KmsError::new(
                ErrorCode::UnrecognizedClientException,
                "The security token included in the request is invalid.",
            ),
            SessionError::Expired => KmsError::new(
                ErrorCode::ExpiredTokenException,
                "The security token included in the request is expired",
            ),
        }
    }
}

/// Read a session token presented with `access_key_id`: the session ARN and the secret
/// access key the request must be signed with.
pub fn read(
    secret: &[u8],
    access_key_id: &str,
    token: &str,
    now: i64,
) -> Result<(String, String), SessionError> {
    let mut parts = token.split('.');
    let (Some(arn), Some(exp), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(SessionError::Invalid);
    };
    let arn = URL_SAFE_NO_PAD
        .decode(arn)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(SessionError::Invalid)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| SessionError::Invalid)?;
    let expected = mac(secret, &["token", access_key_id, &arn, exp]);
    // A constant-time comparison, as for any MAC.
    let same = tag.len() == expected.len()
        && tag
            .iter()
            .zip(&expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Err(SessionError::Invalid);
    }
    let exp: i64 = exp.parse().map_err(|_| SessionError::Invalid)?;
    if now >= exp {
        return Err(SessionError::Expired);
    }
    Ok((arn, secret_for(secret, access_key_id)))
}

/// The signing key for a request: a long-term key of the world, or, for an `ASIA` key
/// with a session token, the session's (its principal is the assumed-role session ARN,
/// whose role must still exist).
pub fn signing_key(
    world: &World,
    access_key_id: &str,
    token: Option<&str>,
) -> Result<Option<SigningKey>, KmsError> {
    if !access_key_id.starts_with(TEMPORARY_KEY_PREFIX) {
        return Ok(super::sigv4::signing_key(world, access_key_id));
    }
    let (Some(org), Some(token)) = (&world.organization, token) else {
        return Ok(None);
    };
    let now = chrono::Utc::now().timestamp();
    let (arn, secret) =
        read(&org.session_secret, access_key_id, token, now).map_err(|e| e.to_kms_error())?;
    if world.find_principal(&arn).is_err() {
        return Ok(None);
    }
    Ok(Some(SigningKey {
        principal_arn: arn,
        secret_access_key: secret,
        region: world.region.clone(),
    }))
}

/// The session token header of a request, if any.
pub fn token_header(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/ops";

    #[test]
    fn issued_credentials_read_back_as_their_session() {
        let c = issue(b"s3cret", ARN, 2_000);
        assert!(c.access_key_id.starts_with("ASIA") && c.access_key_id.len() == 20);
        let (arn, secret) = read(b"s3cret", &c.access_key_id, &c.session_token, 1_000).unwrap();
        assert_eq!((arn.as_str(), secret), (ARN, c.secret_access_key.clone()));
        assert!(!format!("{c:?}").contains(&c.secret_access_key));
        assert!(!format!("{c:?}").contains(&c.session_token));
    }

    #[test]
    fn expired_forged_and_borrowed_tokens_are_refused() {
        let c = issue(b"s3cret", ARN, 2_000);
        let read_at = |akid: &str, token: &str, secret: &[u8], now| read(secret, akid, token, now);
        assert_eq!(
            read_at(&c.access_key_id, &c.session_token, b"s3cret", 2_000),
            Err(SessionError::Expired)
        );
        assert_eq!(
            read_at(&c.access_key_id, &c.session_token, b"other", 1_000),
            Err(SessionError::Invalid)
        );
        let other = issue(b"s3cret", ARN, 2_000);
        assert_eq!(
            read_at(&other.access_key_id, &c.session_token, b"s3cret", 1_000),
            Err(SessionError::Invalid)
        );
        let later = c.session_token.replace(".2000.", ".9000.");
        assert_eq!(
            read_at(&c.access_key_id, &later, b"s3cret", 1_000),
            Err(SessionError::Invalid)
        );
        for junk in ["", "a.b", "a.b.c.d", "!!.1.!!"] {
            assert_eq!(
                read_at(&c.access_key_id, junk, b"s3cret", 1_000),
                Err(SessionError::Invalid)
            );
        }
    }
}
