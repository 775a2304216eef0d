//! `Rows<T>`: a filterable, selectable list, the state of every list pane. It keeps a
//! lower-case search text per item, the indexes that pass the filter and the selection,
//! so a filter keystroke or a frame never rebuilds more than it must; `window` gives the
//! rows a pane of some height draws, so only visible rows are ever built.
//!
//! A predicate besides the text filter (`Only`, e.g. "stale only") is answered once per
//! item. Over a long list the answers are worked out off the UI thread: the list hands out
//! a `MaskRequest` (its items, shared, not copied) and takes the answers back with
//! `apply_mask`, if the list has not been replaced meanwhile; until then the items it has
//! no answer for are not shown. Items that come later (`extend`, a page of a listing) are
//! answered as they come, a page at a time.

use std::sync::Arc;

/// A list longer than this has its `only` answers worked out off the UI thread; a shorter
/// one at once (under half a millisecond: less than a background job's round trip).
pub const INLINE_ONLY: usize = 2_000;

/// A predicate a list's items must pass besides the text filter (e.g. "stale only").
pub struct Only<T>(Arc<dyn Fn(&T) -> bool + Send + Sync>);

impl<T> Only<T> {
    pub fn new(f: impl Fn(&T) -> bool + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }
}

/// The `only` answers a long list wants, to be worked out off the UI thread.
pub struct MaskRequest<T> {
    /// The list's items when asked (shared with the list).
    pub items: Arc<Vec<T>>,
    pub only: Only<T>,
    /// Which version of the list this is for (`apply_mask` drops answers for another).
    pub revision: u64,
}

impl<T> MaskRequest<T> {
    /// The answer for every item (the heavy part: run it off the UI thread).
    pub fn compute(&self) -> Vec<bool> {
        self.items.iter().map(|i| (self.only.0)(i)).collect()
    }
}

impl<T> Clone for MaskRequest<T> {
    fn clone(&self) -> Self {
        Self {
            items: self.items.clone(),
            only: self.only.clone(),
            revision: self.revision,
        }
    }
}

impl<T> PartialEq for MaskRequest<T> {
    fn eq(&self, other: &Self) -> bool {
        self.revision == other.revision
            && Arc::ptr_eq(&self.items, &other.items)
            && Arc::ptr_eq(&self.only.0, &other.only.0)
    }
}

impl<T> std::fmt::Debug for MaskRequest<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "MaskRequest({} items, revision {})",
            self.items.len(),
            self.revision
        )
    }
}

/// A mask the list waits for: the version of the list it is for, and whether it was
/// asked for yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PendingMask {
    revision: u64,
    requested: bool,
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

/// How two items compare for a sort (shared: a list keeps the one it is sorted by).
pub struct Compare<T>(Arc<CompareFn<T>>);

type CompareFn<T> = dyn Fn(&T, &T) -> std::cmp::Ordering + Send + Sync;

impl<T> Compare<T> {
    pub fn new(f: impl Fn(&T, &T) -> std::cmp::Ordering + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    pub fn compare(&self, a: &T, b: &T) -> std::cmp::Ordering {
        (self.0)(a, b)
    }
}

impl<T> Clone for Compare<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> std::fmt::Debug for Compare<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Compare")
    }
}

/// A filterable, sortable, selectable list.
#[derive(Debug, Clone, Default)]
pub struct Rows<T> {
    /// Shared with a mask request in flight (changed copy-on-write).
    items: Arc<Vec<T>>,
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
    /// Bumped whenever the items are replaced or changed in place (not when extended).
    revision: u64,
    /// The `only` answers of the items before `extend`ed ones are being worked out.
    pending: Option<PendingMask>,
}

impl<T: Clone> Rows<T> {
    pub fn new() -> Self {
        Self {
            items: Arc::new(Vec::new()),
            haystacks: Vec::new(),
            visible: Vec::new(),
            selected: 0,
            filter: String::new(),
            only: None,
            passes: Vec::new(),
            sort: None,
            revision: 0,
            pending: None,
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
        self.items = Arc::new(items);
        self.revision += 1;
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
        for (i, (item, hay)) in Arc::make_mut(&mut self.items)
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
            // A mask in the works was asked for the items as they were: ask again.
            self.revision += 1;
            if let Some(p) = &mut self.pending {
                *p = PendingMask {
                    revision: self.revision,
                    requested: false,
                };
            }
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
        let items = Arc::make_mut(&mut self.items);
        for item in more {
            let hay = search_text(&item).to_lowercase();
            let passes = self.only.as_ref().is_none_or(|o| (o.0)(&item));
            if self.only.is_some() {
                self.passes.push(passes);
            }
            if passes && finder.find(hay.as_bytes()).is_some() {
                self.visible.push(items.len());
            }
            self.haystacks.push(hay);
            items.push(item);
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

    fn apply_sort(&mut self) {
        if let Some((order, compare)) = &self.sort {
            let items = &self.items;
            self.visible.sort_by(|&a, &b| {
                let o = compare.compare(&items[a], &items[b]);
                if order.descending {
                    o.reverse()
                } else {
                    o
                }
            });
        }
    }

    pub fn clear(&mut self) {
        self.items = Arc::new(Vec::new());
        self.revision += 1;
        self.haystacks.clear();
        self.passes.clear();
        self.pending = None;
        self.visible.clear();
        self.selected = 0;
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

    /// The `only` answers this list waits for, once: the items (shared) and the predicate,
    /// to be computed off the UI thread and given back to `apply_mask`.
    pub fn mask_request(&mut self) -> Option<MaskRequest<T>> {
        let pending = self.pending.as_mut().filter(|p| !p.requested)?;
        let only = self.only.clone()?;
        pending.requested = true;
        Some(MaskRequest {
            items: self.items.clone(),
            only,
            revision: pending.revision,
        })
    }

    /// The answers of a `mask_request` came back: they are taken when the list is still
    /// the one they were worked out for (items `extend`ed since were answered as they
    /// came). False when they came too late.
    pub fn apply_mask(&mut self, revision: u64, mask: Vec<bool>) -> bool {
        let waiting = self.pending.is_some_and(|p| p.revision == revision);
        if !waiting || mask.len() > self.passes.len() {
            return false;
        }
        self.passes[..mask.len()].copy_from_slice(&mask);
        self.pending = None;
        let selected_item = self.visible.get(self.selected).copied();
        self.refilter(false);
        self.selected = selected_item
            .and_then(|s| self.visible.iter().position(|&i| i == s))
            .unwrap_or(0);
        true
    }

    fn recompute_passes(&mut self) {
        self.pending = None;
        self.passes = match &self.only {
            Some(o) if self.items.len() <= INLINE_ONLY => {
                self.items.iter().map(|i| (o.0)(i)).collect()
            }
            // Not shown until the answers are in (`mask_request`).
            Some(_) => {
                self.revision += 1;
                self.pending = Some(PendingMask {
                    revision: self.revision,
                    requested: false,
                });
                vec![false; self.items.len()]
            }
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
}

impl<T> Rows<T> {
    pub fn sort_order(&self) -> Option<SortOrder> {
        self.sort.as_ref().map(|(o, _)| *o)
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Are `only`'s answers for some items still being worked out (`mask_request`)?
    pub fn mask_pending(&self) -> bool {
        self.pending.is_some()
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
        let by_length_then_text =
            Compare::new(|a: &String, b: &String| (a.len(), a).cmp(&(b.len(), b)));
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

    fn long_rows() -> Rows<String> {
        rows(INLINE_ONLY + 500)
    }

    fn ends_in_7() -> Option<Only<String>> {
        Some(Only::new(|s: &String| s.ends_with('7')))
    }

    #[test]
    fn a_long_list_waits_for_its_mask_and_shows_nothing_unanswered() {
        let mut r = long_rows();
        r.set_only(ends_in_7());
        assert!(r.mask_pending());
        assert_eq!(r.len(), 0, "no item is shown before its answer");
        let request = r.mask_request().expect("a request");
        assert!(r.mask_request().is_none(), "asked once");
        // A page that comes meanwhile is answered as it comes.
        r.extend(vec!["late-7".into(), "late-8".into()], |s| s.clone());
        assert_eq!(r.len(), 1);
        assert!(r.apply_mask(request.revision, request.compute()));
        assert!(!r.mask_pending());
        assert_eq!(r.len(), (INLINE_ONLY + 500) / 10 + 1);
        assert!((0..r.len()).all(|i| r.row(i).is_some_and(|s| s.ends_with('7'))));
    }

    #[test]
    fn a_mask_for_a_replaced_list_is_dropped_and_asked_again() {
        let mut r = long_rows();
        r.set_only(ends_in_7());
        let old = r.mask_request().expect("a request");
        r.set_items(
            (0..INLINE_ONLY + 10).map(|i| format!("new-{i}")).collect(),
            |s| s.clone(),
            |_| false,
        );
        assert!(!r.apply_mask(old.revision, old.compute()), "too late");
        assert_eq!(r.len(), 0);
        let new = r.mask_request().expect("asked again for the new items");
        assert_ne!(new.revision, old.revision);
        assert!(r.apply_mask(new.revision, new.compute()));
        assert!(r.row(0).is_some_and(|s| s == "new-7"));
    }

    #[test]
    fn a_change_in_place_asks_for_the_mask_again() {
        let mut r = long_rows();
        r.set_only(ends_in_7());
        let old = r.mask_request().expect("a request");
        r.update_items(
            |s| {
                let hit = s == "item-8";
                if hit {
                    *s = "item-8-now-7".into();
                }
                hit
            },
            |s| s.clone(),
        );
        assert!(!r.apply_mask(old.revision, old.compute()));
        let new = r.mask_request().expect("asked again");
        assert!(r.apply_mask(new.revision, new.compute()));
        assert!(r.select_where(|s| s == "item-8-now-7"));
    }

    #[test]
    fn a_short_list_answers_at_once() {
        let mut r = rows(INLINE_ONLY);
        r.set_only(ends_in_7());
        assert!(!r.mask_pending() && r.mask_request().is_none());
        assert_eq!(r.len(), INLINE_ONLY / 10);
    }
}
