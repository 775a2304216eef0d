//! grantscope: explore and operate AWS KMS grants.
//!
//! Layers point one way: `kms` (the vocabulary) <- `sim` (the bundled KMS simulator).
//! The terminal UI, the wire server, the AWS backend and the audit grow beside them.

pub mod cli;
pub mod kms;
pub mod sim;
