//! A one-line text field that edits like a shell's line (tui-input underneath: a cursor,
//! Left/Right, Home/End, Ctrl-A/E, Ctrl-U/K/W, Delete, word moves, paste), optionally with
//! values to pick from with Up/Down, and its drawing: the label, the text around the
//! cursor (a thin bar where typing goes), and the name of the picked value.

use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use tui_input::{Input, InputRequest};

use super::message::Key;
use super::widgets::{label_span, LABEL_WIDTH};

/// The longest value a field takes (a grant token is about 500 characters).
const MAX_CHARS: usize = 8192;

#[derive(Debug, Clone, Default)]
pub struct TextField {
    input: Input,
    /// (label, value) pairs offered by Up/Down.
    pub choices: Vec<(String, String)>,
}

impl PartialEq for TextField {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value()
            && self.input.cursor() == other.input.cursor()
            && self.choices == other.choices
    }
}

impl TextField {
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            input: Input::new(value.into()),
            choices: Vec::new(),
        }
    }

    pub fn with_choices(mut self, choices: Vec<(String, String)>) -> Self {
        self.choices = choices;
        self
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    /// Replace the value, the cursor at its end.
    pub fn set(&mut self, value: impl Into<String>) {
        self.input = Input::new(value.into());
    }

    /// Apply a key; false when the field has no use for it (Tab, Enter, Esc...).
    pub fn edit(&mut self, key: Key) -> bool {
        use InputRequest::*;
        let request = match key {
            Key::Char(c) if !c.is_control() => {
                if self.value().chars().count() >= MAX_CHARS {
                    return true;
                }
                InsertChar(c)
            }
            Key::Backspace | Key::Ctrl('h') => DeletePrevChar,
            Key::Delete | Key::Ctrl('d') => DeleteNextChar,
            Key::Left | Key::Ctrl('b') => GoToPrevChar,
            Key::Right | Key::Ctrl('f') => GoToNextChar,
            Key::WordLeft => GoToPrevWord,
            Key::WordRight => GoToNextWord,
            Key::Home | Key::Ctrl('a') => GoToStart,
            Key::End | Key::Ctrl('e') => GoToEnd,
            Key::Ctrl('u') => DeleteLine,
            Key::Ctrl('k') => DeleteTillEnd,
            Key::Ctrl('w') => DeletePrevWord,
            Key::Ctrl('y') => Yank,
            Key::Up => {
                self.pick(-1);
                return true;
            }
            Key::Down => {
                self.pick(1);
                return true;
            }
            _ => return false,
        };
        self.input.handle(request);
        true
    }

    /// Insert pasted text at the cursor: one line (line breaks and tabs become spaces).
    pub fn paste(&mut self, text: &str) {
        let room = MAX_CHARS.saturating_sub(self.value().chars().count());
        for c in text.chars().take(room) {
            let c = if c.is_whitespace() { ' ' } else { c };
            if !c.is_control() {
                self.input.handle(InputRequest::InsertChar(c));
            }
        }
    }

    /// Step through the choices (Up: -1, Down: +1), from the current value's place.
    pub fn pick(&mut self, delta: isize) {
        if self.choices.is_empty() {
            return;
        }
        let n = self.choices.len() as isize;
        let current = self.choices.iter().position(|(_, v)| v == self.value());
        let next = match current {
            None if delta > 0 => 0,
            None => n - 1,
            Some(i) => (i as isize + delta).rem_euclid(n),
        } as usize;
        let value = self.choices[next].1.clone();
        self.set(value);
    }

    /// The label of the current value when it is one of the choices.
    pub fn choice_label(&self) -> Option<&str> {
        self.choices
            .iter()
            .find(|(_, v)| v == self.value())
            .map(|(l, _)| l.as_str())
    }

    /// The field as a form line: its label, then as much of the value as `width` columns
    /// hold around the cursor (a bar marks the cursor when focused), then the picked
    /// value's name.
    pub fn line(&self, label: &str, focused: bool, width: usize) -> Line<'static> {
        let mut spans = vec![label_span(label, focused)];
        let room = width.saturating_sub(LABEL_WIDTH + 1).max(8);
        let chars: Vec<char> = self.value().chars().collect();
        let cursor = self.input.cursor().min(chars.len());
        // The window of the value shown: all of it when it fits, else around the cursor.
        let (start, end) = if chars.len() <= room {
            (0, chars.len())
        } else {
            let start = cursor
                .saturating_sub(room.saturating_sub(2))
                .min(chars.len() - room);
            (start, start + room)
        };
        let text = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
        let more = Style::default().fg(Color::DarkGray);
        if start > 0 {
            spans.push(Span::styled("…", more));
        }
        if focused {
            spans.push(Span::raw(text(start, cursor.max(start))));
            spans.push(Span::styled("▏", Style::default().fg(Color::Cyan)));
            spans.push(Span::raw(text(cursor.max(start), end)));
        } else {
            spans.push(Span::raw(text(start, end)));
        }
        if end < chars.len() {
            spans.push(Span::styled("…", more));
        }
        if let Some(label) = self.choice_label() {
            spans.push(Span::styled(format!("  ({label})"), more));
        } else if focused && !self.choices.is_empty() {
            spans.push(Span::styled("  ↑↓ to pick", more));
        }
        Line::from(spans)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> TextField {
        let mut f = TextField::default();
        for c in text.chars() {
            f.edit(Key::Char(c));
        }
        f
    }

    #[test]
    fn edits_like_a_shell_line() {
        let mut f = typed("arn:aws:iam::1:user/bob");
        f.edit(Key::Home);
        f.edit(Key::Delete);
        f.edit(Key::Char('A'));
        assert_eq!(f.value(), "Arn:aws:iam::1:user/bob");
        f.edit(Key::End);
        f.edit(Key::Left);
        f.edit(Key::Left);
        f.edit(Key::Left);
        f.edit(Key::Backspace);
        assert_eq!(f.value(), "Arn:aws:iam::1:userbob");
        f.edit(Key::Ctrl('w'));
        f.edit(Key::Ctrl('e'));
        f.edit(Key::Char('!'));
        assert_eq!(f.value(), "Arn:aws:iam::1:bob!");
        f.edit(Key::Ctrl('u'));
        assert_eq!(f.value(), "");
    }

    #[test]
    fn paste_goes_in_at_the_cursor_on_one_line() {
        let mut f = typed("app=");
        f.edit(Key::Home);
        f.paste("env=prod,\n");
        assert_eq!(f.value(), "env=prod, app=");
    }

    #[test]
    fn up_and_down_pick_from_the_choices() {
        let mut f = TextField::default().with_choices(vec![
            ("user a".into(), "arn:a".into()),
            ("user b".into(), "arn:b".into()),
        ]);
        assert!(f.edit(Key::Down));
        assert_eq!((f.value(), f.choice_label()), ("arn:a", Some("user a")));
        f.edit(Key::Up);
        assert_eq!(f.value(), "arn:b");
        f.edit(Key::Char('x'));
        assert_eq!(f.choice_label(), None);
        assert!(!f.edit(Key::Next), "Tab is the form's");
    }

    #[test]
    fn a_long_value_shows_the_part_around_the_cursor() {
        let mut f = typed(&"abcdefghij".repeat(10));
        f.edit(Key::Home);
        let line = f.line("Grantee", true, 40).to_string();
        assert!(line.contains("▏abcdefghij"), "{line}");
        assert!(line.ends_with('…'), "{line}");
        f.edit(Key::End);
        let line = f.line("Grantee", true, 40).to_string();
        assert!(line.contains("…") && line.ends_with("ij▏"), "{line}");
    }
}
