//! Drawing the "test a grant" dialog: the form (the fields the operation uses), the run
//! button that says what it will do, the result (DryRun or performed, the verdict, what
//! the operation answered, AWS's error text on a denial), the WHY of each call from the
//! activity log, and the equivalent AWS CLI commands.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::backend::{api_name, changes_world, BackendError, TestAnswer, TestOutcome};
use crate::kms::{display_name, GrantOperation};
use crate::tui::widgets::{
    buttons, cut, error_line, label_span, popup, render_scrolled, LABEL_WIDTH,
};

use super::{TestField, TestGrant};

fn bold(c: Color) -> Style {
    Style::default().fg(c).add_modifier(Modifier::BOLD)
}

fn dim() -> Style {
    Style::default().fg(Color::DarkGray)
}

/// What a grant operation's test does, in a few words.
fn what_it_does(op: GrantOperation) -> &'static str {
    use GrantOperation as Op;
    match op {
        Op::Encrypt => "encrypt the plaintext, then decrypt it",
        Op::Decrypt => "decrypt a sample ciphertext",
        Op::GenerateDataKey => "a data key + plaintext",
        Op::GenerateDataKeyWithoutPlaintext => "a data key, no plaintext",
        Op::ReEncryptFrom => "ReEncrypt from this key",
        Op::ReEncryptTo => "ReEncrypt to this key",
        Op::DescribeKey => "read the key's metadata",
        Op::CreateGrant => "create a grant",
        Op::RetireGrant => "retire the selected grant",
        Op::GenerateDataKeyPair => "a key pair + private key",
        Op::GenerateDataKeyPairWithoutPlaintext => "a key pair, no private key",
        Op::Sign => "sign the message",
        Op::Verify => "verify a sample signature",
        Op::GetPublicKey => "download the public key",
        Op::GenerateMac => "MAC the message",
        Op::VerifyMac => "verify a sample MAC",
        Op::DeriveSharedSecret => "ECDH with a fresh peer key",
    }
}

impl TestGrant {
    /// The operation, what its test does (when the line has room) and whether the
    /// selected grant allows it.
    fn operation_line(&self, focused: bool, width: usize) -> Line<'static> {
        let op = format!("◀ {} ▶", self.operation);
        let granted = match (&self.grant, self.granted(self.operation)) {
            (None, _) => None,
            (Some(_), true) => Some(Span::styled(
                "  (granted)",
                Style::default().fg(Color::Green),
            )),
            (Some(_), false) => Some(Span::styled(
                "  (not granted)",
                Style::default().fg(Color::Yellow),
            )),
        };
        let what = format!("  {}", what_it_does(self.operation));
        let used = LABEL_WIDTH
            + op.chars().count()
            + granted.as_ref().map_or(0, |g| g.content.chars().count());
        let mut spans = vec![
            label_span("Operation", focused),
            Span::styled(op, bold(Color::White)),
        ];
        if used + what.chars().count() <= width {
            spans.push(Span::styled(what, dim()));
        }
        spans.extend(granted);
        Line::from(spans)
    }

    fn dry_run_line(&self, focused: bool) -> Line<'static> {
        let text = if self.is_dry_run() {
            "[x] only ask whether it would be allowed"
        } else if changes_world(self.operation) {
            "[ ] off: perform it (changes the world)"
        } else {
            "[ ] off: perform it"
        };
        Line::from(vec![label_span("DryRun", focused), Span::raw(text)])
    }

    /// The run button's label: what pressing it does.
    fn run_label(&self) -> String {
        let api = api_name(self.operation);
        if self.is_dry_run() {
            format!("DryRun {api}")
        } else if changes_world(self.operation) {
            format!("Perform {api} for real")
        } else {
            format!("Run {api}")
        }
    }

    fn field_line(&self, field: TestField, width: usize) -> Option<Line<'static>> {
        let focused = self.field() == field;
        let reencrypt_label = if self.operation == GrantOperation::ReEncryptTo {
            "Source key"
        } else {
            "Destination key"
        };
        Some(match field {
            TestField::Operation => self.operation_line(focused, width),
            TestField::DryRun => self.dry_run_line(focused),
            TestField::ActAs => self.act_as.line("Act as", focused, width),
            TestField::Plaintext => self.plaintext.line(
                if self.operation.takes_encryption_context()
                    || self.operation == GrantOperation::Decrypt
                {
                    "Plaintext"
                } else {
                    "Message"
                },
                focused,
                width,
            ),
            TestField::OtherKey => {
                let mut line = self.other_key.line(reencrypt_label, focused, width);
                if self.other_key.value().is_empty() {
                    line.spans.push(Span::styled("(this key)", dim()));
                }
                line
            }
            TestField::Grantee => {
                let mut line = self.grantee.line("New grant for", focused, width);
                if self.grantee.value().is_empty() {
                    line.spans
                        .push(Span::styled("(the principal acted as)", dim()));
                }
                line
            }
            TestField::GrantOperations => {
                self.grant_operations
                    .line("With operations", focused, width)
            }
            TestField::Tokens => self.tokens.line("Grant tokens", focused, width),
            TestField::Context => self.context.line("Encryption context", focused, width),
            TestField::Run | TestField::Close => return None,
        })
    }

    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let inner = popup(
            frame,
            area,
            100,
            26,
            &format!("Test a grant on {}", self.key_label),
        );
        let width = inner.width as usize;
        let focused = self.field();
        let mut lines = Vec::new();
        let mut focus_line = 0;
        for field in self.fields() {
            if field == focused {
                focus_line = lines.len();
            }
            if let Some(line) = self.field_line(field, width) {
                lines.push(line);
            }
        }
        if !self.dry_run_offered() {
            lines.push(Line::from(vec![
                label_span("DryRun", false),
                Span::styled(format!("not offered: {} only reads", self.operation), dim()),
            ]));
        }
        if self.operation == GrantOperation::RetireGrant {
            lines.push(Line::from(vec![
                label_span("Grant to retire", false),
                Span::raw(
                    self.grant
                        .as_ref()
                        .map_or("(select a grant in the grants pane)".to_string(), |g| {
                            g.label.clone()
                        }),
                ),
            ]));
        }
        lines.push(Line::from(""));
        if matches!(focused, TestField::Run | TestField::Close) {
            focus_line = lines.len();
        }
        let run = self.run_label();
        lines.push(buttons(
            &[run.as_str(), "Close"],
            match focused {
                TestField::Run => Some(0),
                TestField::Close => Some(1),
                _ => None,
            },
        ));
        if let Some(e) = error_line(&self.error) {
            lines.push(e);
        }
        if self.running {
            lines.push(Line::from(Span::styled(
                format!("Calling {}…", api_name(self.operation)),
                Style::default().fg(Color::Cyan),
            )));
        }
        match &self.result {
            None => {}
            Some(Ok(out)) => lines.extend(outcome_lines(out, self)),
            Some(Err(e)) => {
                lines.push(Line::from(""));
                lines.push(Line::from(Span::styled(
                    format!("{}: NOT TESTED", api_name(self.operation)),
                    bold(Color::Red),
                )));
                lines.push(Line::from(format!("The test could not be made: {e}")));
            }
        }
        if self.result.is_some() {
            lines.extend(self.whys.iter().map(|e| {
                Line::from(vec![
                    Span::styled(
                        format!("WHY {} ({}): ", e.operation, display_name(&e.caller)),
                        Style::default().add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(e.why.clone()),
                ])
            }));
        }
        // Once a result is in, it is what to read.
        if self.result.is_some() || self.error.is_some() {
            focus_line = lines.len() - 1;
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "Equivalent AWS CLI commands:",
            dim(),
        )));
        for cmd in self.cli_commands() {
            lines.push(Line::from(Span::styled(
                cmd,
                Style::default().fg(Color::Green),
            )));
        }
        render_scrolled(frame, inner, lines, Some(focus_line));
    }
}

/// AWS CLI's words for an error a call answered with.
fn error_text(api: &str, e: &BackendError) -> String {
    match e.code() {
        Some(code) => format!(
            "An error occurred ({code}) when calling the {api} operation: {}",
            e.message
        ),
        None => format!("The {api} call failed: {e}"),
    }
}

/// The result: what was done, the verdict, and what the operation answered.
fn outcome_lines(out: &TestOutcome, d: &TestGrant) -> Vec<Line<'static>> {
    let api = api_name(out.operation);
    let mut lines = vec![Line::from("")];
    let headline = match (&out.result, out.dry_run) {
        (Ok(_), true) => Span::styled(
            format!("DryRun {api}: WOULD BE ALLOWED (nothing was done)"),
            bold(Color::Green),
        ),
        (Ok(_), false) => Span::styled(format!("Performed {api}: ALLOWED"), bold(Color::Green)),
        (Err(e), dry) => Span::styled(
            format!(
                "{}{api}: {}",
                if dry { "DryRun " } else { "" },
                if e.is_access_denied() {
                    "DENIED"
                } else {
                    "FAILED"
                }
            ),
            bold(Color::Red),
        ),
    };
    lines.push(Line::from(headline));
    lines.push(Line::from(format!("As {}", out.caller)));
    if let Some(note) = &out.prepared {
        lines.push(Line::from(Span::styled(note.clone(), dim())));
    }
    match &out.result {
        Err(e) => lines.push(Line::from(error_text(api, e))),
        Ok(TestAnswer::WouldBeAllowed) => {}
        Ok(TestAnswer::Encrypted {
            ciphertext_base64,
            round_trip,
        }) => {
            lines.push(Line::from(format!(
                "CiphertextBlob {}",
                cut(ciphertext_base64, 60)
            )));
            lines.push(match round_trip {
                Ok(text) => Line::from(Span::styled(
                    format!("Decrypt round trip: ALLOWED, plaintext \"{text}\""),
                    bold(Color::Green),
                )),
                Err(e) => Line::from(vec![
                    Span::styled("Decrypt round trip: DENIED ", bold(Color::Red)),
                    Span::raw(format!("({e})")),
                ]),
            });
        }
        Ok(TestAnswer::Decrypted { plaintext }) => {
            lines.push(Line::from(format!(
                "Plaintext \"{plaintext}\" (the sample's, decrypted)"
            )));
        }
        Ok(TestAnswer::DataKey(k)) => {
            lines.push(Line::from(format!(
                "CiphertextBlob {}",
                cut(&k.ciphertext_base64, 60)
            )));
            lines.push(Line::from(match &k.plaintext {
                Some(f) => format!(
                    "Plaintext data key: {} bytes, SHA-256 {}… (the key itself is not shown)",
                    f.bytes, f.sha256_prefix
                ),
                None => "No plaintext data key (WithoutPlaintext)".to_string(),
            }));
        }
        Ok(TestAnswer::ReEncrypted {
            ciphertext_base64,
            source_arn,
            destination_arn,
        }) => {
            lines.push(Line::from(format!(
                "From {} to {}",
                display_name(source_arn),
                display_name(destination_arn)
            )));
            lines.push(Line::from(format!(
                "CiphertextBlob {}",
                cut(ciphertext_base64, 60)
            )));
        }
        Ok(TestAnswer::Described(k)) => {
            lines.push(Line::from(format!("KeyId {}", k.arn)));
            lines.push(Line::from(format!(
                "KeyState {}, KeySpec {}, KeyUsage {}",
                k.state, k.spec, k.usage
            )));
        }
        Ok(TestAnswer::GrantCreated { grant_id, .. }) => {
            lines.push(Line::from(Span::styled(
                format!(
                    "Created grant {}: it is real and listed; ↑↓ on Grant tokens offers its token",
                    crate::kms::short_grant_id(grant_id)
                ),
                bold(Color::Yellow),
            )));
        }
        Ok(TestAnswer::Retired) => {
            let label = d.grant.as_ref().map_or("", |g| g.label.as_str());
            lines.push(Line::from(Span::styled(
                format!("Retired grant {label}: it is no longer listed"),
                bold(Color::Yellow),
            )));
        }
        Ok(other) => lines.extend(super::answers::answer_lines(other)),
    }
    lines
}
