//! Pieces every details view shares: JSON lookups, the metadata block, the YAML.
//!
//! Views read the object's `serde_json::Value` (parsed once, and needed anyway for the YAML)
//! rather than k8s-openapi types: these objects are small and the component stays small.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

/// The value at `path` below `value`, if there is one.
pub(crate) fn at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

/// The string at `path` below `value`, if there is one.
pub(crate) fn str_at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    at(value, path)?.as_str()
}

/// The string at `path`, or an empty one.
pub(crate) fn text_at(value: &Value, path: &[&str]) -> String {
    str_at(value, path).unwrap_or_default().to_owned()
}

/// The array at `path`, or an empty slice.
pub(crate) fn array_at<'v>(value: &'v Value, path: &[&str]) -> &'v [Value] {
    at(value, path)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The strings of the array at `path` (other items skipped).
pub(crate) fn strings_at<'v>(value: &'v Value, path: &[&str]) -> Vec<&'v str> {
    array_at(value, path)
        .iter()
        .filter_map(Value::as_str)
        .collect()
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

/// A labelled value without a link.
pub(crate) fn kv(key: &str, value: impl Into<String>) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: value.into(),
        link: None,
    }
}

/// A labelled value linking to `route` (no link when the value is empty).
pub(crate) fn kv_link(key: &str, value: impl Into<String>, route: String) -> KeyValue {
    let value = value.into();
    let link = (!value.is_empty()).then_some(route);
    KeyValue {
        key: key.to_owned(),
        value,
        link,
    }
}

/// Name, namespace (for namespaced kinds), creation time with age, labels and annotations.
pub(crate) fn metadata(object: &Value, now_millis: u64) -> Vec<KeyValue> {
    let meta = object.get("metadata").unwrap_or(&Value::Null);
    let created = match str_at(meta, &["creationTimestamp"]) {
        Some(ts) => match format::age(ts, now_millis) {
            Some(age) => format!("{ts} ({age} ago)"),
            None => ts.to_owned(),
        },
        None => String::new(),
    };
    let mut pairs = vec![kv("Name", text_at(meta, &["name"]))];
    if let Some(ns) = str_at(meta, &["namespace"]) {
        pairs.push(kv("Namespace", ns));
    }
    pairs.extend([
        kv("Created", created),
        kv("Labels", pairs_text(meta.get("labels"))),
        kv("Annotations", pairs_text(meta.get("annotations"))),
    ]);
    pairs
}

/// The object as YAML in a code block.
pub(crate) fn yaml_section(object: &Value, what: &str) -> Result<NodeBuilder, String> {
    let yaml = serde_yaml::to_string(object)
        .map_err(|e| format!("could not show the {what} as YAML: {e}"))?;
    Ok(View::section("YAML").child(View::code("yaml", yaml)))
}

/// A table of `columns`, or an empty state saying `empty` when there are no rows.
pub(crate) fn table_or_empty(columns: &[&str], rows: Vec<Vec<Cell>>, empty: &str) -> NodeBuilder {
    if rows.is_empty() {
        View::empty(empty)
    } else {
        View::table(columns.iter().map(|c| (*c).to_owned()).collect(), rows)
    }
}
