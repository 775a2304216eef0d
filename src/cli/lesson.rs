//! `grantscope lesson`: list the shipped lessons; `lesson NAME|PATH --check` validates a
//! lesson and plays it headless on the simulator, printing every step with its AWS CLI
//! command and outcome (for teachers writing lessons). `grantscope lesson NAME` opens the
//! terminal UI on the lesson (main.rs wires it from `prepare` and `crate::lesson`).

use std::fmt::Write;

use anyhow::Result;

use crate::audit::AuditConfig;
use crate::lesson::{backend_for, perform, Lesson, StepKey, StepStatus};

/// The shipped lessons: name, title, number of steps.
pub fn list() -> Result<String> {
    let mut out = String::new();
    for name in Lesson::builtin_names() {
        let l = Lesson::load(name)?;
        writeln!(out, "{name:<18} {:>2} steps  {}", l.steps.len(), l.title)?;
    }
    out.push_str("\nRun one with `grantscope lesson NAME`; check a lesson file with `grantscope lesson PATH --check`.\n");
    Ok(out)
}

/// Load and validate a lesson for the UI (shipped name or path).
pub fn prepare(name_or_path: &str) -> Result<Lesson> {
    Ok(Lesson::load(name_or_path)?)
}

/// Validate and play the lesson headless; the report, and whether every step went as the
/// lesson expects.
pub fn check(name_or_path: &str) -> Result<(String, bool)> {
    let lesson = Lesson::load(name_or_path)?;
    let (mut run, world) = lesson.start()?;
    let backend = backend_for(world, &lesson.scenario.name)
        .map_err(|e| anyhow::anyhow!("{}: {e}", lesson.file))?;
    let runtime = tokio::runtime::Runtime::new()?;
    let mut out = format!(
        "{}: {} ({} steps, scenario {})\n",
        lesson.name,
        lesson.title,
        lesson.steps.len(),
        lesson.scenario.name
    );
    let mut all_ok = true;
    while !run.is_finished() {
        let i = run.current_index();
        let Some(step) = run.current_step().cloned() else {
            break;
        };
        // The command as it reads before the step runs (captures of earlier steps filled).
        let cli = run.cli(i);
        match run.step_key() {
            StepKey::Perform { ticket, request } => {
                let done = runtime.block_on(perform(
                    &backend,
                    &request,
                    run.seen_seq(),
                    &AuditConfig::default(),
                ));
                run.complete(ticket, done);
            }
            StepKey::Advanced | StepKey::Failed(_) => {}
            StepKey::Busy | StepKey::Finished => break,
        }
        let _ = writeln!(out, "{:>3}. {} [{}]", i + 1, step.title, step.id);
        if let Some(cli) = cli {
            let _ = writeln!(out, "     $ {cli}");
        }
        match run.status(i) {
            Some(StepStatus::Done { note, .. }) if note.is_empty() => {}
            Some(StepStatus::Done { note, .. }) => {
                let _ = writeln!(out, "     ok: {note}");
            }
            Some(StepStatus::Unexpected { message }) => {
                all_ok = false;
                let _ = writeln!(out, "     UNEXPECTED: {message}");
                run.skip();
            }
            _ => {}
        }
    }
    out.push_str(if all_ok {
        "every step went as the lesson expects\n"
    } else {
        "some steps did not go as the lesson expects\n"
    });
    Ok((out, all_ok))
}
