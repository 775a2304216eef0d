//! The event log: every backend call, with time, caller, operation, the verdict and WHY
//! (the key policy statement or grant that allowed it, or the reason it was denied).

use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;

use crate::backend::EventOutcome;
use crate::tui::app::{App, Pane};

use super::widgets::{pane_block_themed, render_table_themed, short_arn, Columns};

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
    render_table_themed(
        frame,
        area,
        pane_block_themed(title, focused, &app.theme),
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
