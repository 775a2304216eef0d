//! The event log: every backend call, with time, caller, operation, the verdict and WHY
//! (the key policy statement or grant that allowed it, or the reason it was denied), as
//! the activity poll brings it; it keeps the last `EVENT_LOG_CAPACITY` and follows the
//! newest unless the person scrolled up.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::Frame;

use crate::backend::{ActivityEvent, EventOutcome};
use crate::tui::app::{App, EVENT_LOG_CAPACITY};
use crate::tui::list_view::{self, Column, Width};
use crate::tui::pane::Pane;
use crate::tui::widgets::{list_title, pane_block, short_arn};

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
        // The oldest events go; a selection scrolled back stays on its event.
        let selected = app.events.selected().map(|e| e.seq);
        let all = app.events.all();
        let tail = all[all.len() - EVENT_LOG_CAPACITY..].to_vec();
        app.events
            .set_items(tail, search_text, |e| Some(e.seq) == selected);
    }
    if at_end {
        app.events.select_last();
    }
}

/// The log's columns: the operation and its verdict first, then who, why and when.
pub fn columns(app: &App) -> Vec<Column<'_, ActivityEvent>> {
    let t = &app.theme;
    let plain = Style::default();
    vec![
        Column::new("Time", Width::Fixed(8), 3, move |e: &ActivityEvent| {
            (e.time.format("%H:%M:%S").to_string(), plain)
        })
        .sorted_by(|a, b| a.seq.cmp(&b.seq)),
        Column::new(
            "Caller",
            Width::Flex { min: 8, max: 24 },
            1,
            move |e: &ActivityEvent| (short_arn(&e.caller).to_string(), plain),
        )
        .sorted_by(|a, b| a.caller.cmp(&b.caller)),
        Column::new(
            "Operation",
            Width::Flex { min: 9, max: 20 },
            0,
            move |e: &ActivityEvent| (e.operation.clone(), plain),
        )
        .sorted_by(|a, b| a.operation.cmp(&b.operation)),
        Column::new(
            "Result",
            Width::Flex { min: 7, max: 16 },
            0,
            move |e: &ActivityEvent| match &e.outcome {
                EventOutcome::Allowed => ("ALLOWED".to_string(), Style::default().fg(t.allowed)),
                EventOutcome::Denied => ("DENIED".to_string(), Style::default().fg(t.denied)),
                EventOutcome::DryRun => ("DRYRUN OK".to_string(), Style::default().fg(t.allowed)),
                EventOutcome::Failed(code) => (
                    code.trim_end_matches("Exception").to_string(),
                    Style::default().fg(t.warning),
                ),
            },
        ),
        Column::new(
            "Why",
            Width::Text { min: 12 },
            2,
            move |e: &ActivityEvent| (e.why.clone(), plain),
        ),
    ]
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Events;
    let rows = &app.events;
    let title = if rows.filter().is_empty() {
        "Event log".to_string()
    } else {
        list_title("Event log", rows)
    };
    list_view::render(
        frame,
        area,
        pane_block(title, focused, &app.theme),
        rows,
        &columns(app),
        focused,
        &app.theme,
    );
}
