//! The event log: every backend call, with time, caller, operation, the verdict and WHY
//! (the key policy statement or grant that allowed it, or the reason it was denied).

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;

use crate::backend::EventOutcome;
use crate::tui::app::{App, Pane};

use super::widgets::{pane_block, render_table, short_arn, Columns};

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
        pane_block(title, focused),
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
        |e| {
            let (verdict, style) = match &e.outcome {
                EventOutcome::Allowed => ("ALLOWED".to_string(), Style::default().fg(Color::Green)),
                EventOutcome::Denied => ("DENIED".to_string(), Style::default().fg(Color::Red)),
                EventOutcome::Failed(code) => (
                    code.trim_end_matches("Exception").to_string(),
                    Style::default().fg(Color::Yellow),
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
