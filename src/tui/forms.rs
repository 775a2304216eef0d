//! Dialog state: the create-grant form, the test-encrypt form, the confirmation that
//! carries the action it confirms, the grant-created result, the small forms of the
//! simulator's controls, help and detail. Plain data with the field logic (typing,
//! choosing, validating, the equivalent AWS CLI command); `update` drives them.

use crate::backend::{BackendError, CreateGrantInput, EncryptOutcome, TestEncryptInput};
use crate::kms::grant::is_valid_grant_name;
use crate::kms::{EncryptionContext, GrantConstraints, GrantOperation};

/// A one-line text input, optionally with values to pick from with Up/Down.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextField {
    pub value: String,
    /// (label, value) pairs offered by Up/Down.
    pub choices: Vec<(String, String)>,
    pub choice: Option<usize>,
}

impl TextField {
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            ..Default::default()
        }
    }

    pub fn with_choices(mut self, choices: Vec<(String, String)>) -> Self {
        self.choices = choices;
        self
    }

    pub fn push(&mut self, c: char) {
        if !c.is_control() && self.value.chars().count() < 8192 {
            self.value.push(c);
            self.choice = None;
        }
    }

    pub fn backspace(&mut self) {
        self.value.pop();
        self.choice = None;
    }

    /// Step through the choices (Up: -1, Down: +1).
    pub fn pick(&mut self, delta: isize) {
        if self.choices.is_empty() {
            return;
        }
        let n = self.choices.len() as isize;
        let current = self
            .choice
            .or_else(|| self.choices.iter().position(|(_, v)| *v == self.value));
        let next = match current {
            None if delta > 0 => 0,
            None => n - 1,
            Some(i) => (i as isize + delta).rem_euclid(n),
        } as usize;
        self.choice = Some(next);
        self.value = self.choices[next].1.clone();
    }

    /// The label of the current value when it is one of the choices.
    pub fn choice_label(&self) -> Option<&str> {
        self.choices
            .iter()
            .find(|(_, v)| *v == self.value)
            .map(|(l, _)| l.as_str())
    }
}

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

    pub fn cycle(self, delta: isize) -> Self {
        const ALL: [ConstraintKind; 3] = [
            ConstraintKind::None,
            ConstraintKind::Subset,
            ConstraintKind::Equals,
        ];
        let i = ALL.iter().position(|k| *k == self).unwrap_or(0) as isize;
        ALL[(i + delta).rem_euclid(3) as usize]
    }
}

/// The fields of the create-grant form, in Tab order.
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
pub struct CreateGrantForm {
    pub key_id: String,
    pub key_arn: String,
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
}

impl CreateGrantForm {
    pub fn new(
        key_id: &str,
        key_arn: &str,
        key_label: &str,
        principals: Vec<(String, String)>,
    ) -> Self {
        Self {
            key_id: key_id.to_string(),
            key_arn: key_arn.to_string(),
            key_label: key_label.to_string(),
            grantee: TextField::default().with_choices(principals.clone()),
            operations: GrantOperation::ALL.iter().map(|o| (*o, false)).collect(),
            op_cursor: 0,
            retiring: TextField::default().with_choices(principals),
            constraint_kind: ConstraintKind::None,
            constraint_pairs: TextField::default(),
            name: TextField::default(),
            focus: 0,
            error: None,
            submitting: false,
        }
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
        let pairs = parse_pairs(&self.constraint_pairs.value)?;
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
        let grantee = self.grantee.value.trim();
        if grantee.is_empty() {
            return Err("Choose a grantee (Up/Down picks a principal, or type an ARN).".into());
        }
        let operations = self.checked();
        if operations.is_empty() {
            return Err("Tick at least one operation (Space toggles).".into());
        }
        let name = self.name.value.trim();
        if !name.is_empty() && !is_valid_grant_name(name) {
            return Err("The name may only hold letters, digits and : / _ -".into());
        }
        let retiring = self.retiring.value.trim();
        Ok(CreateGrantInput {
            key_id: self.key_arn.clone(),
            grantee: grantee.to_string(),
            retiring: (!retiring.is_empty()).then(|| retiring.to_string()),
            operations,
            constraints: self.constraints()?,
            name: (!name.is_empty()).then(|| name.to_string()),
        })
    }

    /// The equivalent AWS CLI command line.
    pub fn cli_command(&self) -> String {
        let mut cmd = format!("aws kms create-grant --key-id {}", self.key_arn);
        let grantee = self.grantee.value.trim();
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
        let retiring = self.retiring.value.trim();
        if !retiring.is_empty() {
            cmd.push_str(&format!(" --retiring-principal {retiring}"));
        }
        if self.constraint_kind != ConstraintKind::None {
            if let Ok(pairs) = parse_pairs(&self.constraint_pairs.value) {
                let inner: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                cmd.push_str(&format!(
                    " --constraints {}={{{}}}",
                    self.constraint_kind.label(),
                    inner.join(",")
                ));
            }
        }
        let name = self.name.value.trim();
        if !name.is_empty() {
            cmd.push_str(&format!(" --name {name}"));
        }
        cmd
    }
}

/// The fields of the test-encrypt form, in Tab order.
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

#[derive(Debug, Clone, PartialEq)]
pub struct TestEncryptForm {
    pub key_id: String,
    pub key_arn: String,
    pub key_label: String,
    pub act_as: TextField,
    pub plaintext: TextField,
    /// Grant tokens, separated by spaces or commas; Up/Down offers this session's tokens.
    pub tokens: TextField,
    pub context: TextField,
    pub focus: usize,
    pub error: Option<String>,
    pub running: bool,
    pub result: Option<Result<EncryptOutcome, BackendError>>,
}

impl TestEncryptForm {
    pub fn new(
        key_id: &str,
        key_arn: &str,
        key_label: &str,
        principals: Vec<(String, String)>,
        tokens: Vec<(String, String)>,
    ) -> Self {
        Self {
            key_id: key_id.to_string(),
            key_arn: key_arn.to_string(),
            key_label: key_label.to_string(),
            act_as: TextField::default().with_choices(principals),
            plaintext: TextField::new("hello"),
            tokens: TextField::default().with_choices(tokens),
            context: TextField::default(),
            focus: 0,
            error: None,
            running: false,
            result: None,
        }
    }

    pub fn field(&self) -> EncryptField {
        EncryptField::ALL[self.focus.min(EncryptField::ALL.len() - 1)]
    }

    pub fn token_list(&self) -> Vec<String> {
        self.tokens
            .value
            .split([',', ' '])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    }

    pub fn build(&self) -> Result<TestEncryptInput, String> {
        let who = self.act_as.value.trim();
        if who.is_empty() {
            return Err("Choose the principal to act as (Up/Down, or type an ARN).".into());
        }
        if self.plaintext.value.is_empty() {
            return Err("Type a plaintext to encrypt.".into());
        }
        Ok(TestEncryptInput {
            key_id: self.key_arn.clone(),
            as_principal: who.to_string(),
            plaintext: self.plaintext.value.clone(),
            grant_tokens: self.token_list(),
            encryption_context: parse_pairs(&self.context.value)?,
        })
    }
}

/// What a confirmation confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmAction {
    Revoke {
        key_id: String,
        grant_id: String,
    },
    Retire {
        key_id: String,
        grant_id: String,
        as_principal: Option<String>,
    },
    DisableKey {
        key_id: String,
    },
    EnableKey {
        key_id: String,
    },
    ScheduleDeletion {
        key_id: String,
    },
    CancelDeletion {
        key_id: String,
    },
    DeletePrincipal {
        arn: String,
    },
    /// Back to the lesson's start: a fresh world, every step pending.
    ResetLesson,
}

impl ConfirmAction {
    /// The verb on the confirming button.
    pub fn verb(&self) -> &'static str {
        match self {
            ConfirmAction::Revoke { .. } => "Revoke",
            ConfirmAction::Retire { .. } => "Retire",
            ConfirmAction::DisableKey { .. } => "Disable",
            ConfirmAction::EnableKey { .. } => "Enable",
            ConfirmAction::ScheduleDeletion { .. } => "Schedule deletion",
            ConfirmAction::CancelDeletion { .. } => "Cancel deletion",
            ConfirmAction::DeletePrincipal { .. } => "Delete",
            ConfirmAction::ResetLesson => "Reset",
        }
    }
}

/// A confirmation whose default (and Esc) is always "Cancel".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    pub action: ConfirmAction,
    /// false: "Cancel" is chosen (the default); true: the action is chosen.
    pub confirm_chosen: bool,
}

/// The small forms of the simulator's controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimpleFormKind {
    NewKey,
    NewPrincipal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimpleForm {
    pub kind: SimpleFormKind,
    pub fields: Vec<(&'static str, TextField)>,
    pub focus: usize,
    pub error: Option<String>,
}

impl SimpleForm {
    pub fn new_key() -> Self {
        Self {
            kind: SimpleFormKind::NewKey,
            fields: vec![
                ("Description", TextField::new("")),
                ("Alias (alias/NAME, optional)", TextField::new("")),
            ],
            focus: 0,
            error: None,
        }
    }

    pub fn new_principal() -> Self {
        Self {
            kind: SimpleFormKind::NewPrincipal,
            fields: vec![
                ("Name", TextField::new("")),
                (
                    "Kind (Up/Down)",
                    TextField::new("user").with_choices(vec![
                        ("user".into(), "user".into()),
                        ("role".into(), "role".into()),
                    ]),
                ),
            ],
            focus: 0,
            error: None,
        }
    }

    pub fn title(&self) -> &'static str {
        match self.kind {
            SimpleFormKind::NewKey => "New key (simulator)",
            SimpleFormKind::NewPrincipal => "New principal (simulator)",
        }
    }

    pub fn value(&self, i: usize) -> &str {
        self.fields
            .get(i)
            .map(|(_, f)| f.value.trim())
            .unwrap_or("")
    }
}

/// The open dialog (at most one).
#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Help,
    Detail,
    CreateGrant(CreateGrantForm),
    GrantCreated {
        key_label: String,
        grant_id: String,
        grant_token: String,
    },
    Confirm(Confirm),
    TestEncrypt(TestEncryptForm),
    Simple(SimpleForm),
}
