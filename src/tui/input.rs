//! Key events to messages: dialogs get their keys decoded, the filter gets typed text,
//! and otherwise the conventions of terminal tools (Tab, arrows, j/k, g/G, Enter, Esc)
//! and the bindings of the actions the focused pane offers right now.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::actions::{lookup, Action, Binding};
use super::app::App;
use super::message::{DialogKey, FilterKey, Msg};

/// The message for a key press, if it means anything here.
pub fn map_key(app: &App, key: KeyEvent) -> Option<Msg> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c')) {
        return Some(Msg::Act(Action::Quit));
    }
    if app.dialog.is_some() {
        return dialog_key(key).map(Msg::Dialog);
    }
    if app.filter_editing {
        return match key.code {
            KeyCode::Esc => Some(Msg::Filter(FilterKey::Cancel)),
            KeyCode::Enter => Some(Msg::Filter(FilterKey::Done)),
            KeyCode::Backspace => Some(Msg::Filter(FilterKey::Backspace)),
            KeyCode::Up => Some(Msg::Up),
            KeyCode::Down => Some(Msg::Down),
            KeyCode::Tab => Some(Msg::FocusNext),
            KeyCode::BackTab => Some(Msg::FocusPrev),
            KeyCode::Char(c) if !ctrl => Some(Msg::Filter(FilterKey::Char(c))),
            _ => None,
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

fn dialog_key(key: KeyEvent) -> Option<DialogKey> {
    Some(match key.code {
        KeyCode::Esc => DialogKey::Cancel,
        KeyCode::Enter => DialogKey::Submit,
        KeyCode::Tab => DialogKey::Next,
        KeyCode::BackTab => DialogKey::Prev,
        KeyCode::Up => DialogKey::Up,
        KeyCode::Down => DialogKey::Down,
        KeyCode::Left => DialogKey::Left,
        KeyCode::Right => DialogKey::Right,
        KeyCode::Backspace => DialogKey::Backspace,
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => DialogKey::Char(c),
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
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        _ => return None,
    };
    Some(name)
}

/// The messages for a key press: the overlay's record of it (when shown), then what it
/// means. The runtime and the tests both go through here.
pub fn key_messages(app: &App, key: KeyEvent) -> Vec<Msg> {
    let mut msgs = Vec::new();
    if app.keys_trail.enabled {
        msgs.extend(key_label(&key).map(Msg::KeyPressed));
    }
    msgs.extend(map_key(app, key));
    msgs
}

/// A plain key press (for tests and the tmux-free walkthrough).
pub fn press(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}
