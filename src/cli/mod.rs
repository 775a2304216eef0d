//! Headless commands: text output for people and scripts (no terminal UI).

pub mod credentials;
pub mod inventory;
pub mod lesson;
pub mod report;
pub mod serve;
pub mod summary;

/// Write command output to stdout. A reader that went away (`| head`) is not an error.
pub fn emit(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
