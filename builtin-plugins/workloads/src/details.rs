//! Pieces every details view shares: the metadata block, conditions, the YAML.
//!
//! Details views read the object's `serde_json::Value` (parsed once, and needed anyway for the
//! YAML) rather than k8s-openapi types: deserializing a whole `PodSpec` doubles the component.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

/// The string at `path` below `value`, if there is one.
pub(crate) fn str_at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    path.iter().try_fold(value, |v, key| v.get(key))?.as_str()
}

/// The string at `path`, or an empty one.
pub(crate) fn text_at(value: &Value, path: &[&str]) -> String {
    str_at(value, path).unwrap_or_default().to_owned()
}

/// The array at `path`, or an empty slice.
pub(crate) fn array_at<'v>(value: &'v Value, path: &[&str]) -> &'v [Value] {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The number at `path`, if there is one.
pub(crate) fn int_at(value: &Value, path: &[&str]) -> Option<i64> {
    path.iter().try_fold(value, |v, key| v.get(key))?.as_i64()
}

/// `k=v, k2=v2` of a JSON object of strings, sorted by key.
pub(crate) fn pairs_text(map: Option<&Value>) -> String {
    let mut pairs: Vec<(&str, &str)> = map
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or_default()))
        .collect();
    pairs.sort_unstable();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Name, namespace, age, labels, annotations and owners, as labelled values.
pub(crate) fn metadata(object: &Value, now_millis: u64) -> Vec<(String, String)> {
    let meta = object.get("metadata").unwrap_or(&Value::Null);
    let created = match str_at(meta, &["creationTimestamp"]) {
        Some(ts) => match format::age(ts, now_millis) {
            Some(age) => format!("{ts} ({age} ago)"),
            None => ts.to_owned(),
        },
        None => String::new(),
    };
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

/// The object as YAML in a code block.
pub(crate) fn yaml_section(object: &Value, what: &str) -> Result<NodeBuilder, String> {
    let yaml = serde_yaml::to_string(object)
        .map_err(|e| format!("could not show the {what} as YAML: {e}"))?;
    Ok(View::section("YAML").child(View::code("yaml", yaml)))
}
