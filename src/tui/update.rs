//! The update function: `update(&mut App, Msg) -> Vec<Command>`, a plain state machine
//! with no terminal and no tokio. It routes: a key to the open dialog, the filter or the
//! panes; an action to the feature that owns it; a job's answer to the pane or feature
//! that asked; and tells the lesson what the presenter did. The work itself is in the
//! features (`dialogs`, `findings`, `lesson`, `panes`) and in `effects`.

use std::sync::Arc;
use std::time::Duration;

use crate::audit::IndexedReport;
use crate::backend::{BackendError, CreateGrantInput, CreatedGrant};
use crate::kms::{grant_id_label, short_grant_id, GrantId};

use super::actions::Action;
use super::app::App;
use super::dialogs::{
    test_grant, Acting, CreateGrant, Detail, Dialog, GrantCreated, Help, SelectedGrant, SimpleForm,
    TestGrant, TestSetup,
};
use super::effect::{ConfirmAction, ConfirmRequest, Effect, KnownToken};
use super::effects::{self, apply, poll_activity, reload_all, request_audit, run};
use super::jobs::{Job, Slot};
use super::lesson::LessonUi;
use super::message::{Answer, Command, Msg, Work, WorldChange};
use super::mouse;
use super::pane::Pane;
use super::panes::{self, events, grants, keys, principals, PAGE};
use super::scopes;

/// How far `+` moves the simulator's clock.
pub const CLOCK_STEP: Duration = Duration::from_secs(300);

/// The commands to run when the UI starts.
pub fn init(app: &mut App) -> Vec<Command> {
    let mut cmds = effects::list_keys(app);
    cmds.push(run(app, Work::ListPrincipals));
    cmds.extend(poll_activity(app));
    cmds.extend(request_audit(app));
    cmds
}

/// Apply one message; return the work it asks for.
pub fn update(app: &mut App, msg: Msg) -> Vec<Command> {
    let answered = matches!(&msg, Msg::Done { work, .. } if work.slot() != Slot::Activity);
    let mut cmds = route(app, msg);
    // A long grants list whose filter answers are wanted gets them off the UI thread.
    if let Some(request) = app.grants.mask_request() {
        cmds.push(run(app, Work::GrantMask(request)));
    }
    if answered {
        // A refresh says when it is over (the last of its answers is in).
        if !app.is_busy()
            && app
                .status
                .as_ref()
                .is_some_and(|s| !s.error && s.text == REFRESHING)
        {
            app.set_info("Refreshed");
        }
        // Whatever a call did shows in the event log at once.
        cmds.extend(poll_activity(app));
    }
    cmds
}

/// What the status line says while a refresh (`r`) is under way.
const REFRESHING: &str = "Refreshing…";

fn route(app: &mut App, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Dialog(key) => match app.dialog.as_mut() {
            Some(d) => {
                let effects = d.on_key(key);
                apply(app, effects)
            }
            None => vec![],
        },
        Msg::Paste(text) => match app.dialog.as_mut() {
            Some(d) => {
                d.on_paste(&text);
                vec![]
            }
            None => {
                let cmds = panes::filter_paste(app, &text);
                observe_selection(app, cmds)
            }
        },
        Msg::Back if app.dialog.is_some() => {
            app.dialog = None;
            vec![]
        }
        Msg::Back if app.scopes.selector.is_some() => {
            scopes::close(app);
            vec![]
        }
        Msg::FocusNext | Msg::FocusPrev if app.scopes.selector.is_some() => vec![],
        Msg::Up | Msg::Down | Msg::PageUp | Msg::PageDown | Msg::Top | Msg::Bottom
            if app.scopes.selector.is_some() =>
        {
            scopes::move_by(app, step(&msg));
            vec![]
        }
        Msg::Back if app.findings.view_open => {
            app.findings.view_open = false;
            vec![]
        }
        Msg::FocusNext | Msg::FocusPrev if app.findings.view_open => vec![],
        Msg::Up | Msg::Down | Msg::PageUp | Msg::PageDown | Msg::Top | Msg::Bottom
            if app.findings.view_open =>
        {
            app.findings.move_by(step(&msg));
            vec![]
        }
        Msg::FocusNext | Msg::FocusPrev => {
            let cmds = panes::focus(app, msg == Msg::FocusNext);
            observe_selection(app, cmds)
        }
        Msg::Up | Msg::Down | Msg::PageUp | Msg::PageDown | Msg::Top | Msg::Bottom => {
            let cmds = panes::move_selection(app, step(&msg));
            observe_selection(app, cmds)
        }
        Msg::Back => {
            let cmds = panes::back(app);
            observe_selection(app, cmds)
        }
        Msg::Filter(key) => {
            let cmds = panes::filter_key(app, key);
            observe_selection(app, cmds)
        }
        Msg::Act(action) => act(app, action),
        Msg::Quit => {
            app.should_quit = true;
            vec![]
        }
        Msg::Resize(w, h) => {
            app.screen = ratatui::layout::Rect::new(0, 0, w, h);
            vec![]
        }
        Msg::Click { column, row } => {
            let cmds = mouse::click(app, column, row);
            observe_selection(app, cmds)
        }
        Msg::Wheel { column, row, down } => {
            let cmds = mouse::wheel(app, column, row, down);
            observe_selection(app, cmds)
        }
        Msg::Tick(now) => {
            app.now = now;
            app.spinner = app.spinner.wrapping_add(1);
            poll_activity(app)
        }
        Msg::WallClock(now) => {
            app.keys_trail.tick(now);
            vec![]
        }
        Msg::KeyPressed(label) => {
            app.keys_trail.record(label);
            vec![]
        }
        Msg::EvidenceProgress { job, done, total } => {
            if app.jobs.is_current(job) {
                app.findings.evidence_progress = Some((done, total));
            }
            vec![]
        }
        Msg::Done { job, work, result } => {
            if !app.jobs.finish(job) {
                // Superseded: a newer job of its kind is on its way.
                return vec![];
            }
            match result {
                Ok(answer) => answered(app, job, work, answer),
                Err(e) => failed(app, job, work, e),
            }
        }
    }
}

/// How far a navigation message moves a selection.
fn step(msg: &Msg) -> isize {
    match msg {
        Msg::Up => -1,
        Msg::Down => 1,
        Msg::PageUp => -PAGE,
        Msg::PageDown => PAGE,
        Msg::Top => isize::MIN / 2,
        _ => isize::MAX / 2,
    }
}

/// An action of the action bar, to the feature that owns it.
fn act(app: &mut App, action: Action) -> Vec<Command> {
    let effects = match action {
        Action::Quit => {
            // A simulated world lives only in this process; a lesson is a session too.
            if (app.changed && app.world_controls) || app.lesson.is_some() {
                vec![Effect::Confirm(ConfirmRequest {
                    title: "Quit grantscope?".into(),
                    lines: vec![if app.lesson.is_some() {
                        "The lesson ends here; it starts over next time.".into()
                    } else {
                        "The simulator's world is not saved: what changed in this session is gone."
                            .into()
                    }],
                    verb: "Quit",
                    action: ConfirmAction::Quit,
                })]
            } else {
                app.should_quit = true;
                vec![]
            }
        }
        Action::Help => open(
            app,
            Dialog::Help(Help {
                read_only: app.read_only,
                world_controls: app.world_controls,
                lesson: app.lesson.is_some(),
                scopes: app.scopes.spans,
                scroll: Default::default(),
            }),
        ),
        Action::Filter => {
            panes::start_filter(app);
            vec![]
        }
        Action::Refresh => {
            app.set_info(REFRESHING);
            let mut cmds = reload_all(app);
            cmds.extend(poll_activity(app));
            return cmds;
        }
        Action::Detail => open(app, Dialog::Detail(Detail::default())),
        Action::Scopes => {
            scopes::open(app);
            vec![]
        }
        Action::CloseScopes => {
            scopes::close(app);
            vec![]
        }
        Action::ChooseScope => return scopes::choose(app),
        Action::CreateGrant => match app.selected_key() {
            Some(k) => {
                let grantee = (app.focus == Pane::Principals)
                    .then(|| app.selected_principal().map(|p| p.arn.clone()))
                    .flatten();
                let d = CreateGrant::new(
                    &k.arn,
                    k.label(),
                    app.principal_choices(),
                    grantee.as_deref(),
                )
                .in_session(app.cli_session());
                open(app, Dialog::CreateGrant(d))
            }
            None => vec![],
        },
        Action::TestGrant => open_test_grant(app),
        Action::RevokeGrant | Action::RetireGrant => app
            .selected_grant()
            .and_then(|g| {
                grants::confirm_removal(
                    g,
                    app.grant_id_len,
                    action == Action::RetireGrant,
                    &app.cli_session(),
                )
            })
            .map(|c| vec![Effect::Confirm(c)])
            .unwrap_or_default(),
        Action::CopyGrantId => match app.selected_grant() {
            Some(g) => vec![
                Effect::Copy(g.grant_id.clone()),
                Effect::Info(format!("Copied grant id {} to the clipboard", g.short_id())),
            ],
            None => vec![],
        },
        Action::CopyArn => {
            let arn = match app.focus {
                Pane::Keys => app.selected_key().map(|k| k.arn.clone()),
                Pane::Principals => app.selected_principal().map(|p| p.arn.clone()),
                Pane::Events => app.events.selected().map(|e| e.caller.clone()),
                Pane::Grants => None,
            };
            match arn {
                Some(arn) => vec![
                    Effect::Info(format!("Copied {arn} to the clipboard")),
                    Effect::Copy(arn),
                ],
                None => vec![],
            }
        }
        Action::FreezeClock | Action::ThawClock => vec![Effect::Run(Work::World(
            WorldChange::FreezeClock(action == Action::FreezeClock),
        ))],
        Action::Sort => {
            panes::cycle_sort(app);
            vec![]
        }
        Action::NewKey => open(app, Dialog::Simple(SimpleForm::new_key())),
        Action::NewPrincipal => open(app, Dialog::Simple(SimpleForm::new_principal())),
        Action::DisableKey
        | Action::EnableKey
        | Action::ScheduleKeyDeletion
        | Action::CancelKeyDeletion => app
            .selected_key()
            .and_then(|k| keys::confirm_state(k, action))
            .map(|c| vec![Effect::Confirm(c)])
            .unwrap_or_default(),
        Action::DeletePrincipal => app
            .selected_principal()
            .and_then(principals::confirm_delete)
            .map(|c| vec![Effect::Confirm(c)])
            .unwrap_or_default(),
        Action::AdvanceClock => {
            let mut effects = lesson(app, |l| l.observe_clock(CLOCK_STEP));
            effects.push(Effect::Run(Work::World(WorldChange::AdvanceClock(
                CLOCK_STEP,
            ))));
            effects
        }
        Action::StaleOnly
        | Action::AllGrants
        | Action::Findings
        | Action::CloseFindings
        | Action::JumpToFinding
        | Action::RevokeFinding => {
            // Across an organization, a finding on a key of another scope than the one
            // shown is reached from the organization view.
            let key = app.findings.selected_finding().map(|f| f.key.to_string());
            if action == Action::JumpToFinding
                && app.scopes.spans
                && key.is_some_and(|k| !app.scopes.view.holds_arn(&k))
            {
                scopes::show(app, scopes::ScopeView::All);
            }
            let mut effects = app.findings.on_action(action);
            if matches!(action, Action::StaleOnly | Action::AllGrants) {
                effects::apply_stale_only(app);
            }
            if action == Action::Findings {
                app.filter = None;
            }
            effects.extend(observe_audit(app));
            effects
        }
        Action::LessonStep => {
            let audit = app.findings.config.clone();
            lesson(app, |l| l.step(&audit))
        }
        Action::LessonBack => lesson(app, |l| l.back()),
        Action::LessonReset => lesson(app, |l| l.ask_reset()),
    };
    apply(app, effects)
}

fn open(app: &mut App, dialog: Dialog) -> Vec<Effect> {
    app.dialog = Some(dialog);
    vec![]
}

/// Test a grant on the selected key: the grant selected in the grants pane (its first
/// operation, its grantee, its constraint's context, its token when this session made it),
/// acting as the selected principal or grantee, or (AWS) as a configured profile.
fn open_test_grant(app: &mut App) -> Vec<Effect> {
    let Some(k) = app.selected_key() else {
        return vec![];
    };
    let grant = (app.focus == Pane::Grants)
        .then(|| app.selected_grant())
        .flatten()
        .and_then(|g| {
            Some(SelectedGrant {
                id: GrantId::parse(&g.grant_id)?,
                label: if g.name.is_empty() {
                    grant_id_label(&g.grant_id, app.grant_id_len)
                } else {
                    g.name.clone()
                },
                grantee: g.grantee.clone(),
                operations: g.operations.clone(),
                constraints: g.constraints.clone(),
                token: app
                    .tokens
                    .iter()
                    .find(|t| t.grant_id == g.grant_id)
                    .map(|t| t.token.clone()),
            })
        });
    let (acting, act_as) = if app.acting_profiles.is_empty() {
        let act_as = match app.focus {
            Pane::Principals => app.selected_principal().map(|p| p.arn.clone()),
            Pane::Grants => grant.as_ref().map(|g| g.grantee.clone()),
            _ => None,
        };
        (
            Acting::Principals(app.principal_choices()),
            act_as.or_else(|| app.last_actor.clone()),
        )
    } else {
        // On AWS a grantee's ARN is acted as through the profile that resolves to it.
        (
            Acting::Profiles(app.acting_profiles.clone()),
            grant
                .as_ref()
                .map(|g| g.grantee.clone())
                .or_else(|| app.last_actor.clone()),
        )
    };
    let keys = app
        .keys
        .all()
        .iter()
        .filter(|other| other.key_id != k.key_id)
        .map(|other| (format!("key {}", other.label()), other.arn.clone()))
        .collect();
    let d = TestGrant::new(TestSetup {
        key_arn: k.arn.clone(),
        key_label: k.label().to_string(),
        key_spec: k.spec,
        key_usage: k
            .usage
            .parse()
            .unwrap_or(crate::kms::KeyUsage::EncryptDecrypt),
        acting,
        act_as,
        tokens: app.token_choices(&k.key_id),
        grant,
        keys,
        principals: app.principal_choices(),
        read_only: app.read_only,
    })
    .in_session(app.cli_session());
    open(app, Dialog::TestGrant(d))
}

/// A job's answer, to the pane or feature that asked for it.
fn answered(app: &mut App, job: Job, work: Work, answer: Answer) -> Vec<Command> {
    // What `q` warns about losing (stopping or running the clock loses nothing).
    if matches!(
        work,
        Work::CreateGrant(_) | Work::RevokeGrant { .. } | Work::RetireGrant { .. } | Work::World(_)
    ) && !matches!(work, Work::World(WorldChange::FreezeClock(_)))
    {
        app.changed = true;
    }
    match (work, answer) {
        (_, Answer::Scopes(plan)) => scopes::planned(app, plan),
        (Work::ListKeysIn(scope), Answer::Keys(list)) => scopes::keys_in(app, scope, list),
        (_, Answer::Keys(list)) => keys::loaded(app, list),
        (_, Answer::KeyDetails(details)) => keys::described(app, job, details),
        (Work::ListGrants { marker, .. }, Answer::GrantPage(page)) => {
            grants::page(app, job, marker.is_none(), page)
        }
        (_, Answer::Grants(held)) => {
            grants::held(app, held);
            vec![]
        }
        (_, Answer::Principals(list)) => {
            principals::loaded(app, list);
            vec![]
        }
        (_, Answer::Activity(new)) => {
            let effects = lesson(app, |l| l.observe_activity(&new));
            if let Some(Dialog::TestGrant(d)) = &mut app.dialog {
                d.heard(&new);
            }
            events::arrived(app, new);
            apply(app, effects)
        }
        (Work::CreateGrant(input), Answer::Created(created)) => granted(app, input, created),
        (Work::TestGrant(call), Answer::Tested(out)) => {
            app.changed |= out.changed_world();
            let effects = test_grant::effects_of(&call, &out);
            if let Some(Dialog::TestGrant(d)) = &mut app.dialog {
                d.answered(Ok(out));
            }
            apply(app, effects)
        }
        (work @ (Work::RevokeGrant { .. } | Work::RetireGrant { .. }), Answer::Done(_)) => {
            let verb = if matches!(work, Work::RevokeGrant { .. }) {
                "Revoked"
            } else {
                "Retired"
            };
            app.set_info(format!("{verb} the grant"));
            reload_all(app)
        }
        (Work::World(change), Answer::Done(detail)) => {
            if let WorldChange::FreezeClock(frozen) = change {
                app.time_frozen = frozen;
            }
            let what = change.done_text();
            if detail.is_empty() {
                app.set_info(what);
            } else {
                app.set_info(format!("{what}: {detail}"));
            }
            reload_all(app)
        }
        (_, Answer::Audited(outcome)) => audited(app, outcome),
        (_, Answer::Mask { revision, passes }) => {
            app.grants.apply_mask(revision, passes);
            vec![]
        }
        (Work::LessonStep { ticket, .. }, Answer::LessonStep(performed)) => {
            let open = app.findings.view_open;
            let effects = lesson(app, |l| l.step_done(ticket, performed, open));
            apply(app, effects)
        }
        (Work::ReplaceWorld(_), Answer::Done(_)) => {
            // A lesson's fresh world runs on its own (stopped) clock again.
            app.time_frozen = true;
            let effects = lesson(app, |l| l.reset_done());
            apply(app, effects)
        }
        (work, answer) => {
            app.set_error(format!(
                "Unexpected answer to {work:?}: {}",
                answer_name(&answer)
            ));
            vec![]
        }
    }
}

/// A grant was created (through the dialog): its id and token in the dialog that replaces
/// the form, its token remembered for grant tests, the lesson told, the panes reloaded.
fn granted(app: &mut App, input: CreateGrantInput, created: CreatedGrant) -> Vec<Command> {
    let lesson_says = lesson(app, |l| l.note_created(&created, &input));
    let key_label = match &app.dialog {
        Some(Dialog::CreateGrant(f)) => f.key_label.clone(),
        _ => input.key.to_string(),
    };
    app.set_info(format!(
        "Created grant {}",
        short_grant_id(&created.grant_id)
    ));
    app.dialog = Some(Dialog::GrantCreated(GrantCreated {
        key_label,
        grant_id: created.grant_id.clone(),
        grant_token: created.grant_token.clone(),
    }));
    let token = KnownToken {
        key_id: input.key.key_id().unwrap_or_default().to_string(),
        grant_id: created.grant_id,
        token: created.grant_token,
    };
    let mut effects = vec![Effect::Token(token), Effect::Reload];
    effects.extend(lesson_says);
    apply(app, effects)
}

/// An audit's result: the findings view and the stale-only filter take it, a lesson may be
/// waiting for it, and a run asked for meanwhile starts.
fn audited(app: &mut App, outcome: Arc<IndexedReport>) -> Vec<Command> {
    // CloudTrail refused the look-up just made: say so plainly (the grants say "not
    // determined", the findings view why).
    if outcome.usage.tally.is_some_and(|t| t.requests > 0) {
        if let Some(error) = outcome.usage.not_readable() {
            app.set_error(format!(
                "CloudTrail evidence not read ({error}): last use not determined"
            ));
        }
    }
    app.findings.audited(&Ok(outcome));
    // A list sorted by what the audit says (the grants' Seen) takes the new result.
    grants::resort(app);
    if app.findings.stale_only {
        effects::apply_stale_only(app);
    }
    let effects = observe_audit(app);
    let mut cmds = apply(app, effects);
    cmds.extend(audit_again(app));
    cmds
}

fn answer_name(a: &Answer) -> &'static str {
    match a {
        Answer::Keys(_) => "keys",
        Answer::Scopes(_) => "scopes",
        Answer::KeyDetails(_) => "key details",
        Answer::GrantPage(_) | Answer::Grants(_) => "grants",
        Answer::Principals(_) => "principals",
        Answer::Activity(_) => "activity",
        Answer::Created(_) => "a created grant",
        Answer::Tested(_) => "a grant test",
        Answer::Done(_) => "done",
        Answer::Audited(_) => "an audit",
        Answer::Mask { .. } => "a grants filter",
        Answer::LessonStep(_) => "a lesson step",
    }
}

/// A job failed: the status line says what and why; the feature that asked is told.
fn failed(app: &mut App, job: Job, work: Work, e: BackendError) -> Vec<Command> {
    app.set_error(format!("{}: {e}", work.failure_text()));
    match work {
        // The dialog shows AWS's message in full; the status line names the error.
        Work::CreateGrant(_) => {
            if let Some(Dialog::CreateGrant(d)) = &mut app.dialog {
                d.failed(&e);
                app.set_error(format!("{}: {}", work.failure_text(), e.label()));
            }
            vec![]
        }
        Work::TestGrant(_) => {
            let short = format!("{}: {}", work.failure_text(), e.label());
            if let Some(Dialog::TestGrant(d)) = &mut app.dialog {
                d.answered(Err(e));
                app.set_error(short);
            }
            vec![]
        }
        // What failed may have changed something nonetheless: show the world as it is.
        Work::RevokeGrant { .. } | Work::RetireGrant { .. } | Work::World(_) => reload_all(app),
        Work::ListGrants { .. } | Work::GrantsOf { .. } => {
            app.jump = None;
            vec![]
        }
        Work::Audit(_) => {
            app.findings.audited(&Err(e));
            audit_again(app)
        }
        // Never leave the list waiting for answers that will not come: show every grant.
        Work::GrantMask(_) => {
            app.findings.stale_only = false;
            effects::apply_stale_only(app);
            vec![]
        }
        Work::LessonStep { ticket, .. } => {
            let performed = crate::lesson::Performed {
                result: crate::lesson::LessonResult::Done(Err(e)),
                last_seq: 0,
            };
            let open = app.findings.view_open;
            let effects = lesson(app, |l| l.step_done(ticket, performed, open));
            apply(app, effects)
        }
        // The whole batch failed (a network error, say): its keys say so, and the round
        // goes on with the next batch.
        Work::DescribeKeys(key_ids) => {
            let details = key_ids
                .into_iter()
                .map(|key_id| crate::backend::KeyDetail {
                    key_id,
                    result: Err(e.clone()),
                })
                .collect();
            keys::described(app, job, details)
        }
        // The status line names it; the scope selector says why in full.
        Work::ListKeysIn(scope) => {
            app.set_error(format!("Not read: {scope} (S: why)"));
            scopes::unread(app, scope, e.to_string());
            vec![]
        }
        Work::ListScopes => {
            app.scopes.discovering = false;
            vec![]
        }
        Work::ListKeys | Work::ListPrincipals | Work::Activity { .. } | Work::ReplaceWorld(_) => {
            vec![]
        }
    }
}

/// The audit ran while more changes came: once more.
fn audit_again(app: &mut App) -> Vec<Command> {
    if app.jobs.take_again(Slot::Audit) {
        request_audit(app)
    } else {
        vec![]
    }
}

/// What the lesson, if one is presented, makes of something (none without a lesson).
fn lesson(app: &mut App, f: impl FnOnce(&mut LessonUi) -> Vec<Effect>) -> Vec<Effect> {
    app.lesson.as_mut().map(f).unwrap_or_default()
}

/// The presenter moved a selection in the keys or principals pane: a lesson may be
/// waiting for it.
fn observe_selection(app: &mut App, cmds: Vec<Command>) -> Vec<Command> {
    if !matches!(app.focus, Pane::Keys | Pane::Principals) {
        return cmds;
    }
    let key = app.selected_key().map(|k| k.arn.clone());
    let principal = app.selected_principal().map(|p| p.arn.clone());
    let effects = lesson(app, |l| {
        l.observe_selection(key.as_deref(), principal.as_deref())
    });
    let mut cmds = cmds;
    cmds.extend(apply(app, effects));
    cmds
}

/// The presenter has the audit's result on screen (findings view or stale-only): a
/// lesson may be waiting for it.
fn observe_audit(app: &mut App) -> Vec<Effect> {
    if app.auditing() || !(app.findings.view_open || app.findings.stale_only) {
        return vec![];
    }
    let Some(outcome) = app.findings.outcome.clone() else {
        return vec![];
    };
    lesson(app, |l| l.observe_audit(&outcome.report))
}
