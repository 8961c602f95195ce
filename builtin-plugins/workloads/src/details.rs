//! What the workloads' details views share beyond the SDK's `details`: metadata with the owner
//! linked, label selectors, and the pods a workload owns or selects.
//!
//! Details views read the object's `serde_json::Value` (parsed once, and needed anyway for the
//! YAML) rather than k8s-openapi types: deserializing a whole `PodSpec` doubles the component.

pub(crate) use headlamp_plugin_sdk::details::{
    array_at, conditions_section, events_section, int_at, kv, kv_link, pairs_text, str_at, text_at,
    yaml_section,
};
use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::kinds::{self, POD};
use crate::pod_status::{self, PodRow};

/// Name, namespace, age, labels, annotations and owners; the controlling owner is linked when
/// this plugin has a view of its kind.
pub(crate) fn metadata(object: &Value, now_millis: u64) -> Vec<KeyValue> {
    let mut pairs = headlamp_plugin_sdk::details::metadata(object, now_millis);
    let owners = array_at(object, &["metadata", "ownerReferences"]);
    if owners.is_empty() {
        return pairs;
    }
    let text = owners
        .iter()
        .map(|o| format!("{}/{}", text_at(o, &["kind"]), text_at(o, &["name"])))
        .collect::<Vec<_>>()
        .join(", ");
    let controller = owners
        .iter()
        .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
        .or(owners.first());
    let namespace = text_at(object, &["metadata", "namespace"]);
    let link = controller
        .and_then(|o| kinds::route_of(str_at(o, &["kind"])?, &namespace, str_at(o, &["name"])?));
    pairs.push(match link {
        Some(route) => kv_link("Controlled by", text, route),
        None => kv("Controlled by", text),
    });
    pairs
}

/// The header section: the object's name as title, then `pairs`.
pub(crate) fn header(object: &Value, pairs: Vec<KeyValue>) -> NodeBuilder {
    View::section(text_at(object, &["metadata", "name"])).child(View::key_value_list(pairs))
}

/// A label selector (`matchLabels` and `matchExpressions`) in the API's query syntax:
/// `app=web, tier in (a,b), !legacy`; empty for an empty or missing selector.
pub(crate) fn selector_text(selector: Option<&Value>) -> String {
    let Some(selector) = selector else {
        return String::new();
    };
    let mut terms: Vec<String> = pairs_text(selector.get("matchLabels"))
        .split(", ")
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    for expression in array_at(selector, &["matchExpressions"]) {
        let key = text_at(expression, &["key"]);
        let values = headlamp_plugin_sdk::details::strings_at(expression, &["values"]).join(",");
        terms.push(
            match str_at(expression, &["operator"]).unwrap_or_default() {
                "In" => format!("{key} in ({values})"),
                "NotIn" => format!("{key} notin ({values})"),
                "Exists" => key,
                "DoesNotExist" => format!("!{key}"),
                other => format!("{key} {other} ({values})"),
            },
        );
    }
    terms.join(", ")
}

/// The images of a pod template's containers, comma-separated.
pub(crate) fn template_images(object: &Value) -> String {
    array_at(object, &["spec", "template", "spec", "containers"])
        .iter()
        .filter_map(|c| str_at(c, &["image"]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which pods a "Pods" section shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PodsOf {
    /// Those the object's `spec.selector` selects (all in its namespace when it is empty).
    Selected,
    /// Those the object controls (by owner reference), narrowed by its selector when it has one.
    Owned,
}

/// "Pods": the pods of `object` with their status, each linked to its view.
pub(crate) fn pods_section(cluster: &str, object: &Value, of: PodsOf, now: u64) -> NodeBuilder {
    let section = View::section("Pods");
    let namespace = text_at(object, &["metadata", "namespace"]);
    let selector = selector_text(object.pointer("/spec/selector"));
    let mut options = ListOptions::default().namespace(&namespace);
    if !selector.is_empty() {
        // The API takes commas without spaces between terms.
        options = options.labels(&selector.replace(", ", ","));
    }
    let pods = match cluster::list(cluster, &POD.gvk(), &options) {
        Ok(list) => list.items,
        Err(e) => return section.child(View::error(format!("Could not list the pods: {e}"))),
    };
    let uid = str_at(object, &["metadata", "uid"]);
    let mut rows = Vec::new();
    for pod in &pods {
        let Ok(value) = pod.value() else { continue };
        if of == PodsOf::Owned && controller_uid(value) != uid {
            continue;
        }
        let Ok(row) = pod.parse_borrowed::<PodRow>() else {
            continue;
        };
        rows.push(pod_row(value, &pod_status::summarize(&row), now));
    }
    rows.sort_by(|a, b| a[0].text.cmp(&b[0].text));
    section.child(headlamp_plugin_sdk::details::table_or_empty(
        &["Name", "Status", "Ready", "Restarts", "Node", "Age"],
        rows,
        "No pods.",
    ))
}

/// The uid of the object's controlling owner.
pub(crate) fn controller_uid(object: &Value) -> Option<&str> {
    array_at(object, &["metadata", "ownerReferences"])
        .iter()
        .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
        .and_then(|o| str_at(o, &["uid"]))
}

fn pod_row(pod: &Value, summary: &pod_status::PodSummary, now: u64) -> Vec<Cell> {
    let name = text_at(pod, &["metadata", "name"]);
    let namespace = text_at(pod, &["metadata", "namespace"]);
    let age = str_at(pod, &["metadata", "creationTimestamp"])
        .and_then(|ts| format::age(ts, now))
        .unwrap_or_default();
    vec![
        Cell::text(name.clone()).link(POD.route(&namespace, &name)),
        Cell::text(summary.reason.as_str()).tone(pod_status::reason_tone(&summary.reason)),
        Cell::text(format!("{}/{}", summary.ready, summary.total)),
        Cell::number(f64::from(summary.restarts)),
        Cell::text(text_at(pod, &["spec", "nodeName"])),
        Cell::text(age),
    ]
}

/// An `n/m` cell toned as workloads are: green when all are ready, amber when some are, red
/// when none of a non-zero number are; sorted by `ready`.
pub(crate) fn ready_cell(ready: i64, desired: i64) -> Cell {
    let tone = if ready >= desired {
        Tone::Success
    } else if ready > 0 {
        Tone::Warning
    } else {
        Tone::Error
    };
    Cell::text(format!("{ready}/{desired}"))
        .tone(tone)
        .sort(ready as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn selectors_read_as_the_api_query_syntax() {
        let selector = json!({
            "matchLabels": {"tier": "web", "app": "shop"},
            "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["a", "b"]},
                {"key": "zone", "operator": "NotIn", "values": ["x"]},
                {"key": "canary", "operator": "Exists"},
                {"key": "legacy", "operator": "DoesNotExist"}
            ]
        });
        assert_eq!(
            selector_text(Some(&selector)),
            "app=shop, tier=web, env in (a,b), zone notin (x), canary, !legacy"
        );
        assert_eq!(selector_text(Some(&json!({}))), "");
        assert_eq!(selector_text(None), "");
    }

    #[test]
    fn ready_counts_are_green_amber_or_red() {
        assert_eq!(ready_cell(3, 3).tone, Some(Tone::Success));
        assert_eq!(ready_cell(1, 3).tone, Some(Tone::Warning));
        assert_eq!(ready_cell(0, 2).tone, Some(Tone::Error));
        assert_eq!(ready_cell(0, 0).tone, Some(Tone::Success));
        assert_eq!(ready_cell(1, 3).text, "1/3");
    }

    #[test]
    fn the_controlling_owner_is_linked() {
        let pod = json!({"metadata": {"name": "web-1", "namespace": "shop", "ownerReferences": [
            {"kind": "ReplicaSet", "name": "web-7d", "uid": "u1", "controller": true}]}});
        let owner = metadata(&pod, 0)
            .into_iter()
            .find(|kv| kv.key == "Controlled by")
            .unwrap();
        assert_eq!(owner.value, "ReplicaSet/web-7d");
        assert_eq!(owner.link.as_deref(), Some("/replicasets/shop/web-7d"));
        assert_eq!(controller_uid(&pod), Some("u1"));
    }
}
