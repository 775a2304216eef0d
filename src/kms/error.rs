//! The KMS error type: AWS's error code (the `__type` of a wire error), its message and the
//! HTTP status AWS answers with.

use std::fmt;

use serde::{Deserialize, Serialize};

/// AWS KMS error codes (and the few service-framework errors a client can meet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorCode {
    AccessDeniedException,
    AlreadyExistsException,
    CustomKeyStoreNotFoundException,
    DisabledException,
    DryRunOperationException,
    IncorrectKeyException,
    InvalidAliasNameException,
    InvalidArnException,
    InvalidCiphertextException,
    InvalidGrantIdException,
    InvalidGrantTokenException,
    InvalidKeyUsageException,
    InvalidMarkerException,
    #[serde(rename = "KMSInternalException")]
    KmsInternalException,
    #[serde(rename = "KMSInvalidStateException")]
    KmsInvalidStateException,
    #[serde(rename = "KMSInvalidSignatureException")]
    KmsInvalidSignatureException,
    #[serde(rename = "KMSInvalidMacException")]
    KmsInvalidMacException,
    LimitExceededException,
    MalformedPolicyDocumentException,
    NotFoundException,
    UnsupportedOperationException,
    ValidationException,
    // Tags, imported key material and custom key stores (issue #15 part B).
    TagException,
    ExpiredImportTokenException,
    InvalidImportTokenException,
    IncorrectKeyMaterialException,
    CloudHsmClusterNotFoundException,
    XksProxyUriUnreachableException,
    XksProxyVpcEndpointServiceNotFoundException,
    // Service framework errors (authentication, protocol, throttling).
    ThrottlingException,
    SerializationException,
    UnknownOperationException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
    InvalidSignatureException,
    IncompleteSignatureException,
    InvalidClientTokenId,
    RequestExpired,
    /// Temporary credentials (an STS session) past their expiration.
    ExpiredTokenException,
    RequestEntityTooLargeException,
    /// A request body not received in time (`serve --body-timeout`); the name follows the
    /// `...Exception` codes of AWS JSON services (KMS documents no code for it).
    RequestTimeoutException,
    // STS (Query protocol) errors.
    InvalidAction,
    MissingAction,
}

impl ErrorCode {
    /// The code AWS wrote, if this crate knows it (the enum's serde names are AWS's).
    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }

    /// The code exactly as AWS writes it in `__type`.
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            AccessDeniedException => "AccessDeniedException",
            AlreadyExistsException => "AlreadyExistsException",
            CustomKeyStoreNotFoundException => "CustomKeyStoreNotFoundException",
            DisabledException => "DisabledException",
            DryRunOperationException => "DryRunOperationException",
            IncorrectKeyException => "IncorrectKeyException",
            InvalidAliasNameException => "InvalidAliasNameException",
            InvalidArnException => "InvalidArnException",
            InvalidCiphertextException => "InvalidCiphertextException",
            InvalidGrantIdException => "InvalidGrantIdException",
            InvalidGrantTokenException => "InvalidGrantTokenException",
            InvalidKeyUsageException => "InvalidKeyUsageException",
            InvalidMarkerException => "InvalidMarkerException",
            KmsInternalException => "KMSInternalException",
            KmsInvalidStateException => "KMSInvalidStateException",
            KmsInvalidSignatureException => "KMSInvalidSignatureException",
            KmsInvalidMacException => "KMSInvalidMacException",
            LimitExceededException => "LimitExceededException",
            MalformedPolicyDocumentException => "MalformedPolicyDocumentException",
            NotFoundException => "NotFoundException",
            UnsupportedOperationException => "UnsupportedOperationException",
            ValidationException => "ValidationException",
            TagException => "TagException",
            ExpiredImportTokenException => "ExpiredImportTokenException",
            InvalidImportTokenException => "InvalidImportTokenException",
            IncorrectKeyMaterialException => "IncorrectKeyMaterialException",
            CloudHsmClusterNotFoundException => "CloudHsmClusterNotFoundException",
            XksProxyUriUnreachableException => "XksProxyUriUnreachableException",
            XksProxyVpcEndpointServiceNotFoundException => {
                "XksProxyVpcEndpointServiceNotFoundException"
            }
            ThrottlingException => "ThrottlingException",
            SerializationException => "SerializationException",
            UnknownOperationException => "UnknownOperationException",
            MissingAuthenticationTokenException => "MissingAuthenticationTokenException",
            UnrecognizedClientException => "UnrecognizedClientException",
            InvalidSignatureException => "InvalidSignatureException",
            IncompleteSignatureException => "IncompleteSignatureException",
            InvalidClientTokenId => "InvalidClientTokenId",
            RequestExpired => "RequestExpired",
            ExpiredTokenException => "ExpiredTokenException",
            RequestEntityTooLargeException => "RequestEntityTooLargeException",
            RequestTimeoutException => "RequestTimeoutException",
            InvalidAction => "InvalidAction",
            MissingAction => "MissingAction",
        }
    }

    /// The HTTP status AWS sends with this error on KMS's JSON protocol: client errors 400,
    /// faults 500. Signature failures are client errors too: JSON-protocol services send
    /// `InvalidSignatureException`, `IncompleteSignatureException`,
    /// `MissingAuthenticationTokenException` and `UnrecognizedClientException` with 400, as
    /// DynamoDB's error table documents them ("HTTP status code 400" for each) and as KMS
    /// answers the AWS CLI. 403 is kept for the Query-protocol codes (`InvalidClientTokenId`,
    /// `RequestExpired`), whose services (STS, IAM) map their own statuses in `wire::query`.
    pub fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            KmsInternalException => 500,
            InvalidClientTokenId | RequestExpired => 403,
            RequestEntityTooLargeException => 413,
            RequestTimeoutException => 408,
            _ => 400,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error code as an AWS service sent it: one this crate knows, or another, passed
/// through unchanged (AWS adds codes; an SDK answer must not be forced into the ones we
/// know, nor turned into a guess).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AwsErrorCode {
    Known(ErrorCode),
    Other(String),
}

impl AwsErrorCode {
    pub fn parse(s: &str) -> Self {
        ErrorCode::parse(s).map_or_else(|| Self::Other(s.to_string()), Self::Known)
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Known(c) => c.as_str(),
            Self::Other(s) => s,
        }
    }

    pub fn is(&self, code: ErrorCode) -> bool {
        *self == Self::Known(code)
    }
}

impl From<ErrorCode> for AwsErrorCode {
    fn from(c: ErrorCode) -> Self {
        Self::Known(c)
    }
}

impl fmt::Display for AwsErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error as AWS KMS reports it: a code and a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct KmsError {
    pub code: ErrorCode,
    pub message: String,
}

pub type KmsResult<T> = Result<T, KmsError>;

impl KmsError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFoundException, message)
    }

    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::AccessDeniedException, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::KmsInternalException, message)
    }

    /// A single validation error in AWS's wording:
    /// `1 validation error detected: Value 'X' at 'field' failed to satisfy constraint: ...`.
    pub fn validation(value: &str, field: &str, constraint: &str) -> Self {
        Self::new(
            ErrorCode::ValidationException,
            format!(
                "1 validation error detected: Value {value} at '{field}' failed to satisfy constraint: {constraint}"
            ),
        )
    }

    /// A validation error for a sensitive member, whose value AWS does not echo.
    pub fn validation_hidden(field: &str, constraint: &str) -> Self {
        Self::new(
            ErrorCode::ValidationException,
            format!("1 validation error detected: Value at '{field}' failed to satisfy constraint: {constraint}"),
        )
    }

    /// `Value null at 'field' ...`: a required member is missing.
    pub fn missing(field: &str) -> Self {
        Self::validation("null", field, "Member must not be null")
    }

    /// A free-form ValidationException (AWS uses these for semantic checks).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ValidationException, message)
    }

    pub fn throttled() -> Self {
        Self::new(
            ErrorCode::ThrottlingException,
            "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
        )
    }
}

/// Quote a value the way AWS validation messages do: `'value'`.
pub fn quoted(value: &str) -> String {
    format!("'{value}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_back_from_their_wire_names() {
        use ErrorCode::*;
        for c in [
            AccessDeniedException,
            KmsInternalException,
            KmsInvalidStateException,
            InvalidClientTokenId,
            MissingAction,
        ] {
            assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
            assert_eq!(AwsErrorCode::parse(c.as_str()), AwsErrorCode::Known(c));
        }
        assert_eq!(
            ErrorCode::parse("KmsInternalException"),
            None,
            "AWS's spelling only"
        );
        let other = AwsErrorCode::parse("XksKeyNotFoundException");
        assert_eq!(other, AwsErrorCode::Other("XksKeyNotFoundException".into()));
        assert_eq!(other.to_string(), "XksKeyNotFoundException");
    }
}
