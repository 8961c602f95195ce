//! Server-side printing: meta.k8s.io/v1 Table responses so `kubectl get` shows proper columns.

use crate::registry::ResourceDef;
use serde_json::{Value, json};

/// One column: header name, type, priority (1 = only with `-o wide`) and how to compute the cell.
type Col = (&'static str, &'static str, u8, fn(&Value) -> Value);

/// Kubernetes' HumanDuration: "45s", "3m20s", "5h", "12d".
pub fn human_duration(secs: i64) -> String {
    if secs < 0 {
        return "<invalid>".into();
    }
    let (m, h, d) = (secs / 60, secs / 3600, secs / 86400);
    match () {
        _ if secs < 120 => format!("{secs}s"),
        _ if m < 10 && secs % 60 != 0 => format!("{m}m{}s", secs % 60),
        _ if m < 180 => format!("{m}m"),
        _ if h < 8 && m % 60 != 0 => format!("{h}h{}m", m % 60),
        _ if h < 48 => format!("{h}h"),
        _ if h < 192 && h % 24 != 0 => format!("{d}d{}h", h % 24),
        _ if d < 730 => format!("{d}d"),
        _ => format!("{}y", d / 365),
    }
}

/// Age of a timestamp field as printed by kubectl.
fn age_of(ts: &Value) -> Value {
    let Some(s) = ts.as_str() else {
        return json!("<unknown>");
    };
    match chrono::DateTime::parse_from_rfc3339(s) {
        Ok(t) => json!(human_duration(
            (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds()
        )),
        Err(_) => json!("<unknown>"),
    }
}

fn age(o: &Value) -> Value {
    age_of(&o["metadata"]["creationTimestamp"])
}
fn name(o: &Value) -> Value {
    o["metadata"]["name"].clone()
}
fn s(v: &Value) -> Value {
    match v {
        Value::Null => json!("<none>"),
        Value::String(x) if x.is_empty() => json!("<none>"),
        Value::String(_) => v.clone(),
        other => json!(other.to_string()),
    }
}
fn n(v: &Value) -> Value {
    json!(v.as_i64().unwrap_or(0))
}
fn count(v: &Value) -> Value {
    json!(v.as_object().map_or(0, |m| m.len()) + v.as_array().map_or(0, |a| a.len()))
}

fn pod_ready(o: &Value) -> Value {
    let total = o["spec"]["containers"].as_array().map_or(0, |a| a.len());
    let ready = o["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["ready"].as_bool() == Some(true))
        .count();
    json!(format!("{ready}/{total}"))
}

/// The STATUS column: phase, or the reason a container is waiting/terminated, or Terminating.
pub fn pod_status(o: &Value) -> Value {
    if o["metadata"].get("deletionTimestamp").is_some() {
        return json!("Terminating");
    }
    for c in o["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(r) = c.pointer("/state/waiting/reason").and_then(Value::as_str) {
            return json!(r);
        }
        if let Some(r) = c
            .pointer("/state/terminated/reason")
            .and_then(Value::as_str)
            && o["status"]["phase"] != json!("Succeeded")
        {
            return json!(r);
        }
    }
    let phase = o["status"]["phase"].as_str().unwrap_or("Pending");
    json!(if phase == "Succeeded" {
        "Completed"
    } else {
        phase
    })
}

fn pod_restarts(o: &Value) -> Value {
    let r: i64 = o["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["restartCount"].as_i64().unwrap_or(0))
        .sum();
    json!(r)
}

fn ports(o: &Value) -> Value {
    let ps: Vec<String> = o["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let proto = p["protocol"].as_str().unwrap_or("TCP");
            match p["nodePort"].as_i64() {
                Some(np) => format!("{}:{np}/{proto}", p["port"]),
                None => format!("{}/{proto}", p["port"]),
            }
        })
        .collect();
    s(&json!(ps.join(",")))
}

fn node_status(o: &Value) -> Value {
    let ready = o["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == json!("Ready"));
    let mut st = if ready.is_some_and(|c| c["status"] == json!("True")) {
        "Ready".to_string()
    } else {
        "NotReady".to_string()
    };
    if o["spec"]["unschedulable"] == json!(true) {
        st.push_str(",SchedulingDisabled");
    }
    json!(st)
}

fn node_roles(o: &Value) -> Value {
    let roles: Vec<&str> = o["metadata"]["labels"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/"))
        .collect();
    s(&json!(roles.join(",")))
}

fn containers_of(o: &Value, field: &str) -> Value {
    let t = &o["spec"]["template"]["spec"]["containers"];
    json!(
        t.as_array()
            .into_iter()
            .flatten()
            .map(|c| c[field].as_str().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(",")
    )
}

fn event_object(o: &Value) -> Value {
    let io = &o["involvedObject"];
    json!(format!(
        "{}/{}",
        io["kind"].as_str().unwrap_or("").to_lowercase(),
        io["name"].as_str().unwrap_or("")
    ))
}

fn columns(plural: &str, group: &str) -> Vec<Col> {
    let base: Vec<Col> = match (group, plural) {
        ("", "pods") => vec![
            ("Ready", "string", 0, pod_ready),
            ("Status", "string", 0, pod_status),
            ("Restarts", "integer", 0, pod_restarts),
            ("Age", "string", 0, age),
            ("IP", "string", 1, |o| s(&o["status"]["podIP"])),
            ("Node", "string", 1, |o| s(&o["spec"]["nodeName"])),
        ],
        ("apps", "deployments") => vec![
            ("Ready", "string", 0, |o| {
                json!(format!(
                    "{}/{}",
                    o["status"]["readyReplicas"].as_i64().unwrap_or(0),
                    o["spec"]["replicas"].as_i64().unwrap_or(1)
                ))
            }),
            ("Up-to-date", "integer", 0, |o| {
                n(&o["status"]["updatedReplicas"])
            }),
            ("Available", "integer", 0, |o| {
                n(&o["status"]["availableReplicas"])
            }),
            ("Age", "string", 0, age),
            ("Containers", "string", 1, |o| containers_of(o, "name")),
            ("Images", "string", 1, |o| containers_of(o, "image")),
        ],
        ("apps", "replicasets") => vec![
            ("Desired", "integer", 0, |o| n(&o["spec"]["replicas"])),
            ("Current", "integer", 0, |o| n(&o["status"]["replicas"])),
            ("Ready", "integer", 0, |o| n(&o["status"]["readyReplicas"])),
            ("Age", "string", 0, age),
        ],
        ("apps", "statefulsets") => vec![
            ("Ready", "string", 0, |o| {
                json!(format!(
                    "{}/{}",
                    o["status"]["readyReplicas"].as_i64().unwrap_or(0),
                    o["spec"]["replicas"].as_i64().unwrap_or(1)
                ))
            }),
            ("Age", "string", 0, age),
        ],
        ("apps", "daemonsets") => vec![
            ("Desired", "integer", 0, |o| {
                n(&o["status"]["desiredNumberScheduled"])
            }),
            ("Current", "integer", 0, |o| {
                n(&o["status"]["currentNumberScheduled"])
            }),
            ("Ready", "integer", 0, |o| n(&o["status"]["numberReady"])),
            ("Up-to-date", "integer", 0, |o| {
                n(&o["status"]["updatedNumberScheduled"])
            }),
            ("Available", "integer", 0, |o| {
                n(&o["status"]["numberAvailable"])
            }),
            ("Age", "string", 0, age),
        ],
        ("", "namespaces") => vec![
            ("Status", "string", 0, |o| s(&o["status"]["phase"])),
            ("Age", "string", 0, age),
        ],
        ("", "services") => vec![
            ("Type", "string", 0, |o| s(&o["spec"]["type"])),
            ("Cluster-IP", "string", 0, |o| s(&o["spec"]["clusterIP"])),
            ("External-IP", "string", 0, |o| {
                let ing = o["status"]["loadBalancer"]["ingress"][0]["ip"].clone();
                s(&ing)
            }),
            ("Port(s)", "string", 0, ports),
            ("Age", "string", 0, age),
        ],
        ("", "nodes") => vec![
            ("Status", "string", 0, node_status),
            ("Roles", "string", 0, node_roles),
            ("Age", "string", 0, age),
            ("Version", "string", 0, |o| {
                s(&o["status"]["nodeInfo"]["kubeletVersion"])
            }),
        ],
        ("", "configmaps") => vec![
            ("Data", "integer", 0, |o| count(&o["data"])),
            ("Age", "string", 0, age),
        ],
        ("", "secrets") => vec![
            ("Type", "string", 0, |o| s(&o["type"])),
            ("Data", "integer", 0, |o| count(&o["data"])),
            ("Age", "string", 0, age),
        ],
        ("", "events") => {
            return vec![
                ("Last Seen", "string", 0, |o| age_of(&o["lastTimestamp"])),
                ("Type", "string", 0, |o| s(&o["type"])),
                ("Reason", "string", 0, |o| s(&o["reason"])),
                ("Object", "string", 0, event_object),
                ("Message", "string", 0, |o| s(&o["message"])),
            ];
        }
        ("batch", "jobs") => vec![
            ("Status", "string", 0, |o| {
                json!(if o["status"]["succeeded"].as_i64().unwrap_or(0)
                    >= o["spec"]["completions"].as_i64().unwrap_or(1)
                {
                    "Complete"
                } else {
                    "Running"
                })
            }),
            ("Completions", "string", 0, |o| {
                json!(format!(
                    "{}/{}",
                    o["status"]["succeeded"].as_i64().unwrap_or(0),
                    o["spec"]["completions"].as_i64().unwrap_or(1)
                ))
            }),
            ("Age", "string", 0, age),
        ],
        ("batch", "cronjobs") => vec![
            ("Schedule", "string", 0, |o| s(&o["spec"]["schedule"])),
            ("Suspend", "boolean", 0, |o| {
                json!(if o["spec"]["suspend"] == json!(true) {
                    "True"
                } else {
                    "False"
                })
            }),
            ("Active", "integer", 0, |o| count(&o["status"]["active"])),
            ("Last Schedule", "string", 0, |o| {
                age_of(&o["status"]["lastScheduleTime"])
            }),
            ("Age", "string", 0, age),
        ],
        ("", "persistentvolumeclaims") => vec![
            ("Status", "string", 0, |o| s(&o["status"]["phase"])),
            ("Volume", "string", 0, |o| s(&o["spec"]["volumeName"])),
            ("Capacity", "string", 0, |o| {
                s(&o["status"]["capacity"]["storage"])
            }),
            ("Access Modes", "string", 0, |o| {
                s(&o["spec"]["accessModes"][0])
            }),
            ("StorageClass", "string", 0, |o| {
                s(&o["spec"]["storageClassName"])
            }),
            ("Age", "string", 0, age),
        ],
        ("", "persistentvolumes") => vec![
            ("Capacity", "string", 0, |o| {
                s(&o["spec"]["capacity"]["storage"])
            }),
            ("Status", "string", 0, |o| s(&o["status"]["phase"])),
            ("StorageClass", "string", 0, |o| {
                s(&o["spec"]["storageClassName"])
            }),
            ("Age", "string", 0, age),
        ],
        ("networking.k8s.io", "ingresses") => vec![
            ("Class", "string", 0, |o| s(&o["spec"]["ingressClassName"])),
            ("Hosts", "string", 0, |o| s(&o["spec"]["rules"][0]["host"])),
            ("Age", "string", 0, age),
        ],
        _ => vec![("Age", "string", 0, age)],
    };
    let mut cols: Vec<Col> = vec![("Name", "string", 0, name)];
    cols.extend(base);
    cols
}

/// Evaluates a simple CRD printer-column JSONPath (`.spec.size`, `.status.conditions[0].type`).
fn json_path(o: &Value, path: &str) -> Value {
    let mut cur = o;
    for part in path
        .trim_start_matches('.')
        .split('.')
        .filter(|p| !p.is_empty())
    {
        let (field, idx) = match part.split_once('[') {
            Some((f, rest)) => (f, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        cur = &cur[field];
        if let Some(i) = idx {
            cur = &cur[i];
        }
    }
    cur.clone()
}

/// Builds a Table for `objects`; `with_headers` is false for watch events after the first.
pub fn table<V: std::borrow::Borrow<Value>>(
    def: &ResourceDef,
    objects: &[V],
    include_object: &str,
    with_headers: bool,
) -> Value {
    let objects: Vec<&Value> = objects.iter().map(|o| o.borrow()).collect();
    let objects = objects.as_slice();
    let mut defs: Vec<Value> = vec![];
    let mut rows: Vec<Value> = objects.iter().map(|_| json!({"cells": []})).collect();
    let add_col = |defs: &mut Vec<Value>, title: &str, ty: &str, prio: u8| {
        defs.push(json!({"name": title, "type": ty, "format": if title == "Name" {"name"} else {""}, "description": "", "priority": prio}));
    };
    if def.printer_columns.is_empty() {
        for (title, ty, prio, f) in columns(&def.plural, &def.group) {
            add_col(&mut defs, title, ty, prio);
            for (row, o) in rows.iter_mut().zip(objects) {
                row["cells"].as_array_mut().expect("cells").push(f(o));
            }
        }
    } else {
        add_col(&mut defs, "Name", "string", 0);
        for (row, o) in rows.iter_mut().zip(objects) {
            row["cells"].as_array_mut().expect("cells").push(name(o));
        }
        for (title, ty, path) in &def.printer_columns {
            add_col(&mut defs, title, ty, 0);
            for (row, o) in rows.iter_mut().zip(objects) {
                let v = json_path(o, path);
                let cell = if ty == "date" { age_of(&v) } else { s(&v) };
                row["cells"].as_array_mut().expect("cells").push(cell);
            }
        }
        if !def.printer_columns.iter().any(|c| c.0 == "Age") {
            add_col(&mut defs, "Age", "date", 0);
            for (row, o) in rows.iter_mut().zip(objects) {
                row["cells"].as_array_mut().expect("cells").push(age(o));
            }
        }
    }
    for (row, o) in rows.iter_mut().zip(objects) {
        row["object"] = match include_object {
            "None" => Value::Null,
            "Object" => (*o).clone(),
            _ => {
                json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]})
            }
        };
    }
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": if with_headers { Value::Array(defs) } else { Value::Null },
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(200), "3m20s");
        assert_eq!(human_duration(3600 * 5), "5h");
        assert_eq!(human_duration(86400 * 12), "12d");
    }
}
