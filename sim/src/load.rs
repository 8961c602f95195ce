//! Load mode for benchmarks: many pods and a steady stream of modifications.

use crate::store::{Store, UpdateMode};
use serde_json::json;
use std::time::Duration;

/// Namespace the load pods live in.
pub const NAMESPACE: &str = "load";

/// Creates namespace `load` with `pods` running pods.
pub fn populate(store: &Store, pods: usize) {
    let _ = store.create(
        &store.def("", "namespaces"),
        "",
        json!({"metadata": {"name": NAMESPACE}}),
    );
    let def = store.def("", "pods");
    let now = crate::store::now_rfc3339();
    for i in 0..pods {
        let pod = json!({
            "metadata": {"name": format!("load-{i:06}"), "labels": {"app": format!("load-{}", i % 10), "tier": "bench"}},
            "spec": {"nodeName": "kube-sim", "containers": [{"name": "app", "image": "busybox:1.36"}]},
            "status": {"phase": "Running", "podIP": format!("10.250.{}.{}", i / 250 % 256, i % 250 + 2), "startTime": now,
                "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [{"name": "app", "image": "busybox:1.36", "ready": true, "restartCount": 0, "state": {"running": {"startedAt": now}}}]},
        });
        let _ = store.create(&def, NAMESPACE, pod);
    }
}

/// Modifies `events_per_sec` load pods per second (an annotation counter), in 10 ms batches.
pub async fn run(store: Store, events_per_sec: usize) {
    if events_per_sec == 0 {
        return;
    }
    let def = store.def("", "pods");
    let mut interval = tokio::time::interval(Duration::from_millis(10));
    let (mut next, mut credit, mut seq) = (0usize, 0f64, 0u64);
    loop {
        interval.tick().await;
        credit += events_per_sec as f64 / 100.0;
        // Shared list: no copy of the (possibly 10,000) pods, only of the one being changed.
        let (items, _) = store.list_shared(&def, Some(NAMESPACE));
        if items.is_empty() {
            continue;
        }
        while credit >= 1.0 {
            credit -= 1.0;
            let mut p = serde_json::Value::clone(&items[next % items.len()]);
            next += 1;
            seq += 1;
            p["metadata"]["annotations"]["sim.headlamp.dev/seq"] = json!(seq.to_string());
            let name = p["metadata"]["name"].as_str().unwrap_or("").to_string();
            let _ = store.update(&def, NAMESPACE, &name, p, UpdateMode::All);
        }
    }
}
