//! Times `rows()` natively for 1,000 real-shaped namespaces, the size the kernel benchmarks.
//!
//! `cargo run --release -p headlamp-plugin-cluster --example namespace_rows_timing`

use std::time::Instant;

use headlamp_plugin_cluster::{ClusterPlugin, NAMESPACES_TABLE};
use headlamp_plugin_sdk::testing::Harness;

const OBJECTS: usize = 1_000;
const ROUNDS: u32 = 200;

fn namespace(i: usize) -> String {
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "creationTimestamp": "2024-02-25T00:00:00Z",
            "labels": {"kubernetes.io/metadata.name": format!("team-{i}"), "env": "prod"},
            "managedFields": [{
                "apiVersion": "v1", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:env": {}}}},
                "manager": "kubectl-create", "operation": "Update",
                "time": "2024-02-25T00:00:00Z"
            }],
            "name": format!("team-{i}"),
            "resourceVersion": "4711",
            "uid": format!("0f6e4d2c-8a4b-4c1e-9a53-{i:012}")
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": if i.is_multiple_of(10) { "Terminating" } else { "Active" }}
    })
    .to_string()
}

fn main() {
    let mut harness = Harness::new(ClusterPlugin);
    harness.init().expect("init succeeds");
    let objects: Vec<String> = (0..OBJECTS).map(namespace).collect();
    let columns = ["status", "labels"];

    // Warm up allocator and caches before measuring.
    for _ in 0..10 {
        harness.rows(NAMESPACES_TABLE, &columns, &objects).unwrap();
    }
    let start = Instant::now();
    for _ in 0..ROUNDS {
        let rows = harness.rows(NAMESPACES_TABLE, &columns, &objects).unwrap();
        assert_eq!(rows.len(), OBJECTS);
    }
    let per_call = start.elapsed() / ROUNDS;
    println!(
        "rows() for {OBJECTS} namespaces: {per_call:?} per call, {:?} per row",
        per_call / OBJECTS as u32
    );
}
