//! The UI across an organization's scopes (a backend that `spans_scopes`), a feature of
//! its own: the scopes planned and how far each is read, every scope's keys and the
//! principals as they came, which scope (or account, or all of them) the panes show, and
//! the scope selector (`S`): organization > account > region, each with its keys, grants
//! and stale grants, and the scopes not read with why. Also the keys of each scope as
//! they arrive: the first scope read is shown while the others load.
//!
//! Decisions: the keys pane shows the keys of the chosen scope; the principals pane the
//! principals of its account (and service principals, which belong to none), each with
//! the grants it holds across every scope's keys; the grants of a principal are those on
//! the chosen scope's keys. A refresh (or a change) lists every scope again, each kept on
//! screen until its new answer; a scope not read is asked again.

use std::collections::HashMap;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::backend::{KeyList, KeySummary, PrincipalSummary, Scope, ScopePlan};
use crate::kms::words::count;

use super::app::{App, GrantScope};
use super::effects::{run, scope_to_key};
use super::jobs::Slot;
use super::list_view::{self, Column, Width};
use super::message::{Command, Work};
use super::pane::Pane;
use super::panes::{keys, principals};
use super::widgets::pane_block;

/// What the panes show.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ScopeView {
    #[default]
    All,
    Account(String),
    One(Scope),
}

impl ScopeView {
    /// Does the view hold this account and region?
    pub fn holds(&self, account: &str, region: &str) -> bool {
        match self {
            ScopeView::All => true,
            ScopeView::Account(a) => a == account,
            ScopeView::One(s) => s.account == account && s.region == region,
        }
    }

    /// Does the view hold the key (or grant) of this ARN?
    pub fn holds_arn(&self, arn: &str) -> bool {
        let (account, region) =
            crate::kms::ids::Arn::parse(arn).map_or(("", ""), |a| (a.account, a.region));
        self.holds(account, region)
    }

    pub fn label(&self) -> String {
        match self {
            ScopeView::All => "all scopes".into(),
            ScopeView::Account(a) => a.clone(),
            ScopeView::One(s) => s.to_string(),
        }
    }
}

/// How far a scope is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeState {
    Loading,
    Read,
    /// Not read, and why.
    Unread(String),
}

/// The scopes in the UI.
#[derive(Debug, Clone, Default)]
pub struct Scopes {
    /// The backend spans scopes: everything below is in use.
    pub spans: bool,
    /// The scopes are being discovered (Organizations, Account).
    pub discovering: bool,
    /// Every scope planned, in the plan's order, and how far it is read.
    pub planned: Vec<(Scope, ScopeState)>,
    /// Accounts whose regions could not even be listed, with why.
    pub unread_accounts: Vec<(String, String)>,
    /// Every scope's keys, in the plan's order.
    pub keys: Vec<KeySummary>,
    /// Every scope's principals.
    pub principals: Vec<PrincipalSummary>,
    pub view: ScopeView,
    /// The selector is open, its cursor on this entry.
    pub selector: Option<usize>,
}

/// Keys, grants and stale grants of a scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub keys: usize,
    pub grants: usize,
    pub stale: usize,
}

impl Scopes {
    /// The selector's rows, organization > account > region: all, then each account and
    /// its regions.
    pub fn entries(&self) -> Vec<ScopeView> {
        let mut out = vec![ScopeView::All];
        for (s, _) in &self.planned {
            if !out.contains(&ScopeView::Account(s.account.clone())) {
                out.push(ScopeView::Account(s.account.clone()));
            }
            let at = out
                .iter()
                .rposition(|e| match e {
                    ScopeView::Account(a) => *a == s.account,
                    ScopeView::One(o) => o.account == s.account,
                    ScopeView::All => false,
                })
                .unwrap_or(out.len() - 1);
            out.insert(at + 1, ScopeView::One(s.clone()));
        }
        for (a, _) in &self.unread_accounts {
            if !out.contains(&ScopeView::Account(a.clone())) {
                out.push(ScopeView::Account(a.clone()));
            }
        }
        out
    }

    fn state(&self, scope: &Scope) -> Option<&ScopeState> {
        self.planned
            .iter()
            .find(|(s, _)| s == scope)
            .map(|(_, st)| st)
    }

    /// "scopes 2/6" while scopes load ("discovering scopes" before).
    pub fn progress(&self) -> Option<String> {
        if self.discovering {
            return Some("discovering scopes…".into());
        }
        let loading = self
            .planned
            .iter()
            .filter(|(_, st)| *st == ScopeState::Loading)
            .count();
        (loading > 0).then(|| {
            format!(
                "scopes {}/{}",
                self.planned.len() - loading,
                self.planned.len()
            )
        })
    }

    /// What the selector's State column says of an entry.
    pub fn state_text(&self, entry: &ScopeView) -> String {
        let of = |f: &dyn Fn(&Scope) -> bool| -> (usize, usize, usize) {
            let mut all = (0, 0, 0);
            for (_, st) in self.planned.iter().filter(|(s, _)| f(s)) {
                all.0 += 1;
                match st {
                    ScopeState::Read => all.1 += 1,
                    ScopeState::Unread(_) => all.2 += 1,
                    ScopeState::Loading => {}
                }
            }
            all
        };
        let summary = |(total, read, unread): (usize, usize, usize)| {
            let mut text = if read + unread < total {
                format!("loading, {read}/{total} read")
            } else {
                format!("{read}/{total} read")
            };
            if unread > 0 {
                text.push_str(&format!(", {unread} unread"));
            }
            text
        };
        match entry {
            ScopeView::All => {
                let mut text = summary(of(&|_| true));
                if !self.unread_accounts.is_empty() {
                    text.push_str(&format!(
                        ", {} not listed",
                        count(self.unread_accounts.len(), "account")
                    ));
                }
                text
            }
            ScopeView::Account(a) => match self.unread_accounts.iter().find(|(u, _)| u == a) {
                Some((_, why)) => format!("unread: {why}"),
                None => summary(of(&|s| s.account == *a)),
            },
            ScopeView::One(s) => match self.state(s) {
                Some(ScopeState::Loading) | None => "loading…".into(),
                Some(ScopeState::Read) => "read".into(),
                Some(ScopeState::Unread(why)) => format!("unread: {why}"),
            },
        }
    }

    /// Does the view hold this principal? (Service principals belong to no account.)
    fn holds_principal(&self, p: &PrincipalSummary) -> bool {
        match (&self.view, &p.account) {
            (ScopeView::All, _) | (_, None) => true,
            (ScopeView::Account(a), Some(acct)) => a == acct,
            (ScopeView::One(s), Some(acct)) => s.account == *acct,
        }
    }
}

/// Keys, grants and stale grants of every scope read (stale: by the latest audit).
pub fn counts(app: &App) -> HashMap<Scope, Counts> {
    let mut out: HashMap<Scope, Counts> = HashMap::new();
    let outcome = app.findings.outcome.as_deref();
    for k in &app.scopes.keys {
        let Some(scope) = Scope::of_arn(&k.arn) else {
            continue;
        };
        let c = out.entry(scope).or_default();
        c.keys += 1;
        c.grants += k.grant_count;
        c.stale += outcome
            .and_then(|o| o.key(&k.arn))
            .map_or(0, |kf| kf.stale_grants);
    }
    out
}

fn entry_counts(entry: &ScopeView, counts: &HashMap<Scope, Counts>) -> Counts {
    counts
        .iter()
        .filter(|(s, _)| entry.holds(&s.account, &s.region))
        .fold(Counts::default(), |a, (_, c)| Counts {
            keys: a.keys + c.keys,
            grants: a.grants + c.grants,
            stale: a.stale + c.stale,
        })
}

/// The plan came: every scope is asked for its keys at once.
pub fn planned(app: &mut App, plan: ScopePlan) -> Vec<Command> {
    let s = &mut app.scopes;
    s.discovering = false;
    s.planned = plan
        .scopes
        .into_iter()
        .map(|sc| (sc, ScopeState::Loading))
        .collect();
    s.unread_accounts.clear();
    for u in plan.unread {
        match u.region {
            Some(region) => s.planned.push((
                Scope {
                    account: u.account,
                    region,
                },
                ScopeState::Unread(u.why),
            )),
            None => s.unread_accounts.push((u.account, u.why)),
        }
    }
    list_all(app)
}

/// Ask every scope for its keys (one job, a step per scope; a new round supersedes the
/// one before). A scope not read is asked again.
pub fn list_all(app: &mut App) -> Vec<Command> {
    if app.scopes.planned.is_empty() && app.scopes.unread_accounts.is_empty() {
        app.scopes.discovering = true;
        return vec![run(app, Work::ListScopes)];
    }
    let mut job = None;
    let mut cmds = Vec::new();
    for i in 0..app.scopes.planned.len() {
        let (scope, state) = &mut app.scopes.planned[i];
        if matches!(state, ScopeState::Unread(_)) {
            *state = ScopeState::Loading;
        }
        let work = Work::ListKeysIn(scope.clone());
        let j = match job {
            None => app.jobs.start(Slot::Keys),
            Some(j) => app.jobs.follow_up(j),
        };
        job = Some(j);
        cmds.push(Command::Run { job: j, work });
    }
    cmds
}

/// A scope's keys came: they replace what the scope showed, and the panes show them.
pub fn keys_in(app: &mut App, scope: Scope, list: KeyList) -> Vec<Command> {
    let s = &mut app.scopes;
    if let Some((_, st)) = s.planned.iter_mut().find(|(sc, _)| *sc == scope) {
        *st = ScopeState::Read;
    }
    s.keys
        .retain(|k| Scope::of_arn(&k.arn).as_ref() != Some(&scope));
    s.keys.extend(list.keys);
    let order: HashMap<&Scope, usize> = s
        .planned
        .iter()
        .enumerate()
        .map(|(i, (sc, _))| (sc, i))
        .collect();
    let mut keyed: Vec<(usize, KeySummary)> = std::mem::take(&mut s.keys)
        .into_iter()
        .map(|k| {
            let at = Scope::of_arn(&k.arn)
                .and_then(|sc| order.get(&sc).copied())
                .unwrap_or(usize::MAX);
            (at, k)
        })
        .collect();
    keyed.sort_by_key(|(at, _)| *at);
    s.keys = keyed.into_iter().map(|(_, k)| k).collect();
    show_keys(app);
    if matches!(app.grant_scope, GrantScope::None) {
        return scope_to_key(app, false);
    }
    vec![]
}

/// A scope could not be read: it says why; the others go on.
pub fn unread(app: &mut App, scope: Scope, why: String) {
    if let Some((_, st)) = app.scopes.planned.iter_mut().find(|(s, _)| *s == scope) {
        *st = ScopeState::Unread(why);
    }
}

/// The principals came (every scope's): the pane shows the view's.
pub fn principals_in(app: &mut App, list: Vec<PrincipalSummary>) {
    app.scopes.principals = list;
    show_principals(app);
}

/// The keys pane shows the view's keys, with Account and Region columns when it shows
/// more than one.
fn show_keys(app: &mut App) {
    let view = &app.scopes.view;
    let shown: Vec<KeySummary> = app
        .scopes
        .keys
        .iter()
        .filter(|k| view.holds_arn(&k.arn))
        .cloned()
        .collect();
    let several = |f: fn(&KeySummary) -> &str| {
        shown
            .first()
            .is_some_and(|first| shown.iter().any(|k| f(k) != f(first)))
    };
    app.several_regions = several(KeySummary::region);
    app.several_accounts = several(KeySummary::account);
    let keep = app.selected_key().map(|k| k.arn.clone());
    app.keys
        .set_items(shown, keys::search_text, |k| Some(&k.arn) == keep.as_ref());
}

fn show_principals(app: &mut App) {
    let shown: Vec<PrincipalSummary> = app
        .scopes
        .principals
        .iter()
        .filter(|p| app.scopes.holds_principal(p))
        .cloned()
        .collect();
    let keep = app.selected_principal().map(|p| p.arn.clone());
    app.principals
        .set_items(shown, principals::search_text, |p| {
            Some(&p.arn) == keep.as_ref()
        });
}

/// `S`: the selector, its cursor on the view shown.
pub fn open(app: &mut App) {
    let view = app.scopes.view.clone();
    let at = app
        .scopes
        .entries()
        .iter()
        .position(|e| *e == view)
        .unwrap_or(0);
    app.scopes.selector = Some(at);
    app.findings.view_open = false;
    app.filter = None;
}

pub fn close(app: &mut App) {
    app.scopes.selector = None;
}

pub fn move_by(app: &mut App, delta: isize) {
    let len = app.scopes.entries().len();
    if let Some(at) = app.scopes.selector.as_mut() {
        *at = at.saturating_add_signed(delta).min(len.saturating_sub(1));
    }
}

/// Enter: the panes show the entry under the cursor.
pub fn choose(app: &mut App) -> Vec<Command> {
    let Some(entry) = app
        .scopes
        .selector
        .and_then(|at| app.scopes.entries().get(at).cloned())
    else {
        return vec![];
    };
    app.scopes.selector = None;
    show(app, entry)
}

/// Show `view` in the panes; the grants pane follows the keys pane's selection.
pub fn show(app: &mut App, view: ScopeView) -> Vec<Command> {
    app.set_info(format!("Showing {}", view.label()));
    app.scopes.view = view;
    show_keys(app);
    show_principals(app);
    app.focus = Pane::Keys;
    scope_to_key(app, true)
}

/// The selector, over the main area: each entry with its counts and state, and the
/// selected entry's state in full below.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let entries = app.scopes.entries();
    let selected = app.scopes.selector.unwrap_or(0).min(entries.len() - 1);
    let counts = counts(app);
    let per_entry: Vec<Counts> = entries.iter().map(|e| entry_counts(e, &counts)).collect();
    let states: Vec<String> = entries.iter().map(|e| app.scopes.state_text(e)).collect();
    frame.render_widget(Clear, area);
    let text = &states[selected];
    let detail = if text.starts_with("unread") {
        Line::from(Span::styled(
            text.clone(),
            Style::default().fg(Color::White).bg(app.theme.denied),
        ))
    } else {
        Line::from(format!("{}: {text}", entries[selected].label()))
    };
    let detail = Paragraph::new(detail).wrap(Wrap { trim: true });
    // The selected entry's state in full, in up to half the area (the list keeps the rest).
    let rows = (detail.line_count(area.width.max(1)) as u16).clamp(1, area.height / 2);
    let [list, below] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(rows)]).areas(area);
    let stale_style = Style::default().fg(app.theme.warning);
    let unread_style = Style::default().fg(app.theme.denied);
    let columns: Vec<Column<'_, usize>> = vec![
        Column::new(
            "Scope",
            Width::Flex { min: 12, max: 30 },
            0,
            |&i: &usize| {
                let text = match &entries[i] {
                    ScopeView::All => "organization".to_string(),
                    ScopeView::Account(a) => format!("  {a}"),
                    ScopeView::One(s) => format!("    {}", s.region),
                };
                (text, Style::default())
            },
        ),
        Column::new("Keys", Width::Fixed(6), 1, |&i: &usize| {
            (format!("{:>6}", per_entry[i].keys), Style::default())
        }),
        Column::new("Grants", Width::Fixed(6), 3, |&i: &usize| {
            (format!("{:>6}", per_entry[i].grants), Style::default())
        }),
        Column::new("Stale", Width::Fixed(5), 2, |&i: &usize| {
            let n = per_entry[i].stale;
            let style = if n > 0 { stale_style } else { Style::default() };
            (format!("{n:>5}"), style)
        }),
        Column::new("State", Width::Text { min: 10 }, 1, |&i: &usize| {
            let style = if states[i].starts_with("unread") {
                unread_style
            } else {
                Style::default()
            };
            (states[i].clone(), style)
        }),
    ];
    let title = "Scopes: organization > account > region (Enter shows one, Esc goes back)";
    let title = if title.len() + 4 <= area.width as usize {
        title
    } else {
        "Scopes"
    };
    list_view::render_indexed(
        frame,
        list,
        pane_block(title.to_string(), true, &app.theme),
        (entries.len(), selected),
        &columns,
        &app.theme,
    );
    frame.render_widget(detail, below);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{BackendError, BackendInfo, UnreadScope};
    use crate::tui::message::{Answer, Msg};
    use crate::tui::update::update;

    fn app() -> App {
        let mut app = App::new(
            BackendInfo {
                kind: "aws".into(),
                source: "ops".into(),
                account: "111111111111".into(),
                region: "eu-west-1".into(),
                identity: "arn:aws:iam::111111111111:user/ops".into(),
                endpoint: None,
            },
            false,
            chrono::Utc::now(),
        );
        app.scopes.spans = true;
        app
    }

    fn scope(account: &str) -> Scope {
        Scope {
            account: account.into(),
            region: "eu-west-1".into(),
        }
    }

    fn key(account: &str, alias: &str) -> KeySummary {
        let id = format!("{}-0000-4000-8000-000000000000", &account[..8]);
        KeySummary {
            arn: format!("arn:aws:kms:eu-west-1:{account}:key/{id}"),
            key_id: id,
            aliases: vec![alias.into()],
            description: String::new(),
            state: crate::kms::KeyState::Enabled,
            spec: crate::kms::KeySpec::SymmetricDefault,
            usage: "ENCRYPT_DECRYPT".into(),
            manager: "CUSTOMER".into(),
            created: chrono::Utc::now(),
            deletion_date: None,
            grant_count: 2,
            multi_region: None,
        }
    }

    /// Answer every `ListKeysIn` of `cmds`: the scope's keys, or an error for `refused`.
    fn answer(app: &mut App, cmds: Vec<Command>, refused: &str) {
        for cmd in cmds {
            let Command::Run { job, work } = cmd else {
                continue;
            };
            let Work::ListKeysIn(s) = &work else {
                continue;
            };
            let result = if s.account == refused {
                Err(BackendError::configuration(
                    "AssumeRole arn:aws:iam::444444444444:role/OrganizationAccountAccessRole: AccessDenied",
                ))
            } else {
                Ok(Answer::Keys(KeyList {
                    keys: vec![key(&s.account, "alias/k")],
                    details_later: false,
                }))
            };
            update(app, Msg::Done { job, work, result });
        }
    }

    #[test]
    fn unread_scopes_are_shown_with_why_and_the_others_are_listed() {
        let mut app = app();
        let plan = ScopePlan {
            scopes: vec![scope("222222222222"), scope("444444444444")],
            unread: vec![UnreadScope {
                account: "555555555555".into(),
                region: None,
                why: "Account ListRegions: AccessDenied".into(),
            }],
        };
        let cmds = planned(&mut app, plan);
        assert_eq!(cmds.len(), 2, "each readable scope is asked at once");
        assert_eq!(app.scopes.progress().as_deref(), Some("scopes 0/2"));
        answer(&mut app, cmds, "444444444444");
        assert_eq!(app.keys.len(), 1, "the scope read is listed");
        assert_eq!(app.scopes.progress(), None);
        let entries = app.scopes.entries();
        let text = |e: &ScopeView| app.scopes.state_text(e);
        assert_eq!(text(&ScopeView::One(scope("222222222222"))), "read");
        assert!(text(&ScopeView::One(scope("444444444444"))).starts_with("unread: AssumeRole"));
        assert_eq!(
            text(&ScopeView::Account("555555555555".into())),
            "unread: Account ListRegions: AccessDenied"
        );
        assert_eq!(
            text(&ScopeView::All),
            "1/2 read, 1 unread, 1 account not listed"
        );
        assert!(entries.contains(&ScopeView::Account("555555555555".into())));
        let c = entry_counts(&ScopeView::All, &counts(&app));
        assert_eq!((c.keys, c.grants), (1, 2));
    }

    #[test]
    fn the_view_filters_the_keys_and_adds_columns_only_for_more_than_one() {
        let mut app = app();
        let cmds = planned(
            &mut app,
            ScopePlan {
                scopes: vec![scope("222222222222"), scope("333333333333")],
                unread: vec![],
            },
        );
        answer(&mut app, cmds, "");
        assert_eq!(app.keys.len(), 2);
        assert!(app.several_accounts && !app.several_regions);
        show(&mut app, ScopeView::Account("333333333333".into()));
        assert_eq!(app.keys.len(), 1);
        assert_eq!(app.keys.all()[0].account(), "333333333333");
        assert!(
            !app.several_accounts,
            "one account shown: no Account column"
        );
        show(&mut app, ScopeView::All);
        assert_eq!(app.keys.len(), 2);
    }
}
