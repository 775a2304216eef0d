//! The create-grant form: grantee (picked or typed), operations checklist, retiring
//! principal, constraints, name, the equivalent `aws kms create-grant` command line, and
//! any error from the form or from AWS.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::forms::{CreateGrantForm, GrantField};

use super::{buttons, error_line, field_line, label_span, popup};

pub fn render(frame: &mut Frame, area: Rect, form: &CreateGrantForm) {
    let inner = popup(
        frame,
        area,
        100,
        30,
        &format!("Create grant on {}", form.key_label),
    );
    let f = form.field();
    let mut lines = vec![
        Line::from(Span::styled(
            form.key_arn.clone(),
            Style::default().fg(Color::DarkGray),
        )),
        field_line("Grantee", &form.grantee, f == GrantField::Grantee),
    ];
    // The checklist: two columns of operations.
    let focused_ops = f == GrantField::Operations;
    let per_col = form.operations.len().div_ceil(2);
    for row in 0..per_col {
        let mut spans = vec![if row == 0 {
            label_span("Operations", focused_ops)
        } else {
            Span::raw(format!("{:18}", ""))
        }];
        for col in 0..2 {
            let i = col * per_col + row;
            if let Some((op, checked)) = form.operations.get(i) {
                let mark = if *checked { "[x]" } else { "[ ]" };
                let mut style = Style::default();
                if *checked {
                    style = style.fg(Color::Green);
                }
                if focused_ops && i == form.op_cursor {
                    style = style.add_modifier(Modifier::REVERSED);
                }
                spans.push(Span::styled(format!("{mark} {:<36}", op.as_str()), style));
            }
        }
        lines.push(Line::from(spans));
    }
    lines.push(field_line(
        "Retiring principal",
        &form.retiring,
        f == GrantField::Retiring,
    ));
    lines.push(Line::from(vec![
        label_span("Constraint", f == GrantField::ConstraintKind),
        Span::raw(format!("◀ {} ▶", form.constraint_kind.label())),
    ]));
    lines.push(field_line(
        "Context pairs",
        &form.constraint_pairs,
        f == GrantField::ConstraintPairs,
    ));
    lines.push(field_line("Name", &form.name, f == GrantField::Name));
    lines.push(Line::from(""));
    let focus_button = match f {
        GrantField::Create => Some(0),
        GrantField::Cancel => Some(1),
        _ => None,
    };
    lines.push(buttons(&["Create", "Cancel"], focus_button));
    if form.submitting {
        lines.push(Line::from(Span::styled(
            "Creating…",
            Style::default().fg(Color::Cyan),
        )));
    }
    if let Some(e) = error_line(&form.error) {
        lines.push(e);
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Equivalent AWS CLI command:",
        Style::default().fg(Color::DarkGray),
    )));
    lines.push(Line::from(Span::styled(
        form.cli_command(),
        Style::default().fg(Color::Green),
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
