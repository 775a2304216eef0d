//! Reading a request body, and saying what went wrong when it cannot be read: too large
//! (413), not received in time (408), malformed framing such as a bad chunk size (400), or
//! cut off before its end (400). Each failure is answered in AWS's error shape by whichever
//! protocol the request spoke; none of them is a server fault.

use std::error::Error as StdError;
use std::time::Duration;

use axum::body::{Body, Bytes};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::kms::{ErrorCode, KmsError};

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// More than `limit` bytes (announced or sent).
    TooLarge { limit: usize },
    /// Not complete within the body timeout (`serve --body-timeout`).
    TimedOut { after: Duration },
    /// The framing is wrong: a bad chunk size line, a missing CRLF after a chunk.
    Malformed { detail: String },
    /// The connection ended before the body did.
    Incomplete,
}

impl BodyError {
    /// The error a client is answered with.
    pub fn to_kms_error(&self) -> KmsError {
        match self {
            BodyError::TooLarge { limit } => KmsError::new(
                ErrorCode::RequestEntityTooLargeException,
                format!("Request body must be at most {limit} bytes."),
            ),
            BodyError::TimedOut { after } => KmsError::new(
                ErrorCode::RequestTimeoutException,
                format!(
                    "The request body was not received within {}.",
                    humantime::format_duration(*after)
                ),
            ),
            BodyError::Malformed { detail } => KmsError::new(
                ErrorCode::SerializationException,
                format!("The request body is malformed: {detail}."),
            ),
            BodyError::Incomplete => KmsError::new(
                ErrorCode::SerializationException,
                "The request body is malformed: the connection ended before the body did.",
            ),
        }
    }
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_kms_error().message)
    }
}

impl std::error::Error for BodyError {}

/// Read `body` whole: at most `limit` bytes, within `timeout` of starting.
pub async fn read(body: Body, limit: usize, timeout: Duration) -> Result<Bytes, BodyError> {
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Err(_) => Err(BodyError::TimedOut { after: timeout }),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) => Err(classify(e.as_ref(), limit)),
    }
}

/// What a body-reading error means, from its chain of sources: the length limit, or the
/// I/O error hyper's HTTP/1 decoder reports (`UnexpectedEof` for a cut-off body,
/// `InvalidData`/`InvalidInput` for bad framing).
fn classify(e: &(dyn StdError + 'static), limit: usize) -> BodyError {
    let mut cause: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = cause {
        if err.is::<LengthLimitError>() {
            return BodyError::TooLarge { limit };
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::UnexpectedEof => BodyError::Incomplete,
                _ => BodyError::Malformed {
                    detail: io.to_string().to_ascii_lowercase(),
                },
            };
        }
        cause = err.source();
    }
    BodyError::Malformed {
        detail: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_within_the_limit_is_read_whole() {
        let body = read(Body::from("{}"), 16, Duration::from_secs(1)).await;
        assert_eq!(body.expect("read"), Bytes::from_static(b"{}"));
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_too_large() {
        let err = read(Body::from("x".repeat(17)), 16, Duration::from_secs(1))
            .await
            .expect_err("over the limit");
        assert_eq!(err, BodyError::TooLarge { limit: 16 });
        assert_eq!(err.to_kms_error().http_status(), 413);
    }

    #[tokio::test]
    async fn a_body_that_never_ends_times_out_with_408() {
        let (_tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(1);
        let stream = futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        });
        let err = read(Body::from_stream(stream), 16, Duration::from_millis(50))
            .await
            .expect_err("times out");
        assert!(matches!(err, BodyError::TimedOut { .. }), "{err:?}");
        let kms = err.to_kms_error();
        assert_eq!(kms.code, ErrorCode::RequestTimeoutException);
        assert_eq!(kms.http_status(), 408);
    }

    #[test]
    fn framing_errors_are_malformed_and_cut_off_bodies_incomplete() {
        let bad = std::io::Error::new(std::io::ErrorKind::InvalidInput, "Invalid chunk size line");
        let err = classify(&bad, 16);
        assert_eq!(
            err.to_kms_error().message,
            "The request body is malformed: invalid chunk size line."
        );
        assert_eq!(err.to_kms_error().http_status(), 400);
        let eof = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "eof");
        assert_eq!(classify(&eof, 16), BodyError::Incomplete);
    }
}
