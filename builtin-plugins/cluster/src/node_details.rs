//! The details view of one node: conditions, capacity, taints, addresses, system info, pods.

use headlamp_plugin_sdk::details::{self, kv, str_at, text_at};
use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::nodes::{self, address, node_roles, node_status};
use crate::page::{self, Events};
use crate::quantity;

/// Status, roles and addresses in the header; then the node's parts, events and YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let node = object.value()?;
    let name = text_at(node, &["metadata", "name"]);
    let extra = vec![
        kv("Status", node_status(node).0),
        kv("Roles", node_roles(node)),
        kv(
            "Internal IP",
            address(node, "InternalIP").unwrap_or_default(),
        ),
        kv("Pod CIDR", text_at(node, &["spec", "podCIDR"])),
        kv("Provider ID", text_at(node, &["spec", "providerID"])),
    ];
    let parts = vec![
        details::conditions_section(node),
        capacity_section(node, cluster, &name),
        taints_section(node),
        addresses_section(node),
        system_info_section(node),
        pods_section(cluster, &name)?,
    ];
    page::details_page(
        node,
        "node",
        extra,
        parts,
        Events::From(cluster),
        now_millis,
    )
}

/// Capacity and allocatable per resource, with the usage of CPU and memory when metrics exist.
fn capacity_section(node: &Value, cluster: &str, name: &str) -> NodeBuilder {
    let capacity = details::at(node, &["status", "capacity"]).and_then(Value::as_object);
    let allocatable = details::at(node, &["status", "allocatable"]);
    let usage = nodes::usage(cluster)
        .ok()
        .and_then(|u| u.get(name).copied());
    let rows: Vec<Vec<Cell>> = capacity
        .into_iter()
        .flatten()
        .map(|(resource, total)| {
            let used = match (resource.as_str(), usage) {
                ("cpu", Some((cpu, _))) => quantity::cores_text(cpu),
                ("memory", Some((_, memory))) => quantity::bytes_text(memory),
                _ => String::new(),
            };
            vec![
                Cell::text(resource.clone()),
                Cell::text(total.as_str().unwrap_or_default()),
                Cell::text(
                    allocatable
                        .and_then(|a| str_at(a, &[resource.as_str()]))
                        .unwrap_or_default(),
                ),
                Cell::text(used),
            ]
        })
        .collect();
    View::section("Capacity").child(details::table_or_empty(
        &["Resource", "Capacity", "Allocatable", "Used"],
        rows,
        "The node reports no capacity.",
    ))
}

fn taints_section(node: &Value) -> NodeBuilder {
    let rows = details::array_at(node, &["spec", "taints"])
        .iter()
        .map(|t| {
            vec![
                Cell::text(text_at(t, &["key"])),
                Cell::text(text_at(t, &["value"])),
                Cell::text(text_at(t, &["effect"])),
            ]
        })
        .collect();
    View::section("Taints").child(details::table_or_empty(
        &["Key", "Value", "Effect"],
        rows,
        "No taints: any pod may be scheduled here.",
    ))
}

fn addresses_section(node: &Value) -> NodeBuilder {
    let rows = details::array_at(node, &["status", "addresses"])
        .iter()
        .map(|a| {
            vec![
                Cell::text(text_at(a, &["type"])),
                Cell::text(text_at(a, &["address"])),
            ]
        })
        .collect();
    View::section("Addresses").child(details::table_or_empty(
        &["Type", "Address"],
        rows,
        "The node reports no addresses.",
    ))
}

fn system_info_section(node: &Value) -> NodeBuilder {
    let info = |key: &str| text_at(node, &["status", "nodeInfo", key]);
    View::section("System info").child(View::key_values([
        ("OS image", info("osImage")),
        ("Operating system", info("operatingSystem")),
        ("Architecture", info("architecture")),
        ("Kernel version", info("kernelVersion")),
        ("Container runtime", info("containerRuntimeVersion")),
        ("Kubelet version", info("kubeletVersion")),
        ("Kube-proxy version", info("kubeProxyVersion")),
        ("Machine ID", info("machineID")),
        ("System UUID", info("systemUUID")),
        ("Boot ID", info("bootID")),
    ]))
}

/// The pods scheduled on the node, each linked to its details.
fn pods_section(cluster: &str, name: &str) -> Result<NodeBuilder, String> {
    let options = ListOptions::default().fields(&format!("spec.nodeName={name}"));
    let pods = cluster::list(cluster, &Gvk::core("v1", "Pod"), &options)
        .map_err(|e| format!("could not list the pods of node {name}: {e}"))?;
    let mut rows: Vec<(String, Vec<Cell>)> = pods
        .items
        .iter()
        .filter_map(|p| p.value().ok())
        .map(|p| {
            let ns = text_at(p, &["metadata", "namespace"]);
            let pod = text_at(p, &["metadata", "name"]);
            let key = format!("{ns}/{pod}");
            let cells = vec![
                Cell::text(pod.clone()).link(format!("/pods/{ns}/{pod}")),
                Cell::text(ns.clone()).link(format!("/namespaces/{ns}")),
                Cell::text(text_at(p, &["status", "phase"])),
                Cell::text(text_at(p, &["status", "podIP"])),
            ];
            (key, cells)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(View::section("Pods").child(details::table_or_empty(
        &["Name", "Namespace", "Phase", "IP"],
        rows.into_iter().map(|(_, cells)| cells).collect(),
        "No pods run on this node.",
    )))
}
