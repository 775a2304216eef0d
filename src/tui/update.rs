//! The update function: `update(&mut App, Msg) -> Vec<Command>`, a plain state machine
//! with no terminal and no tokio. Navigation, the filter and backend results live here;
//! what actions do is in `act.rs`, keys inside dialogs in `dialog_update.rs`.

use std::time::Duration;

use crate::backend::BackendError;

use super::app::{
    event_search_text, grant_search_text, key_search_text, principal_search_text, App, GrantScope,
    KnownToken, Pane, EVENT_LOG_CAPACITY,
};
use super::audit_update::{
    audit_done, close_findings, finish_jump, move_in_findings, request_audit,
};
use super::dialog_update::dialog_key;
use super::forms::Dialog;
use super::key_details::{apply_key_details, next_details_batch, start_key_details};
use super::lesson_update;
use super::message::{Command, FilterKey, Msg};

/// How far `+` moves the simulator's clock.
pub const CLOCK_STEP: Duration = Duration::from_secs(300);
/// Rows a PageUp/PageDown moves.
const PAGE: isize = 10;

/// The commands to run when the UI starts.
pub fn init(app: &mut App) -> Vec<Command> {
    let mut cmds = vec![
        Command::LoadKeys,
        Command::LoadPrincipals,
        Command::LoadActivity { since: 0 },
    ];
    cmds.extend(request_audit(app));
    app.activity_in_flight = true;
    count_pending(app, &cmds);
    cmds
}

/// Apply one message; return the backend work it asks for.
pub fn update(app: &mut App, msg: Msg) -> Vec<Command> {
    if is_result(&msg) {
        app.pending = app.pending.saturating_sub(1);
    }
    let was_result = is_result(&msg);
    let mut cmds = handle(app, msg);
    if was_result && !app.activity_in_flight {
        app.activity_in_flight = true;
        cmds.push(Command::LoadActivity {
            since: app.last_event_seq,
        });
    }
    count_pending(app, &cmds);
    cmds
}

fn count_pending(app: &mut App, cmds: &[Command]) {
    app.pending += cmds.iter().filter(|c| c.shows_spinner()).count();
}

/// Results of commands that turn the spinner (activity polling does not).
fn is_result(msg: &Msg) -> bool {
    matches!(
        msg,
        Msg::KeysLoaded(_)
            | Msg::KeysDescribed { .. }
            | Msg::GrantsLoaded { .. }
            | Msg::PrincipalGrantsLoaded { .. }
            | Msg::PrincipalsLoaded(_)
            | Msg::GrantCreated { .. }
            | Msg::GrantRemoved { .. }
            | Msg::EncryptTested(_)
            | Msg::WorldChanged { .. }
            | Msg::AuditDone { .. }
            | Msg::LessonStepDone { .. }
            | Msg::LessonReset(_)
    )
}

fn handle(app: &mut App, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::FocusNext | Msg::FocusPrev if app.audit.view_open => vec![],
        Msg::FocusNext => {
            app.focus = app.focus.next();
            app.filter_editing = false;
            follow_selection(app)
        }
        Msg::FocusPrev => {
            app.focus = app.focus.prev();
            app.filter_editing = false;
            follow_selection(app)
        }
        Msg::Up => move_selection(app, -1),
        Msg::Down => move_selection(app, 1),
        Msg::PageUp => move_selection(app, -PAGE),
        Msg::PageDown => move_selection(app, PAGE),
        Msg::Top => move_selection(app, isize::MIN / 2),
        Msg::Bottom => move_selection(app, isize::MAX / 2),
        Msg::Back => {
            if app.dialog.is_some() {
                app.dialog = None;
                return vec![];
            }
            if app.audit.view_open {
                close_findings(app);
                return vec![];
            }
            app.filter_editing = false;
            if !focused_filter(app).is_empty() {
                set_focused_filter(app, "");
                return follow_selection(app);
            }
            if app.focus != Pane::Keys {
                app.focus = Pane::Keys;
                return follow_selection(app);
            }
            vec![]
        }
        Msg::Act(action) => super::act::act(app, action),
        Msg::Filter(key) => filter_key(app, key),
        Msg::Dialog(key) => dialog_key(app, key),
        Msg::Tick(now) => {
            app.now = now;
            app.spinner = app.spinner.wrapping_add(1);
            if app.activity_in_flight {
                vec![]
            } else {
                app.activity_in_flight = true;
                vec![Command::LoadActivity {
                    since: app.last_event_seq,
                }]
            }
        }
        Msg::KeysLoaded(Ok(list)) => {
            let keep = app.selected_key().map(|k| k.key_id.clone());
            let keys = start_key_details(app, list.keys, list.details_later);
            app.keys
                .set_items(keys, key_search_text, |k| Some(&k.key_id) == keep.as_ref());
            let mut cmds = next_details_batch(app);
            if matches!(app.grant_scope, GrantScope::None) {
                cmds.extend(scope_to_key(app, false));
            }
            cmds
        }
        Msg::KeysDescribed { generation, result } => {
            if generation != app.key_details.generation {
                return vec![];
            }
            match result {
                Ok(details) => {
                    apply_key_details(app, details);
                    next_details_batch(app)
                }
                Err(e) => {
                    app.key_details.loading = false;
                    error(app, "Could not describe keys", &e)
                }
            }
        }
        Msg::KeysLoaded(Err(e)) => error(app, "Could not list keys", &e),
        Msg::GrantsLoaded {
            generation,
            first_page,
            result,
        } => {
            if generation != app.grants_generation {
                return vec![];
            }
            match result {
                Ok(page) => {
                    if first_page {
                        let keep = app.selected_grant().map(|g| g.grant_id.clone());
                        app.grants.set_items(page.grants, grant_search_text, |g| {
                            Some(&g.grant_id) == keep.as_ref()
                        });
                    } else {
                        app.grants.extend(page.grants, grant_search_text);
                    }
                    let cmds = match (page.next_marker, &app.grant_scope) {
                        (Some(marker), GrantScope::Key { key_id, .. }) => {
                            vec![Command::LoadGrants {
                                key_id: key_id.clone(),
                                marker: Some(marker),
                                generation,
                            }]
                        }
                        _ => {
                            app.grants_loading = false;
                            vec![]
                        }
                    };
                    finish_jump(app);
                    cmds
                }
                Err(e) => {
                    app.grants_loading = false;
                    app.audit.jump = None;
                    error(app, "Could not list grants", &e)
                }
            }
        }
        Msg::PrincipalGrantsLoaded { generation, result } => {
            if generation != app.grants_generation {
                return vec![];
            }
            app.grants_loading = false;
            match result {
                Ok(grants) => {
                    let keep = app.selected_grant().map(|g| g.grant_id.clone());
                    app.grants.set_items(grants, grant_search_text, |g| {
                        Some(&g.grant_id) == keep.as_ref()
                    });
                    vec![]
                }
                Err(e) => error(app, "Could not list the principal's grants", &e),
            }
        }
        Msg::PrincipalsLoaded(Ok(list)) => {
            let keep = app.selected_principal().map(|p| p.arn.clone());
            if list.note.is_some() && list.note != app.principals_note {
                // Said once in full: the pane's title has room for its start only.
                app.set_info(list.note.clone().unwrap_or_default());
            }
            app.principals_note = list.note;
            app.principals
                .set_items(list.principals, principal_search_text, |p| {
                    Some(&p.arn) == keep.as_ref()
                });
            vec![]
        }
        Msg::PrincipalsLoaded(Err(e)) => error(app, "Could not list principals", &e),
        Msg::ActivityLoaded(result) => {
            app.activity_in_flight = false;
            if lesson_update::drop_stale_activity(app) {
                return vec![];
            }
            match result {
                Ok(events) => {
                    lesson_update::observe_activity(app, &events);
                    add_events(app, events);
                    vec![]
                }
                Err(e) => error(app, "Could not read the activity log", &e),
            }
        }
        Msg::GrantCreated { key_id, result } => match result {
            Ok(created) => {
                lesson_update::note_created(app, &created);
                app.tokens.push(KnownToken {
                    key_id,
                    grant_id: created.grant_id.clone(),
                    token: created.grant_token.clone(),
                });
                let key_label = match &app.dialog {
                    Some(Dialog::CreateGrant(f)) => f.key_label.clone(),
                    _ => String::new(),
                };
                app.set_info(format!("Created grant {}", short(&created.grant_id)));
                app.dialog = Some(Dialog::GrantCreated {
                    key_label,
                    grant_id: created.grant_id,
                    grant_token: created.grant_token,
                });
                reload_all(app)
            }
            Err(e) => {
                if let Some(Dialog::CreateGrant(form)) = &mut app.dialog {
                    form.submitting = false;
                    form.error = Some(e.to_string());
                }
                error(app, "CreateGrant failed", &e)
            }
        },
        Msg::GrantRemoved { verb, result } => match result {
            Ok(()) => {
                app.set_info(format!("{verb} the grant"));
                reload_all(app)
            }
            Err(e) => {
                error(app, "The grant was not removed", &e);
                reload_all(app)
            }
        },
        Msg::EncryptTested(result) => {
            match &result {
                Ok(_) => app.set_info("Encrypt allowed"),
                Err(e) => app.set_error(format!("Encrypt failed: {e}")),
            }
            if let Some(Dialog::TestEncrypt(form)) = &mut app.dialog {
                form.running = false;
                form.result = Some(result);
            }
            vec![]
        }
        Msg::WorldChanged { what, result } => {
            match result {
                Ok(detail) if detail.is_empty() => app.set_info(what),
                Ok(detail) => app.set_info(format!("{what}: {detail}")),
                Err(e) => app.set_error(format!("{what} failed: {e}")),
            }
            reload_all(app)
        }
        Msg::AuditDone { generation, result } => {
            let cmds = audit_done(app, generation, result);
            lesson_update::observe_audit(app);
            cmds
        }
        Msg::KeyPressed(label) => {
            lesson_update::key_pressed(app, label);
            vec![]
        }
        Msg::WallClock(now) => {
            app.keys_trail.tick(now);
            vec![]
        }
        Msg::LessonStepDone { ticket, performed } => {
            lesson_update::step_done(app, ticket, performed)
        }
        Msg::LessonReset(result) => lesson_update::reset_done(app, result),
    }
}

/// The first 12 characters of a grant id (all of it when shorter).
pub(super) fn short(id: &str) -> &str {
    id.char_indices().nth(12).map_or(id, |(i, _)| &id[..i])
}

pub(super) fn error(app: &mut App, context: &str, e: &BackendError) -> Vec<Command> {
    app.set_error(format!("{context}: {e}"));
    vec![]
}

fn add_events(app: &mut App, events: Vec<crate::backend::ActivityEvent>) {
    if let Some(last) = events.last() {
        app.last_event_seq = app.last_event_seq.max(last.seq);
    }
    let at_end = app.events.selected_index() + 1 >= app.events.len();
    app.events.extend(events, event_search_text);
    if app.events.total() > EVENT_LOG_CAPACITY {
        let all = app.events.all();
        let tail = all[all.len() - EVENT_LOG_CAPACITY..].to_vec();
        app.events.set_items(tail, event_search_text, |_| false);
    }
    if at_end {
        app.events.select_last();
    }
}

/// Reload everything after a change: keys (grant counts), grants, principals, and the
/// stale-grant audit (coalesced with a run in flight).
pub fn reload_all(app: &mut App) -> Vec<Command> {
    let mut cmds = vec![Command::LoadKeys, Command::LoadPrincipals];
    cmds.extend(reload_grants(app));
    cmds.extend(request_audit(app));
    cmds
}

/// Reload the grants pane in its current scope (keeping what it shows until the answer).
fn reload_grants(app: &mut App) -> Vec<Command> {
    app.grants_generation += 1;
    let generation = app.grants_generation;
    match &app.grant_scope {
        GrantScope::None => vec![],
        GrantScope::Key { key_id, .. } => {
            app.grants_loading = true;
            vec![Command::LoadGrants {
                key_id: key_id.clone(),
                marker: None,
                generation,
            }]
        }
        GrantScope::Principal { arn, .. } => {
            app.grants_loading = true;
            vec![Command::LoadPrincipalGrants {
                arn: arn.clone(),
                generation,
            }]
        }
    }
}

fn set_scope(app: &mut App, scope: GrantScope, force: bool) -> Vec<Command> {
    if app.grant_scope == scope && !force {
        return vec![];
    }
    app.grant_scope = scope;
    // A jump to a grant (from the findings view) ends when the pane shows another scope.
    app.audit.jump = None;
    app.grants.clear();
    app.grants.set_filter("");
    reload_grants(app)
}

pub(super) fn scope_to_key(app: &mut App, force: bool) -> Vec<Command> {
    match app.selected_key() {
        Some(k) => {
            let scope = GrantScope::Key {
                key_id: k.key_id.clone(),
                label: k.label().to_string(),
            };
            set_scope(app, scope, force)
        }
        None => set_scope(app, GrantScope::None, force),
    }
}

fn scope_to_principal(app: &mut App) -> Vec<Command> {
    match app.selected_principal() {
        Some(p) => {
            let scope = GrantScope::Principal {
                arn: p.arn.clone(),
                name: p.name.clone(),
            };
            set_scope(app, scope, false)
        }
        None => vec![],
    }
}

/// The grants pane follows the selection of the keys pane, or of the principals pane (and
/// a lesson notices a selection it asks for).
pub(super) fn follow_selection(app: &mut App) -> Vec<Command> {
    let cmds = match app.focus {
        Pane::Keys => scope_to_key(app, false),
        Pane::Principals => scope_to_principal(app),
        _ => vec![],
    };
    lesson_update::observe_selection(app);
    cmds
}

fn move_selection(app: &mut App, delta: isize) -> Vec<Command> {
    if app.audit.view_open {
        move_in_findings(app, delta);
        return vec![];
    }
    match app.focus {
        Pane::Keys => app.keys.move_by(delta),
        Pane::Grants => app.grants.move_by(delta),
        Pane::Principals => app.principals.move_by(delta),
        Pane::Events => app.events.move_by(delta),
    }
    follow_selection(app)
}

fn focused_filter(app: &App) -> &str {
    match app.focus {
        Pane::Keys => app.keys.filter(),
        Pane::Grants => app.grants.filter(),
        Pane::Principals => app.principals.filter(),
        Pane::Events => app.events.filter(),
    }
}

fn set_focused_filter(app: &mut App, filter: &str) {
    match app.focus {
        Pane::Keys => app.keys.set_filter(filter),
        Pane::Grants => app.grants.set_filter(filter),
        Pane::Principals => app.principals.set_filter(filter),
        Pane::Events => app.events.set_filter(filter),
    }
}

fn filter_key(app: &mut App, key: FilterKey) -> Vec<Command> {
    let mut text = focused_filter(app).to_string();
    match key {
        FilterKey::Char(c) if !c.is_control() => text.push(c),
        FilterKey::Char(_) => return vec![],
        FilterKey::Backspace => {
            text.pop();
        }
        FilterKey::Done => {
            app.filter_editing = false;
            return vec![];
        }
        FilterKey::Cancel => {
            app.filter_editing = false;
            text.clear();
        }
    }
    set_focused_filter(app, &text);
    follow_selection(app)
}

/// Force the grants pane to the selected key (used by tests and after a key change).
pub fn show_key(app: &mut App, key_id: &str) -> Vec<Command> {
    app.focus = Pane::Keys;
    if !app
        .keys
        .select_where(|k| k.key_id == key_id || k.aliases.iter().any(|a| a == key_id))
    {
        return vec![];
    }
    let cmds = scope_to_key(app, true);
    count_pending(app, &cmds);
    cmds
}
