//! The view: where each part of the screen is drawn; it reads the model and never changes
//! it. The main screen is keys and principals on the left, grants and detail on the
//! right, the event log below, then the status line and the action bar; the findings
//! view, when open, takes the place of the panes and the event log; an open dialog floats
//! over it. A terminal smaller than 80x24 gets a message instead. In lesson mode the
//! narration panel runs across the top and the WHY banner right under it, above the panes; the
//! keys overlay, when on, takes the bottom-right corner. Each part draws itself (the
//! panes in `panes/`, the features in their own files); colours come from `app.theme`.

pub mod action_bar;
pub mod layout;
pub mod status_line;

use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Clear, Paragraph, Wrap};
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
    let a = layout::areas(app, area);
    if let (Some(n), Some(b), Some(lesson)) = (a.narration, a.banner, &app.lesson) {
        narration::render(frame, n, lesson, &app.theme);
        narration::render_banner(frame, b, &app.events, &app.theme);
    }
    if app.scopes.selector.is_some() {
        super::scopes::render(frame, a.main, app);
    } else if app.findings.view_open {
        frame.render_widget(Clear, a.main);
        app.findings
            .render(frame, a.main, app.auditing(), &app.theme);
    } else {
        keys::render(frame, a.keys, app);
        principals::render(frame, a.principals, app);
        grants::render(frame, a.grants, app);
        if let Some(d) = a.detail {
            detail::render(frame, d, app);
        }
        if let Some(e) = a.events {
            events::render(frame, e, app);
        }
    }
    status_line::render(frame, a.status, app);
    action_bar::render(frame, a.actions, app);
    if let Some(dialog) = &app.dialog {
        dialog.render(frame, area, || detail::lines(app));
    }
    // Last, so the audience sees the keys pressed in a dialog too.
    keys_overlay::render(frame, a.main, &app.keys_trail, &app.theme);
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
