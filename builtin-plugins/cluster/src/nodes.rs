//! Nodes: status and roles as kubectl prints them, and the computed cells of the table
//! (usage from metrics.k8s.io when the cluster serves it, pods per node).

use std::collections::HashMap;

use headlamp_plugin_sdk::details::{self, str_at};
use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::quantity;

/// Node metrics (metrics.k8s.io); not every cluster serves them.
pub fn node_metrics_kind() -> Gvk {
    Gvk::new("metrics.k8s.io", "v1beta1", "NodeMetrics")
}

/// kubectl's STATUS: `Ready`, `NotReady` or `Unknown` from the Ready condition, with
/// `,SchedulingDisabled` for a cordoned node; coloured by how usable the node is.
pub fn node_status(node: &Value) -> (String, Tone) {
    let ready = details::array_at(node, &["status", "conditions"])
        .iter()
        .find(|c| str_at(c, &["type"]) == Some("Ready"))
        .and_then(|c| str_at(c, &["status"]));
    let (mut text, mut tone) = match ready {
        Some("True") => ("Ready".to_owned(), Tone::Success),
        Some(_) => ("NotReady".to_owned(), Tone::Error),
        None => ("Unknown".to_owned(), Tone::Neutral),
    };
    if details::at(node, &["spec", "unschedulable"]).and_then(Value::as_bool) == Some(true) {
        text.push_str(",SchedulingDisabled");
        if tone == Tone::Success {
            tone = Tone::Warning;
        }
    }
    (text, tone)
}

/// Whether the node's Ready condition is True.
pub fn is_ready(node: &Value) -> bool {
    node_status(node).0.starts_with("Ready")
}

/// kubectl's ROLES: the suffixes of `node-role.kubernetes.io/<role>` labels and the value of
/// `kubernetes.io/role`, sorted and comma-separated; `<none>` without any.
pub fn node_roles(node: &Value) -> String {
    let labels = details::at(node, &["metadata", "labels"]).and_then(Value::as_object);
    let mut roles: Vec<&str> = labels
        .into_iter()
        .flatten()
        .filter_map(
            |(key, value)| match key.strip_prefix("node-role.kubernetes.io/") {
                Some(role) if !role.is_empty() => Some(role),
                _ if key == "kubernetes.io/role" => value.as_str().filter(|v| !v.is_empty()),
                _ => None,
            },
        )
        .collect();
    roles.sort_unstable();
    roles.dedup();
    if roles.is_empty() {
        "<none>".to_owned()
    } else {
        roles.join(",")
    }
}

/// The first address of `kind` (`InternalIP`, `ExternalIP`, `Hostname`), if any.
pub fn address<'v>(node: &'v Value, kind: &str) -> Option<&'v str> {
    details::array_at(node, &["status", "addresses"])
        .iter()
        .find(|a| str_at(a, &["type"]) == Some(kind))
        .and_then(|a| str_at(a, &["address"]))
}

/// CPU cores and memory bytes a node uses, by node name, from metrics.k8s.io.
pub type Usage = HashMap<String, (f64, f64)>;

/// Every node's usage, or why there is none (the cluster serves no metrics, or the viewer
/// may not read them).
pub fn usage(cluster: &str) -> Result<Usage, ClusterError> {
    let list = cluster::list(cluster, &node_metrics_kind(), &ListOptions::default())?;
    Ok(list
        .items
        .iter()
        .filter_map(|m| {
            let value = m.value().ok()?;
            let cpu = str_at(value, &["usage", "cpu"]).and_then(quantity::cpu_cores)?;
            let memory = str_at(value, &["usage", "memory"]).and_then(quantity::bytes)?;
            Some((m.name()?.to_owned(), (cpu, memory)))
        })
        .collect())
}

/// The allocatable CPU cores and memory bytes of a node.
pub fn allocatable(node: &Value) -> (f64, f64) {
    let cpu = str_at(node, &["status", "allocatable", "cpu"]).and_then(quantity::cpu_cores);
    let memory = str_at(node, &["status", "allocatable", "memory"]).and_then(quantity::bytes);
    (cpu.unwrap_or(0.0), memory.unwrap_or(0.0))
}

/// Pods that hold resources on each node (not Succeeded or Failed), by node name.
fn pods_per_node(cluster: &str) -> Result<HashMap<String, usize>, ClusterError> {
    let pods = cluster::list(cluster, &Gvk::core("v1", "Pod"), &ListOptions::default())?;
    let mut counts = HashMap::new();
    for pod in &pods.items {
        let Ok(pod) = pod.value() else { continue };
        let done = matches!(
            str_at(pod, &["status", "phase"]),
            Some("Succeeded" | "Failed")
        );
        if let (Some(node), false) = (str_at(pod, &["spec", "nodeName"]), done) {
            *counts.entry(node.to_owned()).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Computed {
    Status,
    Roles,
    InternalIp,
    Cpu,
    Memory,
    Pods,
}

/// A percentage cell, coloured once a node runs hot; empty without metrics.
fn percent_cell(used: Option<f64>, total: f64) -> Cell {
    match used.and_then(|u| quantity::percent(u, total)) {
        Some(p) => {
            let cell = Cell::text(format!("{p}%")).sort(p);
            match p {
                p if p >= 90.0 => cell.tone(Tone::Error),
                p if p >= 75.0 => cell.tone(Tone::Warning),
                _ => cell,
            }
        }
        None => Cell::empty(),
    }
}

/// Cells of `columns` for each node in `objects`; metrics and pods are read once per call,
/// and only when a column needs them.
pub(crate) fn rows(
    cluster: &str,
    columns: &[String],
    objects: &[Object],
) -> Result<Vec<Vec<Cell>>, String> {
    let resolve = |id: &str| match id {
        "status" => Ok(Computed::Status),
        "roles" => Ok(Computed::Roles),
        "internal-ip" => Ok(Computed::InternalIp),
        "cpu" => Ok(Computed::Cpu),
        "memory" => Ok(Computed::Memory),
        "pods" => Ok(Computed::Pods),
        other => Err(format!(
            "the cluster plugin computes no column `{other}` of table `{}` (only `status`, `roles`, `internal-ip`, `cpu`, `memory` and `pods`)",
            crate::NODES_TABLE
        )),
    };
    let wanted: Vec<Computed> = columns
        .iter()
        .map(|c| resolve(c))
        .collect::<Result<_, _>>()?;
    // Without metrics the usage cells stay empty: the table is still worth showing.
    let usage = if wanted
        .iter()
        .any(|c| matches!(c, Computed::Cpu | Computed::Memory))
    {
        usage(cluster).unwrap_or_default()
    } else {
        Usage::new()
    };
    let pods = if wanted.contains(&Computed::Pods) {
        pods_per_node(cluster).map_err(|e| format!("could not count the pods of each node: {e}"))?
    } else {
        HashMap::new()
    };
    headlamp_plugin_sdk::rows_by(
        "node",
        columns,
        objects,
        resolve,
        |node: &Value, columns: &[Computed]| {
            let name = details::text_at(node, &["metadata", "name"]);
            let used = usage.get(&name);
            let (cpu, memory) = allocatable(node);
            columns
                .iter()
                .map(|c| match c {
                    Computed::Status => {
                        let (text, tone) = node_status(node);
                        Cell::text(text).tone(tone)
                    }
                    Computed::Roles => Cell::text(node_roles(node)),
                    Computed::InternalIp => Cell::text(address(node, "InternalIP").unwrap_or("")),
                    Computed::Cpu => percent_cell(used.map(|u| u.0), cpu),
                    Computed::Memory => percent_cell(used.map(|u| u.1), memory),
                    Computed::Pods => {
                        let n = pods.get(&name).copied().unwrap_or(0);
                        Cell::number(n as f64)
                    }
                })
                .collect()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    fn node(ready: &str, unschedulable: bool, labels: Value) -> Value {
        json!({"metadata": {"name": "n", "labels": labels},
               "spec": {"unschedulable": unschedulable},
               "status": {"conditions": [{"type": "MemoryPressure", "status": "False"},
                                         {"type": "Ready", "status": ready}]}})
    }

    #[test]
    fn a_ready_node_is_ready_and_green() {
        assert_eq!(
            node_status(&node("True", false, json!({}))),
            ("Ready".to_owned(), Tone::Success)
        );
    }

    #[test]
    fn a_cordoned_ready_node_says_scheduling_disabled_as_a_warning() {
        assert_eq!(
            node_status(&node("True", true, json!({}))),
            ("Ready,SchedulingDisabled".to_owned(), Tone::Warning)
        );
    }

    #[test]
    fn a_node_whose_ready_condition_is_not_true_is_not_ready() {
        assert_eq!(
            node_status(&node("Unknown", false, json!({}))).0,
            "NotReady"
        );
        assert_eq!(node_status(&node("False", true, json!({}))).1, Tone::Error);
        assert_eq!(node_status(&json!({})).0, "Unknown");
    }

    #[test]
    fn roles_come_from_role_labels_sorted() {
        let labels = json!({"node-role.kubernetes.io/worker": "", "node-role.kubernetes.io/control-plane": "",
                            "kubernetes.io/role": "ingress", "kubernetes.io/os": "linux"});
        assert_eq!(
            node_roles(&node("True", false, labels)),
            "control-plane,ingress,worker"
        );
        assert_eq!(node_roles(&node("True", false, json!({}))), "<none>");
    }

    #[test]
    fn usage_cells_colour_hot_nodes_and_stay_empty_without_metrics() {
        assert_eq!(percent_cell(Some(1.0), 4.0).text, "25%");
        assert_eq!(percent_cell(Some(3.8), 4.0).tone, Some(Tone::Error));
        assert_eq!(percent_cell(Some(3.1), 4.0).tone, Some(Tone::Warning));
        assert_eq!(percent_cell(None, 4.0).text, "");
    }
}
