//! The details view of one pod.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::details::{self, array_at, int_at, kv, str_at, text_at};
use crate::pod_status::{self, PodRow};

/// Metadata and placement, the containers (and init containers) as tables, conditions, events,
/// YAML.
pub(crate) fn pod(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let row: PodRow = object.parse_borrowed()?;
    let summary = pod_status::summarize(&row);
    let value = object.value()?;

    let mut pairs = details::metadata(value, now_millis);
    pairs.extend([
        kv("Status", summary.reason.clone()),
        kv("Ready", format!("{}/{}", summary.ready, summary.total)),
        kv("Node", text_at(value, &["spec", "nodeName"])),
        kv("Pod IP", text_at(value, &["status", "podIP"])),
        kv("QoS class", text_at(value, &["status", "qosClass"])),
        kv(
            "Service account",
            text_at(value, &["spec", "serviceAccountName"]),
        ),
    ]);
    let header = View::section(text_at(value, &["metadata", "name"]))
        .child(View::badge(
            summary.reason.clone(),
            pod_status::reason_tone(&summary.reason),
        ))
        .child(View::key_value_list(pairs));

    let mut view = View::stack().child(header);
    let inits = array_at(value, &["spec", "initContainers"]);
    if !inits.is_empty() {
        let statuses = array_at(value, &["status", "initContainerStatuses"]);
        view = view.child(View::section("Init containers").child(containers(inits, statuses)));
    }
    let specs = array_at(value, &["spec", "containers"]);
    let statuses = array_at(value, &["status", "containerStatuses"]);
    Ok(view
        .child(View::section("Containers").child(containers(specs, statuses)))
        .child(details::conditions_section(value))
        .child(details::events_section(cluster, value, now_millis))
        .child(details::yaml_section(value, "pod")?)
        .build())
}

/// One row per container: name, image, state, ready, restarts, ports.
fn containers(specs: &[Value], statuses: &[Value]) -> NodeBuilder {
    let columns = ["Name", "Image", "State", "Ready", "Restarts", "Ports"]
        .map(str::to_owned)
        .to_vec();
    let rows = specs
        .iter()
        .map(|c| {
            let name = str_at(c, &["name"]).unwrap_or_default();
            let status = statuses.iter().find(|s| str_at(s, &["name"]) == Some(name));
            let ready = status.and_then(|s| s.get("ready")).and_then(Value::as_bool);
            let restarts = status.and_then(|s| int_at(s, &["restartCount"]));
            vec![
                Cell::text(name),
                Cell::text(text_at(c, &["image"])),
                state_cell(status.and_then(|s| s.get("state"))),
                Cell::text(if ready == Some(true) { "Yes" } else { "No" }),
                Cell::number(restarts.unwrap_or(0) as f64),
                Cell::text(ports(c)),
            ]
        })
        .collect();
    View::table(columns, rows)
}

/// `http:8080/TCP, 9090/TCP`: the port's name when it has one, the protocol always.
fn ports(container: &Value) -> String {
    array_at(container, &["ports"])
        .iter()
        .map(|p| {
            let port = int_at(p, &["containerPort"]).unwrap_or_default();
            let protocol = str_at(p, &["protocol"]).unwrap_or("TCP");
            match str_at(p, &["name"]) {
                Some(name) => format!("{name}:{port}/{protocol}"),
                None => format!("{port}/{protocol}"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Running`, `Waiting: CrashLoopBackOff`, `Terminated: Completed (exit 0)`.
fn state_cell(state: Option<&Value>) -> Cell {
    let Some(state) = state else {
        return Cell::text("Unknown").tone(Tone::Neutral);
    };
    if state.get("running").is_some() {
        Cell::text("Running").tone(Tone::Success)
    } else if let Some(w) = state.get("waiting") {
        let reason = str_at(w, &["reason"]).unwrap_or("Waiting");
        // Creating and initialising are steps on the way; every other waiting reason is a fault.
        let tone = match reason {
            "ContainerCreating" | "PodInitializing" => Tone::Warning,
            _ => Tone::Error,
        };
        Cell::text(format!("Waiting: {reason}")).tone(tone)
    } else if let Some(t) = state.get("terminated") {
        let reason = str_at(t, &["reason"]).unwrap_or("Terminated");
        let code = int_at(t, &["exitCode"]).unwrap_or_default();
        let tone = if code == 0 {
            Tone::Neutral
        } else {
            Tone::Error
        };
        Cell::text(format!("Terminated: {reason} (exit {code})")).tone(tone)
    } else {
        Cell::text("Unknown").tone(Tone::Neutral)
    }
}
