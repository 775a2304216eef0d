//! The colours the view draws with. `Theme::default()` is the UI's usual look (its
//! screens must not change); `Theme::high_contrast()` is for a projector: bold white on
//! black, bright yellow and cyan accents, no dark grey text.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeName {
    #[default]
    Default,
    HighContrast,
}

impl std::str::FromStr for ThemeName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "default" => Ok(ThemeName::Default),
            "high-contrast" => Ok(ThemeName::HighContrast),
            other => Err(format!(
                "unknown theme {other:?} (themes: default, high-contrast)"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub name: ThemeName,
    /// Focused frames, key hints, the spinner.
    pub accent: Color,
    /// Table headers and section heads.
    pub heading: Color,
    /// Unfocused frames.
    pub border: Color,
    /// Secondary text (the status line's account and region).
    pub muted: Color,
    pub allowed: Color,
    pub denied: Color,
    pub warning: Color,
    /// The base of every drawn cell: `Style::default()` or bold white on black.
    pub base: Style,
}

impl Default for Theme {
    fn default() -> Self {
        Self {
            name: ThemeName::Default,
            accent: Color::Cyan,
            heading: Color::Yellow,
            border: Color::DarkGray,
            muted: Color::Gray,
            allowed: Color::Green,
            denied: Color::Red,
            warning: Color::Yellow,
            base: Style::new(),
        }
    }
}

impl Theme {
    pub fn named(name: ThemeName) -> Self {
        match name {
            ThemeName::Default => Self::default(),
            ThemeName::HighContrast => Self::high_contrast(),
        }
    }

    pub fn high_contrast() -> Self {
        Self {
            name: ThemeName::HighContrast,
            accent: Color::LightCyan,
            heading: Color::LightYellow,
            border: Color::White,
            muted: Color::White,
            allowed: Color::LightGreen,
            denied: Color::LightRed,
            warning: Color::LightYellow,
            base: Style::new()
                .fg(Color::White)
                .bg(Color::Black)
                .add_modifier(Modifier::BOLD),
        }
    }

    pub fn is_high_contrast(&self) -> bool {
        self.name == ThemeName::HighContrast
    }

    /// `color` as a foreground, bold in high contrast.
    pub fn fg(&self, color: Color) -> Style {
        let s = Style::default().fg(color);
        if self.is_high_contrast() {
            s.add_modifier(Modifier::BOLD)
        } else {
            s
        }
    }
}

impl Theme {
    /// The last pass of a frame in high contrast: whatever a part drew in the default
    /// palette (dialogs, the findings view) gets the bright variant, grey text turns white,
    /// the background black, and everything bold. The default theme leaves the frame alone.
    pub fn finish(&self, buf: &mut Buffer) {
        if !self.is_high_contrast() {
            return;
        }
        for cell in buf.content.iter_mut() {
            cell.fg = match cell.fg {
                Color::Reset | Color::Gray | Color::DarkGray => Color::White,
                c => brighter(c),
            };
            cell.bg = match cell.bg {
                Color::Reset => Color::Black,
                Color::Red => Color::Red,
                c => brighter(c),
            };
            cell.modifier.insert(Modifier::BOLD);
            cell.modifier.remove(Modifier::DIM);
        }
    }
}

fn brighter(c: Color) -> Color {
    match c {
        Color::Cyan => Color::LightCyan,
        Color::Yellow => Color::LightYellow,
        Color::Green => Color::LightGreen,
        Color::Red => Color::LightRed,
        Color::Magenta => Color::LightMagenta,
        Color::Blue => Color::LightBlue,
        Color::DarkGray | Color::Gray => Color::White,
        c => c,
    }
}
