//! Sorting a table by one of its columns: the view's own order until a column is chosen, then
//! that column ascending or descending (`Cell::compare`: numbers and ages as numbers). Pure.

use super::lists::ListRow;

/// How a table is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sort {
    /// The column sorted by; `None` keeps the view's own order.
    pub column: Option<usize>,
    pub descending: bool,
}

impl Sort {
    /// Sorts by the next column to the right (after the last: the view's own order again).
    pub fn next_column(self, columns: usize) -> Sort {
        let column = match self.column {
            None if columns > 0 => Some(0),
            Some(index) if index + 1 < columns => Some(index + 1),
            _ => None,
        };
        Sort { column, ..self }
    }

    /// Sorts by the next column to the left (before the first: the view's own order again).
    pub fn prev_column(self, columns: usize) -> Sort {
        let column = match self.column {
            None => columns.checked_sub(1),
            Some(0) => None,
            Some(index) => Some(index - 1),
        };
        Sort { column, ..self }
    }

    /// The other direction.
    pub fn reversed(self) -> Sort {
        Sort {
            descending: !self.descending,
            ..self
        }
    }

    /// Sorts `rows` (stable: rows with equal cells keep the view's order).
    pub fn apply(self, rows: &mut [ListRow]) {
        let Some(column) = self.column else {
            if self.descending {
                rows.reverse();
            }
            return;
        };
        rows.sort_by(|a, b| {
            let order = match (a.cells.get(column), b.cells.get(column)) {
                (Some(x), Some(y)) => x.compare(y),
                (x, y) => x.is_some().cmp(&y.is_some()),
            };
            if self.descending {
                order.reverse()
            } else {
                order
            }
        });
    }

    /// The arrow after the title of the sorted column.
    pub fn marker(self, column: usize, ascii: bool) -> &'static str {
        match (self.column == Some(column), self.descending, ascii) {
            (false, _, _) => "",
            (true, false, false) => "↑",
            (true, true, false) => "↓",
            (true, false, true) => "^",
            (true, true, true) => "v",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, ObjectKey};
    use crate::view::cell::Cell;

    fn row(name: &str, age: i64) -> ListRow {
        ListRow {
            kind: Kind::Workflow,
            key: ObjectKey::new("ns", name),
            cells: vec![Cell::muted(name), Cell::muted("x").ordered(Some(age))],
        }
    }

    fn names(rows: &[ListRow]) -> Vec<&str> {
        rows.iter().map(|r| r.key.name.as_str()).collect()
    }

    #[test]
    fn columns_cycle_and_direction_flips() {
        let sort = Sort::default();
        assert_eq!(sort.next_column(2).column, Some(0));
        assert_eq!(
            sort.next_column(2).next_column(2).next_column(2).column,
            None
        );
        assert_eq!(sort.prev_column(2).column, Some(1));
        let mut rows = vec![row("b", 5), row("c", 60), row("a", 3600)];
        Sort::default().apply(&mut rows);
        assert_eq!(names(&rows), ["b", "c", "a"]);
        sort.next_column(2).apply(&mut rows);
        assert_eq!(names(&rows), ["a", "b", "c"]);
        let by_age = sort.prev_column(2);
        by_age.apply(&mut rows);
        assert_eq!(names(&rows), ["b", "c", "a"]);
        by_age.reversed().apply(&mut rows);
        assert_eq!(names(&rows), ["a", "c", "b"]);
        assert_eq!(by_age.marker(1, false), "↑");
        assert_eq!(by_age.reversed().marker(1, true), "v");
        assert_eq!(by_age.marker(0, false), "");
    }
}
