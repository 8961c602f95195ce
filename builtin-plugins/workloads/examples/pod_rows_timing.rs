//! Times `rows()` natively for 1,000 real-shaped pods, the size the kernel benchmarks.
//!
//! `cargo run --release -p headlamp-plugin-workloads --example pod_rows_timing`

use std::time::Instant;

use headlamp_plugin_sdk::testing::{Harness, sample};
use headlamp_plugin_workloads::{PODS_TABLE, WorkloadsPlugin};

const OBJECTS: usize = 1_000;
const ROUNDS: u32 = 200;

fn main() {
    let mut harness = Harness::new(WorkloadsPlugin);
    harness.init().expect("init succeeds");
    harness.cluster(|c| c.set_now_millis(1_709_251_200_000));
    let objects: Vec<String> = (0..OBJECTS).map(sample::pod_json).collect();
    let columns = ["ready", "status", "restarts"];

    // Warm up allocator and caches before measuring.
    for _ in 0..10 {
        harness.rows(PODS_TABLE, &columns, &objects).unwrap();
    }
    let start = Instant::now();
    for _ in 0..ROUNDS {
        let rows = harness.rows(PODS_TABLE, &columns, &objects).unwrap();
        assert_eq!(rows.len(), OBJECTS);
    }
    let per_call = start.elapsed() / ROUNDS;
    let bytes: usize = objects.iter().map(String::len).sum();
    println!(
        "rows() for {OBJECTS} pods ({} bytes each): {per_call:?} per call, {:?} per row",
        bytes / OBJECTS,
        per_call / OBJECTS as u32
    );
}
