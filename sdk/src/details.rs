//! Pieces details views share: JSON lookups, the metadata block, the YAML, a table or its
//! empty state.
//!
//! They read the object's `serde_json::Value` (parsed once, and needed anyway for the YAML)
//! rather than k8s-openapi types: details objects are small and the component stays small.

use serde_json::Value;

use crate::prelude::*;

/// The value at `path` below `value`, if there is one.
pub fn at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

/// The string at `path` below `value`, if there is one.
pub fn str_at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    at(value, path)?.as_str()
}

/// The number at `path`, if there is one.
pub fn int_at(value: &Value, path: &[&str]) -> Option<i64> {
    at(value, path)?.as_i64()
}

/// The string at `path`, or an empty one.
pub fn text_at(value: &Value, path: &[&str]) -> String {
    str_at(value, path).unwrap_or_default().to_owned()
}

/// The array at `path`, or an empty slice.
pub fn array_at<'v>(value: &'v Value, path: &[&str]) -> &'v [Value] {
    at(value, path)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The strings of the array at `path` (other items skipped).
pub fn strings_at<'v>(value: &'v Value, path: &[&str]) -> Vec<&'v str> {
    array_at(value, path)
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

/// `k=v, k2=v2` of a JSON object of strings, sorted by key.
pub fn pairs_text(map: Option<&Value>) -> String {
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
pub fn kv(key: &str, value: impl Into<String>) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: value.into(),
        link: None,
    }
}

/// A labelled value linking to `route` (no link when the value is empty).
pub fn kv_link(key: &str, value: impl Into<String>, route: String) -> KeyValue {
    let value = value.into();
    let link = (!value.is_empty()).then_some(route);
    KeyValue {
        key: key.to_owned(),
        value,
        link,
    }
}

/// A creation timestamp with its age, `2026-01-02T03:04:05Z (3d ago)`; empty without one.
pub fn created(timestamp: Option<&str>, now_millis: u64) -> String {
    match timestamp {
        Some(ts) => match format::age(ts, now_millis) {
            Some(age) => format!("{ts} ({age} ago)"),
            None => ts.to_owned(),
        },
        None => String::new(),
    }
}

/// Name, namespace (for namespaced kinds), creation time with age, labels and annotations.
pub fn metadata(object: &Value, now_millis: u64) -> Vec<KeyValue> {
    let meta = object.get("metadata").unwrap_or(&Value::Null);
    let created = created(str_at(meta, &["creationTimestamp"]), now_millis);
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
pub fn yaml_section(object: &Value, what: &str) -> Result<NodeBuilder, String> {
    let yaml = serde_yaml::to_string(object)
        .map_err(|e| format!("could not show the {what} as YAML: {e}"))?;
    Ok(View::section("YAML").child(View::code("yaml", yaml)))
}

/// A table of `columns`, or an empty state saying `empty` when there are no rows.
pub fn table_or_empty(columns: &[&str], rows: Vec<Vec<Cell>>, empty: &str) -> NodeBuilder {
    if rows.is_empty() {
        View::empty(empty)
    } else {
        View::table(columns.iter().map(|c| (*c).to_owned()).collect(), rows)
    }
}
