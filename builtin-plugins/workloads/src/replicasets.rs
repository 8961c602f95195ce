//! ReplicaSets: the table's counts and owner, and the details view.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::details::{self, PodsOf, int_at, kv, text_at};
use crate::kinds;

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    Desired,
    Current,
    Ready,
    Owner,
}

/// The table's columns after name and namespace (kubectl's DESIRED, CURRENT, READY; the owner
/// as Headlamp links it).
pub(crate) fn columns() -> Vec<Column> {
    vec![
        Column::computed("desired", "Desired"),
        Column::computed("current", "Current"),
        Column::computed("ready", "Ready"),
        Column::computed("controlled-by", "Controlled By"),
    ]
}

/// Cells of `columns` for each replica set in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "replica set",
        columns,
        objects,
        |id| match id {
            "desired" => Ok(Computed::Desired),
            "current" => Ok(Computed::Current),
            "ready" => Ok(Computed::Ready),
            "controlled-by" => Ok(Computed::Owner),
            other => Err(format!(
                "the workloads plugin computes no column `{other}` of table `replicasets` (only `desired`, `current`, `ready` and `controlled-by`)"
            )),
        },
        |set: &Value, columns: &[Computed]| columns.iter().map(|c| cell(*c, set)).collect(),
    )
}

fn cell(column: Computed, set: &Value) -> Cell {
    // Kubernetes defaults an omitted `spec.replicas` to 1; status counts are omitted when 0.
    let desired = int_at(set, &["spec", "replicas"]).unwrap_or(1);
    let status = |field: &str| int_at(set, &["status", field]).unwrap_or(0);
    match column {
        Computed::Desired => Cell::number(desired as f64),
        Computed::Current => Cell::number(status("replicas") as f64),
        Computed::Ready => {
            let ready = status("readyReplicas");
            let tone = if ready >= desired {
                Tone::Success
            } else {
                Tone::Warning
            };
            Cell::number(ready as f64).tone(tone)
        }
        Computed::Owner => owner_cell(set),
    }
}

/// `Deployment/web`, linked to its view when it is a kind of this plugin.
pub(crate) fn owner_cell(object: &Value) -> Cell {
    let owner = details::array_at(object, &["metadata", "ownerReferences"])
        .iter()
        .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true));
    let Some(owner) = owner else {
        return Cell::empty();
    };
    let kind = text_at(owner, &["kind"]);
    let name = text_at(owner, &["name"]);
    let cell = Cell::text(format!("{kind}/{name}"));
    match kinds::route_of(&kind, &text_at(object, &["metadata", "namespace"]), &name) {
        Some(route) => cell.link(route),
        None => cell,
    }
}

/// Metadata, replica counts, conditions, pods, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now: u64) -> Result<View, String> {
    let set = object.value()?;
    let mut pairs = details::metadata(set, now);
    pairs.extend([
        kv(
            "Selector",
            details::selector_text(set.pointer("/spec/selector")),
        ),
        kv("Images", details::template_images(set)),
        kv(
            "Revision",
            crate::deployment_details::revision(set).to_string(),
        ),
    ]);
    let count = |field: &str| int_at(set, &["status", field]).unwrap_or(0).to_string();
    let replicas = View::section("Replicas").child(View::key_values([
        (
            "Desired",
            int_at(set, &["spec", "replicas"]).unwrap_or(1).to_string(),
        ),
        ("Current", count("replicas")),
        ("Ready", count("readyReplicas")),
        ("Available", count("availableReplicas")),
    ]));
    Ok(View::stack()
        .child(details::header(set, pairs))
        .child(replicas)
        .child(details::conditions_section(set))
        .child(details::pods_section(cluster, set, PodsOf::Owned, now))
        .child(details::events_section(cluster, set, now))
        .child(details::yaml_section(set, "replica set")?)
        .build())
}
