//! grantscope: explore and operate AWS KMS grants.
//!
//! Layers point one way: `tui` -> `backend` (the async Backend trait; `sim` and `aws`
//! implementations) -> `sim` (the bundled KMS simulator) / aws-sdk-kms -> `kms` (the
//! vocabulary). `wire` serves the simulator over the KMS protocol, `audit` holds the
//! stale-grant rules (pure, over `kms::inventory`), `cli` the headless commands,
//! `evidence` CloudTrail's usage evidence for the `unused` rule (pure decision and fetch plan),
//! `history` the local store of saved runs (SQLite) and their diff. Nothing
//! imports `tui`. `files` (opening only regular files a person names) and `pace` (rate limiters on one
//! clock) sit below them all.

pub mod allocator;
pub mod audit;
pub mod backend;
pub mod cli;
pub mod evidence;
pub mod files;
pub mod history;
pub mod kms;
pub mod lesson;
pub mod pace;
pub mod scope;
pub mod sim;
pub mod tui;
pub mod wire;
