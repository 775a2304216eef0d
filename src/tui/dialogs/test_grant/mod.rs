//! The "test a grant" dialog: perform any operation a grant of a symmetric key may allow
//! (Encrypt, Decrypt of a sample ciphertext, GenerateDataKey(WithoutPlaintext), ReEncrypt,
//! DescribeKey, CreateGrant, RetireGrant) as a chosen principal (or, on AWS, a configured
//! profile), with grant tokens, an encryption context and DryRun where the API takes it;
//! then say plainly what it did ("DryRun: would be allowed" or "Performed"), the verdict,
//! AWS's error text on a denial and the simulator's WHY of each call. CreateGrant and
//! RetireGrant start as DryRuns, so a test changes nothing unless the person turns DryRun
//! off (never in read-only mode).
//!
//! This file holds the state and its keys; `call` the test call the form makes and what
//! its outcome asks of the UI; `cli` the equivalent AWS CLI commands; `view` the drawing.

mod answers;
mod call;
mod cli;
mod view;

pub use call::effects_of;

use crate::backend::{
    changes_world, supports_dry_run, testable_on, ActivityEvent, BackendError, TestAnswer,
    TestOutcome,
};
use crate::kms::{
    EncryptionContext, GrantConstraints, GrantId, GrantOperation, KeyRef, KeySpec, KeyUsage,
};
use crate::tui::effect::Effect;
use crate::tui::message::{Key, Work};
use crate::tui::text_field::TextField;

use super::{Choice, CliSession};

/// The fields of the form; which are shown depends on the operation (`fields`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestField {
    Operation,
    DryRun,
    ActAs,
    Plaintext,
    /// ReEncrypt's other key (destination or source).
    OtherKey,
    /// CreateGrant: the new grant's grantee and operations.
    Grantee,
    GrantOperations,
    Tokens,
    Context,
    Run,
    Close,
}

/// Whom the dialog may act as.
#[derive(Debug, Clone, PartialEq)]
pub enum Acting {
    /// Principals (the simulator acts as any of them).
    Principals(Vec<Choice>),
    /// Profiles configured on this machine (AWS: acting as someone means their credentials).
    Profiles(Vec<String>),
}

/// The grant selected when the dialog opened: what its defaults come from.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectedGrant {
    pub id: GrantId,
    /// As the panes name it (its name, or the part of its id that tells it apart).
    pub label: String,
    pub grantee: String,
    pub operations: Vec<GrantOperation>,
    pub constraints: Option<GrantConstraints>,
    /// Its token, when this session knows it (it created the grant).
    pub token: Option<String>,
}

/// What the dialog opens with.
#[derive(Debug, Clone, PartialEq)]
pub struct TestSetup {
    pub key_arn: String,
    pub key_label: String,
    /// The key's spec and usage: which operations can be tested on it.
    pub key_spec: KeySpec,
    pub key_usage: KeyUsage,
    pub acting: Acting,
    /// Whom to act as (the selected principal or grantee, or whom the last test acted as).
    pub act_as: Option<String>,
    /// This session's tokens for the key.
    pub tokens: Vec<Choice>,
    pub grant: Option<SelectedGrant>,
    /// The other keys, for ReEncrypt's destination or source.
    pub keys: Vec<Choice>,
    /// Principals, for a CreateGrant test's grantee.
    pub principals: Vec<Choice>,
    pub read_only: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestGrant {
    pub key: KeyRef,
    pub key_label: String,
    pub key_spec: KeySpec,
    pub key_usage: KeyUsage,
    /// The operations that can be tested on the key, in the order ←→ offers them.
    pub operations: Vec<GrantOperation>,
    pub by_profile: bool,
    pub read_only: bool,
    pub grant: Option<SelectedGrant>,
    pub operation: GrantOperation,
    pub dry_run: bool,
    pub act_as: TextField,
    pub plaintext: TextField,
    pub other_key: TextField,
    /// Empty: the principal acted as.
    pub grantee: TextField,
    pub grant_operations: TextField,
    /// Grant tokens, separated by spaces or commas; Up/Down offers this session's tokens.
    pub tokens: TextField,
    pub context: TextField,
    /// The focused field's place in `fields()`.
    pub focus: usize,
    pub error: Option<String>,
    pub running: bool,
    pub result: Option<Result<TestOutcome, BackendError>>,
    /// The activity log's last event when the calls were made: theirs come after it.
    pub since: Option<u64>,
    /// The calls' events (the sample's Encrypt, the tested call, a round trip), with their
    /// WHY, as the log reports them.
    pub whys: Vec<ActivityEvent>,
    pub session: CliSession,
}

/// `k=v,k2=v2`, as the context field reads it.
fn pairs_text(c: &EncryptionContext) -> String {
    c.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

impl TestGrant {
    pub fn new(setup: TestSetup) -> Self {
        let (by_profile, choices) = match setup.acting {
            Acting::Principals(c) => (false, c),
            Acting::Profiles(p) => (
                true,
                p.into_iter().map(|p| (format!("profile {p}"), p)).collect(),
            ),
        };
        let mut act_as = TextField::default().with_choices(choices);
        if let Some(who) = &setup.act_as {
            act_as.set(who.as_str());
        }
        let mut token_choices = vec![("no token".to_string(), String::new())];
        token_choices.extend(setup.tokens);
        let grant = setup.grant;
        // The first testable operation the grant allows; else the key's first.
        let operations = testable_on(setup.key_spec, setup.key_usage);
        let operation = grant
            .as_ref()
            .and_then(|g| {
                operations
                    .iter()
                    .copied()
                    .find(|op| g.operations.contains(op))
            })
            .or(operations.first().copied())
            .unwrap_or(GrantOperation::DescribeKey);
        // The grant's constraint, as the context a use of it must send.
        let context = grant
            .as_ref()
            .and_then(|g| g.constraints.as_ref())
            .and_then(|c| {
                c.encryption_context_equals
                    .as_ref()
                    .or(c.encryption_context_subset.as_ref())
            })
            .map(pairs_text)
            .unwrap_or_default();
        // A CreateGrant test asks for a subset of the grant's operations: its first use.
        let grant_ops = grant
            .as_ref()
            .and_then(|g| {
                g.operations
                    .iter()
                    .find(|o| {
                        !matches!(o, GrantOperation::CreateGrant | GrantOperation::RetireGrant)
                    })
                    .or(g.operations.first())
            })
            .unwrap_or(&GrantOperation::Encrypt)
            .to_string();
        let mut d = Self {
            key: KeyRef::parse(&setup.key_arn),
            key_label: setup.key_label,
            key_spec: setup.key_spec,
            key_usage: setup.key_usage,
            operations,
            by_profile,
            read_only: setup.read_only,
            grant,
            operation,
            dry_run: false,
            act_as,
            plaintext: TextField::new("hello"),
            other_key: TextField::default().with_choices(setup.keys),
            grantee: TextField::default().with_choices(setup.principals),
            grant_operations: TextField::new(grant_ops),
            tokens: TextField::default().with_choices(token_choices),
            context: TextField::new(context),
            focus: 0,
            error: None,
            running: false,
            result: None,
            since: None,
            whys: Vec::new(),
            session: CliSession::default(),
        };
        d.dry_run = d.default_dry_run();
        d
    }

    /// The CLI command lines for this session (profile, region, endpoint).
    pub fn in_session(mut self, session: CliSession) -> Self {
        self.session = session;
        self
    }

    /// A world-changing test (CreateGrant, RetireGrant) starts as a DryRun.
    fn default_dry_run(&self) -> bool {
        changes_world(self.operation)
    }

    /// Is DryRun offered for the operation?
    pub fn dry_run_offered(&self) -> bool {
        supports_dry_run(self.operation)
    }

    /// Will the test be a DryRun?
    pub fn is_dry_run(&self) -> bool {
        self.dry_run && self.dry_run_offered()
    }

    /// The fields the operation uses, in Tab order.
    pub fn fields(&self) -> Vec<TestField> {
        use GrantOperation as Op;
        let mut v = vec![TestField::Operation];
        if self.dry_run_offered() {
            v.push(TestField::DryRun);
        }
        v.push(TestField::ActAs);
        match self.operation {
            Op::Encrypt | Op::Decrypt | Op::Sign | Op::Verify | Op::GenerateMac | Op::VerifyMac => {
                v.push(TestField::Plaintext)
            }
            Op::ReEncryptFrom | Op::ReEncryptTo => {
                v.extend([TestField::Plaintext, TestField::OtherKey])
            }
            Op::CreateGrant => v.extend([TestField::Grantee, TestField::GrantOperations]),
            _ => {}
        }
        v.push(TestField::Tokens);
        if self.operation.takes_encryption_context() {
            v.push(TestField::Context);
        }
        v.extend([TestField::Run, TestField::Close]);
        v
    }

    pub fn field(&self) -> TestField {
        let fields = self.fields();
        fields[self.focus.min(fields.len() - 1)]
    }

    /// Put the focus on `field` (when the operation shows it).
    pub fn focus_on(&mut self, field: TestField) {
        if let Some(i) = self.fields().iter().position(|f| *f == field) {
            self.focus = i;
        }
    }

    /// Does the selected grant allow `op`?
    pub fn granted(&self, op: GrantOperation) -> bool {
        self.grant
            .as_ref()
            .is_some_and(|g| g.operations.contains(&op))
    }

    /// Choose another operation (Left/Right or Up/Down on the operation field).
    pub fn pick_operation(&mut self, delta: isize) {
        let n = self.operations.len() as isize;
        if n == 0 {
            return;
        }
        let i = self
            .operations
            .iter()
            .position(|o| *o == self.operation)
            .unwrap_or(0) as isize;
        self.set_operation(self.operations[(i + delta).rem_euclid(n) as usize]);
    }

    pub fn set_operation(&mut self, op: GrantOperation) {
        self.operation = op;
        self.dry_run = self.default_dry_run();
        self.result = None;
        self.error = None;
        self.whys.clear();
        self.focus_on(TestField::Operation);
    }

    /// Turn DryRun on or off; a read-only session may not turn it off for a test that
    /// would change the world.
    pub fn toggle_dry_run(&mut self) {
        if !self.dry_run_offered() {
            return;
        }
        if self.dry_run && self.read_only && changes_world(self.operation) {
            self.error = Some(format!(
                "Read-only: {} can only be tested with DryRun.",
                self.operation
            ));
            return;
        }
        self.dry_run = !self.dry_run;
        self.error = None;
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

    /// Present the selected grant's token (Ctrl-T), when this session knows it.
    pub fn use_grant_token(&mut self) {
        match self.grant.as_ref().and_then(|g| g.token.clone()) {
            Some(token) => {
                self.tokens.set(token);
                self.error = None;
            }
            None => {
                self.error = Some(
                    "This session does not know the selected grant's token (only a grant created here)."
                        .into(),
                )
            }
        }
    }

    fn text_field(&mut self) -> Option<&mut TextField> {
        match self.field() {
            TestField::ActAs => Some(&mut self.act_as),
            TestField::Plaintext => Some(&mut self.plaintext),
            TestField::OtherKey => Some(&mut self.other_key),
            TestField::Grantee => Some(&mut self.grantee),
            TestField::GrantOperations => Some(&mut self.grant_operations),
            TestField::Tokens => Some(&mut self.tokens),
            TestField::Context => Some(&mut self.context),
            TestField::Operation | TestField::DryRun | TestField::Run | TestField::Close => None,
        }
    }

    pub fn on_key(&mut self, key: Key) -> Vec<Effect> {
        if self.running {
            return vec![];
        }
        let len = self.fields().len();
        match (self.field(), key) {
            (_, Key::Cancel) | (TestField::Close, Key::Submit) => vec![Effect::CloseDialog],
            (_, Key::Next) => {
                self.focus = (self.focus.min(len - 1) + 1) % len;
                vec![]
            }
            (_, Key::Prev) => {
                self.focus = (self.focus.min(len - 1) + len - 1) % len;
                vec![]
            }
            (_, Key::Ctrl('t')) => {
                self.use_grant_token();
                vec![]
            }
            (_, Key::Submit) => self.submit(),
            (TestField::Operation, Key::Left | Key::Up) => {
                self.pick_operation(-1);
                vec![]
            }
            (TestField::Operation, Key::Right | Key::Down | Key::Char(' ')) => {
                self.pick_operation(1);
                vec![]
            }
            (TestField::DryRun, Key::Left | Key::Right | Key::Up | Key::Down | Key::Char(' ')) => {
                self.toggle_dry_run();
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

    fn submit(&mut self) -> Vec<Effect> {
        match self.build() {
            Ok(call) => {
                self.error = None;
                self.result = None;
                self.running = true;
                vec![Effect::Run(Work::TestGrant(call))]
            }
            Err(e) => {
                self.error = Some(e);
                vec![]
            }
        }
    }

    pub fn on_paste(&mut self, text: &str) {
        if let Some(f) = self.text_field() {
            f.paste(text);
        }
    }

    /// The test's outcome, or why it could not be made.
    pub fn answered(&mut self, result: Result<TestOutcome, BackendError>) {
        self.running = false;
        // A grant created for real: its token is offered for the next test.
        if let Ok(TestOutcome {
            result:
                Ok(TestAnswer::GrantCreated {
                    grant_id,
                    grant_token,
                }),
            ..
        }) = &result
        {
            self.tokens.choices.insert(
                1,
                (
                    format!("token of grant {}", crate::kms::short_grant_id(grant_id)),
                    grant_token.clone(),
                ),
            );
        }
        self.result = Some(result);
    }

    /// The calls are about to be made; the activity log has reached `last_seq`.
    pub fn calling(&mut self, last_seq: u64) {
        self.since = Some(last_seq);
        self.whys.clear();
    }

    /// The log's names of the calls a test of the operation makes, in order: the sample's
    /// Encrypt, the tested call, an Encrypt's round trip.
    fn expected_calls(&self) -> Vec<&'static str> {
        use GrantOperation as Op;
        match self.operation {
            Op::Encrypt if !self.is_dry_run() => vec!["Encrypt", "Decrypt"],
            Op::Decrypt => vec!["Encrypt", "Decrypt"],
            Op::ReEncryptFrom | Op::ReEncryptTo => vec!["Encrypt", "ReEncrypt"],
            Op::Verify => vec!["Sign", "Verify"],
            Op::VerifyMac => vec!["GenerateMac", "VerifyMac"],
            op => vec![crate::backend::api_name(op)],
        }
    }

    /// New events of the activity log: keep this test's calls, in order.
    pub fn heard(&mut self, events: &[ActivityEvent]) {
        let Some(since) = self.since else { return };
        let expected = self.expected_calls();
        for e in events.iter().filter(|e| e.seq > since) {
            if expected.get(self.whys.len()) == Some(&e.operation.as_str()) {
                self.whys.push(e.clone());
            }
        }
    }

    pub const HINTS: &'static [(&'static str, &'static str)] = &[
        ("tab", "next field"),
        ("←→", "operation / DryRun"),
        ("↑↓", "pick"),
        ("^t", "grant's token"),
        ("enter", "run"),
        ("esc", "close"),
    ];
}
