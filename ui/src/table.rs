//! A live table's rows: a snapshot, then deltas from the stream; sorting and filtering.
//!
//! Rows live in one `Vec` with a `(cluster, namespace, name) -> position` index, so an upsert
//! or a delete costs O(1) whatever the table size; the sorted and filtered order is a separate
//! list of positions, recomputed when rows or the sort/filter change.
//!
//! One table may merge the rows of several clusters (the multi-cluster view): each cluster's
//! subscription feeds its own snapshots and deltas, which touch only that cluster's rows.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::model::{Cell, ObjectKey, Row};

/// The identity of a row: cluster, namespace and name (the stream's upsert rule, per cluster).
pub type RowKey = (String, Option<String>, String);

/// The index key: the cluster's position in [`TableState::clusters`] instead of its name.
type IndexKey = (usize, Option<String>, String);

fn key_of(source: usize, object: &ObjectKey) -> IndexKey {
    (source, object.namespace.clone(), object.name.clone())
}

/// Rows of one table, from one or several clusters' subscriptions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableState {
    /// Column ids of the rows' cells.
    pub columns: Vec<String>,
    rows: Vec<Row>,
    // The cluster of each row (a position in `clusters`), parallel to `rows`.
    sources: Vec<usize>,
    clusters: Vec<String>,
    index: HashMap<IndexKey, usize>,
    // Per cluster: plugins whose cells are missing, and why.
    errors: Vec<(usize, String)>,
    /// Whether a snapshot has arrived (from any cluster).
    pub loaded: bool,
}

impl TableState {
    fn source(&mut self, cluster: &str) -> usize {
        match self.clusters.iter().position(|c| c == cluster) {
            Some(i) => i,
            None => {
                self.clusters.push(cluster.to_owned());
                self.clusters.len() - 1
            }
        }
    }

    /// Replaces everything with a snapshot (a table of one unnamed cluster).
    pub fn snapshot(&mut self, columns: Vec<String>, rows: Vec<Row>, errors: Vec<String>) {
        self.snapshot_in("", columns, rows, errors);
    }

    /// Replaces `cluster`'s rows with a snapshot; other clusters' rows stay.
    pub fn snapshot_in(
        &mut self,
        cluster: &str,
        columns: Vec<String>,
        rows: Vec<Row>,
        errors: Vec<String>,
    ) {
        let source = self.source(cluster);
        self.columns = columns;
        if self.sources.iter().all(|&s| s == source) {
            // The common case (one cluster): no need to keep anything.
            self.rows.clear();
            self.sources.clear();
            self.index.clear();
        } else {
            let (mut kept_rows, mut kept_sources) = (Vec::new(), Vec::new());
            for (row, s) in std::mem::take(&mut self.rows)
                .into_iter()
                .zip(&self.sources)
            {
                if *s != source {
                    kept_rows.push(row);
                    kept_sources.push(*s);
                }
            }
            self.rows = kept_rows;
            self.sources = kept_sources;
            self.index = self
                .rows
                .iter()
                .zip(&self.sources)
                .enumerate()
                .map(|(i, (r, &s))| (key_of(s, &r.object), i))
                .collect();
        }
        for row in rows {
            self.index
                .insert(key_of(source, &row.object), self.rows.len());
            self.rows.push(row);
            self.sources.push(source);
        }
        self.errors.retain(|(s, _)| *s != source);
        self.errors.extend(errors.into_iter().map(|e| (source, e)));
        self.loaded = true;
    }

    /// Applies a delta (of the unnamed cluster of [`snapshot`](Self::snapshot)).
    pub fn apply(&mut self, upserts: Vec<Row>, deletes: &[ObjectKey]) {
        self.apply_in("", upserts, deletes);
    }

    /// Applies a delta of `cluster`: upserts replace or add rows, deletes remove them (a
    /// delete of a row the table does not have is ignored, as the protocol says).
    pub fn apply_in(&mut self, cluster: &str, upserts: Vec<Row>, deletes: &[ObjectKey]) {
        let source = self.source(cluster);
        for object in deletes {
            if let Some(position) = self.index.remove(&key_of(source, object)) {
                self.rows.swap_remove(position);
                self.sources.swap_remove(position);
                if let Some(moved) = self.rows.get(position) {
                    self.index
                        .insert(key_of(self.sources[position], &moved.object), position);
                }
            }
        }
        for row in upserts {
            let key = key_of(source, &row.object);
            match self.index.get(&key) {
                Some(&position) => self.rows[position] = row,
                None => {
                    self.index.insert(key, self.rows.len());
                    self.rows.push(row);
                    self.sources.push(source);
                }
            }
        }
    }

    /// Every row, in arrival order.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The cluster of the row at `position` in [`rows`](Self::rows).
    pub fn cluster_of(&self, position: usize) -> &str {
        self.sources
            .get(position)
            .and_then(|&s| self.clusters.get(s))
            .map_or("", String::as_str)
    }

    /// The key of the row at `position` in [`rows`](Self::rows).
    pub fn key_at(&self, position: usize) -> RowKey {
        let object = &self.rows[position].object;
        (
            self.cluster_of(position).to_owned(),
            object.namespace.clone(),
            object.name.clone(),
        )
    }

    /// The row with this key (in the unnamed cluster of [`snapshot`](Self::snapshot)).
    pub fn get(&self, namespace: Option<&str>, name: &str) -> Option<&Row> {
        self.get_in("", namespace, name)
    }

    /// The row of `cluster` with this namespace and name.
    pub fn get_in(&self, cluster: &str, namespace: Option<&str>, name: &str) -> Option<&Row> {
        let source = self.clusters.iter().position(|c| c == cluster)?;
        self.index
            .get(&(source, namespace.map(str::to_owned), name.to_owned()))
            .map(|&i| &self.rows[i])
    }

    /// Plugins whose cells are missing, and why; named by cluster when the table has several.
    pub fn errors(&self) -> Vec<String> {
        let named = self.clusters.len() > 1;
        self.errors
            .iter()
            .map(|(s, e)| match named {
                true => format!("{}: {e}", self.clusters[*s]),
                false => e.clone(),
            })
            .collect()
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Positions of the rows that match `filter` (in a cell, the name, the namespace or the
    /// cluster), ordered by `sort`; ties by namespace, name, then cluster.
    pub fn order(&self, sort: Option<&Sort>, filter: &str) -> Vec<usize> {
        let words = filter_words(filter);
        let several = self.clusters.len() > 1;
        let mut order: Vec<usize> = (0..self.rows.len())
            .filter(|&i| {
                let cluster = several.then(|| self.cluster_of(i));
                matches_filter(&self.rows[i], cluster, &words)
            })
            .collect();
        let column = sort.and_then(|s| self.columns.iter().position(|c| *c == s.column));
        let descending = sort.is_some_and(|s| s.descending);
        order.sort_by(|&a, &b| {
            let (ra, rb) = (&self.rows[a], &self.rows[b]);
            let by_column = column
                .map(|c| compare_cells(ra.cells.get(c), rb.cells.get(c)))
                .unwrap_or(Ordering::Equal);
            let by_column = if descending {
                by_column.reverse()
            } else {
                by_column
            };
            // Ties keep a stable, meaningful order: namespace, then name, then cluster.
            by_column
                .then_with(|| ra.object.namespace.cmp(&rb.object.namespace))
                .then_with(|| ra.object.name.cmp(&rb.object.name))
                .then_with(|| self.cluster_of(a).cmp(self.cluster_of(b)))
        });
        order
    }
}

/// A sort: column id and direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    /// Column id.
    pub column: String,
    /// Descending when true.
    pub descending: bool,
}

impl Sort {
    /// The sort after clicking `column`'s header: the same column flips, another starts ascending.
    pub fn toggled(current: Option<&Sort>, column: &str) -> Sort {
        match current {
            Some(s) if s.column == column => Sort {
                column: column.to_owned(),
                descending: !s.descending,
            },
            _ => Sort {
                column: column.to_owned(),
                descending: false,
            },
        }
    }
}

/// Cells sort numerically when both carry `sort`, else by text, case-insensitively with
/// digit runs compared as numbers (`pod-9` before `pod-10`); a missing cell sorts first.
pub fn compare_cells(a: Option<&Cell>, b: Option<&Cell>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => match (a.sort, b.sort) {
            (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            _ => natural_cmp(&a.text, &b.text),
        },
    }
}

/// Compares text case-insensitively (ASCII), digit runs by value. Allocation-free: a live
/// table re-sorts on every delta, so this runs about n·log n times per batch.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let (start_a, start_b) = (i, j);
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let (da, db) = (trim_zeros(&a[start_a..i]), trim_zeros(&b[start_b..j]));
            let ord = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
            if ord != Ordering::Equal {
                return ord;
            }
        } else {
            // UTF-8 byte order is code point order, so non-ASCII text still sorts sensibly.
            let ord = a[i].to_ascii_lowercase().cmp(&b[j].to_ascii_lowercase());
            if ord != Ordering::Equal {
                return ord;
            }
            i += 1;
            j += 1;
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let first = digits
        .iter()
        .position(|&d| d != b'0')
        .unwrap_or(digits.len());
    &digits[first..]
}

fn filter_words(filter: &str) -> Vec<String> {
    filter.split_whitespace().map(str::to_lowercase).collect()
}

/// A row matches when every word of the filter is in its name, namespace, cluster (when the
/// table merges several) or one of its cells
/// (case-insensitive).
fn matches_filter(row: &Row, cluster: Option<&str>, words: &[String]) -> bool {
    words.iter().all(|word| {
        row.object.name.to_lowercase().contains(word)
            || cluster.is_some_and(|c| c.to_lowercase().contains(word))
            || row
                .object
                .namespace
                .as_ref()
                .is_some_and(|ns| ns.to_lowercase().contains(word))
            || row
                .cells
                .iter()
                .any(|c| c.text.to_lowercase().contains(word))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ns: &str, name: &str, cells: &[(&str, Option<f64>)]) -> Row {
        Row {
            object: ObjectKey {
                namespace: Some(ns.into()),
                name: name.into(),
                uid: format!("uid-{name}"),
                resource_version: "1".into(),
            },
            cells: cells
                .iter()
                .map(|(t, s)| Cell {
                    text: (*t).into(),
                    sort: *s,
                    ..Cell::default()
                })
                .collect(),
            actions: Vec::new(),
        }
    }

    fn names(state: &TableState, order: &[usize]) -> Vec<String> {
        order
            .iter()
            .map(|&i| state.rows()[i].object.name.clone())
            .collect()
    }

    fn pods() -> TableState {
        let mut t = TableState::default();
        t.snapshot(
            vec!["name".into(), "status".into(), "restarts".into()],
            vec![
                row(
                    "shop",
                    "web-10",
                    &[("web-10", None), ("Running", None), ("3", Some(3.0))],
                ),
                row(
                    "shop",
                    "web-9",
                    &[("web-9", None), ("Pending", None), ("12", Some(12.0))],
                ),
                row(
                    "db",
                    "pg-0",
                    &[("pg-0", None), ("Running", None), ("0", Some(0.0))],
                ),
            ],
            vec![],
        );
        t
    }

    #[test]
    fn upserts_replace_or_add_and_deletes_remove() {
        let mut t = pods();
        t.apply(
            vec![
                row(
                    "shop",
                    "web-9",
                    &[("web-9", None), ("Running", None), ("12", Some(12.0))],
                ),
                row(
                    "shop",
                    "web-11",
                    &[("web-11", None), ("Pending", None), ("0", Some(0.0))],
                ),
            ],
            &[row("shop", "web-10", &[]).object],
        );
        assert_eq!(t.len(), 3);
        assert_eq!(
            t.get(Some("shop"), "web-9").unwrap().cells[1].text,
            "Running"
        );
        assert!(t.get(Some("shop"), "web-10").is_none());
        assert!(t.get(Some("shop"), "web-11").is_some());
        // The index still points at the right rows after the swap_remove moved one.
        for (i, r) in t.rows().iter().enumerate() {
            assert_eq!(t.index[&key_of(t.sources[i], &r.object)], i);
        }
    }

    #[test]
    fn a_delete_of_an_unknown_row_is_ignored() {
        let mut t = pods();
        t.apply(vec![], &[row("shop", "never-seen", &[]).object]);
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn a_snapshot_replaces_everything() {
        let mut t = pods();
        t.snapshot(
            vec!["name".into()],
            vec![row("x", "only", &[("only", None)])],
            vec![],
        );
        assert_eq!(t.len(), 1);
        assert!(t.get(Some("shop"), "web-9").is_none());
        assert!(t.loaded);
    }

    #[test]
    fn sorts_numerically_naturally_and_both_ways() {
        let t = pods();
        let by = |column: &str, descending| {
            names(
                &t,
                &t.order(
                    Some(&Sort {
                        column: column.into(),
                        descending,
                    }),
                    "",
                ),
            )
        };
        assert_eq!(by("name", false), ["pg-0", "web-9", "web-10"]);
        assert_eq!(by("name", true), ["web-10", "web-9", "pg-0"]);
        assert_eq!(by("restarts", false), ["pg-0", "web-10", "web-9"]);
        // Equal statuses fall back to namespace then name.
        assert_eq!(by("status", false), ["web-9", "pg-0", "web-10"]);
    }

    #[test]
    fn filters_by_every_word_case_insensitively() {
        let t = pods();
        assert_eq!(names(&t, &t.order(None, "RUNNING")), ["pg-0", "web-10"]);
        assert_eq!(names(&t, &t.order(None, "running shop")), ["web-10"]);
        assert!(t.order(None, "nothing-matches").is_empty());
    }

    #[test]
    fn clicking_a_header_toggles_the_direction() {
        let s = Sort::toggled(None, "name");
        assert!(!s.descending);
        let s = Sort::toggled(Some(&s), "name");
        assert!(s.descending);
        assert!(!Sort::toggled(Some(&s), "age").descending);
    }

    #[test]
    fn natural_order_compares_digit_runs_by_value() {
        assert_eq!(natural_cmp("a2", "a10"), Ordering::Less);
        assert_eq!(natural_cmp("B", "a"), Ordering::Greater);
        assert_eq!(natural_cmp("x007", "x7"), Ordering::Equal);
        assert_eq!(natural_cmp("pod", "pod-1"), Ordering::Less);
        assert_eq!(natural_cmp("Web-2", "web-2"), Ordering::Equal);
        assert_eq!(natural_cmp("a9b", "a10a"), Ordering::Less);
    }

    fn clusters_and_names(t: &TableState, order: &[usize]) -> Vec<String> {
        order
            .iter()
            .map(|&i| format!("{}:{}", t.cluster_of(i), t.rows()[i].object.name))
            .collect()
    }

    #[test]
    fn rows_of_several_clusters_merge_and_each_cluster_updates_only_its_own() {
        let mut t = TableState::default();
        let cols = || vec!["name".to_string()];
        t.snapshot_in(
            "a",
            cols(),
            vec![row("shop", "web", &[]), row("db", "pg", &[])],
            vec![],
        );
        t.snapshot_in(
            "b",
            cols(),
            vec![row("shop", "web", &[])],
            vec!["broken plugin".into()],
        );
        assert_eq!(
            t.len(),
            3,
            "the same namespace/name in two clusters are two rows"
        );
        assert_eq!(
            clusters_and_names(&t, &t.order(None, "")),
            ["a:pg", "a:web", "b:web"]
        );
        // A delta of b leaves a's row of the same name alone.
        t.apply_in("b", vec![], &[row("shop", "web", &[]).object]);
        assert!(t.get_in("a", Some("shop"), "web").is_some());
        assert!(t.get_in("b", Some("shop"), "web").is_none());
        // A fresh snapshot of a (after a reconnect) replaces only a's rows.
        t.snapshot_in("b", cols(), vec![row("x", "new", &[])], vec![]);
        t.snapshot_in("a", cols(), vec![row("db", "pg", &[])], vec![]);
        assert_eq!(
            clusters_and_names(&t, &t.order(None, "")),
            ["a:pg", "b:new"]
        );
        assert_eq!(
            t.key_at(t.order(None, "new")[0]),
            ("b".into(), Some("x".into()), "new".into())
        );
        assert!(t.errors().is_empty(), "b's new snapshot cleared its errors");
    }

    #[test]
    fn the_filter_matches_the_cluster_of_merged_rows_and_errors_name_it() {
        let mut t = TableState::default();
        t.snapshot_in("prod", vec![], vec![row("ns", "one", &[])], vec![]);
        t.snapshot_in(
            "dev",
            vec![],
            vec![row("ns", "two", &[])],
            vec!["cells failed".into()],
        );
        assert_eq!(clusters_and_names(&t, &t.order(None, "prod")), ["prod:one"]);
        assert_eq!(t.errors(), ["dev: cells failed"]);
    }
}
