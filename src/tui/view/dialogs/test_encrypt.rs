//! The test-encrypt dialog: act as a chosen principal, encrypt a plaintext with or
//! without grant tokens, and show the ciphertext and the decrypt round trip, or AWS's
//! AccessDenied text.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::forms::{EncryptField, TestEncryptForm};
use crate::tui::view::widgets::cut;

use super::{buttons, error_line, field_line, popup};

pub fn render(frame: &mut Frame, area: Rect, form: &TestEncryptForm) {
    let inner = popup(
        frame,
        area,
        100,
        24,
        &format!("Test encrypt with {}", form.key_label),
    );
    let f = form.field();
    let mut lines = vec![
        field_line("Act as", &form.act_as, f == EncryptField::ActAs),
        field_line("Plaintext", &form.plaintext, f == EncryptField::Plaintext),
        field_line("Grant tokens", &form.tokens, f == EncryptField::Tokens),
        field_line(
            "Encryption context",
            &form.context,
            f == EncryptField::Context,
        ),
        Line::from(""),
        buttons(
            &["Encrypt + decrypt", "Close"],
            match f {
                EncryptField::Run => Some(0),
                EncryptField::Close => Some(1),
                _ => None,
            },
        ),
    ];
    if let Some(e) = error_line(&form.error) {
        lines.push(e);
    }
    if form.running {
        lines.push(Line::from(Span::styled(
            "Calling Encrypt…",
            Style::default().fg(Color::Cyan),
        )));
    }
    let bold = |c: Color| Style::default().fg(c).add_modifier(Modifier::BOLD);
    match &form.result {
        None => {}
        Some(Ok(out)) => {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                "Encrypt: ALLOWED",
                bold(Color::Green),
            )));
            lines.push(Line::from(format!("As {}", out.caller)));
            lines.push(Line::from(format!("KeyId {}", out.key_arn)));
            lines.push(Line::from(format!(
                "CiphertextBlob {}",
                cut(&out.ciphertext_base64, 80)
            )));
            match &out.decrypt {
                Ok(text) => lines.push(Line::from(Span::styled(
                    format!("Decrypt round trip: ALLOWED, plaintext \"{text}\""),
                    bold(Color::Green),
                ))),
                Err(e) => lines.push(Line::from(vec![
                    Span::styled("Decrypt round trip: DENIED ", bold(Color::Red)),
                    Span::raw(format!("({e})")),
                ])),
            }
        }
        Some(Err(e)) => {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                if e.is_access_denied() {
                    "Encrypt: DENIED"
                } else {
                    "Encrypt: FAILED"
                },
                bold(Color::Red),
            )));
            lines.push(Line::from(format!(
                "An error occurred ({}) when calling the Encrypt operation: {}",
                e.code, e.message
            )));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
