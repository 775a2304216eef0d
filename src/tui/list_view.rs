//! Drawing a list pane: columns that fit the pane's width by priority, rows built only for
//! the visible window, the sort order in the header, and the position of the selection
//! (`12/3,400`) on the bottom border.
//!
//! Decision (what fits): a column's width is `Fixed`, or `Flex` between a minimum and a
//! maximum, as wide as its widest visible cell, or `Text` (free text, which takes the room
//! the others leave). In order of importance (lowest `priority` first) each column takes
//! its width if it fits; a name or id that does not fit whole is left out rather than cut
//! (but for the most important one), free text is cut between words. What is left goes
//! to the free text. A name or id wider than its column (only ever the most important
//! one) is cut in its middle, keeping its start and end; a fixed-width cell at its end:
//! an alias, a grantee or an id is never cut to a few letters while a less important
//! column is shown. A `spare` column (a grant's last use) is shown only in room the free
//! text does not need to be shown whole: it goes before any word is cut.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Cell, Row, Table, TableState};
use ratatui::Frame;

use super::rows::{window, Compare, Rows, SortOrder};
use super::theme::Theme;
use super::widgets::{cut, cut_words, highlight};
use crate::kms::words::cut_middle;

/// How wide a column may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    Fixed(u16),
    /// A name or an id: as wide as the widest visible cell (or the header), up to `max`;
    /// shown whole or not at all (only the most important column is ever cut, to `min`).
    Flex {
        min: u16,
        max: u16,
    },
    /// Free text (a reason, a list of operations): at least `min`, and whatever room the
    /// other columns leave; it is the one cut when text is long.
    Text {
        min: u16,
    },
}

/// What a column shows of a row: the text and its style.
pub type CellText<'a, T> = Box<dyn Fn(&T) -> (String, Style) + 'a>;

/// One column: its header, width, importance (lower is more important: the most important
/// column is always shown, cut if it must be; higher numbers go first when the pane is
/// narrow) and what a row shows in it.
pub struct Column<'a, T> {
    pub header: &'static str,
    pub width: Width,
    pub priority: u8,
    /// The cell's text and style.
    pub cell: CellText<'a, T>,
    /// How the rows compare when the list is sorted by this column.
    pub sort: Option<Compare<T>>,
    /// Shown only when the free text still fits whole beside it.
    pub spare: bool,
}

impl<'a, T> Column<'a, T> {
    pub fn new(
        header: &'static str,
        width: Width,
        priority: u8,
        cell: impl Fn(&T) -> (String, Style) + 'a,
    ) -> Self {
        Self {
            header,
            width,
            priority,
            cell: Box::new(cell),
            sort: None,
            spare: false,
        }
    }

    /// Show this column only in room the free text does not need (see the module comment).
    pub fn spare(mut self) -> Self {
        self.spare = true;
        self
    }

    /// The list can be sorted by this column, comparing rows with `compare`.
    pub fn sorted_by(
        mut self,
        compare: impl Fn(&T, &T) -> std::cmp::Ordering + Send + Sync + 'static,
    ) -> Self {
        self.sort = Some(Compare::new(compare));
        self
    }

    fn min(&self) -> u16 {
        match self.width {
            Width::Fixed(n) => n,
            Width::Flex { min, .. } | Width::Text { min } => min,
        }
    }
}

/// Which columns fit `width` and how wide each is, in display order: (column index, width).
/// `want[i]` is how wide column `i` would like to be. In order of importance each column
/// takes its want when it fits; free text (`fills`), and the most important column, take
/// what is left when that is at least their minimum; other columns are left out. What is
/// left at the end goes to the last free-text column.
pub fn fit(
    priorities: &[u8],
    mins: &[u16],
    want: &[u16],
    fills: &[bool],
    width: u16,
) -> Vec<(usize, u16)> {
    let n = priorities.len();
    let mut by_importance: Vec<usize> = (0..n).collect();
    by_importance.sort_by_key(|&i| priorities[i]);
    let mut widths: Vec<Option<u16>> = vec![None; n];
    let mut used: u16 = 0;
    for &i in &by_importance {
        let gap = u16::from(used > 0);
        let room = width.saturating_sub(used + gap);
        // A name or an id is shown whole or not at all, unless it is the most important
        // column (something must show); free text is cut to the room.
        let may_cut = fills[i] || used == 0;
        let w = if want[i] <= room {
            want[i]
        } else if may_cut && mins[i] <= room {
            room
        } else {
            continue;
        };
        widths[i] = Some(w);
        used += gap + w;
    }
    // What is left goes to the last free-text column; without one, the columns keep their
    // widths and the rest of the row is empty.
    let left = width.saturating_sub(used);
    if let Some(w) = (0..n)
        .rev()
        .find(|&i| fills[i] && widths[i].is_some())
        .and_then(|i| widths[i].as_mut())
    {
        *w += left;
    }
    (0..n).filter_map(|i| widths[i].map(|w| (i, w))).collect()
}

/// What `fit` weighs, per column.
#[derive(Clone, Copy)]
struct Fitting<'a> {
    priorities: &'a [u8],
    mins: &'a [u16],
    want: &'a [u16],
    fills: &'a [bool],
}

/// `fit`, with the `spare` columns taken one by one (most important first) only while the
/// free text keeps at least its `natural` width beside them.
fn fit_spare(f: Fitting<'_>, spare: &[bool], natural: &[u16], width: u16) -> Vec<(usize, u16)> {
    let mut allowed: Vec<bool> = spare.iter().map(|s| !s).collect();
    let run = |allowed: &[bool]| {
        let mins: Vec<u16> = (0..f.mins.len())
            .map(|i| if allowed[i] { f.mins[i] } else { u16::MAX })
            .collect();
        let want: Vec<u16> = (0..f.want.len())
            .map(|i| if allowed[i] { f.want[i] } else { u16::MAX })
            .collect();
        fit(f.priorities, &mins, &want, f.fills, width)
    };
    let mut shown = run(&allowed);
    let mut order: Vec<usize> = (0..spare.len()).filter(|&i| spare[i]).collect();
    order.sort_by_key(|&i| f.priorities[i]);
    for i in order {
        // The room the free text has beyond its natural width (all of what is left when
        // there is no free text).
        let text = shown.iter().rev().find(|(c, _)| f.fills[*c]);
        let slack = match text {
            Some(&(c, w)) => w.saturating_sub(natural[c]),
            None => width.saturating_sub(
                shown
                    .iter()
                    .map(|(_, w)| w + 1)
                    .sum::<u16>()
                    .saturating_sub(1),
            ),
        };
        if slack >= f.want[i].saturating_add(1) {
            allowed[i] = true;
            shown = run(&allowed);
        }
    }
    shown
}

/// Draw `rows` in `area` inside `block` as a table of the columns that fit, with the
/// selection's position on the bottom border when the list is longer than the pane.
pub fn render<T>(
    frame: &mut Frame,
    area: Rect,
    block: Block<'_>,
    rows: &Rows<T>,
    columns: &[Column<'_, T>],
    focused: bool,
    t: &Theme,
) {
    // Inside the borders, one line goes to the header.
    let height = block.inner(area).height.saturating_sub(1) as usize;
    let (offset, count) = rows.window(height);
    let visible: Vec<&T> = (offset..offset + count)
        .filter_map(|i| rows.row(i))
        .collect();
    let mut block = block;
    if rows.len() > height {
        block = block.title_bottom(
            Line::from(format!(" {}/{} ", rows.selected_index() + 1, rows.len())).right_aligned(),
        );
    }
    let window = Window {
        visible,
        offset,
        selected: (!rows.is_empty()).then(|| rows.selected_index()),
        sort: rows.sort_order(),
    };
    draw(frame, area, block, window, columns, focused, t);
}

/// Draw a list of `len` rows known by their index (row `i` is `&i` to the columns), the
/// selection at `selected` (focused), as `render` draws a pane's rows.
pub fn render_indexed(
    frame: &mut Frame,
    area: Rect,
    block: Block<'_>,
    (len, selected): (usize, usize),
    columns: &[Column<'_, usize>],
    t: &Theme,
) {
    let height = block.inner(area).height.saturating_sub(1) as usize;
    let (offset, count) = window(selected, len, height);
    let indexes: Vec<usize> = (offset..offset + count).collect();
    let window = Window {
        visible: indexes.iter().collect(),
        offset,
        selected: (len > 0).then_some(selected),
        sort: None,
    };
    draw(frame, area, block, window, columns, true, t);
}

/// The rows of a list that are drawn.
struct Window<'r, T> {
    visible: Vec<&'r T>,
    /// The position of the first of them in the list.
    offset: usize,
    selected: Option<usize>,
    sort: Option<SortOrder>,
}

fn draw<T>(
    frame: &mut Frame,
    area: Rect,
    block: Block<'_>,
    window: Window<'_, T>,
    columns: &[Column<'_, T>],
    focused: bool,
    t: &Theme,
) {
    let inner_width = block.inner(area).width;
    let cells: Vec<Vec<(String, Style)>> = window
        .visible
        .iter()
        .map(|item| columns.iter().map(|c| (c.cell)(item)).collect())
        .collect();
    let header_text = |i: usize| -> String {
        match window.sort {
            Some(SortOrder { column, descending }) if column == i => {
                format!(
                    "{}{}",
                    columns[i].header,
                    if descending { "▼" } else { "▲" }
                )
            }
            _ => columns[i].header.to_string(),
        }
    };
    let want: Vec<u16> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| match c.width {
            Width::Fixed(n) | Width::Text { min: n } => n,
            Width::Flex { min, max } => {
                let widest = cells
                    .iter()
                    .map(|r| r[i].0.chars().count())
                    .max()
                    .unwrap_or(0)
                    .max(header_text(i).chars().count());
                (widest as u16).clamp(min, max)
            }
        })
        .collect();
    let priorities: Vec<u8> = columns.iter().map(|c| c.priority).collect();
    let mins: Vec<u16> = columns.iter().map(Column::min).collect();
    let fills: Vec<bool> = columns
        .iter()
        .map(|c| matches!(c.width, Width::Text { .. }))
        .collect();
    // The free text's natural width: its widest visible cell, or its header.
    let natural: Vec<u16> = columns
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let widest = cells
                .iter()
                .map(|r| r[i].0.chars().count())
                .max()
                .unwrap_or(0)
                .max(header_text(i).chars().count());
            u16::try_from(widest).unwrap_or(u16::MAX)
        })
        .collect();
    let spare: Vec<bool> = columns.iter().map(|c| c.spare).collect();
    let shown = fit_spare(
        Fitting {
            priorities: &priorities,
            mins: &mins,
            want: &want,
            fills: &fills,
        },
        &spare,
        &natural,
        inner_width,
    );
    let header = Row::new(
        shown
            .iter()
            .map(|&(i, w)| Cell::from(cut(&header_text(i), w as usize))),
    )
    .style(t.fg(t.heading).add_modifier(Modifier::BOLD));
    let body: Vec<Row> = cells
        .iter()
        .map(|r| {
            Row::new(shown.iter().map(|&(i, w)| {
                let (text, style) = &r[i];
                let text = match columns[i].width {
                    // Free text is cut between words.
                    Width::Text { .. } => cut_words(text, w as usize),
                    // A name or id cut (the most important column, when nothing else
                    // fits) keeps its start and its end.
                    Width::Flex { .. } => cut_middle(text, w as usize),
                    Width::Fixed(_) => cut(text, w as usize),
                };
                Cell::from(text).style(*style)
            }))
        })
        .collect();
    let widths: Vec<Constraint> = shown.iter().map(|&(_, w)| Constraint::Length(w)).collect();
    let table = Table::new(body, widths)
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(highlight(t, focused));
    let mut state = TableState::default();
    state.select(window.selected.map(|s| s - window.offset));
    frame.render_stateful_widget(table, area, &mut state);
}

/// Put `column` at `at`, as important as its priority says: the columns as or less
/// important than it give way to it first.
pub fn insert_column<'a, T>(columns: &mut Vec<Column<'a, T>>, at: usize, column: Column<'a, T>) {
    for c in columns.iter_mut() {
        if c.priority >= column.priority {
            c.priority += 1;
        }
    }
    columns.insert(at.min(columns.len()), column);
}

/// The next order `o` puts a list in: each sortable column ascending, then descending,
/// then the order the rows came in.
pub fn next_sort<T>(
    columns: &[Column<'_, T>],
    now: Option<SortOrder>,
) -> Option<(SortOrder, Compare<T>)> {
    let sortable: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].sort.is_some())
        .collect();
    let next = match now {
        None => sortable.first().map(|&column| SortOrder {
            column,
            descending: false,
        }),
        Some(SortOrder {
            column,
            descending: false,
        }) => Some(SortOrder {
            column,
            descending: true,
        }),
        Some(SortOrder { column, .. }) => {
            sortable
                .iter()
                .find(|&&c| c > column)
                .map(|&column| SortOrder {
                    column,
                    descending: false,
                })
        }
    }?;
    Some((next, columns[next.column].sort.clone()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_important_columns_go_first_and_the_rest_share_the_room() {
        // Alias (flex 10..30, wants 15), State (10), Grants (6), Stale (6), Key id (8).
        let priorities = [0, 1, 3, 2, 4];
        let mins = [10, 10, 6, 6, 8];
        let want = [15, 10, 6, 6, 8];
        let fills = [false; 5];
        // Wide: everything at its width.
        let all = fit(&priorities, &mins, &want, &fills, 60);
        assert_eq!(all, vec![(0, 15), (1, 10), (2, 6), (3, 6), (4, 8)]);
        // 28 columns: the alias in full and the state; the rest goes.
        let narrow = fit(&priorities, &mins, &want, &fills, 28);
        assert_eq!(narrow, vec![(0, 15), (1, 10)]);
        // 34: the stale count too.
        let medium = fit(&priorities, &mins, &want, &fills, 34);
        assert_eq!(medium, vec![(0, 15), (1, 10), (3, 6)]);
        // Very narrow: the alias alone.
        assert_eq!(fit(&priorities, &mins, &want, &fills, 12), vec![(0, 12)]);
    }

    #[test]
    fn a_spare_column_goes_before_the_free_text_loses_a_word() {
        // Grant (flex, wants 12), Operations (free text, min 10, 19 wide whole), Seen
        // (spare, wants 6).
        let f = Fitting {
            priorities: &[0, 2, 7],
            mins: &[12, 10, 4],
            want: &[12, 10, 6],
            fills: &[false, true, false],
        };
        let spare = [false, false, true];
        let natural = [12, 19, 6];
        // 40: the operations whole (19) and Seen (6) fit: 12 + 1 + 19 + 1 + 6 = 39.
        assert_eq!(
            fit_spare(f, &spare, &natural, 40),
            vec![(0, 12), (1, 20), (2, 6)]
        );
        // 36: Seen would cut the operations: it is left out, the operations whole.
        assert_eq!(fit_spare(f, &spare, &natural, 36), vec![(0, 12), (1, 23)]);
        // Without free text a spare column takes what is left.
        let g = Fitting {
            priorities: &[0, 7],
            mins: &[12, 4],
            want: &[12, 6],
            fills: &[false, false],
        };
        assert_eq!(
            fit_spare(g, &[false, true], &[12, 6], 19),
            vec![(0, 12), (1, 6)]
        );
        assert_eq!(fit_spare(g, &[false, true], &[12, 6], 18), vec![(0, 12)]);
    }
}
