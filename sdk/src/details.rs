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

/// Condition objects (`type`, `status`, `reason`, `message`, `lastTransitionTime`) as the
/// view's conditions; a missing status reads `Unknown`, as Kubernetes means it.
pub fn conditions_of(list: &[Value]) -> Vec<Condition> {
    list.iter()
        .map(|c| Condition {
            kind: text_at(c, &["type"]),
            status: str_at(c, &["status"]).unwrap_or("Unknown").to_owned(),
            reason: str_at(c, &["reason"]).map(str::to_owned),
            message: str_at(c, &["message"]).map(str::to_owned),
            last_transition: str_at(c, &["lastTransitionTime"]).map(str::to_owned),
        })
        .collect()
}

/// "Conditions" from `status.conditions`, or an empty state when the object reports none.
pub fn conditions_section(object: &Value) -> NodeBuilder {
    let list = conditions_of(array_at(object, &["status", "conditions"]));
    let body = if list.is_empty() {
        View::empty("No conditions reported.")
    } else {
        View::conditions(list)
    };
    View::section("Conditions").child(body)
}

/// The most events an events section shows (the newest; warnings first).
const EVENTS_SHOWN: usize = 50;

/// "Events": the events recorded for `object` (matched by its uid), warnings first, then the
/// newest; an empty state without any, and the API's error in place when they cannot be read.
///
/// Listing them during a render makes the events a dependency of the view, so a new event
/// re-renders an open details page.
pub fn events_section(cluster: &str, object: &Value, now_millis: u64) -> NodeBuilder {
    let section = View::section("Events");
    let Some(uid) = str_at(object, &["metadata", "uid"]) else {
        return section.child(View::empty("No events: the object has no uid yet."));
    };
    let mut options = ListOptions::default().fields(&format!("involvedObject.uid={uid}"));
    if let Some(ns) = str_at(object, &["metadata", "namespace"]) {
        options = options.namespace(ns);
    }
    let events = match crate::cluster::list(cluster, &Gvk::core("v1", "Event"), &options) {
        Ok(list) => list.items,
        Err(e) => return section.child(View::error(format!("Could not list the events: {e}"))),
    };
    let mut events: Vec<Value> = events
        .iter()
        .filter_map(|e| e.value().ok().cloned())
        .collect();
    events.sort_by_cached_key(|e| {
        let warning = str_at(e, &["type"]) == Some("Warning");
        let last = last_seen(e).and_then(format::parse_rfc3339_millis);
        (std::cmp::Reverse(warning), std::cmp::Reverse(last))
    });
    let rows = events
        .iter()
        .take(EVENTS_SHOWN)
        .map(|e| event_row(e, now_millis))
        .collect();
    section.child(table_or_empty(
        &["Type", "Reason", "Message", "Count", "Last seen"],
        rows,
        "No events for this object.",
    ))
}

/// When an event last happened: `lastTimestamp`, else the newer API's `eventTime` or the
/// series' last observation, else its creation.
pub fn last_seen(event: &Value) -> Option<&str> {
    str_at(event, &["lastTimestamp"])
        .or_else(|| str_at(event, &["series", "lastObservedTime"]))
        .or_else(|| str_at(event, &["eventTime"]))
        .or_else(|| str_at(event, &["metadata", "creationTimestamp"]))
}

fn event_row(event: &Value, now_millis: u64) -> Vec<Cell> {
    let kind = str_at(event, &["type"]).unwrap_or("Normal");
    let tone = if kind == "Warning" {
        Tone::Warning
    } else {
        Tone::Neutral
    };
    let count = int_at(event, &["count"])
        .or_else(|| int_at(event, &["series", "count"]))
        .unwrap_or(1);
    let age = last_seen(event)
        .and_then(|ts| format::age(ts, now_millis))
        .map(|a| format!("{a} ago"))
        .unwrap_or_default();
    vec![
        Cell::text(kind).tone(tone),
        Cell::text(text_at(event, &["reason"])),
        Cell::text(text_at(event, &["message"])),
        Cell::number(count as f64),
        Cell::text(age),
    ]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::testing::{CLUSTER, FakeCluster, with_fake};
    use crate::view::NodeKind;

    fn event(name: &str, uid: &str, kind: &str, reason: &str, last: &str) -> Value {
        json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": "demo", "creationTimestamp": last},
            "involvedObject": {"kind": "Pod", "name": "web", "namespace": "demo", "uid": uid},
            "type": kind, "reason": reason, "message": format!("{reason} happened"),
            "count": 2, "lastTimestamp": last,
        })
    }

    fn cells(view: &View) -> Vec<Vec<String>> {
        view.nodes
            .iter()
            .find_map(|n| match &n.kind {
                NodeKind::Table(t) => Some(
                    t.rows
                        .iter()
                        .map(|r| r.iter().map(|c| c.text.clone()).collect())
                        .collect(),
                ),
                _ => None,
            })
            .unwrap_or_default()
    }

    #[test]
    fn events_of_the_object_only_warnings_first_then_newest() {
        with_fake(|fake| {
            *fake = FakeCluster::new();
            fake.insert(event("a", "u1", "Normal", "Pulled", "2026-01-01T00:00:00Z"));
            fake.insert(event(
                "b",
                "u1",
                "Warning",
                "BackOff",
                "2026-01-01T00:00:10Z",
            ));
            fake.insert(event(
                "c",
                "u1",
                "Normal",
                "Started",
                "2026-01-01T00:01:00Z",
            ));
            fake.insert(event(
                "d",
                "other",
                "Warning",
                "Failed",
                "2026-01-01T00:02:00Z",
            ));
        });
        let pod = json!({"metadata": {"name": "web", "namespace": "demo", "uid": "u1"}});
        let now = 1_767_225_720_000; // 2026-01-01T00:02:00Z
        let view = View::stack()
            .child(events_section(CLUSTER, &pod, now))
            .build();
        let reasons: Vec<String> = cells(&view).iter().map(|r| r[1].clone()).collect();
        assert_eq!(reasons, ["BackOff", "Started", "Pulled"]);
        assert_eq!(cells(&view)[0][4], "110s ago");
    }

    #[test]
    fn an_object_without_events_says_so() {
        with_fake(|fake| *fake = FakeCluster::new());
        let pod = json!({"metadata": {"name": "web", "namespace": "demo", "uid": "u1"}});
        let view = View::stack()
            .child(events_section(CLUSTER, &pod, 0))
            .build();
        assert!(cells(&view).is_empty());
        assert!(format!("{view:?}").contains("No events for this object."));
    }
}
