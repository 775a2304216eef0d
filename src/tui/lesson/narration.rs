//! Lesson mode's narration panel (across the top, where a class reads first): step n/N
//! and its title, the narration wrapped, the equivalent AWS CLI command with what is known
//! filled in, how the previous step went and what the keys do. Also the WHY banner above
//! the event log: the latest call's verdict, big, and why it was allowed or denied.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::backend::{ActivityEvent, EventOutcome};
use crate::lesson::{Completion, LessonRun, StepStatus};
use crate::tui::rows::Rows;
use crate::tui::theme::Theme;
use crate::tui::widgets::{pane_block, short_arn};

use super::LessonUi;

/// Rows the panel takes (with its frame).
pub const HEIGHT: u16 = 11;
/// Rows of the WHY banner.
pub const BANNER_HEIGHT: u16 = 3;

pub fn render(frame: &mut Frame, area: Rect, lesson: &LessonUi, t: &Theme) {
    let run = &lesson.run;
    let title = format!("Lesson: {}", run.lesson().title);
    let block = pane_block(title, true, t);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [body, outcome] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(2)]).areas(inner);
    frame.render_widget(
        Paragraph::new(body_lines(run, t)).wrap(Wrap { trim: true }),
        body,
    );
    // One line each: the outcome is cut to the width (the WHY banner has the full reason).
    frame.render_widget(Paragraph::new(outcome_lines(run, t)), outcome);
}

fn body_lines(run: &LessonRun, t: &Theme) -> Vec<Line<'static>> {
    let total = run.lesson().steps.len();
    let i = run.current_index();
    let heading = t.fg(t.heading).add_modifier(Modifier::BOLD);
    let Some(step) = run.current_step() else {
        return vec![
            Line::from(Span::styled(
                format!("Step {total}/{total} · The lesson is over"),
                heading,
            )),
            Line::from(run.lesson().summary.clone()),
        ];
    };
    let mut lines = vec![Line::from(Span::styled(
        format!("Step {}/{total} · {}", i + 1, step.title),
        heading,
    ))];
    // The narration's own line breaks are for the file; the panel wraps it to its width.
    let text = step
        .narration
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    lines.push(Line::from(text));
    if let Some(cli) = run.cli(i) {
        lines.push(Line::from(vec![
            Span::styled("$ ", t.fg(t.muted)),
            Span::styled(cli, t.fg(t.accent).add_modifier(Modifier::BOLD)),
        ]));
    }
    lines
}

/// How the previous step went (or the current one, when it did not go as expected), and
/// what the keys do now.
fn outcome_lines(run: &LessonRun, t: &Theme) -> Vec<Line<'static>> {
    let i = run.current_index();
    let key = t.fg(t.accent).add_modifier(Modifier::BOLD);
    let mut lines = Vec::new();
    let current = run.status(i);
    let shown = match current {
        Some(StepStatus::Unexpected { .. } | StepStatus::InFlight) => Some((i, current)),
        _ if i > 0 => Some((i - 1, run.status(i - 1))),
        _ => None,
    };
    lines.push(match shown {
        Some((j, Some(status))) => {
            let denied = run
                .lesson()
                .steps
                .get(j)
                .is_some_and(|s| s.expect.outcome == Some(crate::lesson::Verdict::Denied));
            status_line(j, status, denied, t)
        }
        _ => Line::from("The lesson starts here."),
    });
    let mut keys = vec![
        Span::styled("n", key),
        Span::raw(if run.is_finished() {
            " (done)  "
        } else {
            " perform this step (or do it in the UI)  "
        }),
        Span::styled("b", key),
        Span::raw(" back/replay  "),
        Span::styled("R", key),
        Span::raw(" reset the lesson"),
    ];
    if matches!(current, Some(StepStatus::InFlight)) {
        keys.insert(0, Span::raw("… performing  "));
    }
    lines.push(Line::from(keys));
    lines
}

/// One step's status as the panel says it (`denied`: the lesson expects a denial).
pub fn status_line(index: usize, status: &StepStatus, denied: bool, t: &Theme) -> Line<'static> {
    let n = index + 1;
    let ok = t.fg(t.allowed).add_modifier(Modifier::BOLD);
    let bad = Style::default()
        .fg(Color::White)
        .bg(t.denied)
        .add_modifier(Modifier::BOLD);
    match status {
        StepStatus::Done { how, note } => {
            let how = match how {
                Completion::StepKey => "done by the step key",
                Completion::Observed => "noticed in the UI",
            };
            let mut spans = vec![Span::styled(format!("✓ Step {n} {how}"), ok)];
            if denied {
                spans.push(Span::styled(
                    " (DENIED, as the lesson expects)",
                    t.fg(t.denied).add_modifier(Modifier::BOLD),
                ));
            }
            if !note.is_empty() {
                spans.push(Span::raw(format!(": {note}")));
            }
            Line::from(spans)
        }
        StepStatus::Unexpected { message } => Line::from(vec![
            Span::styled(format!(" ✗ Step {n} UNEXPECTED "), bad),
            Span::raw(format!(" {message}")),
        ]),
        StepStatus::InFlight => Line::from(format!("… Step {n} is being performed")),
        StepStatus::Pending => Line::from(format!("Step {n} is pending")),
    }
}

/// Reads the UI makes to fill its panes after every change; the banner looks past them.
const UI_READS: [&str; 5] = [
    "ListKeys",
    "ListAliases",
    "ListGrants",
    "DescribeKey",
    "GetKeyPolicy",
];

/// The latest call's verdict and WHY, big, above the event log (the panes' own reads
/// aside, so a denial stays in view after the panes reload). A test-encrypt's round trip
/// shows both calls: Encrypt, then the Decrypt of its result.
pub fn render_banner(frame: &mut Frame, area: Rect, events: &Rows<ActivityEvent>, t: &Theme) {
    let mut notable = events
        .all()
        .iter()
        .rev()
        .filter(|e| !UI_READS.contains(&e.operation.as_str()));
    let Some(last) = notable.next() else {
        frame.render_widget(
            Paragraph::new("No KMS call yet: the latest verdict and its WHY show here."),
            area,
        );
        return;
    };
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let why = |e: &ActivityEvent| {
        Line::from(vec![
            Span::styled("WHY ", t.fg(t.heading).add_modifier(Modifier::BOLD)),
            Span::styled(format!("{}: ", e.operation), bold),
            Span::styled(e.why.clone(), bold),
        ])
    };
    let tail = |e: &ActivityEvent| {
        Span::raw(format!(
            " by {}  at {}",
            short_arn(&e.caller),
            e.time.format("%H:%M:%S")
        ))
    };
    let round_trip = notable.next().filter(|prev| {
        last.operation == "Decrypt" && prev.operation == "Encrypt" && prev.caller == last.caller
    });
    let lines = match round_trip {
        Some(enc) => vec![
            Line::from(vec![
                badge(enc, t),
                Span::styled(format!("  {}   ", enc.operation), bold),
                badge(last, t),
                Span::styled(format!("  {} (the round trip)", last.operation), bold),
                tail(last),
            ]),
            why(enc),
            why(last),
        ],
        None => vec![
            Line::from(vec![
                badge(last, t),
                Span::styled(format!("  {}", last.operation), bold),
                tail(last),
            ]),
            why(last),
        ],
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// ` ALLOWED ` on green, ` DENIED ` on red, another error code on yellow.
fn badge(e: &ActivityEvent, t: &Theme) -> Span<'static> {
    let (verdict, bg) = match &e.outcome {
        EventOutcome::Allowed => (" ALLOWED ".to_string(), t.allowed),
        EventOutcome::Denied => (" DENIED ".to_string(), t.denied),
        EventOutcome::Failed(code) => (format!(" {code} "), t.warning),
    };
    Span::styled(
        verdict,
        Style::default()
            .fg(Color::Black)
            .bg(bg)
            .add_modifier(Modifier::BOLD),
    )
}
