//! The cluster overview: nodes, pods by phase, CPU and memory used against allocatable (when
//! metrics.k8s.io is served), workload health and the latest warnings.

use std::collections::BTreeMap;

use headlamp_plugin_sdk::details::{self, str_at, text_at};
use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;
use headlamp_plugin_sdk::{ChartKind, Datum};

use crate::{events, nodes, quantity};

/// How many warnings the overview lists.
const WARNINGS_SHOWN: usize = 10;

const GIB: f64 = 1_073_741_824.0;

fn datum(label: &str, value: f64, tone: Option<Tone>) -> Datum {
    Datum {
        label: label.to_owned(),
        value,
        tone,
    }
}

/// Lists every object of `kind`, as JSON values.
fn list(cluster: &str, kind: &Gvk) -> Result<Vec<Value>, ClusterError> {
    let list = cluster::list(cluster, kind, &ListOptions::default())?;
    Ok(list
        .items
        .iter()
        .filter_map(|o| o.value().ok().cloned())
        .collect())
}

/// The overview of `cluster`.
pub(crate) fn page(cluster: &str, now_millis: u64) -> Result<View, String> {
    let node_list = list(cluster, &Gvk::core("v1", "Node"))
        .map_err(|e| format!("could not list the nodes of cluster {cluster}: {e}"))?;
    let pods = list(cluster, &Gvk::core("v1", "Pod"))
        .map_err(|e| format!("could not list the pods of cluster {cluster}: {e}"))?;
    Ok(View::stack()
        .child(nodes_section(&node_list))
        .child(pods_section(&pods))
        .child(usage_section(cluster, &node_list))
        .child(workloads_section(cluster))
        .child(warnings_section(cluster, now_millis))
        .build())
}

fn nodes_section(node_list: &[Value]) -> NodeBuilder {
    let ready = node_list.iter().filter(|n| nodes::is_ready(n)).count();
    let not_ready = node_list.len() - ready;
    View::section("Nodes")
        .child(View::text(format!(
            "{} nodes, {ready} ready",
            node_list.len()
        )))
        .child(View::chart(
            ChartKind::Pie,
            "Nodes",
            vec![
                datum("Ready", ready as f64, Some(Tone::Success)),
                datum("Not ready", not_ready as f64, Some(Tone::Error)),
            ],
            None,
        ))
}

/// The tone of a pod phase in charts.
fn phase_tone(phase: &str) -> Tone {
    match phase {
        "Running" | "Succeeded" => Tone::Success,
        "Pending" => Tone::Warning,
        "Failed" => Tone::Error,
        _ => Tone::Neutral,
    }
}

/// How many pods are in each phase, in the lifecycle's order.
pub fn pods_by_phase(pods: &[Value]) -> Vec<(String, usize)> {
    const ORDER: [&str; 5] = ["Running", "Pending", "Succeeded", "Failed", "Unknown"];
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for pod in pods {
        let phase = str_at(pod, &["status", "phase"]).unwrap_or("Unknown");
        *counts.entry(phase.to_owned()).or_insert(0) += 1;
    }
    let mut out: Vec<(String, usize)> = ORDER
        .iter()
        .filter_map(|p| counts.remove(*p).map(|n| ((*p).to_owned(), n)))
        .collect();
    out.extend(counts);
    out
}

fn pods_section(pods: &[Value]) -> NodeBuilder {
    let phases = pods_by_phase(pods);
    let data = phases
        .iter()
        .map(|(phase, n)| datum(phase, *n as f64, Some(phase_tone(phase))))
        .collect();
    View::section("Pods")
        .child(View::text(format!("{} pods", pods.len())))
        .child(View::chart(ChartKind::Pie, "Pods by phase", data, None))
}

/// CPU and memory gauges (used of allocatable), or a note saying why there is no usage.
fn usage_section(cluster: &str, node_list: &[Value]) -> NodeBuilder {
    let section = View::section("Resource usage");
    let (cpu_total, memory_total) = node_list
        .iter()
        .map(nodes::allocatable)
        .fold((0.0, 0.0), |(c, m), (nc, nm)| (c + nc, m + nm));
    let usage = match nodes::usage(cluster) {
        Ok(usage) if !usage.is_empty() => usage,
        Ok(_) => {
            return section
                .child(View::badge("No metrics", Tone::Info))
                .child(View::text(
                    "metrics.k8s.io reports no node usage yet; usage appears once metrics-server has scraped the nodes.",
                ));
        }
        Err(e) => {
            return section
                .child(View::badge("No metrics", Tone::Info))
                .child(View::text(format!(
                    "CPU and memory usage need metrics.k8s.io (metrics-server), which this cluster does not serve to you: {e}"
                )));
        }
    };
    let (cpu, memory) = usage
        .values()
        .fold((0.0, 0.0), |(c, m), (uc, um)| (c + uc, m + um));
    let tone = |used: f64, total: f64| match quantity::percent(used, total) {
        Some(p) if p >= 90.0 => Tone::Error,
        Some(p) if p >= 75.0 => Tone::Warning,
        _ => Tone::Success,
    };
    section
        .child(View::chart(
            ChartKind::Gauge,
            format!(
                "CPU: {} of {} cores",
                quantity::cores_text(cpu),
                quantity::cores_text(cpu_total)
            ),
            vec![datum("Used cores", cpu, Some(tone(cpu, cpu_total)))],
            Some(cpu_total),
        ))
        .child(View::chart(
            ChartKind::Gauge,
            format!(
                "Memory: {} of {}",
                quantity::bytes_text(memory),
                quantity::bytes_text(memory_total)
            ),
            vec![datum(
                "Used GiB",
                memory / GIB,
                Some(tone(memory, memory_total)),
            )],
            Some(memory_total / GIB),
        ))
}

/// Ready against desired replicas of one workload object.
fn ready_of(kind: &str, object: &Value) -> (i64, i64) {
    let int = |path: &[&str]| details::int_at(object, path).unwrap_or(0);
    match kind {
        "DaemonSet" => (
            int(&["status", "numberReady"]),
            int(&["status", "desiredNumberScheduled"]),
        ),
        _ => (
            int(&["status", "readyReplicas"]),
            details::int_at(object, &["spec", "replicas"]).unwrap_or(1),
        ),
    }
}

/// Per workload kind: how many are fully ready of how many, from one list call each.
fn workloads_section(cluster: &str) -> NodeBuilder {
    let mut rows = Vec::new();
    for (kind, label) in [
        ("Deployment", "Deployments"),
        ("StatefulSet", "StatefulSets"),
        ("DaemonSet", "DaemonSets"),
    ] {
        let cells = match list(cluster, &Gvk::new("apps", "v1", kind)) {
            Ok(objects) => {
                let healthy = objects
                    .iter()
                    .filter(|o| {
                        let (ready, desired) = ready_of(kind, o);
                        ready >= desired
                    })
                    .count();
                let degraded = objects.len() - healthy;
                let tone = if degraded == 0 {
                    Tone::Success
                } else {
                    Tone::Warning
                };
                vec![
                    Cell::text(label),
                    Cell::number(healthy as f64).tone(tone),
                    Cell::number(objects.len() as f64),
                ]
            }
            Err(e) => vec![
                Cell::text(label),
                Cell::text(format!("could not list: {e}")).tone(Tone::Error),
                Cell::empty(),
            ],
        };
        rows.push(cells);
    }
    View::section("Workloads").child(View::table(
        vec!["Kind".into(), "Ready".into(), "Total".into()],
        rows,
    ))
}

/// The newest Warning events of every namespace, each object linked.
fn warnings_section(cluster: &str, now_millis: u64) -> NodeBuilder {
    let section = View::section("Recent warnings");
    let options = ListOptions::default().fields("type=Warning");
    let mut warnings: Vec<Value> = match cluster::list(cluster, &events::event_kind(), &options) {
        Ok(list) => list
            .items
            .iter()
            .filter_map(|o| o.value().ok().cloned())
            .collect(),
        Err(e) => return section.child(View::error(format!("Could not list the events: {e}"))),
    };
    warnings.sort_by(|a, b| events::order_key(b).total_cmp(&events::order_key(a)));
    let rows = warnings
        .iter()
        .take(WARNINGS_SHOWN)
        .map(|e| {
            let age = details::last_seen(e)
                .and_then(|ts| format::age(ts, now_millis))
                .map(|a| format!("{a} ago"))
                .unwrap_or_default();
            vec![
                events::object_cell(e),
                Cell::text(text_at(e, &["reason"])).tone(Tone::Warning),
                Cell::text(text_at(e, &["message"])),
                Cell::text(age),
            ]
        })
        .collect();
    section.child(details::table_or_empty(
        &["Object", "Reason", "Message", "Last seen"],
        rows,
        "No warnings: nothing in the cluster reports trouble.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn phases_are_counted_in_lifecycle_order() {
        let pod = |phase: &str| json!({"status": {"phase": phase}});
        let pods = [
            pod("Pending"),
            pod("Running"),
            pod("Running"),
            pod("Evicted"),
            json!({}),
        ];
        assert_eq!(
            pods_by_phase(&pods),
            [
                ("Running".to_owned(), 2),
                ("Pending".to_owned(), 1),
                ("Unknown".to_owned(), 1),
                ("Evicted".to_owned(), 1)
            ]
        );
    }
}
