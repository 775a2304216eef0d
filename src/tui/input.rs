//! Terminal events to messages: a paste goes to the field being typed in; a key goes to
//! the open dialog or the filter, decoded (`Key`); otherwise the conventions of terminal
//! tools (Tab, arrows, j/k, g/G, Enter, Esc) and the bindings of the actions offered
//! right now (`keymap`).

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};

use super::actions::Binding;
use super::app::App;
use super::keymap::lookup;
use super::message::{Key, Msg};

/// The messages for a terminal event (the runtime and the tests both go through here):
/// for a key, the overlay's record of it (when shown), then what it means.
pub fn messages(app: &App, event: Event) -> Vec<Msg> {
    match event {
        Event::Key(key) => key_messages(app, key),
        Event::Paste(text) => vec![Msg::Paste(text)],
        Event::Resize(w, h) => vec![Msg::Resize(w, h)],
        Event::Mouse(m) => {
            let (column, row) = (m.column, m.row);
            match m.kind {
                MouseEventKind::Down(MouseButton::Left) => vec![Msg::Click { column, row }],
                MouseEventKind::ScrollDown => vec![Msg::Wheel {
                    column,
                    row,
                    down: true,
                }],
                MouseEventKind::ScrollUp => vec![Msg::Wheel {
                    column,
                    row,
                    down: false,
                }],
                _ => vec![],
            }
        }
        Event::FocusGained | Event::FocusLost => vec![],
    }
}

/// The messages for a key press.
pub fn key_messages(app: &App, key: KeyEvent) -> Vec<Msg> {
    let mut msgs = Vec::new();
    if app.keys_trail.enabled {
        msgs.extend(key_label(&key).map(Msg::KeyPressed));
    }
    msgs.extend(map_key(app, key));
    msgs
}

/// The message for a key press, if it means anything here.
pub fn map_key(app: &App, key: KeyEvent) -> Option<Msg> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c')) {
        return Some(Msg::Quit);
    }
    if app.dialog.is_some() {
        return decode(key).map(Msg::Dialog);
    }
    if app.filter.is_some() {
        return match key.code {
            KeyCode::Up => Some(Msg::Up),
            KeyCode::Down => Some(Msg::Down),
            KeyCode::Tab => Some(Msg::FocusNext),
            KeyCode::BackTab => Some(Msg::FocusPrev),
            _ => decode(key).map(Msg::Filter),
        };
    }
    match key.code {
        KeyCode::Tab => Some(Msg::FocusNext),
        KeyCode::BackTab => Some(Msg::FocusPrev),
        KeyCode::Up => Some(Msg::Up),
        KeyCode::Down => Some(Msg::Down),
        KeyCode::PageUp => Some(Msg::PageUp),
        KeyCode::PageDown => Some(Msg::PageDown),
        KeyCode::Home => Some(Msg::Top),
        KeyCode::End => Some(Msg::Bottom),
        KeyCode::Esc => Some(Msg::Back),
        KeyCode::Enter => lookup(app, Binding::Enter).map(Msg::Act),
        KeyCode::Char('k') => Some(Msg::Up),
        KeyCode::Char('j') => Some(Msg::Down),
        KeyCode::Char('g') => Some(Msg::Top),
        KeyCode::Char('G') => Some(Msg::Bottom),
        KeyCode::Char(c) if !ctrl => lookup(app, Binding::Char(c)).map(Msg::Act),
        _ => None,
    }
}

/// A key as dialogs and text fields take it.
fn decode(key: KeyEvent) -> Option<Key> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    Some(match key.code {
        KeyCode::Esc => Key::Cancel,
        KeyCode::Enter => Key::Submit,
        KeyCode::Tab => Key::Next,
        KeyCode::BackTab => Key::Prev,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left if ctrl || alt => Key::WordLeft,
        KeyCode::Right if ctrl || alt => Key::WordRight,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Backspace if ctrl || alt => Key::Ctrl('w'),
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Delete => Key::Delete,
        KeyCode::Char('b') if alt => Key::WordLeft,
        KeyCode::Char('f') if alt => Key::WordRight,
        KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
        KeyCode::Char(c) => Key::Char(c),
        _ => return None,
    })
}

/// A key as the keys-pressed overlay shows it (`n`, `↓`, `Enter`, `Ctrl-c`).
pub fn key_label(key: &KeyEvent) -> Option<String> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let name = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) if ctrl => format!("Ctrl-{c}"),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::Backspace => "⌫".into(),
        KeyCode::Delete => "Del".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        _ => return None,
    };
    Some(name)
}

/// A plain key press (for tests and the tmux-free walkthrough).
pub fn press(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}
