//! Where each part of the screen goes, for any size from 80x24 up: one pure function of
//! the model and the terminal's size, used to draw and to tell which pane a mouse click
//! is in.
//!
//! Decisions (what gives way on a small screen, in order): the event log shrinks, then
//! goes; then the detail panel goes and the keys, principals and grants panes stand side
//! by side instead of two above two; a lesson's narration takes the rows its text needs
//! (all but the panes' least and two rows of WHY; a longer text scrolls) and the WHY
//! banner up to four, before the panes. A list pane
//! keeps at least `MIN_PANE_ROWS` rows of its list. The action bar takes the rows its
//! hints need, two at most.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::tui::app::App;
use crate::tui::lesson::narration;

use super::{action_bar, status_line};

/// Rows of a list a pane keeps however small the screen.
pub const MIN_PANE_ROWS: u16 = 4;
/// A list pane's frame and header take this many rows besides its list.
pub const PANE_CHROME: u16 = 3;
const MIN_PANE: u16 = MIN_PANE_ROWS + PANE_CHROME;

/// The areas of one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub narration: Option<Rect>,
    pub banner: Option<Rect>,
    pub keys: Rect,
    pub principals: Rect,
    pub grants: Rect,
    pub detail: Option<Rect>,
    pub events: Option<Rect>,
    /// Where the findings view goes when open (the panes' and the log's place).
    pub main: Rect,
    pub status: Rect,
    pub actions: Rect,
}

/// Lay out a frame of `area` for `app`.
pub fn areas(app: &App, area: Rect) -> Areas {
    let bar = action_bar::height(app, area.width);
    let status_rows = status_line::height(app, area.width);
    let [screen, status, actions] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(status_rows),
        Constraint::Length(bar),
    ])
    .areas(area);
    let mut a = Areas {
        status,
        actions,
        ..Areas::default()
    };
    let mut main = screen;
    if let Some(lesson) = &app.lesson {
        // The narration's text in full while the panes keep their rows below it and the
        // banner its verdict and a line of WHY; a longer text scrolls (`▼`).
        let most = screen
            .height
            .saturating_sub(MIN_PANE + narration::BANNER_MIN)
            .max(narration::MIN_HEIGHT);
        let n = narration::height(lesson, screen.width, &app.theme).min(most);
        // The banner as tall as its WHY, while the panes keep their rows.
        let room = screen.height.saturating_sub(n + MIN_PANE);
        let banner = narration::banner_height(
            &app.events,
            screen.width,
            &app.theme,
            room.min(narration::BANNER_HEIGHT),
        );
        let [narr, ban, rest] = Layout::vertical([
            Constraint::Length(n),
            Constraint::Length(banner),
            Constraint::Fill(1),
        ])
        .areas(screen);
        a.narration = Some(narr);
        a.banner = Some(ban);
        main = rest;
    }
    a.main = main;
    // The event log: what is left once the panes, two above two, have their rows.
    let log = match main.height {
        h if h >= 40 => 10,
        h if h >= 30 => 8,
        h if h >= 2 * MIN_PANE + 5 => 5,
        _ => 0,
    };
    let [panes, events] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(log)]).areas(main);
    if log > 0 {
        a.events = Some(events);
    }
    if panes.height >= 2 * MIN_PANE {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)])
                .areas(panes);
        [a.keys, a.principals] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(left);
        let [grants, detail] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(right);
        a.grants = grants;
        a.detail = Some(detail);
    } else {
        // Side by side: each pane keeps every row there is.
        [a.keys, a.principals, a.grants] = Layout::horizontal([
            Constraint::Percentage(30),
            Constraint::Percentage(28),
            Constraint::Percentage(42),
        ])
        .areas(panes);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_panes_keep_their_rows_at_every_size() {
        let app = App::new(
            crate::backend::BackendInfo {
                kind: "simulator".into(),
                source: "t".into(),
                account: "111122223333".into(),
                region: "eu-west-1".into(),
                identity: "arn:aws:iam::111122223333:user/admin".into(),
                endpoint: None,
            },
            false,
            chrono::Utc::now(),
        );
        for (w, h) in [(80, 24), (100, 30), (160, 45)] {
            let a = areas(&app, Rect::new(0, 0, w, h));
            for pane in [a.keys, a.principals, a.grants] {
                assert!(pane.height >= MIN_PANE, "{w}x{h}: {a:?}");
            }
            assert!(a.events.is_some(), "{w}x{h}: the log has room");
        }
    }
}
