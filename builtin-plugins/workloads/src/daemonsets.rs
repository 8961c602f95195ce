//! DaemonSets: the table's scheduling counts and node selector, and the details view.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::details::{self, PodsOf, int_at, kv, str_at};

/// The status counts kubectl shows, by column id: (column, title, status field).
const COUNTS: [(&str, &str, &str); 5] = [
    ("desired", "Desired", "desiredNumberScheduled"),
    ("current", "Current", "currentNumberScheduled"),
    ("ready", "Ready", "numberReady"),
    ("up-to-date", "Up-to-date", "updatedNumberScheduled"),
    ("available", "Available", "numberAvailable"),
];

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    /// A status count, by its field.
    Count(&'static str),
    NodeSelector,
}

/// The table's columns after name and namespace, as `kubectl get daemonsets` prints them.
pub(crate) fn columns() -> Vec<Column> {
    let mut columns: Vec<Column> = COUNTS
        .iter()
        .map(|(id, title, _)| Column::computed(id, title))
        .collect();
    columns.push(Column::computed("node-selector", "Node Selector").format(CellFormat::Labels));
    columns
}

/// Cells of `columns` for each daemon set in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "daemon set",
        columns,
        objects,
        |id| match (id, COUNTS.iter().find(|(c, _, _)| *c == id)) {
            (_, Some((_, _, field))) => Ok(Computed::Count(field)),
            ("node-selector", None) => Ok(Computed::NodeSelector),
            (other, None) => Err(format!(
                "the workloads plugin computes no column `{other}` of table `daemonsets` (only `desired`, `current`, `ready`, `up-to-date`, `available` and `node-selector`)"
            )),
        },
        |set: &Value, columns: &[Computed]| columns.iter().map(|c| cell(*c, set)).collect(),
    )
}

fn cell(column: Computed, set: &Value) -> Cell {
    match column {
        Computed::Count(field) => {
            let n = int_at(set, &["status", field]).unwrap_or(0);
            let desired = int_at(set, &["status", "desiredNumberScheduled"]).unwrap_or(0);
            let cell = Cell::number(n as f64);
            // Ready and available fall short of desired when pods are failing.
            match field {
                "numberReady" | "numberAvailable" if n < desired => cell.tone(Tone::Warning),
                _ => cell,
            }
        }
        Computed::NodeSelector => Cell::text(node_selector(set)),
    }
}

fn node_selector(set: &Value) -> String {
    details::pairs_text(set.pointer("/spec/template/spec/nodeSelector"))
}

/// Metadata, scheduling counts, conditions, pods, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now: u64) -> Result<View, String> {
    let set = object.value()?;
    let mut pairs = details::metadata(set, now);
    pairs.extend([
        kv(
            "Selector",
            details::selector_text(set.pointer("/spec/selector")),
        ),
        kv("Node selector", node_selector(set)),
        kv(
            "Update strategy",
            // The API server defaults the strategy to RollingUpdate.
            str_at(set, &["spec", "updateStrategy", "type"]).unwrap_or("RollingUpdate"),
        ),
        kv("Images", details::template_images(set)),
    ]);
    let mut counts: Vec<(String, String)> = COUNTS
        .iter()
        .map(|(_, title, field)| {
            let n = int_at(set, &["status", field]).unwrap_or(0);
            ((*title).to_owned(), n.to_string())
        })
        .collect();
    counts.push((
        "Misscheduled".to_owned(),
        int_at(set, &["status", "numberMisscheduled"])
            .unwrap_or(0)
            .to_string(),
    ));
    Ok(View::stack()
        .child(details::header(set, pairs))
        .child(View::section("Scheduling").child(View::key_values(counts)))
        .child(details::conditions_section(set))
        .child(details::pods_section(cluster, set, PodsOf::Owned, now))
        .child(details::events_section(cluster, set, now))
        .child(details::yaml_section(set, "daemon set")?)
        .build())
}
