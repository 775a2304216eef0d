//! The shared vocabulary of grantscope: AWS KMS identifiers and ARNs, keys, grants, the
//! grant operations, policy documents, API request/response shapes and KMS errors.
//!
//! Every other layer (simulator, wire server, backends, audit, UI) speaks these types;
//! this module depends on nothing else in the crate.

pub mod algorithms;
pub mod api;
pub mod api_admin;
pub mod api_asymmetric;
pub mod error;
pub mod grant;
pub mod ids;
pub mod inventory;
pub mod key;
pub mod multi_region;
pub mod operation;
pub mod policy;
pub mod time;
pub mod usage;
pub mod words;

pub use algorithms::{
    DataKeyPairSpec, EncryptionAlgorithm, KeyAgreementAlgorithm, MacAlgorithm, MessageType,
    SigningAlgorithm,
};
pub use error::{AwsErrorCode, ErrorCode, KmsError, KmsResult};
pub use grant::{
    distinct_prefix_len, grant_id_label, short_grant_id, EncryptionContext, GrantConstraints,
    GrantId, GrantListEntry,
};
pub use ids::{display_name, AccountId, KeyRef, Principal, PrincipalArn};
pub use key::{KeyManager, KeyMetadata, KeySpec, KeyState, KeyUsage};
pub use operation::{ApiOperation, GrantOperation, OperationInput};
pub use time::Timestamp;
