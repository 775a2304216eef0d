//! `BackendError`: what went wrong with a backend call. Either KMS (AWS, the simulator,
//! a compatible endpoint) answered with an error, and the error carries AWS's code as an
//! enum (codes this crate does not know pass through unchanged), or the call went wrong
//! on this side (no network, no credentials, an answer that cannot be used, a background
//! task that stopped). The second kind never pretends to be an AWS code.

use std::fmt;

use crate::kms::{AwsErrorCode, ErrorCode, KmsError};

/// Where a failure came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The service answered with this error code.
    Aws(AwsErrorCode),
    /// No answer: the endpoint could not be reached or did not answer in time.
    Network,
    /// No usable credentials, region, profile or endpoint.
    Configuration,
    /// An answer that cannot be used (a listing whose markers never end, say).
    Response,
    /// grantscope itself failed (a background task stopped).
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendError {
    pub kind: ErrorKind,
    pub message: String,
}

pub type BackendResult<T> = Result<T, BackendError>;

impl BackendError {
    /// An error the service answered with.
    pub fn aws(code: impl Into<AwsErrorCode>, message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Aws(code.into()),
            message: message.into(),
        }
    }

    pub fn network(message: impl Into<String>) -> Self {
        Self::local(ErrorKind::Network, message)
    }

    pub fn configuration(message: impl Into<String>) -> Self {
        Self::local(ErrorKind::Configuration, message)
    }

    pub fn response(message: impl Into<String>) -> Self {
        Self::local(ErrorKind::Response, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::local(ErrorKind::Internal, message)
    }

    fn local(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The same error, its message led by what was being done.
    pub fn with_context(mut self, doing: impl fmt::Display) -> Self {
        self.message = format!("{doing}: {}", self.message);
        self
    }

    /// The service's error code, when the service answered.
    pub fn code(&self) -> Option<&AwsErrorCode> {
        match &self.kind {
            ErrorKind::Aws(c) => Some(c),
            _ => None,
        }
    }

    pub fn is(&self, code: ErrorCode) -> bool {
        self.code().is_some_and(|c| c.is(code))
    }

    pub fn is_access_denied(&self) -> bool {
        self.is(ErrorCode::AccessDeniedException)
    }

    /// A short name for the failure: AWS's code, or what went wrong on this side.
    pub fn label(&self) -> &str {
        match &self.kind {
            ErrorKind::Aws(c) => c.as_str(),
            ErrorKind::Network => "network error",
            ErrorKind::Configuration => "configuration error",
            ErrorKind::Response => "unusable answer",
            ErrorKind::Internal => "internal error",
        }
    }
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.kind, self.message.is_empty()) {
            (_, true) => f.write_str(self.label()),
            (ErrorKind::Aws(c), false) => write!(f, "{c}: {}", self.message),
            (_, false) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for BackendError {}

impl From<KmsError> for BackendError {
    fn from(e: KmsError) -> Self {
        Self::aws(e.code, e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_errors_show_their_code_and_local_ones_do_not_invent_one() {
        let denied = BackendError::aws(ErrorCode::AccessDeniedException, "no grant");
        assert!(denied.is_access_denied());
        assert_eq!(denied.to_string(), "AccessDeniedException: no grant");
        let other = BackendError::aws(AwsErrorCode::parse("KMSInvalidMacException"), "bad");
        assert_eq!(other.label(), "KMSInvalidMacException");
        let net = BackendError::network("The endpoint could not be reached: refused");
        assert_eq!(net.code(), None);
        assert_eq!(
            net.to_string(),
            "The endpoint could not be reached: refused"
        );
        assert_eq!(net.label(), "network error");
    }
}
