//! The small forms of the simulator's world controls: a new key (description, alias) and
//! a new principal (name, user or role).

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

use crate::kms::ids::is_valid_alias_name;
use crate::tui::effect::Effect;
use crate::tui::message::{Key, Work, WorldChange};
use crate::tui::text_field::TextField;
use crate::tui::widgets::{error_line, popup, render_scrolled};

use super::cycle_focus;

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
            .map(|(_, f)| f.value().trim())
            .unwrap_or("")
    }

    /// The world change the form asks for, and what the status line says meanwhile.
    fn submit(&self) -> Result<(WorldChange, String), String> {
        match self.kind {
            SimpleFormKind::NewKey => {
                let alias = self.value(1);
                if !alias.is_empty() && !is_valid_alias_name(alias) {
                    return Err("An alias is alias/ followed by letters, digits, / _ -".into());
                }
                Ok((
                    WorldChange::CreateKey {
                        description: self.value(0).to_string(),
                        alias: (!alias.is_empty()).then(|| alias.to_string()),
                    },
                    "Creating a key...".into(),
                ))
            }
            SimpleFormKind::NewPrincipal => {
                let name = self.value(0);
                if name.is_empty() {
                    return Err("Type a name.".into());
                }
                let user = match self.value(1) {
                    "user" => true,
                    "role" => false,
                    other => return Err(format!("Kind is user or role, not \"{other}\".")),
                };
                Ok((
                    WorldChange::CreatePrincipal {
                        user,
                        name: name.to_string(),
                    },
                    format!("Creating {name}..."),
                ))
            }
        }
    }

    fn focused(&mut self) -> Option<&mut TextField> {
        let i = self.focus.min(self.fields.len().saturating_sub(1));
        self.fields.get_mut(i).map(|(_, f)| f)
    }

    pub fn on_key(&mut self, key: Key) -> Vec<Effect> {
        if key == Key::Cancel {
            return vec![Effect::CloseDialog];
        }
        if cycle_focus(&mut self.focus, self.fields.len(), key) {
            return vec![];
        }
        if key == Key::Submit {
            return match self.submit() {
                Ok((change, what)) => vec![
                    Effect::CloseDialog,
                    Effect::Info(what),
                    Effect::Run(Work::World(change)),
                ],
                Err(e) => {
                    self.error = Some(e);
                    vec![]
                }
            };
        }
        if let Some(f) = self.focused() {
            f.edit(key);
        }
        vec![]
    }

    pub fn on_paste(&mut self, text: &str) {
        if let Some(f) = self.focused() {
            f.paste(text);
        }
    }

    pub const HINTS: &'static [(&'static str, &'static str)] = &[
        ("tab", "next field"),
        ("enter", "create"),
        ("esc", "cancel"),
    ];

    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let inner = popup(frame, area, 80, self.fields.len() as u16 + 6, self.title());
        let width = inner.width as usize;
        let mut lines: Vec<Line> = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, (label, f))| f.line(label, i == self.focus, width))
            .collect();
        lines.push(Line::from(""));
        lines.push(Line::from("Enter creates, Esc cancels."));
        if let Some(e) = error_line(&self.error) {
            lines.push(e);
        }
        let focus = self.focus.min(self.fields.len().saturating_sub(1));
        render_scrolled(frame, inner, lines, Some(focus));
    }
}
