//! StatefulSets: the ready count of the table, and the details view.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::details::{self, PodsOf, int_at, kv, str_at, text_at};

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    Ready,
    Images,
}

/// The table's columns after name and namespace (kubectl's READY, Headlamp's images).
pub(crate) fn columns() -> Vec<Column> {
    vec![
        Column::computed("ready", "Ready"),
        Column::computed("images", "Images").hidden(),
    ]
}

/// Cells of `columns` for each stateful set in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "stateful set",
        columns,
        objects,
        |id| match id {
            "ready" => Ok(Computed::Ready),
            "images" => Ok(Computed::Images),
            other => Err(format!(
                "the workloads plugin computes no column `{other}` of table `statefulsets` (only `ready` and `images`)"
            )),
        },
        |set: &Value, columns: &[Computed]| {
            columns
                .iter()
                .map(|c| match c {
                    Computed::Ready => ready(set),
                    Computed::Images => Cell::text(details::template_images(set)),
                })
                .collect()
        },
    )
}

/// `ready/desired`; Kubernetes defaults an omitted `spec.replicas` to 1.
fn ready(set: &Value) -> Cell {
    details::ready_cell(
        int_at(set, &["status", "readyReplicas"]).unwrap_or(0),
        int_at(set, &["spec", "replicas"]).unwrap_or(1),
    )
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
        kv("Service", text_at(set, &["spec", "serviceName"])),
        kv(
            "Update strategy",
            // The API server defaults the strategy to RollingUpdate.
            str_at(set, &["spec", "updateStrategy", "type"]).unwrap_or("RollingUpdate"),
        ),
        kv(
            "Pod management",
            str_at(set, &["spec", "podManagementPolicy"]).unwrap_or("OrderedReady"),
        ),
        kv("Images", details::template_images(set)),
    ]);
    let count = |field: &str| int_at(set, &["status", field]).unwrap_or(0).to_string();
    let replicas = View::section("Replicas").child(View::key_values([
        (
            "Desired",
            int_at(set, &["spec", "replicas"]).unwrap_or(1).to_string(),
        ),
        ("Current", count("currentReplicas")),
        ("Updated", count("updatedReplicas")),
        ("Ready", count("readyReplicas")),
        ("Available", count("availableReplicas")),
    ]));
    Ok(View::stack()
        .child(details::header(set, pairs))
        .child(replicas)
        .child(details::conditions_section(set))
        .child(details::pods_section(cluster, set, PodsOf::Owned, now))
        .child(details::events_section(cluster, set, now))
        .child(details::yaml_section(set, "stateful set")?)
        .build())
}
