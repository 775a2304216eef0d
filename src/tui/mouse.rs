//! The mouse: a click focuses the pane under it and selects the row clicked; the wheel
//! moves the selection of the list under it (the findings view's, when open) or scrolls
//! a lesson's narration when the wheel is over it. Where
//! things are comes from the same layout the view draws with. Clicks inside a dialog,
//! and on anything but a list row, do nothing.

use ratatui::layout::{Position, Rect};

use super::app::App;
use super::effects::follow_selection;
use super::message::Command;
use super::pane::Pane;
use super::panes;
use super::view::layout;

/// Rows the wheel moves per notch.
const WHEEL_STEP: isize = 3;

/// The pane at (`column`, `row`) and its area, when the panes are on screen.
fn pane_at(app: &App, column: u16, row: u16) -> Option<(Pane, Rect)> {
    if app.dialog.is_some() || app.findings.view_open || app.scopes.selector.is_some() {
        return None;
    }
    let a = layout::areas(app, app.screen);
    let at = Position::new(column, row);
    [
        (Pane::Keys, Some(a.keys)),
        (Pane::Principals, Some(a.principals)),
        (Pane::Grants, Some(a.grants)),
        (Pane::Events, a.events),
    ]
    .into_iter()
    .find_map(|(pane, area)| area.filter(|r| r.contains(at)).map(|r| (pane, r)))
}

/// The first row and the number of rows a pane of `area` shows, and the list's length.
fn window(app: &App, pane: Pane, area: Rect) -> (usize, usize) {
    let height = area.height.saturating_sub(layout::PANE_CHROME) as usize;
    match pane {
        Pane::Keys => app.keys.window(height),
        Pane::Grants => app.grants.window(height),
        Pane::Principals => app.principals.window(height),
        Pane::Events => app.events.window(height),
    }
}

pub fn click(app: &mut App, column: u16, row: u16) -> Vec<Command> {
    let Some((pane, area)) = pane_at(app, column, row) else {
        return vec![];
    };
    app.focus = pane;
    app.filter = None;
    // Inside the frame, below the header.
    let first_row = area.y + 2;
    let (offset, count) = window(app, pane, area);
    if row >= first_row && ((row - first_row) as usize) < count {
        let pos = offset + (row - first_row) as usize;
        match pane {
            Pane::Keys => app.keys.select(pos),
            Pane::Grants => app.grants.select(pos),
            Pane::Principals => app.principals.select(pos),
            Pane::Events => app.events.select(pos),
        }
    }
    follow_selection(app)
}

pub fn wheel(app: &mut App, column: u16, row: u16, down: bool) -> Vec<Command> {
    let delta = if down { WHEEL_STEP } else { -WHEEL_STEP };
    if app.scopes.selector.is_some() && app.dialog.is_none() {
        super::scopes::move_by(app, delta);
        return vec![];
    }
    if app.findings.view_open && app.dialog.is_none() {
        app.findings.move_by(delta);
        return vec![];
    }
    if app.dialog.is_none() {
        let narration = layout::areas(app, app.screen).narration;
        if let (Some(area), Some(lesson)) = (narration, app.lesson.as_mut()) {
            if area.contains(Position::new(column, row)) {
                lesson.scroll_by(delta);
                return vec![];
            }
        }
    }
    let Some((pane, _)) = pane_at(app, column, row) else {
        return vec![];
    };
    app.focus = pane;
    panes::move_selection(app, delta)
}
