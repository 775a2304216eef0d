//! Keys inside dialogs: typing and choosing in the forms, submitting them as commands,
//! and the confirmation whose default choice is always "Cancel".

use crate::backend::{KeyStateChange, PrincipalKindLabel};
use crate::kms::ids::is_valid_alias_name;

use super::app::App;
use super::forms::{
    ConfirmAction, Dialog, EncryptField, GrantField, SimpleForm, SimpleFormKind, TextField,
};
use super::message::{Command, DialogKey, WorldCommand};

/// (name, ARN) of the principals a grant can name (deleted ones aside).
pub fn principal_choices(app: &App) -> Vec<(String, String)> {
    app.principals
        .all()
        .iter()
        .filter(|p| p.kind != PrincipalKindLabel::Deleted)
        .map(|p| (format!("{} {}", p.kind.as_str(), p.name), p.arn.clone()))
        .collect()
}

fn edit_text(field: &mut TextField, key: DialogKey) {
    match key {
        DialogKey::Char(c) => field.push(c),
        DialogKey::Backspace => field.backspace(),
        DialogKey::Up => field.pick(-1),
        DialogKey::Down => field.pick(1),
        _ => {}
    }
}

fn cycle(focus: &mut usize, len: usize, key: DialogKey) -> bool {
    match key {
        DialogKey::Next => *focus = (*focus + 1) % len,
        DialogKey::Prev => *focus = (*focus + len - 1) % len,
        _ => return false,
    }
    true
}

pub fn dialog_key(app: &mut App, key: DialogKey) -> Vec<Command> {
    let Some(dialog) = app.dialog.as_mut() else {
        return vec![];
    };
    match dialog {
        Dialog::Help | Dialog::Detail => {
            if matches!(
                key,
                DialogKey::Cancel | DialogKey::Submit | DialogKey::Char('q') | DialogKey::Char('?')
            ) {
                app.dialog = None;
            }
            vec![]
        }
        Dialog::GrantCreated {
            grant_id,
            grant_token,
            ..
        } => match key {
            DialogKey::Char('c') => {
                let token = grant_token.clone();
                app.set_info("Copied the grant token to the clipboard (OSC 52)");
                vec![Command::CopyToClipboard(token)]
            }
            DialogKey::Char('i') => {
                let id = grant_id.clone();
                app.set_info("Copied the grant id to the clipboard (OSC 52)");
                vec![Command::CopyToClipboard(id)]
            }
            DialogKey::Cancel | DialogKey::Submit => {
                app.dialog = None;
                vec![]
            }
            _ => vec![],
        },
        Dialog::Confirm(c) => match key {
            DialogKey::Next
            | DialogKey::Prev
            | DialogKey::Left
            | DialogKey::Right
            | DialogKey::Up
            | DialogKey::Down => {
                c.confirm_chosen = !c.confirm_chosen;
                vec![]
            }
            DialogKey::Submit if c.confirm_chosen => {
                let action = c.action.clone();
                app.dialog = None;
                app.set_info(format!("{}...", action.verb()));
                confirmed(app, action)
            }
            DialogKey::Submit | DialogKey::Cancel | DialogKey::Char('n') => {
                app.dialog = None;
                app.set_info("Cancelled");
                vec![]
            }
            _ => vec![],
        },
        Dialog::CreateGrant(form) => {
            if form.submitting {
                return vec![];
            }
            if key == DialogKey::Cancel {
                app.dialog = None;
                return vec![];
            }
            if cycle(&mut form.focus, GrantField::ALL.len(), key) {
                return vec![];
            }
            match (form.field(), key) {
                (GrantField::Cancel, DialogKey::Submit) => {
                    app.dialog = None;
                    vec![]
                }
                (_, DialogKey::Submit) => match form.build() {
                    Ok(input) => {
                        form.error = None;
                        form.submitting = true;
                        vec![Command::CreateGrant(input)]
                    }
                    Err(e) => {
                        form.error = Some(e);
                        vec![]
                    }
                },
                (GrantField::Grantee, k) => {
                    edit_text(&mut form.grantee, k);
                    vec![]
                }
                (GrantField::Retiring, k) => {
                    edit_text(&mut form.retiring, k);
                    vec![]
                }
                (GrantField::ConstraintPairs, k) => {
                    edit_text(&mut form.constraint_pairs, k);
                    vec![]
                }
                (GrantField::Name, k) => {
                    edit_text(&mut form.name, k);
                    vec![]
                }
                (GrantField::Operations, DialogKey::Up) => {
                    form.op_cursor = form.op_cursor.saturating_sub(1);
                    vec![]
                }
                (GrantField::Operations, DialogKey::Down) => {
                    form.op_cursor = (form.op_cursor + 1).min(form.operations.len() - 1);
                    vec![]
                }
                (GrantField::Operations, DialogKey::Char(' ' | 'x')) => {
                    if let Some(op) = form.operations.get_mut(form.op_cursor) {
                        op.1 = !op.1;
                    }
                    vec![]
                }
                (GrantField::ConstraintKind, DialogKey::Left | DialogKey::Up) => {
                    form.constraint_kind = form.constraint_kind.cycle(-1);
                    vec![]
                }
                (
                    GrantField::ConstraintKind,
                    DialogKey::Right | DialogKey::Down | DialogKey::Char(' '),
                ) => {
                    form.constraint_kind = form.constraint_kind.cycle(1);
                    vec![]
                }
                _ => vec![],
            }
        }
        Dialog::TestEncrypt(form) => {
            if form.running {
                return vec![];
            }
            if key == DialogKey::Cancel {
                app.dialog = None;
                return vec![];
            }
            if cycle(&mut form.focus, EncryptField::ALL.len(), key) {
                return vec![];
            }
            match (form.field(), key) {
                (EncryptField::Close, DialogKey::Submit) => {
                    app.dialog = None;
                    vec![]
                }
                (_, DialogKey::Submit) => match form.build() {
                    Ok(input) => {
                        form.error = None;
                        form.result = None;
                        form.running = true;
                        vec![Command::TestEncrypt(input)]
                    }
                    Err(e) => {
                        form.error = Some(e);
                        vec![]
                    }
                },
                (EncryptField::ActAs, k) => {
                    edit_text(&mut form.act_as, k);
                    vec![]
                }
                (EncryptField::Plaintext, k) => {
                    edit_text(&mut form.plaintext, k);
                    vec![]
                }
                (EncryptField::Tokens, k) => {
                    edit_text(&mut form.tokens, k);
                    vec![]
                }
                (EncryptField::Context, k) => {
                    edit_text(&mut form.context, k);
                    vec![]
                }
                _ => vec![],
            }
        }
        Dialog::Simple(form) => {
            if key == DialogKey::Cancel {
                app.dialog = None;
                return vec![];
            }
            let len = form.fields.len();
            if cycle(&mut form.focus, len, key) {
                return vec![];
            }
            if key == DialogKey::Submit {
                return match submit_simple(form) {
                    Ok((cmd, what)) => {
                        app.dialog = None;
                        app.set_info(what);
                        vec![cmd]
                    }
                    Err(e) => {
                        form.error = Some(e);
                        vec![]
                    }
                };
            }
            let focus = form.focus.min(len.saturating_sub(1));
            if let Some((_, field)) = form.fields.get_mut(focus) {
                edit_text(field, key);
            }
            vec![]
        }
    }
}

fn submit_simple(form: &SimpleForm) -> Result<(Command, String), String> {
    match form.kind {
        SimpleFormKind::NewKey => {
            let alias = form.value(1);
            if !alias.is_empty() && !is_valid_alias_name(alias) {
                return Err("An alias is alias/ followed by letters, digits, / _ -".into());
            }
            Ok((
                Command::World(WorldCommand::CreateKey {
                    description: form.value(0).to_string(),
                    alias: (!alias.is_empty()).then(|| alias.to_string()),
                }),
                "Creating a key...".into(),
            ))
        }
        SimpleFormKind::NewPrincipal => {
            let name = form.value(0);
            if name.is_empty() {
                return Err("Type a name.".into());
            }
            let user = match form.value(1) {
                "user" => true,
                "role" => false,
                other => return Err(format!("Kind is user or role, not \"{other}\".")),
            };
            Ok((
                Command::World(WorldCommand::CreatePrincipal {
                    user,
                    name: name.to_string(),
                }),
                format!("Creating {name}..."),
            ))
        }
    }
}

/// The commands a confirmed action runs.
fn confirmed(app: &mut App, action: ConfirmAction) -> Vec<Command> {
    let state = |key_id: String, change| Command::World(WorldCommand::KeyState { key_id, change });
    vec![match action {
        ConfirmAction::Revoke { key_id, grant_id } => Command::RevokeGrant { key_id, grant_id },
        ConfirmAction::Retire {
            key_id,
            grant_id,
            as_principal,
        } => Command::RetireGrant {
            key_id,
            grant_id,
            as_principal,
        },
        ConfirmAction::DisableKey { key_id } => state(key_id, KeyStateChange::Disable),
        ConfirmAction::EnableKey { key_id } => state(key_id, KeyStateChange::Enable),
        ConfirmAction::ScheduleDeletion { key_id } => {
            state(key_id, KeyStateChange::ScheduleDeletion { days: 7 })
        }
        ConfirmAction::CancelDeletion { key_id } => state(key_id, KeyStateChange::CancelDeletion),
        ConfirmAction::DeletePrincipal { arn } => {
            Command::World(WorldCommand::DeletePrincipal { arn })
        }
        ConfirmAction::ResetLesson => return super::lesson_update::reset(app),
    }]
}
