//! The panes of the main screen, a file each with its rows, what its answers do and its
//! confirmations: `keys`, `grants`, `principals`, `events`, and the `detail` panel. This
//! file holds what all of them share: moving the focus and the selection, going back,
//! and the filter typed into the focused pane.

pub mod detail;
pub mod events;
pub mod grants;
mod key_regions;
pub mod keys;
pub mod principals;

use super::app::App;
use super::effects::follow_selection;
use super::list_view::{next_sort, Column};
use super::message::{Command, Key};
use super::pane::Pane;
use super::rows::{Compare, SortOrder};
use super::text_field::TextField;

/// Rows a PageUp/PageDown moves.
pub const PAGE: isize = 10;

/// Tab / Shift-Tab.
pub fn focus(app: &mut App, forward: bool) -> Vec<Command> {
    app.focus = if forward {
        app.focus.next()
    } else {
        app.focus.prev()
    };
    app.filter = None;
    follow_selection(app)
}

/// Move the focused pane's selection by `delta` rows (clamped).
pub fn move_selection(app: &mut App, delta: isize) -> Vec<Command> {
    match app.focus {
        Pane::Keys => app.keys.move_by(delta),
        Pane::Grants => app.grants.move_by(delta),
        Pane::Principals => app.principals.move_by(delta),
        Pane::Events => app.events.move_by(delta),
    }
    follow_selection(app)
}

/// Esc: leave the filter (clearing it), or go back to the keys pane.
pub fn back(app: &mut App) -> Vec<Command> {
    app.filter = None;
    if !focused_filter(app).is_empty() {
        set_focused_filter(app, "");
        return follow_selection(app);
    }
    if app.focus != Pane::Keys {
        app.focus = Pane::Keys;
        return follow_selection(app);
    }
    vec![]
}

fn focused_filter(app: &App) -> &str {
    match app.focus {
        Pane::Keys => app.keys.filter(),
        Pane::Grants => app.grants.filter(),
        Pane::Principals => app.principals.filter(),
        Pane::Events => app.events.filter(),
    }
}

fn set_focused_filter(app: &mut App, filter: &str) {
    match app.focus {
        Pane::Keys => app.keys.set_filter(filter),
        Pane::Grants => app.grants.set_filter(filter),
        Pane::Principals => app.principals.set_filter(filter),
        Pane::Events => app.events.set_filter(filter),
    }
}

/// `o`: sort the focused list by its next column (each ascending, then descending, then
/// back to the order the rows came in); the status line says how it is sorted.
pub fn cycle_sort(app: &mut App) {
    let said = match app.focus {
        Pane::Keys => {
            let (next, said) = next_of(&keys::columns(app), app.keys.sort_order());
            app.keys.set_sort(next);
            said
        }
        Pane::Grants => {
            let (next, said) = next_of(&grants::columns(app), app.grants.sort_order());
            app.grants.set_sort(next);
            said
        }
        Pane::Principals => {
            let (next, said) = next_of(&principals::columns(app), app.principals.sort_order());
            app.principals.set_sort(next);
            said
        }
        Pane::Events => {
            let (next, said) = next_of(&events::columns(app), app.events.sort_order());
            app.events.set_sort(next);
            said
        }
    };
    app.set_info(said);
}

/// The next order of a list with these columns, and how the status line says it.
fn next_of<T>(
    columns: &[Column<'_, T>],
    now: Option<SortOrder>,
) -> (Option<(SortOrder, Compare<T>)>, String) {
    let next = next_sort(columns, now);
    let said = match &next {
        Some((o, _)) => format!(
            "Sorted by {} {}",
            columns[o.column].header,
            if o.descending { "▼" } else { "▲" }
        ),
        None => "In the order they came".to_string(),
    };
    (next, said)
}

/// `/`: start typing the focused pane's filter (from what it is now).
pub fn start_filter(app: &mut App) {
    app.filter = Some(TextField::new(focused_filter(app)));
}

/// A key while the filter is typed: it edits like a shell's line; Enter keeps the
/// filter, Esc clears it. The pane filters as it is typed.
pub fn filter_key(app: &mut App, key: Key) -> Vec<Command> {
    let Some(field) = app.filter.as_mut() else {
        return vec![];
    };
    match key {
        Key::Submit => {
            app.filter = None;
            return vec![];
        }
        Key::Cancel => {
            app.filter = None;
            set_focused_filter(app, "");
            return follow_selection(app);
        }
        key => {
            if !field.edit(key) {
                return vec![];
            }
        }
    }
    refilter(app)
}

/// Pasted text goes into the filter being typed.
pub fn filter_paste(app: &mut App, text: &str) -> Vec<Command> {
    match app.filter.as_mut() {
        Some(field) => {
            field.paste(text);
            refilter(app)
        }
        None => vec![],
    }
}

fn refilter(app: &mut App) -> Vec<Command> {
    let text = app
        .filter
        .as_ref()
        .map(|f| f.value().to_string())
        .unwrap_or_default();
    if text != focused_filter(app) {
        set_focused_filter(app, &text);
        return follow_selection(app);
    }
    vec![]
}
