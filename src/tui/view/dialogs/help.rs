//! The help screen (every key, from the same table as the action bar) and the detail
//! dialog (every field of the selection, full ARNs, wrapped).

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::actions::Action;
use crate::tui::app::App;
use crate::tui::view::detail;

use super::popup;

const NAVIGATION: &[(&str, &str)] = &[
    ("tab / shift-tab", "next / previous pane"),
    ("↑↓ or j k", "move"),
    ("pgup pgdn g G", "page, top, bottom"),
    ("enter", "detail of the selection"),
    ("esc", "close, clear filter, back to keys"),
    ("/", "filter the focused pane (all columns)"),
];

pub fn render_help(frame: &mut Frame, area: Rect, app: &App) {
    let inner = popup(frame, area, 84, 34, "Help");
    let key = Style::default()
        .fg(Color::Cyan)
        .add_modifier(Modifier::BOLD);
    let head = Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::from(Span::styled("Navigation", head))];
    for (k, what) in NAVIGATION {
        lines.push(Line::from(vec![
            Span::styled(format!("  {k:<18}"), key),
            Span::raw(*what),
        ]));
    }
    lines.push(Line::from(Span::styled(
        "Actions (the action bar shows those of the focused pane)",
        head,
    )));
    use Action::*;
    let all = [
        CreateGrant,
        RevokeGrant,
        RetireGrant,
        TestEncrypt,
        CopyGrantId,
        StaleOnly,
        Findings,
        Refresh,
        Help,
        Quit,
    ];
    let world = [
        NewKey,
        DisableKey,
        EnableKey,
        ScheduleKeyDeletion,
        CancelKeyDeletion,
        NewPrincipal,
        DeletePrincipal,
        AdvanceClock,
    ];
    for a in all {
        if app.read_only && a.mutating() {
            continue;
        }
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<18}", a.binding().label()), key),
            Span::raw(a.label()),
        ]));
    }
    // The findings view's keys on one line, from the same table as its action bar.
    let mut in_view = vec![Span::styled("  In the findings view (f): ", head)];
    for a in [JumpToFinding, RevokeFinding, CloseFindings] {
        if app.read_only && a.mutating() {
            continue;
        }
        in_view.push(Span::styled(a.binding().label(), key));
        in_view.push(Span::raw(format!(" {}  ", a.label())));
    }
    lines.push(Line::from(in_view));
    lines.push(Line::from(
        "  Stale column: the grant's worst finding, HIGH MED LOW (info: a service grant)",
    ));
    if app.lesson.is_some() {
        let mut spans = vec![Span::styled("  Lesson: ", head)];
        for a in crate::tui::actions::LESSON_ACTIONS {
            spans.push(Span::styled(a.binding().label(), key));
            spans.push(Span::raw(format!(" {}  ", a.label())));
        }
        lines.push(Line::from(spans));
    }
    if app.info.world_controls && !app.read_only {
        lines.push(Line::from(Span::styled("Simulator controls", head)));
        for a in world {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<18}", a.binding().label()), key),
                Span::raw(a.label()),
            ]));
        }
    }
    if app.read_only {
        lines.push(Line::from(Span::styled(
            "Read-only mode: actions that change keys or grants are not offered.",
            Style::default().fg(Color::Yellow),
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

pub fn render_detail(frame: &mut Frame, area: Rect, app: &App) {
    let (what, lines) = detail::lines(app);
    let inner = popup(
        frame,
        area,
        area.width.saturating_sub(8),
        20,
        &format!("Detail: {what}"),
    );
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
