//! Dialogs float over the main screen, cleared beneath, centred. One file per dialog.

pub mod confirm;
pub mod create_grant;
pub mod help;
pub mod simple_form;
pub mod test_encrypt;

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::forms::{Dialog, TextField};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(dialog) = &app.dialog else { return };
    match dialog {
        Dialog::Help => help::render_help(frame, area, app),
        Dialog::Detail => help::render_detail(frame, area, app),
        Dialog::CreateGrant(form) => create_grant::render(frame, area, form),
        Dialog::GrantCreated {
            key_label,
            grant_id,
            grant_token,
        } => confirm::render_created(frame, area, key_label, grant_id, grant_token),
        Dialog::Confirm(c) => confirm::render(frame, area, c),
        Dialog::TestEncrypt(form) => test_encrypt::render(frame, area, form),
        Dialog::Simple(form) => simple_form::render(frame, area, form),
    }
}

/// A `width` x `height` rectangle centred in `area` (clamped to it), cleared.
pub fn popup(frame: &mut Frame, area: Rect, width: u16, height: u16, title: &str) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(Style::default().fg(Color::Cyan))
        .title(
            Line::from(format!(" {title} ")).style(Style::default().add_modifier(Modifier::BOLD)),
        );
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}

/// A form line: label, then the value (with a cursor when focused).
pub fn field_line(label: &str, field: &TextField, focused: bool) -> Line<'static> {
    let mut spans = vec![label_span(label, focused)];
    let mut value = field.value.clone();
    if value.chars().count() > 70 {
        let tail: String = value
            .chars()
            .rev()
            .take(69)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        value = format!("…{tail}");
    }
    spans.push(Span::raw(value));
    if focused {
        spans.push(Span::styled("▏", Style::default().fg(Color::Cyan)));
    }
    if let Some(label) = field.choice_label() {
        spans.push(Span::styled(
            format!("  ({label})"),
            Style::default().fg(Color::DarkGray),
        ));
    } else if focused && !field.choices.is_empty() {
        spans.push(Span::styled(
            "  ↑↓ to pick",
            Style::default().fg(Color::DarkGray),
        ));
    }
    Line::from(spans)
}

pub fn label_span(label: &str, focused: bool) -> Span<'static> {
    let style = if focused {
        Style::default().fg(Color::Black).bg(Color::Cyan)
    } else {
        Style::default().fg(Color::Yellow)
    };
    Span::styled(format!("{label:<18}"), style)
}

/// A row of buttons; `focused` is the index of the focused one, if any.
pub fn buttons(labels: &[&str], focused: Option<usize>) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, l) in labels.iter().enumerate() {
        let style = if Some(i) == focused {
            Style::default()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(Color::Gray)
        };
        spans.push(Span::styled(format!("[ {l} ]"), style));
        spans.push(Span::raw("  "));
    }
    Line::from(spans)
}

pub fn error_line(error: &Option<String>) -> Option<Line<'static>> {
    error.as_ref().map(|e| {
        Line::from(Span::styled(
            e.clone(),
            Style::default().fg(Color::White).bg(Color::Red),
        ))
    })
}
