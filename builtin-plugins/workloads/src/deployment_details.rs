//! The details view of one deployment.

use headlamp_plugin_sdk::prelude::*;

use crate::details::{self, array_at, int_at, str_at, text_at};

/// Metadata, the replica counts and strategy, conditions, YAML.
pub(crate) fn deployment(object: &Object, now_millis: u64) -> Result<View, String> {
    let value = object.value()?;
    let mut pairs = details::metadata(value, now_millis);
    let selector = details::pairs_text(
        value
            .get("spec")
            .and_then(|s| s.get("selector"))
            .and_then(|s| s.get("matchLabels")),
    );
    // The API server defaults the strategy; an object without one gets RollingUpdate.
    let strategy = str_at(value, &["spec", "strategy", "type"]).unwrap_or("RollingUpdate");
    let images = array_at(value, &["spec", "template", "spec", "containers"])
        .iter()
        .filter_map(|c| str_at(c, &["image"]))
        .collect::<Vec<_>>()
        .join(", ");
    pairs.extend([
        ("Selector".to_owned(), selector),
        ("Strategy".to_owned(), strategy.to_owned()),
        ("Images".to_owned(), images),
    ]);
    let header =
        View::section(text_at(value, &["metadata", "name"])).child(View::key_values(pairs));

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
        .child(header)
        .child(replicas)
        .child(details::conditions_section(value))
        .child(details::yaml_section(value, "deployment")?)
        .build())
}
