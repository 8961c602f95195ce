//! The details view of one deployment.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::details::{self, PodsOf, int_at, kv, str_at, text_at};
use crate::kinds::REPLICA_SET;

/// The annotation holding a replica set's revision number within its deployment.
pub(crate) const REVISION: &str = "deployment.kubernetes.io/revision";

/// Metadata, the replica counts and strategy, conditions, revision history, pods, events, YAML.
pub(crate) fn deployment(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let value = object.value()?;
    let mut pairs = details::metadata(value, now_millis);
    // The API server defaults the strategy; an object without one gets RollingUpdate.
    let strategy = str_at(value, &["spec", "strategy", "type"]).unwrap_or("RollingUpdate");
    pairs.extend([
        kv(
            "Selector",
            details::selector_text(value.pointer("/spec/selector")),
        ),
        kv("Strategy", strategy),
        kv("Images", details::template_images(value)),
    ]);

    // Kubernetes defaults an omitted `spec.replicas` to 1; status counts are omitted when 0.
    let desired = int_at(value, &["spec", "replicas"]).unwrap_or(1);
    let count = |field: &str| {
        int_at(value, &["status", field])
            .unwrap_or_default()
            .to_string()
    };
    let replicas = View::section("Replicas").child(View::key_values([
        ("Desired", desired.to_string()),
        ("Updated", count("updatedReplicas")),
        ("Ready", count("readyReplicas")),
        ("Available", count("availableReplicas")),
        ("Unavailable", count("unavailableReplicas")),
    ]));

    Ok(View::stack()
        .child(details::header(value, pairs))
        .child(replicas)
        .child(details::conditions_section(value))
        .child(revisions_section(cluster, value, now_millis))
        .child(details::pods_section(
            cluster,
            value,
            PodsOf::Selected,
            now_millis,
        ))
        .child(details::events_section(cluster, value, now_millis))
        .child(details::yaml_section(value, "deployment")?)
        .build())
}

/// "Revision history": the deployment's replica sets, newest revision first, each linked.
fn revisions_section(cluster: &str, deployment: &Value, now: u64) -> NodeBuilder {
    let section = View::section("Revision history");
    let namespace = text_at(deployment, &["metadata", "namespace"]);
    let options = ListOptions::default().namespace(&namespace);
    let sets = match cluster::list(cluster, &REPLICA_SET.gvk(), &options) {
        Ok(list) => list.items,
        Err(e) => {
            return section.child(View::error(format!("Could not list the replica sets: {e}")));
        }
    };
    let uid = str_at(deployment, &["metadata", "uid"]);
    let mut owned: Vec<(i64, Vec<Cell>)> = sets
        .iter()
        .filter_map(|s| s.value().ok())
        .filter(|s| uid.is_some() && details::controller_uid(s) == uid)
        .map(|s| (revision(s), revision_row(s, now)))
        .collect();
    owned.sort_by_key(|(revision, _)| std::cmp::Reverse(*revision));
    section.child(headlamp_plugin_sdk::details::table_or_empty(
        &["Revision", "Replica Set", "Images", "Pods", "Age"],
        owned.into_iter().map(|(_, row)| row).collect(),
        "No replica sets yet.",
    ))
}

/// A replica set's revision, 0 when it has none.
pub(crate) fn revision(set: &Value) -> i64 {
    set.pointer("/metadata/annotations")
        .and_then(|a| a.get(REVISION))
        .and_then(Value::as_str)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn revision_row(set: &Value, now: u64) -> Vec<Cell> {
    let name = text_at(set, &["metadata", "name"]);
    let namespace = text_at(set, &["metadata", "namespace"]);
    let desired = int_at(set, &["spec", "replicas"]).unwrap_or(1);
    let ready = int_at(set, &["status", "readyReplicas"]).unwrap_or(0);
    let age = str_at(set, &["metadata", "creationTimestamp"])
        .and_then(|ts| format::age(ts, now))
        .unwrap_or_default();
    vec![
        Cell::number(revision(set) as f64),
        Cell::text(name.clone()).link(REPLICA_SET.route(&namespace, &name)),
        Cell::text(details::template_images(set)),
        details::ready_cell(ready, desired),
        Cell::text(age),
    ]
}
