//! The create-grant dialog: grantee (picked or typed), the operations checklist, retiring
//! principal, constraint, name, the equivalent `aws kms create-grant` command line, and
//! any error from the form or from AWS. Its state, keys, hints and drawing.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::backend::{BackendError, CreateGrantInput};
use crate::kms::grant::is_valid_grant_name;
use crate::kms::{EncryptionContext, GrantConstraints, GrantOperation, KeyRef};

use super::{cycle_focus, principal_from, Choice, CliSession};
use crate::tui::effect::Effect;
use crate::tui::message::{Key, Work};
use crate::tui::text_field::TextField;
use crate::tui::widgets::{buttons, error_line, label_span, popup, render_scrolled, LABEL_WIDTH};

/// Parse `k=v, k2=v2` into an encryption context.
pub fn parse_pairs(text: &str) -> Result<EncryptionContext, String> {
    let mut out = EncryptionContext::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("\"{part}\" is not a key=value pair"))?;
        if k.trim().is_empty() {
            return Err(format!("\"{part}\" has an empty key"));
        }
        out.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    None,
    Subset,
    Equals,
}

impl ConstraintKind {
    pub fn label(self) -> &'static str {
        match self {
            ConstraintKind::None => "none",
            ConstraintKind::Subset => "EncryptionContextSubset",
            ConstraintKind::Equals => "EncryptionContextEquals",
        }
    }

    fn cycle(self, delta: isize) -> Self {
        const ALL: [ConstraintKind; 3] = [
            ConstraintKind::None,
            ConstraintKind::Subset,
            ConstraintKind::Equals,
        ];
        let i = ALL.iter().position(|k| *k == self).unwrap_or(0) as isize;
        ALL[(i + delta).rem_euclid(3) as usize]
    }
}

/// The fields of the form, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantField {
    Grantee,
    Operations,
    Retiring,
    ConstraintKind,
    ConstraintPairs,
    Name,
    Create,
    Cancel,
}

impl GrantField {
    pub const ALL: [GrantField; 8] = [
        GrantField::Grantee,
        GrantField::Operations,
        GrantField::Retiring,
        GrantField::ConstraintKind,
        GrantField::ConstraintPairs,
        GrantField::Name,
        GrantField::Create,
        GrantField::Cancel,
    ];
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateGrant {
    /// The key, by its ARN.
    pub key: KeyRef,
    pub key_label: String,
    pub grantee: TextField,
    /// Every grant operation with its checkbox.
    pub operations: Vec<(GrantOperation, bool)>,
    pub op_cursor: usize,
    pub retiring: TextField,
    pub constraint_kind: ConstraintKind,
    pub constraint_pairs: TextField,
    pub name: TextField,
    pub focus: usize,
    pub error: Option<String>,
    pub submitting: bool,
    pub session: CliSession,
}

impl CreateGrant {
    /// The form for the key with this ARN; `grantee` pre-filled when a principal is chosen.
    pub fn new(
        key_arn: &str,
        key_label: &str,
        principals: Vec<Choice>,
        grantee: Option<&str>,
    ) -> Self {
        let mut grantee_field = TextField::default().with_choices(principals.clone());
        if let Some(g) = grantee {
            grantee_field.set(g);
        }
        Self {
            key: KeyRef::parse(key_arn),
            key_label: key_label.to_string(),
            grantee: grantee_field,
            operations: GrantOperation::ALL.iter().map(|o| (*o, false)).collect(),
            op_cursor: 0,
            retiring: TextField::default().with_choices(principals),
            constraint_kind: ConstraintKind::None,
            constraint_pairs: TextField::default(),
            name: TextField::default(),
            focus: 0,
            error: None,
            submitting: false,
            session: CliSession::default(),
        }
    }

    /// The CLI command line for this session (profile, region, endpoint).
    pub fn in_session(mut self, session: CliSession) -> Self {
        self.session = session;
        self
    }

    pub fn field(&self) -> GrantField {
        GrantField::ALL[self.focus.min(GrantField::ALL.len() - 1)]
    }

    pub fn checked(&self) -> Vec<GrantOperation> {
        self.operations
            .iter()
            .filter(|(_, c)| *c)
            .map(|(o, _)| *o)
            .collect()
    }

    fn constraints(&self) -> Result<Option<GrantConstraints>, String> {
        let pairs = parse_pairs(self.constraint_pairs.value())?;
        match self.constraint_kind {
            ConstraintKind::None => Ok(None),
            _ if pairs.is_empty() => {
                Err("The constraint needs at least one key=value pair.".into())
            }
            ConstraintKind::Subset => Ok(Some(GrantConstraints {
                encryption_context_subset: Some(pairs),
                ..Default::default()
            })),
            ConstraintKind::Equals => Ok(Some(GrantConstraints {
                encryption_context_equals: Some(pairs),
                ..Default::default()
            })),
        }
    }

    /// The request, or what is wrong with the form (checked before calling the backend;
    /// the backend's own errors are shown the same way).
    pub fn build(&self) -> Result<CreateGrantInput, String> {
        let grantee = self.grantee.value().trim();
        if grantee.is_empty() {
            return Err("Choose a grantee (Up/Down picks a principal, or type an ARN).".into());
        }
        let grantee = principal_from(&self.grantee, "grantee")?;
        let operations = self.checked();
        if operations.is_empty() {
            return Err("Tick at least one operation (Space toggles).".into());
        }
        let name = self.name.value().trim();
        if !name.is_empty() && !is_valid_grant_name(name) {
            return Err("The name may only hold letters, digits and : / _ -".into());
        }
        let retiring = if self.retiring.value().trim().is_empty() {
            None
        } else {
            Some(principal_from(&self.retiring, "retiring principal")?)
        };
        Ok(CreateGrantInput {
            key: self.key.clone(),
            grantee,
            retiring,
            operations,
            constraints: self.constraints()?,
            name: (!name.is_empty()).then(|| name.to_string()),
        })
    }

    /// The equivalent AWS CLI command line.
    pub fn cli_command(&self) -> String {
        let mut cmd = format!("aws kms create-grant --key-id {}", self.key);
        let grantee = self.grantee.value().trim();
        cmd.push_str(&format!(
            " --grantee-principal {}",
            if grantee.is_empty() {
                "<grantee>"
            } else {
                grantee
            }
        ));
        let ops: Vec<&str> = self.checked().iter().map(|o| o.as_str()).collect();
        cmd.push_str(&format!(
            " --operations {}",
            if ops.is_empty() {
                "<operations>".to_string()
            } else {
                ops.join(" ")
            }
        ));
        let retiring = self.retiring.value().trim();
        if !retiring.is_empty() {
            cmd.push_str(&format!(" --retiring-principal {retiring}"));
        }
        if self.constraint_kind != ConstraintKind::None {
            if let Ok(pairs) = parse_pairs(self.constraint_pairs.value()) {
                let inner: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                cmd.push_str(&format!(
                    " --constraints {}={{{}}}",
                    self.constraint_kind.label(),
                    inner.join(",")
                ));
            }
        }
        let name = self.name.value().trim();
        if !name.is_empty() {
            cmd.push_str(&format!(" --name {name}"));
        }
        cmd.push_str(&self.session.flags(None));
        cmd
    }

    /// The text field with the focus, if a text field has it.
    fn text_field(&mut self) -> Option<&mut TextField> {
        match self.field() {
            GrantField::Grantee => Some(&mut self.grantee),
            GrantField::Retiring => Some(&mut self.retiring),
            GrantField::ConstraintPairs => Some(&mut self.constraint_pairs),
            GrantField::Name => Some(&mut self.name),
            _ => None,
        }
    }

    pub fn on_key(&mut self, key: Key) -> Vec<Effect> {
        if self.submitting {
            return vec![];
        }
        if key == Key::Cancel {
            return vec![Effect::CloseDialog];
        }
        if cycle_focus(&mut self.focus, GrantField::ALL.len(), key) {
            return vec![];
        }
        match (self.field(), key) {
            (GrantField::Cancel, Key::Submit) => vec![Effect::CloseDialog],
            (_, Key::Submit) => match self.build() {
                Ok(input) => {
                    self.error = None;
                    self.submitting = true;
                    vec![Effect::Run(Work::CreateGrant(input))]
                }
                Err(e) => {
                    self.error = Some(e);
                    vec![]
                }
            },
            (GrantField::Operations, Key::Up) => {
                self.op_cursor = self.op_cursor.saturating_sub(1);
                vec![]
            }
            (GrantField::Operations, Key::Down) => {
                self.op_cursor = (self.op_cursor + 1).min(self.operations.len() - 1);
                vec![]
            }
            (GrantField::Operations, Key::Char(' ' | 'x')) => {
                if let Some(op) = self.operations.get_mut(self.op_cursor) {
                    op.1 = !op.1;
                }
                vec![]
            }
            (GrantField::ConstraintKind, Key::Left | Key::Up) => {
                self.constraint_kind = self.constraint_kind.cycle(-1);
                vec![]
            }
            (GrantField::ConstraintKind, Key::Right | Key::Down | Key::Char(' ')) => {
                self.constraint_kind = self.constraint_kind.cycle(1);
                vec![]
            }
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

    /// CreateGrant failed: the form stays, with AWS's error.
    pub fn failed(&mut self, e: &BackendError) {
        self.submitting = false;
        self.error = Some(e.to_string());
    }

    pub const HINTS: &'static [(&'static str, &'static str)] = &[
        ("tab", "next field"),
        ("↑↓", "pick"),
        ("space", "toggle"),
        ("enter", "create"),
        ("esc", "cancel"),
    ];

    /// The operations checklist as lines: beside its label when there is room for two
    /// columns of names there, else under it in two columns (or one). Also the line that
    /// holds the operation under the cursor.
    fn checklist(&self, width: usize) -> (Vec<Line<'static>>, usize) {
        let focused = self.field() == GrantField::Operations;
        let name_width = GrantOperation::ALL
            .iter()
            .map(|o| o.as_str().len())
            .max()
            .unwrap_or(0);
        // Two columns as wide as their names (the first with a space after), or one.
        let half = self.operations.len().div_ceil(2);
        let widest = |ops: &[(GrantOperation, bool)]| {
            ops.iter()
                .map(|(o, _)| o.as_str().len() + 4)
                .max()
                .unwrap_or(0)
        };
        let two = widest(&self.operations[..half]) + 1 + widest(&self.operations[half..]);
        let (beside, columns) = if width >= LABEL_WIDTH + 2 * (name_width + 5) {
            (true, 2)
        } else if width >= two {
            (false, 2)
        } else {
            (false, 1)
        };
        let cell = if beside {
            name_width + 5
        } else {
            widest(&self.operations[..half]) + 1
        };
        let per_col = self.operations.len().div_ceil(columns);
        let mut lines = Vec::new();
        if !beside {
            lines.push(Line::from(label_span("Operations", focused)));
        }
        let mut cursor_line = 0;
        for row in 0..per_col {
            let mut spans = Vec::new();
            if beside {
                spans.push(if row == 0 {
                    label_span("Operations", focused)
                } else {
                    Span::raw(" ".repeat(LABEL_WIDTH))
                });
            }
            for col in 0..columns {
                let i = col * per_col + row;
                if let Some((op, checked)) = self.operations.get(i) {
                    let mark = if *checked { "[x]" } else { "[ ]" };
                    let mut style = Style::default();
                    if *checked {
                        style = style.fg(Color::Green);
                    }
                    if focused && i == self.op_cursor {
                        style = style.add_modifier(Modifier::REVERSED);
                        cursor_line = lines.len();
                    }
                    let text = format!("{mark} {}", op.as_str());
                    spans.push(Span::styled(format!("{text:<cell$}"), style));
                }
            }
            lines.push(Line::from(spans));
        }
        (lines, cursor_line)
    }

    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let inner = popup(
            frame,
            area,
            100,
            32,
            &format!("Create grant on {}", self.key_label),
        );
        let width = inner.width as usize;
        let f = self.field();
        let mut lines = vec![
            Line::from(Span::styled(
                self.key.to_string(),
                Style::default().fg(Color::DarkGray),
            )),
            self.grantee
                .line("Grantee", f == GrantField::Grantee, width),
        ];
        let mut focus = match f {
            GrantField::Grantee => 1,
            _ => 0,
        };
        let (checklist, cursor) = self.checklist(width);
        if f == GrantField::Operations {
            focus = lines.len() + cursor;
        }
        lines.extend(checklist);
        let mut field = |lines: &mut Vec<Line<'static>>, which: GrantField, line: Line<'static>| {
            if f == which {
                focus = lines.len();
            }
            lines.push(line);
        };
        field(
            &mut lines,
            GrantField::Retiring,
            self.retiring
                .line("Retiring principal", f == GrantField::Retiring, width),
        );
        field(
            &mut lines,
            GrantField::ConstraintKind,
            Line::from(vec![
                label_span("Constraint", f == GrantField::ConstraintKind),
                Span::raw(format!("◀ {} ▶", self.constraint_kind.label())),
            ]),
        );
        field(
            &mut lines,
            GrantField::ConstraintPairs,
            self.constraint_pairs
                .line("Context pairs", f == GrantField::ConstraintPairs, width),
        );
        field(
            &mut lines,
            GrantField::Name,
            self.name.line("Name", f == GrantField::Name, width),
        );
        lines.push(Line::from(""));
        let focus_button = match f {
            GrantField::Create => Some(0),
            GrantField::Cancel => Some(1),
            _ => None,
        };
        let on_buttons = focus_button.is_some();
        lines.push(buttons(&["Create", "Cancel"], focus_button));
        if self.submitting {
            lines.push(Line::from(Span::styled(
                "Creating…",
                Style::default().fg(Color::Cyan),
            )));
        }
        if let Some(e) = error_line(&self.error) {
            // An error is what the person must read next.
            focus = lines.len();
            lines.push(e);
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "Equivalent AWS CLI command:",
            Style::default().fg(Color::DarkGray),
        )));
        lines.push(Line::from(Span::styled(
            self.cli_command(),
            Style::default().fg(Color::Green),
        )));
        if on_buttons && self.error.is_none() {
            // On the buttons: down to the command line that Create would run.
            focus = lines.len() - 1;
        }
        render_scrolled(frame, inner, lines, Some(focus));
    }
}
