//! Helpers every pane shares: the pane frame with its focus colour, a table that builds
//! rows only for the visible window, ages, and cutting text to a width.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Row, Table, TableState};
use ratatui::Frame;

use crate::sim::Timestamp;
use crate::tui::app::Rows;

use super::theme::Theme;

/// The default theme's accent (`Theme::default().accent`).
pub const ACCENT: Color = Color::Cyan;

/// A pane's frame in the default theme.
pub fn pane_block(title: String, focused: bool) -> Block<'static> {
    pane_block_themed(title, focused, &Theme::default())
}

/// A pane's frame: bold accent and thick when focused.
pub fn pane_block_themed(title: String, focused: bool, t: &Theme) -> Block<'static> {
    let block = Block::bordered().title(Line::from(format!(" {title} ")));
    if focused {
        block
            .border_type(BorderType::Thick)
            .border_style(Style::default().fg(t.accent))
            .title_style(Style::default().fg(t.accent).add_modifier(Modifier::BOLD))
    } else {
        block.border_style(Style::default().fg(t.border))
    }
}

/// The columns of a table and whether its pane has the focus.
pub struct Columns<'a> {
    pub header: &'a [&'static str],
    pub widths: &'a [Constraint],
    pub focused: bool,
}

/// Draw `rows` as a table, building `Row`s only for the rows that fit.
pub fn render_table_themed<T>(
    frame: &mut Frame,
    area: Rect,
    block: Block<'_>,
    rows: &Rows<T>,
    columns: Columns<'_>,
    t: &Theme,
    build: impl Fn(&T) -> Row<'static>,
) {
    let Columns {
        header,
        widths,
        focused,
    } = columns;
    // Inside the borders, one line goes to the header.
    let height = area.height.saturating_sub(3) as usize;
    let (offset, count) = rows.window(height);
    let visible: Vec<Row> = (offset..offset + count)
        .filter_map(|i| rows.row(i))
        .map(&build)
        .collect();
    let header = Row::new(header.iter().copied())
        .style(Style::default().fg(t.heading).add_modifier(Modifier::BOLD));
    let highlight = if focused {
        Style::default().bg(t.accent).fg(Color::Black)
    } else {
        Style::default().add_modifier(Modifier::REVERSED)
    };
    let table = Table::new(visible, widths.iter().copied())
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(highlight);
    let mut state = TableState::default();
    if !rows.is_empty() {
        state.select(Some(rows.selected_index() - offset));
    }
    frame.render_stateful_widget(table, area, &mut state);
}

/// A compact age: `42s`, `5m`, `3h`, `12d`, `2y`.
pub fn age(now: Timestamp, then: Timestamp) -> String {
    let secs = (now - then).num_seconds().max(0);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s if s < 2 * 365 * 86_400 => format!("{}d", s / 86_400),
        s => format!("{}y", s / (365 * 86_400)),
    }
}

/// Cut `s` to at most `max` characters, marking the cut with `…`.
pub fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else if max == 0 {
        String::new()
    } else {
        let head: String = s.chars().take(max - 1).collect();
        format!("{head}…")
    }
}

/// The last path segment of an ARN (`user/admin` -> `admin`), for narrow columns.
pub fn short_arn(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}
