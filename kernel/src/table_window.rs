//! A table subscription that asked for a window: the kernel keeps every row, sorted as the
//! client asked, and sends only the rows the client shows (`offset`..`offset + limit`) and the
//! total. A browser scrolling 100,000 rows then receives a screenful at a time, and a change
//! outside its window costs it nothing but the new total.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::tables::{ObjectKey, Row};
use crate::watch::ObjectRef;

/// How rows are ordered: by one column's sort key (its `sort` number when the cell has one,
/// else its text), then by namespace and name so the order is total and stable.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SortSpec {
    /// The column id.
    pub column: String,
    /// Largest first.
    #[serde(default)]
    pub descending: bool,
}

/// Which rows the client shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WindowSpec {
    /// Index of the first row shown.
    #[serde(default)]
    pub offset: usize,
    /// How many rows are shown.
    pub limit: usize,
}

/// The most rows one window may hold: a screen, not the table.
pub const MAX_WINDOW: usize = 1_000;

/// What the client should show now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowView {
    /// Rows in the table (after filters).
    pub total: usize,
    /// Index of the first row in `rows`.
    pub offset: usize,
    /// The rows of the window, in order.
    pub rows: Vec<Row>,
}

/// Every row of one subscription, and the window and order the client asked for.
#[derive(Debug)]
pub struct WindowedRows {
    sort_column: Option<usize>,
    descending: bool,
    window: WindowSpec,
    rows: HashMap<ObjectRef, Row>,
    order: Vec<ObjectRef>,
    shown: Option<WindowView>,
}

fn reference(key: &ObjectKey) -> ObjectRef {
    ObjectRef {
        namespace: key.namespace.clone(),
        name: key.name.clone(),
    }
}

impl WindowedRows {
    /// Rows of a table with `columns`, sorted by `sort`, showing `window`.
    pub fn new(
        columns: &[String],
        sort: Option<&SortSpec>,
        window: WindowSpec,
    ) -> Result<Self, String> {
        let mut rows = Self {
            sort_column: None,
            descending: false,
            window: WindowSpec {
                offset: 0,
                limit: 0,
            },
            rows: HashMap::new(),
            order: Vec::new(),
            shown: None,
        };
        rows.set_sort(columns, sort)?;
        rows.set_window(window)?;
        Ok(rows)
    }

    /// Orders by another column (or by namespace/name with `None`).
    pub fn set_sort(&mut self, columns: &[String], sort: Option<&SortSpec>) -> Result<(), String> {
        self.sort_column = match sort {
            None => None,
            Some(spec) => Some(columns.iter().position(|c| *c == spec.column).ok_or_else(
                || {
                    format!(
                        "the table has no column {:?} to sort by; its columns are {columns:?}",
                        spec.column
                    )
                },
            )?),
        };
        self.descending = sort.is_some_and(|s| s.descending);
        self.reorder();
        Ok(())
    }

    /// Shows other rows.
    pub fn set_window(&mut self, window: WindowSpec) -> Result<(), String> {
        if window.limit == 0 || window.limit > MAX_WINDOW {
            return Err(format!(
                "a window shows 1 to {MAX_WINDOW} rows, not {}",
                window.limit
            ));
        }
        self.window = window;
        Ok(())
    }

    /// Replaces every row (a snapshot).
    pub fn replace(&mut self, rows: Vec<Row>) {
        self.rows = rows
            .into_iter()
            .map(|r| (reference(&r.object), r))
            .collect();
        self.reorder();
    }

    /// Applies changed and deleted rows.
    pub fn apply(&mut self, upserts: Vec<Row>, deletes: &[ObjectKey]) {
        for key in deletes {
            self.rows.remove(&reference(key));
        }
        for row in upserts {
            self.rows.insert(reference(&row.object), row);
        }
        self.reorder();
    }

    /// The window as it is now, if it differs from what was last returned.
    pub fn changed_view(&mut self) -> Option<WindowView> {
        let view = self.view();
        if self.shown.as_ref() == Some(&view) {
            return None;
        }
        self.shown = Some(view.clone());
        Some(view)
    }

    /// The window as it is now.
    pub fn view(&self) -> WindowView {
        let start = self.window.offset.min(self.order.len());
        let end = (start + self.window.limit).min(self.order.len());
        WindowView {
            total: self.order.len(),
            offset: start,
            rows: self.order[start..end]
                .iter()
                .map(|key| self.rows[key].clone())
                .collect(),
        }
    }

    fn reorder(&mut self) {
        let mut order: Vec<ObjectRef> = self.rows.keys().cloned().collect();
        let column = self.sort_column;
        let rows = &self.rows;
        order.sort_by(|a, b| {
            let by_column =
                column.map_or(Ordering::Equal, |c| compare_cells(&rows[a], &rows[b], c));
            let by_column = if self.descending {
                by_column.reverse()
            } else {
                by_column
            };
            by_column.then_with(|| a.cmp(b))
        });
        self.order = order;
    }
}

fn compare_cells(a: &Row, b: &Row, column: usize) -> Ordering {
    let (Some(a), Some(b)) = (a.cells.get(column), b.cells.get(column)) else {
        return Ordering::Equal;
    };
    match (a.sort, b.sort) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        // Cells with a sort key before those without, then by text.
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.text.cmp(&b.text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Cell;

    fn row(name: &str, age: f64) -> Row {
        let cell = |text: &str, sort: Option<f64>| Cell {
            text: text.into(),
            sort,
            tone: None,
            link: None,
        };
        Row {
            object: ObjectKey {
                namespace: Some("ns".into()),
                name: name.into(),
                uid: None,
                resource_version: None,
            },
            cells: vec![cell(name, None), cell("", Some(age))],
            actions: Vec::new(),
        }
    }

    fn columns() -> Vec<String> {
        vec!["name".into(), "age".into()]
    }

    fn names(view: &WindowView) -> Vec<&str> {
        view.rows.iter().map(|r| r.object.name.as_str()).collect()
    }

    fn window(offset: usize, limit: usize) -> WindowSpec {
        WindowSpec { offset, limit }
    }

    #[test]
    fn only_the_window_of_the_sorted_rows_is_shown_with_the_total() {
        let sort = SortSpec {
            column: "age".into(),
            descending: true,
        };
        let mut rows = WindowedRows::new(&columns(), Some(&sort), window(1, 2)).unwrap();
        rows.replace(vec![
            row("a", 1.0),
            row("b", 3.0),
            row("c", 2.0),
            row("d", 4.0),
        ]);
        let view = rows.view();
        assert_eq!(view.total, 4);
        assert_eq!(names(&view), ["b", "c"]);
    }

    #[test]
    fn a_change_outside_the_window_changes_only_the_total() {
        let mut rows = WindowedRows::new(&columns(), None, window(0, 2)).unwrap();
        rows.replace(vec![row("a", 1.0), row("b", 1.0), row("c", 1.0)]);
        rows.changed_view().unwrap();
        rows.apply(vec![row("z", 1.0)], &[]);
        let view = rows.changed_view().expect("the total changed");
        assert_eq!((view.total, names(&view)), (4, vec!["a", "b"]));
        rows.apply(vec![row("z", 2.0)], &[]);
        assert_eq!(
            rows.changed_view(),
            None,
            "nothing the client shows changed"
        );
    }

    #[test]
    fn a_deleted_row_in_the_window_is_replaced_by_the_next_one() {
        let mut rows = WindowedRows::new(&columns(), None, window(0, 2)).unwrap();
        rows.replace(vec![row("a", 1.0), row("b", 1.0), row("c", 1.0)]);
        let gone = row("a", 1.0).object;
        rows.apply(Vec::new(), &[gone]);
        assert_eq!(names(&rows.view()), ["b", "c"]);
    }

    #[test]
    fn sorting_by_an_unknown_column_or_a_huge_window_is_refused() {
        let sort = SortSpec {
            column: "nope".into(),
            descending: false,
        };
        let error = WindowedRows::new(&columns(), Some(&sort), window(0, 5)).unwrap_err();
        assert!(
            error.contains("\"nope\"") && error.contains("name"),
            "{error}"
        );
        assert!(WindowedRows::new(&columns(), None, window(0, MAX_WINDOW + 1)).is_err());
    }

    #[test]
    fn a_window_past_the_end_shows_the_last_rows_there_are() {
        let mut rows = WindowedRows::new(&columns(), None, window(10, 5)).unwrap();
        rows.replace(vec![row("a", 1.0)]);
        let view = rows.view();
        assert_eq!((view.total, view.offset, view.rows.len()), (1, 1, 0));
    }
}
