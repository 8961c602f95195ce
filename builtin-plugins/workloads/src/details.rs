//! What the workloads' details views share beyond the SDK's `details`: metadata with owners,
//! and conditions.
//!
//! Details views read the object's `serde_json::Value` (parsed once, and needed anyway for the
//! YAML) rather than k8s-openapi types: deserializing a whole `PodSpec` doubles the component.

use headlamp_plugin_sdk::details::created;
pub(crate) use headlamp_plugin_sdk::details::{
    array_at, int_at, pairs_text, str_at, text_at, yaml_section,
};
use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

/// Name, namespace, age, labels, annotations and owners, as labelled values.
pub(crate) fn metadata(object: &Value, now_millis: u64) -> Vec<(String, String)> {
    let meta = object.get("metadata").unwrap_or(&Value::Null);
    let created = created(str_at(meta, &["creationTimestamp"]), now_millis);
    let owners = array_at(meta, &["ownerReferences"])
        .iter()
        .map(|o| format!("{}/{}", text_at(o, &["kind"]), text_at(o, &["name"])))
        .collect::<Vec<_>>()
        .join(", ");
    let mut pairs = vec![
        ("Name".to_owned(), text_at(meta, &["name"])),
        ("Namespace".to_owned(), text_at(meta, &["namespace"])),
        ("Created".to_owned(), created),
        ("Labels".to_owned(), pairs_text(meta.get("labels"))),
        (
            "Annotations".to_owned(),
            pairs_text(meta.get("annotations")),
        ),
    ];
    if !owners.is_empty() {
        pairs.push(("Controlled by".to_owned(), owners));
    }
    pairs
}

/// A "Conditions" section from `status.conditions`, or an empty state saying there are none.
pub(crate) fn conditions_section(object: &Value) -> NodeBuilder {
    let conditions: Vec<Condition> = array_at(object, &["status", "conditions"])
        .iter()
        .map(|c| Condition {
            kind: text_at(c, &["type"]),
            status: str_at(c, &["status"]).unwrap_or("Unknown").to_owned(),
            reason: str_at(c, &["reason"]).map(str::to_owned),
            message: str_at(c, &["message"]).map(str::to_owned),
            last_transition: str_at(c, &["lastTransitionTime"]).map(str::to_owned),
        })
        .collect();
    let body = if conditions.is_empty() {
        View::empty("No conditions reported yet.")
    } else {
        View::conditions(conditions)
    };
    View::section("Conditions").child(body)
}
