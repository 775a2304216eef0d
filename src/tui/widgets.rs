//! Drawing helpers the panes, views and dialogs share: the pane frame with its focus
//! colour, a table that builds rows only for the visible window, the dialog frame, its
//! labels and buttons, ages, and cutting text to a width. All of them draw in a `Theme`.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::kms::Timestamp;

use super::rows::Rows;
use super::theme::Theme;

/// A pane's frame: bold accent and thick when focused.
pub fn pane_block(title: String, focused: bool, t: &Theme) -> Block<'static> {
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

/// A list pane's title: `Keys (12)`, or `Keys (3/12) /alias` while filtered.
pub fn list_title<T>(name: &str, rows: &Rows<T>) -> String {
    if rows.filter().is_empty() {
        format!("{name} ({})", rows.len())
    } else {
        format!(
            "{name} ({}/{}) /{}",
            rows.len(),
            rows.total(),
            rows.filter()
        )
    }
}

/// The selected row's style: the accent when the list has the focus.
pub fn highlight(t: &Theme, focused: bool) -> Style {
    if focused {
        Style::default().bg(t.accent).fg(Color::Black)
    } else {
        Style::default().add_modifier(Modifier::REVERSED)
    }
}

/// A `width` x `height` dialog frame centred in `area` (clamped to it), cleared; the
/// area inside its border.
pub fn popup(frame: &mut Frame, area: Rect, width: u16, height: u16, title: &str) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(Style::default().fg(Color::Cyan))
        .title(
            Line::from(format!(" {title} ")).style(Style::default().add_modifier(Modifier::BOLD)),
        );
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}

/// Draw `lines` (wrapped) in `area`, scrolled so that line `focus` is in view (the top of
/// the text when there is no focus), with `▲`/`▼` in the right edge when there is more
/// above or below. Dialogs draw through this, so a small screen scrolls instead of
/// cutting them off.
pub fn render_scrolled(
    frame: &mut Frame,
    area: Rect,
    lines: Vec<Line<'static>>,
    focus: Option<usize>,
) {
    let (area, heights) = text_area(area, &lines);
    let total: usize = heights.iter().sum();
    let view = area.height as usize;
    let scroll = match focus {
        Some(f) if total > view => {
            let start: usize = heights.iter().take(f).sum();
            let end = start + heights.get(f).copied().unwrap_or(1);
            // Keep a line of context below the focus when there is room.
            (end + 1).min(total).saturating_sub(view).min(start)
        }
        _ => 0,
    };
    draw_scrolled(frame, area, lines, scroll, total);
}

/// Draw `lines` (wrapped) in `area` from rendered row `scroll` on (as far as the text
/// goes), with the same `▲`/`▼` marks: for text the person scrolls (help, detail).
/// Returns the furthest row the text can be scrolled to in `area`.
pub fn render_from(
    frame: &mut Frame,
    area: Rect,
    lines: Vec<Line<'static>>,
    scroll: usize,
) -> usize {
    let (area, heights) = text_area(area, &lines);
    let total: usize = heights.iter().sum();
    let most = total.saturating_sub(area.height as usize);
    draw_scrolled(frame, area, lines, scroll.min(most), total);
    most
}

/// The rows each line takes when wrapped in `area`; when they do not all fit, the text
/// gives its last column to the `▲`/`▼` marks.
fn text_area(area: Rect, lines: &[Line<'static>]) -> (Rect, Vec<usize>) {
    let heights = |width: u16| -> Vec<usize> {
        lines
            .iter()
            .map(|l| {
                Paragraph::new(l.clone())
                    .wrap(Wrap { trim: false })
                    .line_count(width.max(1))
                    .max(1)
            })
            .collect()
    };
    let all = heights(area.width);
    if all.iter().sum::<usize>() <= area.height as usize || area.width < 2 {
        return (area, all);
    }
    let narrower = Rect {
        width: area.width - 1,
        ..area
    };
    (narrower, heights(narrower.width))
}

fn draw_scrolled(
    frame: &mut Frame,
    area: Rect,
    lines: Vec<Line<'static>>,
    scroll: usize,
    total: usize,
) {
    let view = area.height as usize;
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0)),
        area,
    );
    let more = Style::default()
        .fg(Color::Cyan)
        .add_modifier(Modifier::BOLD);
    // The marks go in the column the text left free.
    let x = area.x + area.width;
    if scroll > 0 && area.height > 0 {
        frame.render_widget(Paragraph::new("▲").style(more), Rect::new(x, area.y, 1, 1));
    }
    if scroll + view < total && area.height > 0 {
        let y = area.y + area.height - 1;
        frame.render_widget(Paragraph::new("▼").style(more), Rect::new(x, y, 1, 1));
    }
}

/// Width of a form's labels.
pub const LABEL_WIDTH: usize = 18;

/// A form field's label, highlighted when the field has the focus.
pub fn label_span(label: &str, focused: bool) -> Span<'static> {
    let style = if focused {
        Style::default().fg(Color::Black).bg(Color::Cyan)
    } else {
        Style::default().fg(Color::Yellow)
    };
    Span::styled(format!("{label:<LABEL_WIDTH$}"), style)
}

/// A row of buttons; `focused` is the index of the focused one, if any.
pub fn buttons(labels: &[&str], focused: Option<usize>) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, l) in labels.iter().enumerate() {
        let style = if Some(i) == focused {
            Style::default()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(Color::Gray)
        };
        spans.push(Span::styled(format!("[ {l} ]"), style));
        spans.push(Span::raw("  "));
    }
    Line::from(spans)
}

/// An error line in a dialog (white on red).
pub fn error_line(error: &Option<String>) -> Option<Line<'static>> {
    error.as_ref().map(|e| {
        Line::from(Span::styled(
            e.clone(),
            Style::default().fg(Color::White).bg(Color::Red),
        ))
    })
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

/// Cut free text to at most `max` characters at a word's end (a space, or after a comma
/// of a list), marking the cut with `…`; a single word longer than that is cut where it
/// must be.
pub fn cut_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max.saturating_sub(1)).collect();
    let at_space = head.rfind(' ');
    let after_comma = head.rfind(',').map(|i| i + 1);
    match at_space.max(after_comma) {
        Some(i) if i > 0 => format!("{}…", head[..i].trim_end()),
        _ => cut(s, max),
    }
}

/// The last path segment of an ARN (`user/admin` -> `admin`), for narrow columns.
pub fn short_arn(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}
