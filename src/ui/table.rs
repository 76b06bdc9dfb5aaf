//! The current table's rows, built once per change of what they depend on (the store's
//! generation, the view, scope, sort and the clock's second) and shared by the frame and the
//! selection, so moving the selection or redrawing never rebuilds them. The filter is applied to
//! those rows, not the store: typing a filter only matches, it never formats rows again — and a
//! filter typed further (`app` → `app-1`) looks only at the rows the shorter one kept.

use std::cell::RefCell;
use std::sync::Arc;

use super::app::App;
use super::screen::View;
use crate::view::filter::Filter;
use crate::view::lists::ListRow;
use crate::view::sort::Sort;

/// What the rows were built from (all but the filter).
#[derive(Debug, Clone, PartialEq, Eq)]
struct TableKey {
    generation: u64,
    view: View,
    scope: Option<String>,
    sort: Sort,
    now: i64,
    /// Entries in the action log (it changes without the store).
    actions: usize,
}

/// Rows built from a key (and, for filtered rows, the filter's text).
type Built<K> = RefCell<Option<(K, Arc<Vec<ListRow>>)>>;

/// Rows as last built: every row, and those the last filter kept.
#[derive(Debug, Default)]
pub struct TableCache {
    all: Built<TableKey>,
    filtered: Built<(TableKey, String)>,
}

impl App {
    /// The current table's rows, scoped, filtered and sorted as shown.
    pub fn table_rows(&self) -> Arc<Vec<ListRow>> {
        let key = TableKey {
            generation: self.store.generation(),
            view: self.view(),
            scope: self.scope().map(str::to_string),
            sort: self.screen().sort,
            now: self.now(),
            actions: self.actions.log.len(),
        };
        let all = self.all_rows(&key);
        let filter = self.filter();
        if filter.is_empty() {
            return all;
        }
        let cache = &self.table_cache.filtered;
        // Narrowing a literal filter keeps a subset of what the shorter one kept.
        let start = match cache.borrow().as_ref() {
            Some(((built_from, text), rows)) if *built_from == key => {
                if text == filter.text() {
                    return rows.clone();
                }
                filter.narrows(text).then(|| rows.clone())
            }
            _ => None,
        };
        // Only a label selector reads the objects' labels (a lookup per row otherwise wasted).
        let by_labels = filter.is_label_selector();
        let labels = |row: &ListRow| {
            by_labels
                .then(|| self.store.get(row.kind, &row.key).map(|r| r.labels()))
                .flatten()
        };
        let rows: Arc<Vec<ListRow>> = Arc::new(
            start
                .as_deref()
                .unwrap_or(&all)
                .iter()
                .filter(|row| filter.matches(&row.cells, labels(row)))
                .cloned()
                .collect(),
        );
        *cache.borrow_mut() = Some(((key, filter.text().to_string()), rows.clone()));
        rows
    }

    /// Every row of the current table (unfiltered), scoped and sorted.
    fn all_rows(&self, key: &TableKey) -> Arc<Vec<ListRow>> {
        if let Some((built_from, rows)) = self.table_cache.all.borrow().as_ref()
            && built_from == key
        {
            return rows.clone();
        }
        let (scope, sort, now) = (key.scope.as_deref(), key.sort, key.now);
        let everything = Filter::default();
        let rows = Arc::new(match key.view {
            View::Pipeline | View::Detail(_) | View::Logs | View::Metrics(_) => Vec::new(),
            View::ActionLog => {
                let mut rows: Vec<ListRow> =
                    self.actions.log.iter().rev().map(action_row).collect();
                sort.apply(&mut rows);
                rows
            }
            View::Waiting => crate::view::waiting::rows(&self.store, scope, sort, now),
            View::List(kind) => crate::view::lists::rows(&self.store, kind, scope, sort, now),
            View::Kargo => {
                let mut rows =
                    crate::view::kargo::build(&self.store, scope, &everything, now).freight;
                sort.apply(&mut rows);
                rows
            }
        });
        *self.table_cache.all.borrow_mut() = Some((key.clone(), rows.clone()));
        rows
    }
}

/// An action log entry as a table row (newest first; it names no object to open).
fn action_row(entry: &crate::audit::AuditEntry) -> ListRow {
    use crate::theme::Slot;
    use crate::view::cell::Cell;
    let slot = if entry.outcome.starts_with("confirmed") {
        Slot::Success
    } else if entry.outcome.starts_with("failed") || entry.outcome.starts_with("not possible") {
        Slot::Error
    } else {
        Slot::Warning
    };
    ListRow {
        kind: crate::model::Kind::Event,
        key: crate::model::ObjectKey::new("", entry.time.clone()),
        cells: vec![
            Cell::muted(entry.time.clone()),
            Cell::muted(entry.context.clone()),
            Cell::new(entry.what.clone(), Slot::Text),
            Cell::new(entry.outcome.clone(), slot),
            Cell::muted(entry.cli.clone()),
        ],
    }
}
