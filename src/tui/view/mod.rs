//! The view: where each part of the screen is drawn; it reads the model and never changes
//! it. The main screen is keys and principals on the left, grants and detail on the
//! right, the event log below, then the status line and the action bar; the findings
//! view, when open, takes the place of the panes and the event log; an open dialog floats
//! over it. A terminal smaller than 80x24 gets a message instead. In lesson mode the
//! narration panel runs across the top and the WHY banner sits above the event log; the
//! keys overlay, when on, takes the bottom-right corner. Each part draws itself (the
//! panes in `panes/`, the features in their own files); colours come from `app.theme`.

pub mod action_bar;
pub mod status_line;

use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::app::App;
use super::keys_overlay;
use super::lesson::narration;
use super::panes::{detail, events, grants, keys, principals};

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
        narration::render(frame, n, lesson, &app.theme);
        narration::render_banner(frame, banner, &app.events, &app.theme);
    }
    if app.findings.view_open {
        app.findings
            .render(frame, main.union(events), app.auditing(), &app.theme);
    } else {
        render_panes(frame, main, events, app);
    }
    status_line::render(frame, status, app);
    action_bar::render(frame, actions, app);
    keys_overlay::render(frame, main.union(events), &app.keys_trail, &app.theme);
    if let Some(dialog) = &app.dialog {
        dialog.render(frame, area, || detail::lines(app));
    }
    app.theme.finish(frame.buffer_mut());
}

fn render_panes(frame: &mut Frame, main: Rect, events_area: Rect, app: &App) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(38), Constraint::Percentage(62)]).areas(main);
    let [keys_area, principals_area] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(left);
    let [grants_area, detail_area] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(right);
    keys::render(frame, keys_area, app);
    principals::render(frame, principals_area, app);
    grants::render(frame, grants_area, app);
    detail::render(frame, detail_area, app);
    events::render(frame, events_area, app);
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
