//! The node side of the simulation: pods start on a node with an IP and container statuses,
//! job pods finish, containers restart now and then (churn), and metrics.k8s.io is fed.

use crate::controller::{CRASH_ANNOTATION, deleting, event, fnv, name, ns, rand_u64, write};
use crate::registry::ResourceDef;
use crate::store::{Store, now_rfc3339};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};

/// Node name used when the cluster has no Node objects.
const FALLBACK_NODE: &str = "kube-sim";

static POD_IPS: AtomicU32 = AtomicU32::new(10);

pub(crate) fn node_names(store: &Store) -> Vec<(String, String)> {
    let (nodes, _) = store.list_shared(&store.def("", "nodes"), None);
    nodes
        .iter()
        .map(|n| {
            let ip = n["status"]["addresses"]
                .as_array()
                .and_then(|a| a.first())
                .and_then(|a| a["address"].as_str())
                .unwrap_or("10.0.0.1");
            (name(n).to_string(), ip.to_string())
        })
        .collect()
}

/// Status of a freshly started pod (running, or crash-looping when its template asks for it).
pub(crate) fn start_pod(pod: &Value, nodes: &[(String, String)]) -> Value {
    let mut p = pod.clone();
    let (node, host_ip) = match p["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) {
        Some(n) => (
            n.to_string(),
            nodes
                .iter()
                .find(|(nn, _)| nn == n)
                .map(|x| x.1.clone())
                .unwrap_or("10.0.0.1".into()),
        ),
        None if nodes.is_empty() => (FALLBACK_NODE.to_string(), "10.0.0.1".to_string()),
        None => nodes[(fnv(name(pod)) % nodes.len() as u64) as usize].clone(),
    };
    p["spec"]["nodeName"] = json!(node);
    let n = POD_IPS.fetch_add(1, Ordering::Relaxed);
    let ip = format!("10.244.{}.{}", (n / 250) % 256, n % 250 + 2);
    let now = now_rfc3339();
    let crash = pod["metadata"]["annotations"][CRASH_ANNOTATION] == json!("true");
    let statuses: Vec<Value> = p["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let image = c["image"].as_str().unwrap_or("busybox");
            let cid = format!("containerd://{:016x}{:016x}", fnv(name(pod)), fnv(image));
            let mut st = json!({"name": c["name"], "image": image, "imageID": format!("docker.io/library/{image}@sha256:{:064x}", fnv(image) as u128),
                "containerID": cid, "ready": !crash, "started": !crash, "restartCount": 0, "state": {"running": {"startedAt": now}}});
            if crash {
                st["restartCount"] = json!(4);
                st["state"] = json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 1m20s restarting failed container"}});
                st["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error", "startedAt": now, "finishedAt": now}});
            }
            st
        })
        .collect();
    let ready = if crash { "False" } else { "True" };
    let cond = |t: &str, s: &str| json!({"type": t, "status": s, "lastProbeTime": null, "lastTransitionTime": now});
    p["status"] = json!({
        "phase": "Running", "hostIP": host_ip, "hostIPs": [{"ip": host_ip}], "podIP": ip, "podIPs": [{"ip": ip}],
        "startTime": now, "qosClass": "BestEffort", "containerStatuses": statuses,
        "conditions": [cond("PodReadyToStartContainers", "True"), cond("Initialized", "True"), cond("Ready", ready),
                       cond("ContainersReady", ready), cond("PodScheduled", "True")],
    });
    p
}

pub(crate) fn pod_ready(p: &Value) -> bool {
    p["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == json!("Ready") && c["status"] == json!("True"))
}

/// A job pod one tick after it started: its containers exited 0.
pub(crate) fn finish_pod(p: &Value) -> Value {
    let mut done = p.clone();
    let now = now_rfc3339();
    done["status"]["phase"] = json!("Succeeded");
    for c in done["status"]["containerStatuses"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        c["ready"] = json!(false);
        c["started"] = json!(false);
        c["state"] = json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": p["status"]["startTime"], "finishedAt": now}});
    }
    for cond in done["status"]["conditions"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        if cond["type"] == json!("Ready") || cond["type"] == json!("ContainersReady") {
            cond["status"] = json!("False");
            cond["reason"] = json!("PodCompleted");
        }
    }
    done
}

/// Random life: a container restarts now and then, with the events a kubelet would record.
pub(crate) fn churn(store: &Store) {
    let pod_def = store.def("", "pods");
    let (pods, _) = store.list_shared(&pod_def, None);
    let running: Vec<&Value> = pods
        .iter()
        .map(|x| &**x)
        .filter(|p| p["status"]["phase"] == json!("Running") && !deleting(p))
        .collect();
    if running.is_empty() {
        return;
    }
    let p = running[(rand_u64() % running.len() as u64) as usize];
    let mut np = p.clone();
    let now = now_rfc3339();
    if let Some(cs) = np["status"]["containerStatuses"].get_mut(0) {
        let restarts = cs["restartCount"].as_i64().unwrap_or(0) + 1;
        cs["restartCount"] = json!(restarts);
        cs["lastState"] = json!({"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": p["status"]["startTime"], "finishedAt": now}});
        if cs["state"].get("running").is_some() {
            cs["state"] = json!({"running": {"startedAt": now}});
        }
    }
    write(store, &pod_def, p, np);
    event(
        store,
        p,
        "Pod",
        "Warning",
        "BackOff",
        "Back-off restarting failed container",
        "kubelet",
    );
}

/// Node and pod metrics (metrics.k8s.io) derived from names, with a little drift per call.
pub fn metrics(store: &Store, drift: u64) {
    let now = now_rfc3339();
    let nm = store.def("metrics.k8s.io", "nodes");
    for (node, _) in node_names(store) {
        let cpu = 300 + (fnv(&node) + drift * 37) % 900;
        let mem = 2000 + (fnv(&node) / 7 + drift * 11) % 3000;
        let obj = json!({"metadata": {"name": node}, "timestamp": now, "window": "10s", "usage": {"cpu": format!("{cpu}m"), "memory": format!("{mem}Mi")}});
        upsert(store, &nm, "", &node, obj, drift > 0);
    }
    let pm = store.def("metrics.k8s.io", "pods");
    let (pods, _) = store.list_shared(&store.def("", "pods"), None);
    let (existing, _) = store.list_shared(&pm, None);
    let have: std::collections::HashSet<(&str, &str)> =
        existing.iter().map(|m| (ns(m), name(m))).collect();
    for p in pods
        .iter()
        .filter(|p| p["status"]["phase"] == json!("Running"))
        .filter(|p| drift > 0 || !have.contains(&(ns(p), name(p))))
    {
        let containers: Vec<Value> = p["spec"]["containers"].as_array().into_iter().flatten().map(|c| {
            let h = fnv(name(p)) / 3 + drift * 13;
            json!({"name": c["name"], "usage": {"cpu": format!("{}m", 1 + h % 200), "memory": format!("{}Mi", 8 + h % 500)}})
        }).collect();
        let obj = json!({"metadata": {"name": name(p), "namespace": ns(p), "labels": p["metadata"]["labels"]}, "timestamp": now, "window": "10s", "containers": containers});
        upsert(store, &pm, ns(p), name(p), obj, drift > 0);
    }
    let live: std::collections::HashSet<(&str, &str)> =
        pods.iter().map(|p| (ns(p), name(p))).collect();
    for m in existing
        .iter()
        .filter(|m| !live.contains(&(ns(m), name(m))))
    {
        let _ = store.delete(&pm, ns(m), name(m));
    }
}

fn upsert(store: &Store, def: &ResourceDef, namespace: &str, n: &str, obj: Value, refresh: bool) {
    match store.get(def, namespace, n) {
        Ok(_) if !refresh => {}
        Ok(cur) => {
            let mut o = obj;
            o["metadata"] = cur["metadata"].clone();
            write(store, def, &cur, o);
        }
        Err(_) => {
            let _ = store.create(def, namespace, obj);
        }
    }
}
