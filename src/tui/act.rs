//! What each action of the action bar does: open the dialog it needs (create grant,
//! test-encrypt, a confirmation carrying the action it confirms, the simulator's forms) or
//! ask for the backend work directly (refresh, copy, advance the clock).

use crate::backend::PrincipalKindLabel;

use super::actions::Action;
use super::app::{App, Pane};
use super::audit_update::{
    close_findings, jump_to_finding, open_findings, revoke_finding, toggle_stale_only,
};
use super::dialog_update::principal_choices;
use super::forms::{Confirm, ConfirmAction, CreateGrantForm, Dialog, SimpleForm, TestEncryptForm};
use super::lesson_update;
use super::message::{Command, WorldCommand};
use super::update::{reload_all, short, CLOCK_STEP};

/// Carry out `action` (only actions the focused pane offers reach here).
pub fn act(app: &mut App, action: Action) -> Vec<Command> {
    use Action::*;
    let key = app.selected_key().cloned();
    match action {
        Quit => app.should_quit = true,
        Help => app.dialog = Some(Dialog::Help),
        Filter => app.filter_editing = true,
        Refresh => {
            app.set_info("Refreshing");
            let mut cmds = reload_all(app);
            cmds.push(Command::LoadActivity {
                since: app.last_event_seq,
            });
            app.activity_in_flight = true;
            return cmds;
        }
        Detail => app.dialog = Some(Dialog::Detail),
        CreateGrant => {
            let Some(k) = key else { return vec![] };
            let mut form =
                CreateGrantForm::new(&k.key_id, &k.arn, k.label(), principal_choices(app));
            if app.focus == Pane::Principals {
                if let Some(p) = app.selected_principal() {
                    form.grantee.value = p.arn.clone();
                }
            }
            app.dialog = Some(Dialog::CreateGrant(form));
        }
        TestEncrypt => {
            let Some(k) = key else { return vec![] };
            let tokens = app
                .tokens
                .iter()
                .rev()
                .filter(|t| t.key_id == k.key_id)
                .map(|t| {
                    (
                        format!("token of grant {}", short(&t.grant_id)),
                        t.token.clone(),
                    )
                })
                .collect();
            // On AWS, acting as someone means using their credentials: a configured profile.
            let acting = if app.acting_profiles.is_empty() {
                principal_choices(app)
            } else {
                app.acting_profiles
                    .iter()
                    .map(|p| (format!("profile {p}"), p.clone()))
                    .collect()
            };
            let mut form = TestEncryptForm::new(&k.key_id, &k.arn, k.label(), acting, tokens);
            match app.focus {
                _ if !app.acting_profiles.is_empty() => {}
                Pane::Principals => {
                    if let Some(p) = app.selected_principal() {
                        form.act_as.value = p.arn.clone();
                    }
                }
                Pane::Grants => {
                    if let Some(g) = app.selected_grant() {
                        form.act_as.value = g.grantee.clone();
                    }
                }
                _ => {}
            }
            app.dialog = Some(Dialog::TestEncrypt(form));
        }
        RevokeGrant | RetireGrant => {
            let Some(g) = app.selected_grant().cloned() else {
                return vec![];
            };
            let ops: Vec<&str> = g.operations.iter().map(|o| o.as_str()).collect();
            let mut lines = vec![
                format!("Grant  {}", g.grant_id),
                format!("Key    {}", g.key_alias.as_deref().unwrap_or(&g.key_arn)),
                format!("Grantee {} ({})", g.grantee_name, g.grantee),
                format!("Operations {}", ops.join(", ")),
            ];
            let action = if action == RevokeGrant {
                lines.push("RevokeGrant is made as you, the operator.".into());
                ConfirmAction::Revoke {
                    key_id: g.key_arn.clone(),
                    grant_id: g.grant_id.clone(),
                }
            } else {
                // Who may retire: the retiring principal, or the grantee when the grant
                // includes RetireGrant; otherwise try as the operator (AWS may deny).
                let as_principal = g.retiring.clone().or_else(|| {
                    g.operations
                        .contains(&crate::kms::GrantOperation::RetireGrant)
                        .then(|| g.grantee.clone())
                });
                lines.push(format!(
                    "RetireGrant is made as {}.",
                    as_principal.as_deref().unwrap_or("you, the operator")
                ));
                ConfirmAction::Retire {
                    key_id: g.key_arn.clone(),
                    grant_id: g.grant_id.clone(),
                    as_principal,
                }
            };
            let title = format!("{} grant {}?", action.verb(), g.short_id());
            app.dialog = Some(Dialog::Confirm(Confirm {
                title,
                lines,
                action,
                confirm_chosen: false,
            }));
        }
        CopyGrantId => {
            if let Some(g) = app.selected_grant() {
                let id = g.grant_id.clone();
                app.set_info(format!("Copied grant id {} to the clipboard", short(&id)));
                return vec![Command::CopyToClipboard(id)];
            }
        }
        NewKey => app.dialog = Some(Dialog::Simple(SimpleForm::new_key())),
        NewPrincipal => app.dialog = Some(Dialog::Simple(SimpleForm::new_principal())),
        DisableKey | EnableKey | ScheduleKeyDeletion | CancelKeyDeletion => {
            let Some(k) = key else { return vec![] };
            let key_id = k.key_id.clone();
            let (action, consequence) = match action {
                DisableKey => (
                    ConfirmAction::DisableKey { key_id },
                    "Every cryptographic operation with it will fail (DisabledException).",
                ),
                EnableKey => (ConfirmAction::EnableKey { key_id }, "It can be used again."),
                ScheduleKeyDeletion => (
                    ConfirmAction::ScheduleDeletion { key_id },
                    "It will be deleted in 7 days, with its grants.",
                ),
                _ => (
                    ConfirmAction::CancelDeletion { key_id },
                    "It comes back disabled, as on AWS.",
                ),
            };
            app.dialog = Some(Dialog::Confirm(Confirm {
                title: format!("{} {}?", action.verb(), k.label()),
                lines: vec![format!("Key {}", k.arn), consequence.to_string()],
                action,
                confirm_chosen: false,
            }));
        }
        DeletePrincipal => {
            let Some(p) = app.selected_principal().cloned() else {
                return vec![];
            };
            if p.kind == PrincipalKindLabel::Deleted || p.unique_id.is_none() {
                return vec![];
            }
            app.dialog = Some(Dialog::Confirm(Confirm {
                title: format!("Delete {} {}?", p.kind.as_str(), p.name),
                lines: vec![
                    p.arn.clone(),
                    format!(
                        "Its {} grant(s) stay and will name its unique id; a principal re-created under this name does not inherit them.",
                        p.grant_count
                    ),
                ],
                action: ConfirmAction::DeletePrincipal { arn: p.arn },
                confirm_chosen: false,
            }));
        }
        AdvanceClock => {
            lesson_update::observe_clock(app, CLOCK_STEP);
            return vec![Command::World(WorldCommand::AdvanceClock(CLOCK_STEP))];
        }
        StaleOnly | AllGrants => {
            toggle_stale_only(app);
            lesson_update::observe_audit(app);
        }
        Findings => {
            open_findings(app);
            lesson_update::observe_audit(app);
        }
        CloseFindings => close_findings(app),
        JumpToFinding => return jump_to_finding(app),
        RevokeFinding => revoke_finding(app),
        LessonStep => return lesson_update::step(app),
        LessonBack => return lesson_update::back(app),
        LessonReset => return lesson_update::ask_reset(app),
    }
    vec![]
}
