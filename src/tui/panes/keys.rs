//! The keys pane: its rows (alias, short key id, state, grant count, stale count), the key
//! list as it arrives, key details filled in after a quick key list (AWS: a round asks
//! for the keys in batches of `DETAIL_BATCH`, one after the other, so the status line can
//! count them; keys described before keep their details while refreshed, new ones show
//! `…` until described, `?` when they could not be), and the confirmations of the key
//! state controls. The Stale column counts the key's stale grants (`!` marks a finding
//! about the key itself), coloured by its most severe finding; AWS-managed keys are
//! marked.

use std::collections::HashMap;

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::Frame;

use crate::backend::{KeyDetail, KeyList, KeyStateChange, KeySummary};
use crate::kms::words::count;
use crate::kms::{KeyRef, KeyState};
use crate::tui::actions::Action;
use crate::tui::app::{App, GrantScope, KeyDetails};
use crate::tui::effect::{ConfirmAction, ConfirmRequest};
use crate::tui::effects::scope_to_key;
use crate::tui::findings::severity_style;
use crate::tui::jobs::{Job, Slot};
use crate::tui::list_view::{self, insert_column, Column, Width};
use crate::tui::message::{Command, Work, WorldChange};
use crate::tui::pane::Pane;
use crate::tui::widgets::{list_title, pane_block};

/// What `/` searches: the text of every visible column.
pub fn search_text(k: &KeySummary) -> String {
    format!(
        "{} {} {} {} {}",
        k.aliases.join(" "),
        k.key_id,
        k.state,
        k.grant_count,
        k.description
    )
}

/// The key list came: the selection stays on its key, details are asked for when the
/// list is a quick one, and the grants pane follows the selection when it shows nothing.
pub fn loaded(app: &mut App, list: KeyList) -> Vec<Command> {
    // By ARN: a multi-Region key's related keys share their id.
    let keep = app.selected_key().map(|k| k.arn.clone());
    app.several_regions = list
        .keys
        .first()
        .is_some_and(|first| list.keys.iter().any(|k| k.region() != first.region()));
    let keys = start_key_details(app, list.keys, list.details_later);
    app.keys
        .set_items(keys, search_text, |k| Some(&k.arn) == keep.as_ref());
    let mut cmds = next_details_batch(app, None);
    if matches!(app.grant_scope, GrantScope::None) {
        cmds.extend(scope_to_key(app, false));
    }
    cmds
}

/// The confirmation of a key state control (disable, enable, schedule or cancel deletion).
pub fn confirm_state(k: &KeySummary, action: Action) -> Option<ConfirmRequest> {
    let (change, verb, consequence) = match action {
        Action::DisableKey => (
            KeyStateChange::Disable,
            "Disable",
            "Every cryptographic operation with it will fail (DisabledException).",
        ),
        Action::EnableKey => (KeyStateChange::Enable, "Enable", "It can be used again."),
        Action::ScheduleKeyDeletion => (
            KeyStateChange::ScheduleDeletion { days: 7 },
            "Schedule deletion",
            "It will be deleted in 7 days, with its grants.",
        ),
        Action::CancelKeyDeletion => (
            KeyStateChange::CancelDeletion,
            "Cancel deletion",
            "It comes back disabled, as on AWS.",
        ),
        _ => return None,
    };
    Some(ConfirmRequest {
        title: format!("{verb} {}?", k.label()),
        lines: vec![format!("Key {}", k.arn), consequence.to_string()],
        verb,
        action: ConfirmAction::Run(Work::World(WorldChange::KeyState {
            key: KeyRef::parse(&k.arn),
            change,
        })),
    })
}

/// Keys asked for per `describe_keys` batch (the backend runs each with bounded
/// concurrency; small batches keep the progress moving).
pub const DETAIL_BATCH: usize = 25;

/// A new round of key details for a quick key list: keys described before keep their
/// details (refreshed in this round), new ones show placeholders until described. A
/// complete list (the simulator) ends any round.
fn start_key_details(app: &mut App, keys: Vec<KeySummary>, details_later: bool) -> Vec<KeySummary> {
    // Whatever round was still running is over: its answers are dropped.
    app.jobs.cancel(Slot::KeyDetails);
    if !details_later {
        app.key_details = KeyDetails::default();
        return keys;
    }
    let d = &app.key_details;
    let known: HashMap<&str, &KeySummary> = app
        .keys
        .all()
        .iter()
        .filter(|k| !d.pending.contains(&k.key_id) && !d.failed.contains_key(&k.key_id))
        .map(|k| (k.key_id.as_str(), k))
        .collect();
    let keys: Vec<KeySummary> = keys
        .into_iter()
        .map(|k| match known.get(k.key_id.as_str()) {
            Some(old) => KeySummary {
                aliases: k.aliases,
                ..(*old).clone()
            },
            None => k,
        })
        .collect();
    let pending = keys
        .iter()
        .filter(|k| !known.contains_key(k.key_id.as_str()))
        .map(|k| k.key_id.clone())
        .collect();
    app.key_details = KeyDetails {
        queue: keys.iter().map(|k| k.key_id.clone()).collect(),
        pending,
        failed: HashMap::new(),
        done: 0,
        total: keys.len(),
    };
    keys
}

/// The next batch of key details to ask for (the first starts the round's job, the others
/// follow it up), or none when the round is complete.
fn next_details_batch(app: &mut App, round: Option<Job>) -> Vec<Command> {
    let d = &mut app.key_details;
    let n = d.queue.len().min(DETAIL_BATCH);
    if n == 0 {
        return vec![];
    }
    let work = Work::DescribeKeys(d.queue.drain(..n).collect());
    let job = match round {
        Some(job) => app.jobs.follow_up(job),
        None => app.jobs.start(Slot::KeyDetails),
    };
    vec![Command::Run { job, work }]
}

/// A batch of key details came: put it in place (the selection stays where it is) and ask
/// for the next.
pub fn described(app: &mut App, round: Job, details: Vec<KeyDetail>) -> Vec<Command> {
    app.key_details.done += details.len();
    let mut found: HashMap<String, KeySummary> = HashMap::new();
    let mut first_error = None;
    for d in details {
        app.key_details.pending.remove(&d.key_id);
        match d.result {
            Ok(k) => {
                found.insert(d.key_id, k);
            }
            Err(e) => {
                first_error.get_or_insert_with(|| e.clone());
                app.key_details.failed.insert(d.key_id, e.to_string());
            }
        }
    }
    app.keys.update_items(
        |k| match found.remove(&k.key_id) {
            Some(mut new) => {
                if new.aliases.is_empty() {
                    new.aliases = std::mem::take(&mut k.aliases);
                }
                *k = new;
                true
            }
            None => false,
        },
        search_text,
    );
    if let Some(e) = first_error {
        let n = app.key_details.failed.len();
        app.set_error(format!("Could not describe {}: {e}", count(n, "key")));
    }
    next_details_batch(app, Some(round))
}

/// The pane's columns, most important first where the pane is narrow: the alias, the
/// state, the stale count, the grant count, the short key id. When the keys are in more
/// than one region, the region comes after the state (and when they are in more than
/// one account, the account before it, each as important) (as wide as the longest region
/// name shown): a key of one region is told from its namesake in another (a multi-Region
/// key's replica) where the pane has room for three columns; at 80x24 the detail pane
/// names it.
pub fn columns(app: &App) -> Vec<Column<'_, KeySummary>> {
    let mut columns = single_region_columns(app);
    if app.several_regions {
        insert_column(
            &mut columns,
            2,
            Column::new(
                "Region",
                Width::Flex { min: 6, max: 14 },
                2,
                |k: &KeySummary| (k.region().to_string(), Style::default()),
            )
            .sorted_by(|a, b| a.region().cmp(b.region())),
        );
    }
    // Across accounts, the account before the region, as important.
    if app.several_accounts {
        insert_column(
            &mut columns,
            2,
            Column::new("Account", Width::Fixed(12), 2, |k: &KeySummary| {
                (k.account().to_string(), Style::default())
            })
            .sorted_by(|a, b| a.account().cmp(b.account())),
        );
    }
    columns
}

fn single_region_columns(app: &App) -> Vec<Column<'_, KeySummary>> {
    let t = &app.theme;
    let details = &app.key_details;
    let outcome = app.findings.outcome.as_deref();
    // A key whose details are still loading (AWS) shows `…`, one that could not be read `?`.
    let placeholder = move |k: &KeySummary| {
        if details.pending.contains(&k.key_id) {
            Some("…")
        } else if details.failed.contains_key(&k.key_id) {
            Some("?")
        } else {
            None
        }
    };
    let muted = Style::default().fg(t.border);
    vec![
        Column::new(
            "Alias",
            Width::Flex { min: 12, max: 48 },
            0,
            move |k: &KeySummary| {
                let mut alias = k.aliases.first().cloned().unwrap_or_else(|| "-".into());
                if k.manager == "AWS" {
                    alias.push_str(" (AWS)");
                }
                (alias, Style::default())
            },
        )
        .sorted_by(|a, b| a.label().cmp(b.label())),
        Column::new("Key", Width::Fixed(8), 4, move |k: &KeySummary| {
            (k.short_id().to_string(), Style::default())
        })
        .sorted_by(|a, b| a.key_id.cmp(&b.key_id)),
        Column::new(
            "State",
            Width::Fixed(10),
            1,
            move |k: &KeySummary| match placeholder(k) {
                Some(p) => (p.to_string(), muted),
                None => {
                    let style = match k.state {
                        KeyState::Enabled => Style::default().fg(t.allowed),
                        KeyState::Disabled => Style::default().fg(t.warning),
                        _ => Style::default().fg(t.denied),
                    };
                    let text = match k.state {
                        KeyState::PendingDeletion => "PendingDel".to_string(),
                        s => s.as_str().to_string(),
                    };
                    (text, style)
                }
            },
        )
        .sorted_by(|a, b| a.state.as_str().cmp(b.state.as_str())),
        Column::new(
            "Grants",
            Width::Fixed(6),
            3,
            move |k: &KeySummary| match placeholder(k) {
                Some(p) => (format!("{p:>6}"), muted),
                None => (format!("{:>6}", k.grant_count), Style::default()),
            },
        )
        .sorted_by(|a, b| a.grant_count.cmp(&b.grant_count)),
        Column::new(
            "Stale",
            Width::Fixed(6),
            2,
            move |k: &KeySummary| match outcome {
                None => (format!("{:>5} ", "…"), muted),
                Some(o) => match o.key(&k.arn) {
                    None => (format!("{:>5} ", 0), Style::default()),
                    Some(kf) => {
                        let bang = if kf.key_level.is_empty() { " " } else { "!" };
                        let text = format!("{:>5}{bang}", kf.stale_grants);
                        (text, kf.worst.map(severity_style).unwrap_or_default())
                    }
                },
            },
        ),
    ]
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Keys;
    let mut title = list_title("Keys", &app.keys);
    // Across an organization, the scope shown, where the border has room for it whole.
    if app.scopes.spans {
        let with = format!("{title} · {}", app.scopes.view.label());
        if with.chars().count() + 4 <= area.width as usize {
            title = with;
        }
    }
    list_view::render(
        frame,
        area,
        pane_block(title, focused, &app.theme),
        &app.keys,
        &columns(app),
        focused,
        &app.theme,
    );
}
