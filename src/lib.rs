//! grantscope: explore and operate AWS KMS grants.
//!
//! Layers point one way: `kms` (the vocabulary) <- `sim` (the bundled KMS simulator).
//! The terminal UI, the wire server, the AWS backend and the audit grow beside them.

pub mod audit;
pub mod backend;
pub mod cli;
pub mod kms;
pub mod sim;
pub mod tui;
pub mod wire;
