//! The principals pane: kind, name and how many grants each principal holds (selecting
//! one shows its grants across all keys in the grants pane), the list as it arrives with
//! what could not be listed, and the confirmation of deleting a principal (simulator).

use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;

use crate::backend::{PrincipalKindLabel, PrincipalList, PrincipalSummary};
use crate::tui::app::App;
use crate::tui::effect::{ConfirmAction, ConfirmRequest};
use crate::tui::message::{Work, WorldChange};
use crate::tui::pane::Pane;
use crate::tui::widgets::{list_title, pane_block, render_table, Columns};

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
                "Its {} grant(s) stay and will name its unique id; a principal re-created under this name does not inherit them.",
                p.grant_count
            ),
        ],
        verb: "Delete",
        action: ConfirmAction::Run(Work::World(WorldChange::DeletePrincipal {
            arn: p.arn.clone(),
        })),
    })
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Principals;
    let rows = &app.principals;
    let mut title = list_title("Principals", rows);
    if let Some(note) = &app.principals_note {
        title = format!("{title} · {note}");
    }
    render_table(
        frame,
        area,
        pane_block(title, focused, &app.theme),
        rows,
        Columns {
            header: &["Kind", "Name", "Grants"],
            widths: &[
                Constraint::Length(8),
                Constraint::Fill(1),
                Constraint::Length(6),
            ],
            focused,
        },
        &app.theme,
        |p| {
            let style = if p.kind == PrincipalKindLabel::Deleted {
                Style::default().fg(app.theme.denied)
            } else {
                Style::default()
            };
            Row::new(vec![
                Cell::from(p.kind.as_str()),
                Cell::from(p.name.clone()),
                Cell::from(format!("{:>6}", p.grant_count)),
            ])
            .style(style)
        },
    );
}
