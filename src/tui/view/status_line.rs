//! The status line: a spinner while backend work is pending, "auditing grants…" while the
//! stale-grant audit runs, the latest message or error, and on the right what you are
//! working on: the backend, the endpoint when it is not AWS's, the account, who you are,
//! the region, and `[RO]` in read-only mode.
//!
//! Decision (what gives way): the message takes the fewest rows (three at most) in which
//! it fits beside the facts down to the account, keeping as many facts as it can on
//! those rows (the region goes first, then who you are); only when three rows are not
//! enough do the account and the endpoint go too. `[RO]` and the backend always stay; a
//! message longer than that is cut at a word. On a simulated world whose clock stands still, `⏸ time frozen` comes first
//! (`⏸` alone beside an error too long for one row).

use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::widgets::cut_words;

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// `user/admin` out of `arn:aws:iam::111122223333:user/admin` (the account is shown apart).
fn identity(arn: &str) -> &str {
    arn.splitn(6, ':').nth(5).unwrap_or(arn)
}

fn left(app: &App, width: u16) -> Line<'static> {
    left_with(app, usize::MAX, frozen_sign_alone(app, width))
}

/// Beside an error that does not fit on one row with every fact, the frozen clock's sign
/// stands alone (`⏸`): the error's text comes first.
fn frozen_sign_alone(app: &App, width: u16) -> bool {
    if !app.status.as_ref().is_some_and(|s| s.error) {
        return false;
    }
    let line = left_with(app, usize::MAX, false);
    let room = width.saturating_sub(right(app, u8::MAX).width() as u16 + 1);
    line.width() > room as usize
}

/// The left part with the message cut at a word to `max` characters.
fn left_with(app: &App, max: usize, sign_alone: bool) -> Line<'static> {
    let accent = Style::default().fg(app.theme.accent);
    let mut spans = vec![Span::styled(
        if app.is_busy() {
            format!(" {} ", SPINNER[app.spinner % SPINNER.len()])
        } else {
            "   ".into()
        },
        accent,
    )];
    if app.time_frozen && app.world_controls {
        spans.push(Span::styled(
            if sign_alone {
                "⏸ "
            } else {
                "⏸ time frozen "
            },
            Style::default()
                .fg(app.theme.warning)
                .add_modifier(Modifier::BOLD),
        ));
    }
    if app.auditing() {
        let text = match app.findings.evidence_progress_text() {
            Some(p) => format!("auditing, {p}… "),
            None => "auditing grants… ".to_string(),
        };
        spans.push(Span::styled(text, accent));
    }
    if let Some(p) = app.scopes.progress() {
        spans.push(Span::styled(format!("{p} "), accent));
    }
    if let Some(p) = app.key_details_progress() {
        spans.push(Span::styled(format!("{p} "), accent));
    }
    if let Some(s) = &app.status {
        let style = if s.error {
            Style::default().fg(Color::White).bg(app.theme.denied)
        } else {
            Style::default().fg(app.theme.allowed)
        };
        spans.push(Span::styled(cut_words(&s.text, max), style));
    }
    Line::from(spans)
}

/// The facts on the right, each with its importance (0 always stays).
fn facts(app: &App) -> Vec<(u8, Span<'static>)> {
    let muted = Style::default().fg(app.theme.muted);
    let info = &app.info;
    let mut v = vec![(
        0,
        Span::styled(
            format!("{}:{}", info.kind, info.source),
            Style::default().add_modifier(Modifier::BOLD),
        ),
    )];
    if let Some(e) = &info.endpoint {
        v.push((
            1,
            Span::styled(e.clone(), Style::default().fg(app.theme.warning)),
        ));
    }
    v.push((2, Span::styled(info.account.clone(), muted)));
    v.push((4, Span::styled(info.region.clone(), muted)));
    v.push((
        3,
        Span::styled(format!("as {}", identity(&info.identity)), muted),
    ));
    if app.read_only {
        v.push((
            0,
            Span::styled(
                "[RO]",
                Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
            ),
        ));
    }
    v
}

/// The right part with the facts of importance up to `keep`.
fn right(app: &App, keep: u8) -> Line<'static> {
    let mut spans = Vec::new();
    for (importance, span) in facts(app) {
        if importance > keep {
            continue;
        }
        if !spans.is_empty() {
            let sep = if span.content == "[RO]" { " " } else { " │ " };
            spans.push(Span::styled(sep, Style::default().fg(app.theme.muted)));
        }
        spans.push(span);
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// The right part that leaves the message room, and the rows the message then takes
/// (three at most).
fn fit(app: &App, width: u16) -> (Line<'static>, u16) {
    let message = Paragraph::new(left(app, width)).wrap(Wrap { trim: false });
    // The account stays before the message takes another row; the rest give way first.
    for keeps in [2..=4, 0..=1] {
        for rows in 1..=MAX_ROWS {
            for keep in keeps.clone().rev() {
                let r = right(app, keep);
                let room = width.saturating_sub(r.width() as u16 + 1).max(1);
                if message.line_count(room) <= rows as usize {
                    return (r, rows);
                }
            }
        }
    }
    (right(app, 0), MAX_ROWS)
}

/// The most rows a long message (an error) takes.
const MAX_ROWS: u16 = 3;

/// Rows the status line needs at `width`: more than one when the message does not fit
/// beside the facts that always stay.
pub fn height(app: &App, width: u16) -> u16 {
    fit(app, width).1
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let (right, rows) = fit(app, area.width);
    let right_width = right.width() as u16;
    let [l, _, r] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(right_width),
    ])
    .areas(area);
    // A message longer than its rows is cut at a word, with `…`.
    let mut max = usize::MAX;
    let sign_alone = frozen_sign_alone(app, area.width);
    let mut line = left_with(app, usize::MAX, sign_alone);
    while max > 8
        && Paragraph::new(line.clone())
            .wrap(Wrap { trim: false })
            .line_count(l.width.max(1))
            > rows as usize
    {
        max = line.width().saturating_sub(8).min(max.saturating_sub(8));
        line = left_with(app, max, sign_alone);
    }
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), l);
    frame.render_widget(
        Paragraph::new(right).alignment(Alignment::Right),
        Rect { height: 1, ..r },
    );
}
