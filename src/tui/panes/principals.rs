//! The principals pane: kind, name and how many grants each principal holds (selecting
//! one shows its grants across all keys in the grants pane), the list as it arrives with
//! what could not be listed, and the confirmation of deleting a principal (simulator).

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::Frame;

use crate::backend::{PrincipalKindLabel, PrincipalList, PrincipalSummary};
use crate::kms::words::count;
use crate::tui::app::App;
use crate::tui::effect::{ConfirmAction, ConfirmRequest};
use crate::tui::list_view::{self, insert_column, Column, Width};
use crate::tui::message::{Work, WorldChange};
use crate::tui::pane::Pane;
use crate::tui::widgets::{list_title, pane_block};

/// What `/` searches.
pub fn search_text(p: &PrincipalSummary) -> String {
    format!("{} {} {} {}", p.kind.as_str(), p.name, p.grant_count, p.arn)
}

/// The principals came: the selection stays on its principal; a note on what could not
/// be listed is said once in full (the pane's title has room for its start only).
pub fn loaded(app: &mut App, list: PrincipalList) {
    let keep = app.selected_principal().map(|p| p.arn.clone());
    if list.note.is_some() && list.note != app.principals_note {
        app.set_info(list.note.clone().unwrap_or_default());
    }
    app.principals_note = list.note;
    if app.scopes.spans {
        crate::tui::scopes::principals_in(app, list.principals);
        return;
    }
    app.principals.set_items(list.principals, search_text, |p| {
        Some(&p.arn) == keep.as_ref()
    });
}

/// Can this principal be deleted (it exists, and is not already gone)?
pub fn deletable(p: &PrincipalSummary) -> bool {
    p.unique_id.is_some() && p.kind != PrincipalKindLabel::Deleted
}

/// The confirmation of deleting a principal of the simulated world.
pub fn confirm_delete(p: &PrincipalSummary) -> Option<ConfirmRequest> {
    deletable(p).then(|| ConfirmRequest {
        title: format!("Delete {} {}?", p.kind.as_str(), p.name),
        lines: vec![
            p.arn.clone(),
            format!(
                "{} it holds stay and name its unique id; a principal re-created under this name does not inherit them.",
                match p.grant_count {
                    1 => "The grant".to_string(),
                    n => format!("The {}", count(n, "grant")),
                }
            ),
        ],
        verb: "Delete",
        action: ConfirmAction::Run(Work::World(WorldChange::DeletePrincipal {
            arn: p.arn.clone(),
        })),
    })
}

/// The pane's columns: the name first, then the grants held, then the kind.
pub fn columns(app: &App) -> Vec<Column<'_, PrincipalSummary>> {
    let deleted = Style::default().fg(app.theme.denied);
    let style = move |p: &PrincipalSummary| {
        if p.kind == PrincipalKindLabel::Deleted {
            deleted
        } else {
            Style::default()
        }
    };
    let all = app.principals.all();
    let account = |p: &PrincipalSummary| p.account.clone().unwrap_or_else(|| "-".into());
    // Across an organization's scopes only: one account's world names principals of
    // other accounts too, and keeps its columns.
    let several_accounts = app.scopes.spans
        && all
            .first()
            .is_some_and(|first| all.iter().any(|p| p.account != first.account));
    let mut columns = vec![
        Column::new("Kind", Width::Fixed(8), 2, move |p: &PrincipalSummary| {
            (p.kind.as_str().to_string(), style(p))
        })
        .sorted_by(|a, b| a.kind.as_str().cmp(b.kind.as_str())),
        Column::new(
            "Name",
            Width::Flex { min: 10, max: 48 },
            0,
            move |p: &PrincipalSummary| (p.name.clone(), style(p)),
        )
        .sorted_by(|a, b| a.name.cmp(&b.name)),
        Column::new("Grants", Width::Fixed(6), 1, move |p: &PrincipalSummary| {
            (format!("{:>6}", p.grant_count), style(p))
        })
        .sorted_by(|a, b| a.grant_count.cmp(&b.grant_count)),
    ];
    // Across an organization: whose account each principal is in.
    if several_accounts {
        insert_column(
            &mut columns,
            3,
            Column::new(
                "Account",
                Width::Fixed(12),
                2,
                move |p: &PrincipalSummary| (account(p), style(p)),
            )
            .sorted_by(|a, b| a.account.cmp(&b.account)),
        );
    }
    columns
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Principals;
    let mut title = list_title("Principals", &app.principals);
    if let Some(note) = &app.principals_note {
        title = format!("{title} · {note}");
    }
    list_view::render(
        frame,
        area,
        pane_block(title, focused, &app.theme),
        &app.principals,
        &columns(app),
        focused,
        &app.theme,
    );
}
