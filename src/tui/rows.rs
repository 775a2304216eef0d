//! `Rows<T>`: a filterable, selectable list, the state of every list pane. It keeps a
//! lower-case search text per item, the indexes that pass the filter and the selection,
//! so a filter keystroke or a frame never rebuilds more than it must; `window` gives the
//! rows a pane of some height draws, so only visible rows are ever built.

/// A predicate a list's items must pass besides the text filter (e.g. "stale only").
pub struct Only<T>(std::sync::Arc<dyn Fn(&T) -> bool + Send + Sync>);

impl<T> Only<T> {
    pub fn new(f: impl Fn(&T) -> bool + Send + Sync + 'static) -> Self {
        Self(std::sync::Arc::new(f))
    }
}

impl<T> Clone for Only<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> std::fmt::Debug for Only<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Only(..)")
    }
}

/// A list's order by one of its columns (`column` is the pane's column index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortOrder {
    pub column: usize,
    pub descending: bool,
}

/// How two items compare for a sort.
pub type Compare<T> = fn(&T, &T) -> std::cmp::Ordering;

/// A filterable, sortable, selectable list.
#[derive(Debug, Clone, Default)]
pub struct Rows<T> {
    items: Vec<T>,
    /// Lower-case text of every visible column of each item (what `/` searches).
    haystacks: Vec<String>,
    /// Indexes into `items` that pass the filter, in order.
    visible: Vec<usize>,
    /// Position in `visible`.
    selected: usize,
    filter: String,
    /// Items must also pass this, when set.
    only: Option<Only<T>>,
    /// `only`'s answer for each item, computed once per item (a filter keystroke reuses it).
    passes: Vec<bool>,
    /// The order of `visible` (none: the order the items came in).
    sort: Option<(SortOrder, Compare<T>)>,
}

impl<T> Rows<T> {
    pub fn new() -> Self {
        Self {
            items: Vec::new(),
            haystacks: Vec::new(),
            visible: Vec::new(),
            selected: 0,
            filter: String::new(),
            only: None,
            passes: Vec::new(),
            sort: None,
        }
    }

    /// Replace the items, keeping the filter, and the selection on the item for which
    /// `keep` answers true (if any), else at the same position.
    pub fn set_items(
        &mut self,
        items: Vec<T>,
        search_text: impl Fn(&T) -> String,
        keep: impl Fn(&T) -> bool,
    ) {
        self.haystacks = items
            .iter()
            .map(|i| search_text(i).to_lowercase())
            .collect();
        self.items = items;
        self.recompute_passes();
        let position = self.selected;
        self.refilter(false);
        self.selected = self
            .visible
            .iter()
            .position(|&i| keep(&self.items[i]))
            .unwrap_or_else(|| position.min(self.visible.len().saturating_sub(1)));
    }

    /// Change items in place: `change` answers whether it changed one, whose search text
    /// is then rebuilt. The filter is reapplied and the selection stays on its item.
    pub fn update_items(
        &mut self,
        mut change: impl FnMut(&mut T) -> bool,
        search_text: impl Fn(&T) -> String,
    ) {
        let mut changed = false;
        for (i, (item, hay)) in self
            .items
            .iter_mut()
            .zip(self.haystacks.iter_mut())
            .enumerate()
        {
            if change(item) {
                *hay = search_text(item).to_lowercase();
                if let (Some(o), Some(p)) = (&self.only, self.passes.get_mut(i)) {
                    *p = (o.0)(item);
                }
                changed = true;
            }
        }
        if changed {
            let selected_item = self.visible.get(self.selected).copied();
            self.refilter(false);
            self.selected = selected_item
                .and_then(|s| self.visible.iter().position(|&i| i == s))
                .unwrap_or_else(|| self.selected.min(self.visible.len().saturating_sub(1)));
        }
    }

    /// Add items at the end (the next page of a listing).
    pub fn extend(&mut self, more: Vec<T>, search_text: impl Fn(&T) -> String) {
        let q = self.filter.to_lowercase();
        let finder = memchr::memmem::Finder::new(q.as_bytes());
        for item in more {
            let hay = search_text(&item).to_lowercase();
            let passes = self.only.as_ref().is_none_or(|o| (o.0)(&item));
            if self.only.is_some() {
                self.passes.push(passes);
            }
            if passes && finder.find(hay.as_bytes()).is_some() {
                self.visible.push(self.items.len());
            }
            self.haystacks.push(hay);
            self.items.push(item);
        }
        // The new rows go to their place (a stable sort of a sorted run and a short tail:
        // linear work per page); the selection stays on its item.
        if self.sort.is_some() {
            let selected_item = self.visible.get(self.selected).copied();
            self.apply_sort();
            if let Some(p) = selected_item.and_then(|s| self.visible.iter().position(|&i| i == s)) {
                self.selected = p;
            }
        }
    }

    /// Sort the rows (none: back to the order they came in); the selection stays on its
    /// item.
    pub fn set_sort(&mut self, sort: Option<(SortOrder, Compare<T>)>) {
        let selected_item = self.visible.get(self.selected).copied();
        self.sort = sort;
        if self.sort.is_some() {
            self.apply_sort();
        } else {
            self.visible.sort_unstable();
        }
        self.selected = selected_item
            .and_then(|s| self.visible.iter().position(|&i| i == s))
            .unwrap_or(0);
    }

    pub fn sort_order(&self) -> Option<SortOrder> {
        self.sort.map(|(o, _)| o)
    }

    fn apply_sort(&mut self) {
        if let Some((order, compare)) = self.sort {
            let items = &self.items;
            self.visible.sort_by(|&a, &b| {
                let o = compare(&items[a], &items[b]);
                if order.descending {
                    o.reverse()
                } else {
                    o
                }
            });
        }
    }

    pub fn clear(&mut self) {
        self.items.clear();
        self.haystacks.clear();
        self.passes.clear();
        self.visible.clear();
        self.selected = 0;
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Set the filter (case-insensitive substring over all visible columns). A filter that
    /// extends the previous one only rescans what already matched.
    pub fn set_filter(&mut self, filter: &str) {
        let narrowing = filter.to_lowercase().contains(&self.filter.to_lowercase());
        let selected_item = self.visible.get(self.selected).copied();
        self.filter = filter.to_string();
        self.refilter(narrowing);
        self.selected = selected_item
            .and_then(|s| self.visible.iter().position(|&i| i == s))
            .unwrap_or(0);
    }

    /// Show only the items that pass `only` (and the text filter); `None` shows all. The
    /// selection stays on its item when it still passes.
    pub fn set_only(&mut self, only: Option<Only<T>>) {
        let selected_item = self.visible.get(self.selected).copied();
        self.only = only;
        self.recompute_passes();
        self.refilter(false);
        self.selected = selected_item
            .and_then(|s| self.visible.iter().position(|&i| i == s))
            .unwrap_or_else(|| self.selected.min(self.visible.len().saturating_sub(1)));
    }

    /// Is a predicate besides the text filter in force?
    pub fn has_only(&self) -> bool {
        self.only.is_some()
    }

    fn recompute_passes(&mut self) {
        self.passes = match &self.only {
            Some(o) => self.items.iter().map(|i| (o.0)(i)).collect(),
            None => Vec::new(),
        };
    }

    fn refilter(&mut self, narrowing: bool) {
        let q = self.filter.to_lowercase();
        let items = &self.items;
        let cached = &self.passes;
        let has_only = self.only.is_some();
        let passes = |i: usize| !has_only || cached.get(i).copied().unwrap_or(true);
        if q.is_empty() {
            self.visible = (0..items.len()).filter(|&i| passes(i)).collect();
        } else {
            // One prebuilt SIMD searcher for the whole scan.
            let finder = memchr::memmem::Finder::new(q.as_bytes());
            let hay = &self.haystacks;
            let hit = |i: usize| finder.find(hay[i].as_bytes()).is_some();
            if narrowing {
                // What is visible already passes `only`, in order.
                self.visible.retain(|&i| hit(i));
                return;
            }
            self.visible = (0..items.len()).filter(|&i| passes(i) && hit(i)).collect();
        }
        self.apply_sort();
    }

    /// Number of rows that pass the filter.
    pub fn len(&self) -> usize {
        self.visible.len()
    }

    pub fn is_empty(&self) -> bool {
        self.visible.is_empty()
    }

    /// Number of items before filtering.
    pub fn total(&self) -> usize {
        self.items.len()
    }

    pub fn selected_index(&self) -> usize {
        self.selected
    }

    pub fn selected(&self) -> Option<&T> {
        self.visible.get(self.selected).map(|&i| &self.items[i])
    }

    /// The visible row at position `pos`.
    pub fn row(&self, pos: usize) -> Option<&T> {
        self.visible.get(pos).map(|&i| &self.items[i])
    }

    pub fn all(&self) -> &[T] {
        &self.items
    }

    /// Move the selection by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        if self.visible.is_empty() {
            self.selected = 0;
            return;
        }
        let last = self.visible.len() - 1;
        let target = self.selected as isize + delta;
        self.selected = target.clamp(0, last as isize) as usize;
    }

    /// Select the row at position `pos` (clamped to the list).
    pub fn select(&mut self, pos: usize) {
        self.selected = pos.min(self.visible.len().saturating_sub(1));
    }

    pub fn select_last(&mut self) {
        self.selected = self.visible.len().saturating_sub(1);
    }

    /// Select the first visible row for which `f` is true; false if there is none.
    pub fn select_where(&mut self, f: impl Fn(&T) -> bool) -> bool {
        match self.visible.iter().position(|&i| f(&self.items[i])) {
            Some(p) => {
                self.selected = p;
                true
            }
            None => false,
        }
    }

    /// The first row and the number of rows to draw in a window of `height` rows so that
    /// the selection is visible (it sits at the bottom edge when scrolled).
    pub fn window(&self, height: usize) -> (usize, usize) {
        window(self.selected, self.visible.len(), height)
    }
}

/// The first row and the number of rows of a `height`-row window over `len` rows that
/// shows row `selected` (at the bottom edge when scrolled). Every list draws through this.
pub fn window(selected: usize, len: usize, height: usize) -> (usize, usize) {
    let height = height.max(1);
    let offset = (selected + 1).saturating_sub(height);
    (offset, len.saturating_sub(offset).min(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize) -> Rows<String> {
        let mut r = Rows::new();
        r.set_items(
            (0..n).map(|i| format!("item-{i}")).collect(),
            |s| s.clone(),
            |_| false,
        );
        r
    }

    #[test]
    fn window_keeps_the_selection_visible() {
        let mut r = rows(100);
        assert_eq!(r.window(10), (0, 10));
        r.move_by(25);
        assert_eq!(r.window(10), (16, 10));
        r.select_last();
        assert_eq!(r.window(10), (90, 10));
        assert_eq!(rows(3).window(10), (0, 3));
        assert_eq!(rows(0).window(0), (0, 0));
    }

    #[test]
    fn narrowing_and_widening_filters_agree_with_a_full_scan() {
        let mut r = rows(1000);
        r.set_filter("1");
        let wide = r.len();
        r.set_filter("12");
        assert_eq!(
            r.len(),
            (0..1000).filter(|i| i.to_string().contains("12")).count()
        );
        r.set_filter("ITEM-12");
        assert_eq!(r.len(), 11);
        r.set_filter("1");
        assert_eq!(r.len(), wide);
        r.set_filter("");
        assert_eq!(r.len(), 1000);
    }

    #[test]
    fn only_combines_with_the_filter_and_applies_to_later_pages() {
        let mut r = rows(100);
        r.move_by(14);
        r.set_only(Some(Only::new(|s: &String| s.ends_with('4'))));
        assert_eq!(r.len(), 10);
        assert_eq!(r.selected().map(String::as_str), Some("item-14"));
        r.set_filter("item-1");
        assert_eq!(r.len(), 1);
        r.set_filter("");
        r.extend(vec!["item-104".into(), "item-105".into()], |s| s.clone());
        assert_eq!((r.len(), r.total()), (11, 102));
        r.set_only(None);
        assert_eq!(r.len(), 102);
        assert_eq!(r.selected().map(String::as_str), Some("item-14"));
    }

    #[test]
    fn a_sort_orders_every_row_including_later_pages_and_keeps_the_selection() {
        let mut r = rows(30);
        r.move_by(12);
        let by_length_then_text: Compare<String> = |a, b| (a.len(), a).cmp(&(b.len(), b));
        let order = SortOrder {
            column: 0,
            descending: true,
        };
        r.set_sort(Some((order, by_length_then_text)));
        assert_eq!(r.row(0).map(String::as_str), Some("item-29"));
        assert_eq!(r.selected().map(String::as_str), Some("item-12"));
        r.extend(vec!["item-100".into(), "item-5b".into()], |s| s.clone());
        assert_eq!(r.row(0).map(String::as_str), Some("item-100"));
        assert_eq!(r.selected().map(String::as_str), Some("item-12"));
        r.set_filter("item-1");
        assert_eq!(r.row(0).map(String::as_str), Some("item-100"));
        assert_eq!(r.row(1).map(String::as_str), Some("item-19"));
        r.set_filter("");
        r.set_sort(None);
        assert_eq!(r.row(0).map(String::as_str), Some("item-0"));
        assert_eq!(r.sort_order(), None);
    }

    #[test]
    fn filter_keeps_the_selected_item_when_it_still_matches() {
        let mut r = rows(50);
        r.move_by(12);
        r.set_filter("2");
        assert_eq!(r.selected().map(String::as_str), Some("item-12"));
        r.set_filter("zzz");
        assert!(r.selected().is_none());
        r.move_by(3);
        assert_eq!(r.selected_index(), 0);
    }
}
