//! The test-encrypt dialog: act as a chosen principal (or, on AWS, a configured profile),
//! encrypt a plaintext with or without grant tokens and an encryption context, and show
//! the ciphertext and the decrypt round trip, or AWS's AccessDenied text, and under it
//! the simulator's WHY of each call (from the activity log: the policy or grant that
//! allowed it, or why none did, e.g. a grant not yet propagated) so the reason is read
//! where the verdict is, even where the dialog covers the event log.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::backend::{ActivityEvent, Actor, BackendError, EncryptOutcome, TestEncryptInput};
use crate::kms::KeyRef;
use crate::tui::effect::Effect;
use crate::tui::message::{Key, Work};
use crate::tui::text_field::TextField;
use crate::tui::widgets::{buttons, cut, error_line, popup, render_scrolled};

use super::create_grant::parse_pairs;
use super::{cycle_focus, principal_from, Choice, CliSession};

/// A value as a shell reads it: as is when plain, else in single quotes.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The fields of the form, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncryptField {
    ActAs,
    Plaintext,
    Tokens,
    Context,
    Run,
    Close,
}

impl EncryptField {
    pub const ALL: [EncryptField; 6] = [
        EncryptField::ActAs,
        EncryptField::Plaintext,
        EncryptField::Tokens,
        EncryptField::Context,
        EncryptField::Run,
        EncryptField::Close,
    ];
}

/// Whom the dialog may act as.
#[derive(Debug, Clone, PartialEq)]
pub enum Acting {
    /// Principals (the simulator acts as any of them).
    Principals(Vec<Choice>),
    /// Profiles configured on this machine (AWS: acting as someone means their credentials).
    Profiles(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestEncrypt {
    pub key: KeyRef,
    pub key_label: String,
    pub by_profile: bool,
    pub act_as: TextField,
    pub plaintext: TextField,
    /// Grant tokens, separated by spaces or commas; Up/Down offers this session's tokens.
    pub tokens: TextField,
    pub context: TextField,
    pub focus: usize,
    pub error: Option<String>,
    pub running: bool,
    pub result: Option<Result<EncryptOutcome, BackendError>>,
    /// The activity log's last event when the calls were made: theirs come after it.
    pub since: Option<u64>,
    /// The calls' events (Encrypt, then Decrypt), with their WHY, as the log reports them.
    pub whys: Vec<ActivityEvent>,
    pub session: CliSession,
}

impl TestEncrypt {
    /// The dialog for the key with this ARN, acting as `act_as` when one is chosen.
    pub fn new(
        key_arn: &str,
        key_label: &str,
        acting: Acting,
        act_as: Option<&str>,
        tokens: Vec<Choice>,
    ) -> Self {
        let (by_profile, choices) = match acting {
            Acting::Principals(c) => (false, c),
            Acting::Profiles(p) => (
                true,
                p.into_iter().map(|p| (format!("profile {p}"), p)).collect(),
            ),
        };
        let mut act_as_field = TextField::default().with_choices(choices);
        if let Some(who) = act_as {
            act_as_field.set(who);
        }
        // Up/Down offers this session's tokens, and none.
        let mut token_choices = vec![("no token".to_string(), String::new())];
        token_choices.extend(tokens);
        Self {
            key: KeyRef::parse(key_arn),
            key_label: key_label.to_string(),
            by_profile,
            act_as: act_as_field,
            plaintext: TextField::new("hello"),
            tokens: TextField::default().with_choices(token_choices),
            context: TextField::default(),
            focus: 0,
            error: None,
            running: false,
            result: None,
            since: None,
            whys: Vec::new(),
            session: CliSession::default(),
        }
    }

    /// The CLI command lines for this session (profile, region, endpoint).
    pub fn in_session(mut self, session: CliSession) -> Self {
        self.session = session;
        self
    }

    /// The equivalent AWS CLI command lines: Encrypt, then the Decrypt of its result.
    pub fn cli_commands(&self) -> Vec<String> {
        let who = self.act_as.value().trim();
        let acting = (!who.is_empty()).then_some(who);
        let flags = self.session.flags(acting);
        let mut encrypt = format!(
            "aws kms encrypt --key-id {} --plaintext {}",
            self.key,
            shell_word(self.plaintext.value())
        );
        let mut decrypt = "aws kms decrypt --ciphertext-blob fileb://ciphertext.bin".to_string();
        let tokens = self.token_list();
        if !tokens.is_empty() {
            let list = format!(" --grant-tokens {}", tokens.join(" "));
            encrypt.push_str(&list);
            decrypt.push_str(&list);
        }
        if let Ok(context) = parse_pairs(self.context.value()) {
            if !context.is_empty() {
                let pairs: Vec<String> = context.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let arg = format!(" --encryption-context {}", pairs.join(","));
                encrypt.push_str(&arg);
                decrypt.push_str(&arg);
            }
        }
        encrypt.push_str(&flags);
        encrypt.push_str(" --output text --query CiphertextBlob | base64 -d > ciphertext.bin");
        decrypt.push_str(&flags);
        vec![encrypt, decrypt]
    }

    pub fn field(&self) -> EncryptField {
        EncryptField::ALL[self.focus.min(EncryptField::ALL.len() - 1)]
    }

    pub fn token_list(&self) -> Vec<String> {
        self.tokens
            .value()
            .split([',', ' '])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    }

    pub fn build(&self) -> Result<TestEncryptInput, String> {
        let who = self.act_as.value().trim();
        if who.is_empty() {
            return Err("Choose the principal to act as (Up/Down, or type an ARN).".into());
        }
        let actor = if self.by_profile {
            Actor::Profile(who.to_string())
        } else {
            Actor::Principal(principal_from(&self.act_as, "principal to act as")?)
        };
        if self.plaintext.value().is_empty() {
            return Err("Type a plaintext to encrypt.".into());
        }
        Ok(TestEncryptInput {
            key: self.key.clone(),
            actor,
            plaintext: self.plaintext.value().to_string(),
            grant_tokens: self.token_list(),
            encryption_context: parse_pairs(self.context.value())?,
        })
    }

    fn text_field(&mut self) -> Option<&mut TextField> {
        match self.field() {
            EncryptField::ActAs => Some(&mut self.act_as),
            EncryptField::Plaintext => Some(&mut self.plaintext),
            EncryptField::Tokens => Some(&mut self.tokens),
            EncryptField::Context => Some(&mut self.context),
            EncryptField::Run | EncryptField::Close => None,
        }
    }

    pub fn on_key(&mut self, key: Key) -> Vec<Effect> {
        if self.running {
            return vec![];
        }
        if key == Key::Cancel {
            return vec![Effect::CloseDialog];
        }
        if cycle_focus(&mut self.focus, EncryptField::ALL.len(), key) {
            return vec![];
        }
        match (self.field(), key) {
            (EncryptField::Close, Key::Submit) => vec![Effect::CloseDialog],
            (_, Key::Submit) => match self.build() {
                Ok(input) => {
                    self.error = None;
                    self.result = None;
                    self.running = true;
                    vec![Effect::Run(Work::TestEncrypt(input))]
                }
                Err(e) => {
                    self.error = Some(e);
                    vec![]
                }
            },
            (_, key) => {
                if let Some(f) = self.text_field() {
                    f.edit(key);
                }
                vec![]
            }
        }
    }

    pub fn on_paste(&mut self, text: &str) {
        if let Some(f) = self.text_field() {
            f.paste(text);
        }
    }

    /// The Encrypt (and Decrypt) answer, or why it failed.
    pub fn answered(&mut self, result: Result<EncryptOutcome, BackendError>) {
        self.running = false;
        self.result = Some(result);
    }

    /// The calls are about to be made; the activity log has reached `last_seq`.
    pub fn calling(&mut self, last_seq: u64) {
        self.since = Some(last_seq);
        self.whys.clear();
    }

    /// New events of the activity log: keep this run's Encrypt and the Decrypt after it.
    pub fn heard(&mut self, events: &[ActivityEvent]) {
        let Some(since) = self.since else { return };
        for e in events.iter().filter(|e| e.seq > since) {
            let wanted = match self.whys.as_slice() {
                [] => e.operation == "Encrypt",
                [_] => e.operation == "Decrypt",
                _ => false,
            };
            if wanted {
                self.whys.push(e.clone());
            }
        }
    }

    fn why_lines(&self) -> Vec<Line<'static>> {
        if self.result.is_none() {
            return vec![];
        }
        self.whys
            .iter()
            .map(|e| {
                Line::from(vec![
                    Span::styled(
                        format!("WHY {}: ", e.operation),
                        Style::default().add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(e.why.clone()),
                ])
            })
            .collect()
    }

    pub const HINTS: &'static [(&'static str, &'static str)] = &[
        ("tab", "next field"),
        ("↑↓", "pick"),
        ("enter", "run"),
        ("esc", "close"),
    ];

    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let inner = popup(
            frame,
            area,
            100,
            24,
            &format!("Test encrypt with {}", self.key_label),
        );
        let width = inner.width as usize;
        let f = self.field();
        let focus_index = self.focus.min(EncryptField::ALL.len() - 1);
        let mut lines = vec![
            self.act_as.line("Act as", f == EncryptField::ActAs, width),
            self.plaintext
                .line("Plaintext", f == EncryptField::Plaintext, width),
            self.tokens
                .line("Grant tokens", f == EncryptField::Tokens, width),
            self.context
                .line("Encryption context", f == EncryptField::Context, width),
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
        if let Some(e) = error_line(&self.error) {
            lines.push(e);
        }
        if self.running {
            lines.push(Line::from(Span::styled(
                "Calling Encrypt…",
                Style::default().fg(Color::Cyan),
            )));
        }
        let bold = |c: Color| Style::default().fg(c).add_modifier(Modifier::BOLD);
        match &self.result {
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
                lines.push(Line::from(match e.code() {
                    Some(code) => format!(
                        "An error occurred ({code}) when calling the Encrypt operation: {}",
                        e.message
                    ),
                    None => format!("The Encrypt call failed: {e}"),
                }));
            }
        }
        lines.extend(self.why_lines());
        // The fields are lines 0-3 and the buttons line 5; once a result is in, it is
        // what to read.
        let focus = if self.result.is_some() || self.error.is_some() {
            lines.len() - 1
        } else if focus_index < 4 {
            focus_index
        } else {
            5
        };
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "Equivalent AWS CLI commands:",
            Style::default().fg(Color::DarkGray),
        )));
        for cmd in self.cli_commands() {
            lines.push(Line::from(Span::styled(
                cmd,
                Style::default().fg(Color::Green),
            )));
        }
        render_scrolled(frame, inner, lines, Some(focus));
    }
}
