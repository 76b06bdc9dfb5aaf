//! The current table's rows, built once per change of what they depend on (the store's
//! generation, the view, scope, filter, sort and the clock's second) and shared by the frame and
//! the selection, so moving the selection or redrawing never rebuilds them.

use std::cell::RefCell;
use std::sync::Arc;

use super::app::{App, View};
use crate::view::lists::ListRow;
use crate::view::sort::Sort;

/// What the rows were built from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TableKey {
    generation: u64,
    view: View,
    scope: Option<String>,
    filter: String,
    sort: Sort,
    now: i64,
    /// Entries in the action log (it changes without the store).
    actions: usize,
}

/// The last table built.
#[derive(Debug, Default)]
pub struct TableCache(RefCell<Option<(TableKey, Arc<Vec<ListRow>>)>>);

impl App {
    /// The current table's rows, scoped, filtered and sorted as shown.
    pub fn table_rows(&self) -> Arc<Vec<ListRow>> {
        let (scope, filter, sort, now) = (self.scope(), &self.filter, self.sort, self.now());
        let key = TableKey {
            generation: self.store.generation(),
            view: self.view(),
            scope: scope.map(str::to_string),
            filter: filter.text().to_string(),
            sort,
            now,
            actions: self.action_log.len(),
        };
        if let Some((built_from, rows)) = self.table_cache.0.borrow().as_ref()
            && *built_from == key
        {
            return rows.clone();
        }
        let rows = Arc::new(match key.view {
            View::Pipeline | View::Detail(_) | View::Logs | View::Metrics(_) => Vec::new(),
            View::ActionLog => {
                let mut rows: Vec<ListRow> = self
                    .action_log
                    .iter()
                    .rev()
                    .map(action_row)
                    .filter(|row| filter.matches(&row.cells, None))
                    .collect();
                sort.apply(&mut rows);
                rows
            }
            View::Waiting => crate::view::waiting::rows(&self.store, scope, filter, sort, now),
            View::List(kind) => {
                crate::view::lists::rows(&self.store, kind, scope, filter, sort, now)
            }
            View::Kargo => {
                let mut rows = crate::view::kargo::build(&self.store, scope, filter, now).freight;
                sort.apply(&mut rows);
                rows
            }
        });
        *self.table_cache.0.borrow_mut() = Some((key, rows.clone()));
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
