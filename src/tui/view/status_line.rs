//! The status line: a spinner while backend work is pending, the latest message or error
//! (errors first, they matter most), "auditing grants…" while the stale-grant audit runs,
//! and on the right the backend, account, region, who
//! you are and `[RO]` in read-only mode.

use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::app::App;

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// `user/admin` out of `arn:aws:iam::111122223333:user/admin` (the account is shown apart).
fn identity(arn: &str) -> &str {
    arn.splitn(6, ':').nth(5).unwrap_or(arn)
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let mut left = vec![Span::styled(
        if app.is_busy() {
            format!(" {} ", SPINNER[app.spinner % SPINNER.len()])
        } else {
            "   ".into()
        },
        Style::default().fg(app.theme.accent),
    )];
    if app.auditing() {
        left.push(Span::styled(
            "auditing grants… ",
            Style::default().fg(app.theme.accent),
        ));
    }
    if let Some(p) = app.key_details_progress() {
        left.push(Span::styled(
            format!("{p} "),
            Style::default().fg(app.theme.accent),
        ));
    }
    if let Some(s) = &app.status {
        let style = if s.error {
            Style::default().fg(Color::White).bg(app.theme.denied)
        } else {
            Style::default().fg(app.theme.allowed)
        };
        left.push(Span::styled(s.text.clone(), style));
    }
    let full = right_part(app, true);
    let short = right_part(app, false);
    let left = Line::from(left);
    // The message wins: the backend facts shrink, then go, to leave it room.
    let room = (area.width as usize).saturating_sub(left.width() + 1);
    let right = if full.width() <= room {
        full
    } else if short.width() <= room {
        short
    } else {
        Line::default()
    };
    let right_width = right.width() as u16;
    let [l, r] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(right_width)]).areas(area);
    frame.render_widget(Paragraph::new(left), l);
    frame.render_widget(Paragraph::new(right).alignment(Alignment::Right), r);
}

/// Backend, account, region, identity and `[RO]`; or only the backend and `[RO]`.
fn right_part(app: &App, full: bool) -> Line<'static> {
    let mut right = vec![Span::styled(
        format!("{}:{} ", app.info.kind, app.info.source),
        Style::default().add_modifier(Modifier::BOLD),
    )];
    if full {
        right.push(Span::styled(
            format!(
                "│ {} │ {} │ as {} ",
                app.info.account,
                app.info.region,
                identity(&app.info.identity)
            ),
            Style::default().fg(app.theme.muted),
        ));
    }
    if app.read_only {
        right.push(Span::styled(
            "[RO] ",
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ));
    }
    Line::from(right)
}
