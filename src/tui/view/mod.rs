//! The view: draws the model and never changes it. The main screen is keys and
//! principals on the left, grants and detail on the right, the event log below, then
//! the status line and the action bar; the findings view, when open, takes the place of
//! the panes and the event log; an open dialog floats over it. A terminal
//! smaller than 80x24 gets a message instead. In lesson mode the narration panel runs
//! across the top and the WHY banner sits above the event log; the keys overlay, when
//! on, takes the bottom-right corner. Colours come from `theme` (`app.theme`).

pub mod action_bar;
pub mod detail;
pub mod dialogs;
pub mod event_log;
pub mod findings;
pub mod grants_pane;
pub mod keys_overlay;
pub mod keys_pane;
pub mod narration;
pub mod principals_pane;
pub mod status_line;
pub mod theme;
pub mod widgets;

use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::app::App;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Draw one frame.
pub fn render(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        render_too_small(frame, area);
        return;
    }
    // Lesson mode: the narration panel across the top, the WHY banner above the log.
    let (narration_area, screen, banner_height, log_height) = match &app.lesson {
        Some(_) => {
            let [n, rest] =
                Layout::vertical([Constraint::Length(narration::HEIGHT), Constraint::Fill(1)])
                    .areas(area);
            (Some(n), rest, narration::BANNER_HEIGHT, 6)
        }
        None => (None, area, 0, 8),
    };
    let [main, banner, events, status, actions] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(banner_height),
        Constraint::Length(log_height),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(screen);
    if let (Some(n), Some(lesson)) = (narration_area, &app.lesson) {
        narration::render(frame, n, app, lesson);
        narration::render_banner(frame, banner, app);
    }
    if app.audit.view_open {
        findings::render(frame, main.union(events), app);
        status_line::render(frame, status, app);
        action_bar::render(frame, actions, app);
        keys_overlay::render(frame, main.union(events), app);
        dialogs::render(frame, area, app);
        app.theme.finish(frame.buffer_mut());
        return;
    }
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(38), Constraint::Percentage(62)]).areas(main);
    let [keys, principals] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(left);
    let [grants, detail] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(right);
    keys_pane::render(frame, keys, app);
    principals_pane::render(frame, principals, app);
    grants_pane::render(frame, grants, app);
    detail::render(frame, detail, app);
    event_log::render(frame, events, app);
    status_line::render(frame, status, app);
    action_bar::render(frame, actions, app);
    keys_overlay::render(frame, main.union(events), app);
    dialogs::render(frame, area, app);
    app.theme.finish(frame.buffer_mut());
}

fn render_too_small(frame: &mut Frame, area: Rect) {
    let text = format!(
        "Terminal too small: {}x{}.\ngrantscope needs at least {MIN_WIDTH}x{MIN_HEIGHT}.\nEnlarge the window, or press q to quit.",
        area.width, area.height
    );
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(3),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true })
            .style(Style::default().fg(Color::Yellow)),
        middle,
    );
}
