//! Loading lessons: the shipped ones are embedded in the binary (so it works from any
//! directory), others are read from a path. Loading validates the whole lesson against
//! its scenario, and every error names the file and the step:
//! `assets/lessons/walkthrough.toml: step 4 "create-grant": unknown operation "Encryptt"`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::audit::Rule;
use crate::kms::time::parse_duration;
use crate::sim::scenario::PrincipalSpec;
use crate::sim::Scenario;

use super::placeholders::{captured_by, is_name, scan};
use super::schema::{Action, Expect, LessonFile, StepSpec};
use super::{Lesson, LessonError, Step};

/// The lessons shipped inside the binary, in teaching order.
const BUILTIN: &[(&str, &str)] = &[
    (
        "walkthrough",
        include_str!("../../assets/lessons/walkthrough.toml"),
    ),
    (
        "constraints",
        include_str!("../../assets/lessons/constraints.toml"),
    ),
    (
        "stale-grant-hunt",
        include_str!("../../assets/lessons/stale-grant-hunt.toml"),
    ),
];

/// Variables every step may use.
const GLOBALS: [&str; 2] = ["account", "region"];

impl Lesson {
    /// The names of the shipped lessons.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// Load a shipped lesson by name, or a lesson file by path.
    pub fn load(name_or_path: &str) -> Result<Self, LessonError> {
        if let Some((name, text)) = BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
            return Self::parse(text, &format!("assets/lessons/{name}.toml"), None);
        }
        let path = PathBuf::from(name_or_path);
        if !path.exists() {
            return Err(LessonError::file(
                name_or_path,
                format!(
                    "no such file, and not a shipped lesson (shipped: {})",
                    Self::builtin_names().join(", ")
                ),
            ));
        }
        Self::from_file(&path)
    }

    pub fn from_file(path: &Path) -> Result<Self, LessonError> {
        let file = path.display().to_string();
        let text = crate::files::read_regular(path)
            .map_err(|e| LessonError::file(&file, e.to_string()))?;
        Self::parse(&text, &file, path.parent())
    }

    /// Parse and validate lesson text. `dir` is where a scenario path is looked up (the
    /// lesson file's directory); shipped lessons use bundled scenarios only.
    pub fn parse(text: &str, file: &str, dir: Option<&Path>) -> Result<Self, LessonError> {
        let spec: LessonFile = toml::from_str(text).map_err(|e| {
            LessonError::file(
                file,
                format!(
                    "not a lesson (TOML): {}",
                    crate::files::toml_error_at(&e, text)
                ),
            )
        })?;
        let mut scenario = load_scenario(&spec.scenario, file, dir)?;
        if let Some(d) = &spec.propagation_delay {
            parse_duration(d)
                .map_err(|e| LessonError::file(file, format!("propagation_delay: {e}")))?;
            scenario.propagation_delay = Some(d.clone());
        }
        for p in &spec.setup.principals {
            if scenario.principals.iter().any(|q| q.name == p.name) {
                return Err(LessonError::file(
                    file,
                    format!(
                        "setup: principal {:?} is already in scenario {}",
                        p.name, scenario.name
                    ),
                ));
            }
            scenario.principals.push(PrincipalSpec {
                name: p.name.clone(),
                kind: p.kind,
                path: None,
                account: None,
                unique_id: None,
                access_key_id: None,
                secret_access_key: None,
                managed_policies: vec![],
                policies: vec![],
                deleted: false,
            });
        }
        if spec.steps.is_empty() {
            return Err(LessonError::file(file, "the lesson has no steps"));
        }
        let name = Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.to_string());
        let mut checker = Checker {
            file,
            scenario: &scenario,
            ids: BTreeSet::new(),
            captured: GLOBALS.iter().map(|s| s.to_string()).collect(),
            captured_later: spec
                .steps
                .iter()
                .filter_map(|s| match &s.action {
                    Some(Action::CreateGrant { save_as, .. }) => {
                        Some(captured_by(save_as.as_deref()))
                    }
                    _ => None,
                })
                .flatten()
                .collect(),
        };
        let mut steps = Vec::with_capacity(spec.steps.len());
        for (i, s) in spec.steps.into_iter().enumerate() {
            steps.push(checker.step(i, s)?);
        }
        Ok(Lesson {
            name,
            file: file.to_string(),
            title: spec.title,
            summary: spec.summary,
            scenario,
            steps,
        })
    }
}

fn load_scenario(which: &str, file: &str, dir: Option<&Path>) -> Result<Scenario, LessonError> {
    let bundled = Scenario::builtin_names().contains(&which);
    let target = match dir {
        Some(d) if !bundled => d.join(which).display().to_string(),
        _ => which.to_string(),
    };
    Scenario::load(&target).map_err(|e| LessonError::file(file, format!("scenario: {e}")))
}

/// Validation state carried from step to step.
struct Checker<'a> {
    file: &'a str,
    scenario: &'a Scenario,
    ids: BTreeSet<String>,
    /// Variables known so far (globals and what earlier steps captured).
    captured: BTreeSet<String>,
    /// Variables some step of the lesson captures.
    captured_later: BTreeSet<String>,
}

impl Checker<'_> {
    fn step(&mut self, i: usize, s: StepSpec) -> Result<Step, LessonError> {
        let err = |m: String| LessonError::step(self.file, i, &s.id, m);
        if s.id.trim().is_empty() {
            return Err(err("the id is empty".into()));
        }
        if !self.ids.insert(s.id.clone()) {
            return Err(err(format!("duplicate step id {:?}", s.id)));
        }
        if s.title.trim().is_empty() || s.narration.trim().is_empty() {
            return Err(err("title and narration must not be empty".into()));
        }
        let action = s.action.clone().unwrap_or(Action::Narrate);
        let expect = s.expect.clone().unwrap_or_default();
        self.action(&action).map_err(&err)?;
        check_expect(&action, &expect).map_err(&err)?;

        let locals = locals(&action);
        let mut texts: Vec<&str> = s.cli.iter().map(String::as_str).collect();
        match &action {
            Action::Encrypt {
                grant_tokens,
                context,
                ..
            }
            | Action::Decrypt {
                grant_tokens,
                context,
                ..
            } => {
                texts.extend(grant_tokens.iter().map(String::as_str));
                texts.extend(context.values().map(String::as_str));
            }
            Action::RevokeGrant { grant, .. } | Action::RetireGrant { grant, .. } => {
                texts.push(grant)
            }
            _ => {}
        }
        texts.extend(
            expect
                .findings
                .iter()
                .chain(&expect.absent)
                .filter_map(|f| f.grant.as_deref()),
        );
        for name in texts.iter().flat_map(|t| scan(t)) {
            if self.captured.contains(&name) || locals.contains(&name.as_str()) {
                continue;
            }
            return Err(err(if self.captured_later.contains(&name) {
                format!("{{{name}}} is used before a step captures it")
            } else {
                format!("unknown placeholder {{{name}}}")
            }));
        }
        if let Action::CreateGrant { save_as, .. } = &action {
            self.captured.extend(captured_by(save_as.as_deref()));
        }
        Ok(Step {
            id: s.id,
            title: s.title,
            narration: s.narration.trim().to_string(),
            cli: s.cli.map(|c| c.trim().to_string()),
            action,
            expect,
        })
    }

    fn action(&self, action: &Action) -> Result<(), String> {
        match action {
            Action::Narrate | Action::Audit => Ok(()),
            Action::Encrypt {
                key, as_principal, ..
            }
            | Action::Decrypt {
                key, as_principal, ..
            } => {
                self.key(key)?;
                self.principal(as_principal)
            }
            Action::CreateGrant {
                key,
                grantee,
                operations,
                retiring,
                constraints,
                name,
                save_as,
            } => {
                self.key(key)?;
                self.principal(grantee)?;
                if let Some(r) = retiring {
                    self.principal(r)?;
                }
                if operations.is_empty() {
                    return Err("operations must not be empty".into());
                }
                super::schema::grant_operations(operations)?;
                if let Some(c) = constraints {
                    if c.subset.is_none() && c.equals.is_none() {
                        return Err("constraints need subset or equals".into());
                    }
                }
                if let Some(n) = name {
                    if !crate::kms::grant::is_valid_grant_name(n) {
                        return Err(format!("{n:?} is not a valid grant name"));
                    }
                }
                match save_as {
                    Some(p) if !is_name(p) || p.contains('.') => Err(format!(
                        "save_as {p:?}: use letters, digits and _ (it prefixes placeholders)"
                    )),
                    _ => Ok(()),
                }
            }
            Action::ListGrants { key } | Action::RevokeGrant { key, .. } => self.key(key),
            Action::RetireGrant {
                key, as_principal, ..
            } => {
                self.key(key)?;
                as_principal
                    .as_deref()
                    .map_or(Ok(()), |p| self.principal(p))
            }
            Action::AdvanceClock { by } => parse_duration(by)
                .map(|_| ())
                .map_err(|e| format!("by: {e}")),
            Action::Select {
                key,
                principal,
                grant,
            } => {
                if key.is_none() && principal.is_none() {
                    return Err("select needs a key or a principal".into());
                }
                if grant.is_some() && key.is_none() {
                    return Err("select with a grant needs the grant's key".into());
                }
                key.as_deref().map_or(Ok(()), |k| self.key(k))?;
                principal.as_deref().map_or(Ok(()), |p| self.principal(p))
            }
        }
    }

    fn principal(&self, who: &str) -> Result<(), String> {
        if who.contains(':') || who.ends_with(".amazonaws.com") {
            return Ok(());
        }
        let live: Vec<&str> = self
            .scenario
            .principals
            .iter()
            .filter(|p| !p.deleted)
            .map(|p| p.name.as_str())
            .collect();
        if live.contains(&who) {
            Ok(())
        } else {
            Err(format!(
                "unknown principal {who:?} (scenario {} has: {})",
                self.scenario.name,
                live.join(", ")
            ))
        }
    }

    fn key(&self, key: &str) -> Result<(), String> {
        let keys = &self.scenario.keys;
        let known = keys.iter().any(|k| {
            k.aliases.iter().any(|a| a == key)
                || k.id
                    .as_deref()
                    .is_some_and(|id| key == id || key.ends_with(&format!(":key/{id}")))
        });
        if known {
            return Ok(());
        }
        let aliases: Vec<&str> = keys
            .iter()
            .flat_map(|k| k.aliases.iter().map(String::as_str))
            .collect();
        Err(format!(
            "unknown key {key:?} (scenario {} has: {})",
            self.scenario.name,
            aliases.join(", ")
        ))
    }
}

/// The step-local placeholders an action offers.
fn locals(action: &Action) -> Vec<&'static str> {
    match action {
        Action::Encrypt { .. } | Action::Decrypt { .. } => vec!["key", "as"],
        Action::CreateGrant { retiring, .. } => {
            let mut v = vec!["key", "grantee"];
            if retiring.is_some() {
                v.push("retiring");
            }
            v
        }
        Action::ListGrants { .. } => vec!["key"],
        Action::RevokeGrant { .. } => vec!["key", "grant"],
        Action::RetireGrant { as_principal, .. } => {
            let mut v = vec!["key", "grant"];
            if as_principal.is_some() {
                v.push("as");
            }
            v
        }
        Action::Select {
            key,
            principal,
            grant,
        } => {
            let mut v = vec![];
            if key.is_some() {
                v.push("key");
            }
            if principal.is_some() {
                v.push("principal");
            }
            if grant.is_some() {
                v.push("grant");
            }
            v
        }
        Action::Narrate | Action::AdvanceClock { .. } | Action::Audit => vec![],
    }
}

fn check_expect(action: &Action, e: &Expect) -> Result<(), String> {
    let kind = action.kind();
    if e.outcome.is_some() && e.error.is_some() {
        return Err("expect: give outcome or error, not both".into());
    }
    if (e.outcome.is_some() || e.error.is_some()) && !action.calls_kms() {
        return Err(format!(
            "expect: a {kind} step makes no KMS call, so it has no outcome"
        ));
    }
    if e.decrypt.is_some() && !matches!(action, Action::Encrypt { .. }) {
        return Err("expect.decrypt is for encrypt steps".into());
    }
    if e.grants.is_some() && !matches!(action, Action::ListGrants { .. }) {
        return Err("expect.grants is for list-grants steps".into());
    }
    let has_findings = !e.findings.is_empty() || !e.absent.is_empty();
    if has_findings && !matches!(action, Action::Audit) {
        return Err("expect.findings and expect.absent are for audit steps".into());
    }
    for f in e.findings.iter().chain(&e.absent) {
        if !Rule::ALL.iter().any(|r| r.id() == f.rule) {
            let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
            return Err(format!(
                "unknown audit rule {:?} (rules: {})",
                f.rule,
                ids.join(", ")
            ));
        }
    }
    Ok(())
}
