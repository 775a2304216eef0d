//! Headless commands: text output for people and scripts (no terminal UI).

pub mod credentials;
pub mod diff;
pub mod evidence;
pub mod history;
pub mod inventory;
pub mod lesson;
pub mod progress;
pub mod refresh;
pub mod report;
pub mod scenario_export;
pub mod scenario_source;
pub mod scoped;
pub mod serve;
pub mod summary;

/// Write command output to stdout. A reader that went away (`| head`) is not an error.
pub fn emit(text: &str) -> std::io::Result<()> {
    emit_with(|out| out.write_all(text.as_bytes()))
}

/// Write command output to stdout as it is produced, through a buffer (a report of a
/// 100k-key world is hundreds of MB of JSON: it is never held whole in memory). A reader
/// that went away (`| head`) is not an error.
pub fn emit_with(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Pretty JSON of `value` and a newline, streamed to stdout.
pub fn emit_json(value: &impl serde::Serialize) -> std::io::Result<()> {
    emit_with(|out| {
        serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::from)?;
        out.write_all(b"\n")
    })
}
