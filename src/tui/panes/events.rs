//! The event log: every backend call, with time, caller, operation, the verdict and WHY
//! (the key policy statement or grant that allowed it, or the reason it was denied), as
//! the activity poll brings it; it keeps the last `EVENT_LOG_CAPACITY` and follows the
//! newest unless the person scrolled up.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;

use crate::backend::{ActivityEvent, EventOutcome};
use crate::tui::app::{App, EVENT_LOG_CAPACITY};
use crate::tui::pane::Pane;
use crate::tui::widgets::{pane_block, render_table, short_arn, Columns};

/// What `/` searches.
pub fn search_text(e: &ActivityEvent) -> String {
    format!("{} {} {:?} {}", e.caller, e.operation, e.outcome, e.why)
}

/// New events came.
pub fn arrived(app: &mut App, events: Vec<ActivityEvent>) {
    if let Some(last) = events.last() {
        app.last_event_seq = app.last_event_seq.max(last.seq);
    }
    let at_end = app.events.selected_index() + 1 >= app.events.len();
    app.events.extend(events, search_text);
    if app.events.total() > EVENT_LOG_CAPACITY {
        let all = app.events.all();
        let tail = all[all.len() - EVENT_LOG_CAPACITY..].to_vec();
        app.events.set_items(tail, search_text, |_| false);
    }
    if at_end {
        app.events.select_last();
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Events;
    let rows = &app.events;
    let mut title = "Event log".to_string();
    if !rows.filter().is_empty() {
        title = format!(
            "Event log ({}/{}) /{}",
            rows.len(),
            rows.total(),
            rows.filter()
        );
    }
    render_table(
        frame,
        area,
        pane_block(title, focused, &app.theme),
        rows,
        Columns {
            header: &["Time", "Caller", "Operation", "Result", "Why"],
            widths: &[
                Constraint::Length(8),
                Constraint::Length(14),
                Constraint::Length(14),
                Constraint::Length(9),
                Constraint::Fill(1),
            ],
            focused,
        },
        &app.theme,
        |e| {
            let (verdict, style) = match &e.outcome {
                EventOutcome::Allowed => (
                    "ALLOWED".to_string(),
                    Style::default().fg(app.theme.allowed),
                ),
                EventOutcome::Denied => {
                    ("DENIED".to_string(), Style::default().fg(app.theme.denied))
                }
                EventOutcome::Failed(code) => (
                    code.trim_end_matches("Exception").to_string(),
                    Style::default().fg(app.theme.warning),
                ),
            };
            Row::new(vec![
                Cell::from(e.time.format("%H:%M:%S").to_string()),
                Cell::from(short_arn(&e.caller).to_string()),
                Cell::from(e.operation.clone()),
                Cell::from(verdict).style(style),
                Cell::from(e.why.clone()),
            ])
        },
    );
}
