//! Headless commands: text output for people and scripts (no terminal UI).

pub mod summary;
