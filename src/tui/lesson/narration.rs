//! Lesson mode's narration panel (across the top, where a class reads first): step n/N
//! and its title, the narration wrapped, the equivalent AWS CLI command with what is known
//! filled in and how the previous step went (the action bar says what the keys do). Also
//! the WHY banner under it, above the panes: the latest call's verdict, big, and why it
//! was allowed or denied.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::backend::{ActivityEvent, EventOutcome};
use crate::lesson::{Completion, LessonRun, StepStatus};
use crate::tui::rows::Rows;
use crate::tui::theme::Theme;
use crate::tui::widgets::{cut_words, pane_block, render_from, short_arn};

use super::LessonUi;

/// Rows of the WHY banner, at most (a round trip's verdicts and both WHYs).
pub const BANNER_HEIGHT: u16 = 4;
/// Rows of the WHY banner, at least (the verdict and a line of why).
pub const BANNER_MIN: u16 = 2;
/// The fewest rows the panel takes: its frame, the step's title, a line of narration and
/// how the last step went.
pub const MIN_HEIGHT: u16 = 5;

/// Rows the panel needs at `width` to show the step in full (with its frame).
pub fn height(lesson: &LessonUi, width: u16, t: &Theme) -> u16 {
    let inner = width.saturating_sub(2).max(1);
    // Wrapped as `render_from` draws it.
    let body = Paragraph::new(body_lines(&lesson.run, t))
        .wrap(Wrap { trim: false })
        .line_count(inner);
    (body as u16).saturating_add(1 + 2).max(MIN_HEIGHT)
}

pub fn render(frame: &mut Frame, area: Rect, lesson: &LessonUi, t: &Theme) {
    let run = &lesson.run;
    let title = format!("Lesson: {}", run.lesson().title);
    let block = pane_block(title, true, t);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [body, outcome] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    // All of it when it fits; else from where the wheel scrolled it, with `▲`/`▼`.
    lesson.drawn(render_from(
        frame,
        body,
        body_lines(run, t),
        lesson.scroll(),
    ));
    // One line: the outcome is cut at a word to the width (the WHY banner has the reason).
    let line = outcome_line(run, t);
    frame.render_widget(
        Paragraph::new(cut_line(line, outcome.width as usize)),
        outcome,
    );
}

/// A line cut to `width` at a word's end, with `…`.
fn cut_line(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let mut left = width;
    let mut spans = Vec::new();
    for span in line.spans {
        let n = span.content.chars().count();
        if n <= left {
            left -= n;
            spans.push(span);
            continue;
        }
        spans.push(Span::styled(cut_words(&span.content, left), span.style));
        break;
    }
    Line::from(spans)
}

/// A CLI command as the panel shows it: a value too long to read aloud (a grant token is
/// hundreds of characters) keeps its start and end.
fn readable_cli(cli: &str) -> String {
    const LONG: usize = 100;
    cli.split(' ')
        .map(|word| {
            let n = word.chars().count();
            if n <= LONG {
                word.to_string()
            } else {
                let head: String = word.chars().take(16).collect();
                let tail: String = word.chars().skip(n - 8).collect();
                format!("{head}…{tail}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn body_lines(run: &LessonRun, t: &Theme) -> Vec<Line<'static>> {
    let total = run.lesson().steps.len();
    let i = run.current_index();
    let heading = t.fg(t.heading).add_modifier(Modifier::BOLD);
    let Some(step) = run.current_step() else {
        return vec![
            Line::from(Span::styled(
                format!("The lesson is over ({total} steps)"),
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
            Span::styled(
                readable_cli(&cli),
                t.fg(t.accent).add_modifier(Modifier::BOLD),
            ),
        ]));
    }
    lines
}

/// How the previous step went (or the current one, when it did not go as expected, or is
/// being performed). The action bar says what the keys do.
fn outcome_line(run: &LessonRun, t: &Theme) -> Line<'static> {
    let i = run.current_index();
    let current = run.status(i);
    let shown = match current {
        Some(StepStatus::Unexpected { .. } | StepStatus::InFlight) => Some((i, current)),
        _ if i > 0 => Some((i - 1, run.status(i - 1))),
        _ => None,
    };
    match shown {
        Some((j, Some(status))) => {
            let denied = run
                .lesson()
                .steps
                .get(j)
                .is_some_and(|s| s.expect.outcome == Some(crate::lesson::Verdict::Denied));
            status_line(j, status, denied, t)
        }
        _ => Line::from(vec![
            Span::raw("The lesson starts here: "),
            Span::styled("n", t.fg(t.accent).add_modifier(Modifier::BOLD)),
            Span::raw(" performs each step, or do it yourself in the UI."),
        ]),
    }
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

/// The latest call's verdict and WHY, big, under the narration (the panes' own reads
/// aside, so a denial stays in view after the panes reload). An Encrypt test's round trip
/// shows both calls: Encrypt, then the Decrypt of its result.
pub fn render_banner(frame: &mut Frame, area: Rect, events: &Rows<ActivityEvent>, t: &Theme) {
    frame.render_widget(
        Paragraph::new(banner_lines(events, t)).wrap(Wrap { trim: false }),
        area,
    );
}

/// Rows the banner needs at `width` (its text wrapped), between two and `most`.
pub fn banner_height(events: &Rows<ActivityEvent>, width: u16, t: &Theme, most: u16) -> u16 {
    let rows = Paragraph::new(banner_lines(events, t))
        .wrap(Wrap { trim: false })
        .line_count(width.max(1));
    (rows as u16).clamp(BANNER_MIN, most.max(BANNER_MIN))
}

fn banner_lines(events: &Rows<ActivityEvent>, t: &Theme) -> Vec<Line<'static>> {
    let mut notable = events
        .all()
        .iter()
        .rev()
        .filter(|e| !UI_READS.contains(&e.operation.as_str()));
    let Some(last) = notable.next() else {
        return vec![Line::from(
            "No KMS call yet: the latest verdict and its WHY show here.",
        )];
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
    match round_trip {
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
    }
}

/// ` ALLOWED ` on green, ` DENIED ` on red, another error code on yellow.
fn badge(e: &ActivityEvent, t: &Theme) -> Span<'static> {
    let (verdict, bg) = match &e.outcome {
        EventOutcome::Allowed => (" ALLOWED ".to_string(), t.allowed),
        EventOutcome::Denied => (" DENIED ".to_string(), t.denied),
        EventOutcome::DryRun => (" DRYRUN OK ".to_string(), t.allowed),
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
