//! HorizontalPodAutoscalers (autoscaling/v2): the scale target linked, the metric targets as
//! kubectl prints them, and the details view.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::details::{self, array_at, int_at, kv, kv_link, str_at, text_at};
use crate::kinds;

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    Reference,
    Targets,
    Min,
}

/// The table's columns after name and namespace, as `kubectl get hpa` prints them.
pub(crate) fn columns() -> Vec<Column> {
    vec![
        Column::computed("reference", "Reference"),
        Column::computed("targets", "Targets"),
        Column::computed("min-pods", "Min Pods"),
        Column::json_path("max-pods", "Max Pods", ".spec.maxReplicas"),
        Column::json_path("replicas", "Replicas", ".status.currentReplicas"),
    ]
}

/// Cells of `columns` for each autoscaler in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "horizontal pod autoscaler",
        columns,
        objects,
        |id| match id {
            "reference" => Ok(Computed::Reference),
            "targets" => Ok(Computed::Targets),
            "min-pods" => Ok(Computed::Min),
            other => Err(format!(
                "the workloads plugin computes no column `{other}` of table `horizontalpodautoscalers` (only `reference`, `targets` and `min-pods`)"
            )),
        },
        |hpa: &Value, columns: &[Computed]| {
            columns
                .iter()
                .map(|c| match c {
                    Computed::Reference => {
                        let (text, link) = reference(hpa);
                        match link {
                            Some(route) => Cell::text(text).link(route),
                            None => Cell::text(text),
                        }
                    }
                    Computed::Targets => Cell::text(targets(hpa)),
                    // The API server defaults minReplicas to 1.
                    Computed::Min => Cell::number(min_replicas(hpa) as f64),
                })
                .collect()
        },
    )
}

fn min_replicas(hpa: &Value) -> i64 {
    int_at(hpa, &["spec", "minReplicas"]).unwrap_or(1)
}

/// `Deployment/web` and the route of its view, when this plugin has one.
fn reference(hpa: &Value) -> (String, Option<String>) {
    let kind = text_at(hpa, &["spec", "scaleTargetRef", "kind"]);
    let name = text_at(hpa, &["spec", "scaleTargetRef", "name"]);
    let namespace = text_at(hpa, &["metadata", "namespace"]);
    let route = kinds::route_of(&kind, &namespace, &name);
    (format!("{kind}/{name}"), route)
}

/// kubectl's TARGETS: `cpu: 42%/70%, memory: <unknown>/500Mi`, or `<none>` without metrics.
pub fn targets(hpa: &Value) -> String {
    let current = array_at(hpa, &["status", "currentMetrics"]);
    let texts: Vec<String> = array_at(hpa, &["spec", "metrics"])
        .iter()
        .map(|m| {
            let (name, target) = metric_target(m);
            let now = current
                .iter()
                .find(|c| {
                    str_at(c, &["type"]) == str_at(m, &["type"]) && metric_target(c).0 == name
                })
                .and_then(|c| metric_current(c, target_kind(m)))
                .unwrap_or_else(|| "<unknown>".to_owned());
            format!("{name}: {now}/{target}")
        })
        .collect();
    if texts.is_empty() {
        "<none>".to_owned()
    } else {
        texts.join(", ")
    }
}

/// The metric's body key for its type (`resource` for `Resource`).
fn body_key(metric: &Value) -> &'static str {
    match str_at(metric, &["type"]).unwrap_or_default() {
        "Resource" => "resource",
        "ContainerResource" => "containerResource",
        "Pods" => "pods",
        "Object" => "object",
        "External" => "external",
        _ => "",
    }
}

/// The metric's name (`cpu`, `requests-per-second`) and its target text (`70%`, `100m`).
fn metric_target(metric: &Value) -> (String, String) {
    let body = metric.get(body_key(metric)).unwrap_or(&Value::Null);
    let name = str_at(body, &["name"])
        .or_else(|| str_at(body, &["metric", "name"]))
        .unwrap_or_default()
        .to_owned();
    let target = body.get("target").unwrap_or(&Value::Null);
    let text = match int_at(target, &["averageUtilization"]) {
        Some(pct) => format!("{pct}%"),
        None => quantity(target, &["averageValue"])
            .or_else(|| quantity(target, &["value"]))
            .map(|v| match str_at(target, &["type"]) {
                // kubectl marks averages of object and external metrics, which also have values.
                Some("AverageValue") if matches!(body_key(metric), "object" | "external") => {
                    format!("{v} (avg)")
                }
                _ => v,
            })
            .unwrap_or_else(|| "<unset>".to_owned()),
    };
    (name, text)
}

fn target_kind(metric: &Value) -> Option<&str> {
    metric
        .get(body_key(metric))
        .and_then(|b| str_at(b, &["target", "type"]))
}

/// The current value, read the way the target is (utilization, average value or value).
fn metric_current(current: &Value, kind: Option<&str>) -> Option<String> {
    let body = current.get(body_key(current))?.get("current")?;
    match kind {
        Some("Utilization") => int_at(body, &["averageUtilization"]).map(|p| format!("{p}%")),
        Some("AverageValue") => quantity(body, &["averageValue"]),
        _ => quantity(body, &["value"]).or_else(|| quantity(body, &["averageValue"])),
    }
}

/// A quantity as a string, whether the API sent it as a string or a number.
fn quantity(value: &Value, path: &[&str]) -> Option<String> {
    match headlamp_plugin_sdk::details::at(value, path)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Metadata, the scale target linked, replica bounds, metrics, conditions, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now: u64) -> Result<View, String> {
    let hpa = object.value()?;
    let mut pairs = details::metadata(hpa, now);
    let (text, link) = reference(hpa);
    pairs.push(match link {
        Some(route) => kv_link("Reference", text, route),
        None => kv("Reference", text),
    });
    let count = |field: &str| int_at(hpa, &["status", field]).unwrap_or(0).to_string();
    pairs.extend([
        kv("Min replicas", min_replicas(hpa).to_string()),
        kv(
            "Max replicas",
            int_at(hpa, &["spec", "maxReplicas"])
                .unwrap_or_default()
                .to_string(),
        ),
        kv("Current replicas", count("currentReplicas")),
        kv("Desired replicas", count("desiredReplicas")),
        kv("Last scale", text_at(hpa, &["status", "lastScaleTime"])),
    ]);
    let current = array_at(hpa, &["status", "currentMetrics"]);
    let rows = array_at(hpa, &["spec", "metrics"])
        .iter()
        .map(|m| {
            let (name, target) = metric_target(m);
            let now = current
                .iter()
                .find(|c| {
                    str_at(c, &["type"]) == str_at(m, &["type"]) && metric_target(c).0 == name
                })
                .and_then(|c| metric_current(c, target_kind(m)))
                .unwrap_or_else(|| "<unknown>".to_owned());
            vec![
                Cell::text(name),
                Cell::text(text_at(m, &["type"])),
                Cell::text(now),
                Cell::text(target),
            ]
        })
        .collect();
    let metrics = View::section("Metrics").child(headlamp_plugin_sdk::details::table_or_empty(
        &["Name", "Type", "Current", "Target"],
        rows,
        "No metrics: the autoscaler keeps the replicas between its bounds.",
    ));
    Ok(View::stack()
        .child(details::header(hpa, pairs))
        .child(metrics)
        .child(details::conditions_section(hpa))
        .child(details::events_section(cluster, hpa, now))
        .child(details::yaml_section(hpa, "horizontal pod autoscaler")?)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn targets_show_current_over_target_per_metric() {
        let hpa = json!({"spec": {"metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}},
            {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "500Mi"}}},
            {"type": "Pods", "pods": {"metric": {"name": "rps"}, "target": {"type": "AverageValue", "averageValue": "100"}}}
        ]},
        "status": {"currentMetrics": [
            {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 42, "averageValue": "21m"}}},
            {"type": "Pods", "pods": {"metric": {"name": "rps"}, "current": {"averageValue": "87"}}}
        ]}});
        assert_eq!(
            targets(&hpa),
            "cpu: 42%/70%, memory: <unknown>/500Mi, rps: 87/100"
        );
        assert_eq!(targets(&json!({"spec": {}})), "<none>");
    }
}
