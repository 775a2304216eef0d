//! The AWS backend: aws-sdk-kms (with aws-sdk-sts for the caller and aws-sdk-iam for
//! principals) with credentials, region and endpoint resolved by aws-config exactly as the
//! AWS CLI resolves them (environment, shared config and credentials files, SSO, IMDS;
//! `--endpoint-url`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_KMS` / `_STS` / `_IAM`).
//! Requests run with bounded concurrency and the SDK's standard retry with backoff on
//! throttling (a bounded number of attempts, never forever).
//!
//! `connection` (the clients, caller identity, error mapping, paged listings), `http` (the
//! one HTTP client and connection pool every SDK client shares), `inventory` (the headless
//! inventory), `backend` (`AwsBackend`, the UI's `Backend`), `keys` (the quick key list and
//! each key's details), `principals` (who grants, key policies and IAM name), `profiles`
//! (acting as another configured profile), `test_call` (testing a grant as a profile),
//! `activity` (the log of this backend's own calls) and `cloudtrail` (LookupEvents pages
//! for the usage evidence).

mod activity;
mod backend;
mod cloudtrail;
mod connection;
pub mod http;
mod inventory;
mod keys;
mod principals;
mod profiles;
mod test_asymmetric;
mod test_call;

pub use backend::AwsBackend;
pub use cloudtrail::CloudTrail;
pub use connection::{
    load_config, load_config_with, sdk_error, AwsConnection, AwsOptions, CallerIdentity, Pacer,
    CONCURRENCY, KEYS_AT_ONCE, MAX_ATTEMPTS,
};
pub use profiles::ProfileSources;
