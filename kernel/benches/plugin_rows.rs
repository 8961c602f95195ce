//! The workloads plugin's computed pod columns for 10,000 pods: as wasm in the kernel's host
//! versus the same crate compiled natively and driven by the SDK's test harness. Both get the
//! same objects in the kernel's batches (`tables::ROWS_BATCH`) and must give the same cells.
//!
//! `make bench` (or `cargo bench -p headlamp-kernel --bench plugin_rows`) prints one table and
//! writes `target/bench/plugin_rows.json`.

#[path = "support/report.rs"]
mod report;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use headlamp_kernel::cluster::ClusterRegistry;
use headlamp_kernel::host::{Limits, Plugin, PluginHost, RowsContext};
use headlamp_kernel::identity::Identity;
use headlamp_kernel::loader::{self, BUILTIN_PLUGINS};
use headlamp_kernel::tables::ROWS_BATCH;
use headlamp_plugin_sdk::testing::{Harness, sample};
use headlamp_plugin_workloads::{PODS_TABLE, WorkloadsPlugin};
use report::Figure;

const PODS: usize = 10_000;
const ROUNDS: usize = 10;
/// The pods table's computed columns, in the order the kernel asks for them.
const COLUMNS: [&str; 3] = ["ready", "status", "restarts"];

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// The workloads plugin loaded as the kernel loads its built-ins.
async fn wasm_plugin(host: &PluginHost) -> Arc<Plugin> {
    let wasm = BUILTIN_PLUGINS
        .iter()
        .find(|(name, _, _)| *name == "workloads")
        .map(|(_, wasm, _)| wasm.to_vec())
        .expect("built without the workloads plugin: run `make plugins` first");
    let source = loader::builtin_sources()
        .into_iter()
        .find(|s| s.wasm == wasm)
        .expect("the workloads plugin is built in");
    host.load(source).await.unwrap()
}

/// Every cell's text, row by row, from the wasm plugin.
async fn wasm_rows(plugin: &Plugin, objects: &[String]) -> Vec<Vec<String>> {
    let context = RowsContext {
        table: PODS_TABLE.into(),
        cluster: "bench".into(),
        namespace: None,
    };
    let columns: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let mut texts = Vec::with_capacity(objects.len());
    for chunk in objects.chunks(ROWS_BATCH) {
        let rows = plugin
            .rows(&Identity::Kernel, &context, &columns, chunk)
            .await
            .unwrap();
        texts.extend(
            rows.into_iter()
                .map(|r| r.into_iter().map(|c| c.text).collect()),
        );
    }
    texts
}

/// Every cell's text, row by row, from the same crate compiled natively.
fn native_rows(harness: &Harness, objects: &[String]) -> Vec<Vec<String>> {
    let mut texts = Vec::with_capacity(objects.len());
    for chunk in objects.chunks(ROWS_BATCH) {
        let rows = harness.rows(PODS_TABLE, &COLUMNS, chunk).unwrap();
        texts.extend(
            rows.into_iter()
                .map(|r| r.into_iter().map(|c| c.text).collect()),
        );
    }
    texts
}

#[tokio::main]
async fn main() {
    let objects: Vec<String> = (0..PODS).map(sample::pod_json).collect();
    let host = PluginHost::new(Limits::default(), None, Arc::new(ClusterRegistry::new())).unwrap();
    let plugin = wasm_plugin(&host).await;
    let mut harness = Harness::new(WorkloadsPlugin);
    harness
        .init()
        .expect("the workloads plugin initialises natively");
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    harness.cluster(|c| c.set_now_millis(now.as_millis() as u64));

    // One round each first: warms caches and checks both give the same cells.
    let expected = native_rows(&harness, &objects);
    assert_eq!(expected.len(), PODS);
    assert_eq!(
        wasm_rows(&plugin, &objects).await,
        expected,
        "wasm and native cells differ"
    );

    let (mut wasm, mut native) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let started = Instant::now();
        wasm_rows(&plugin, &objects).await;
        wasm.push(started.elapsed());
        let started = Instant::now();
        native_rows(&harness, &objects);
        native.push(started.elapsed());
    }
    let (wasm, native) = (median(wasm), median(native));
    let per_row = |d: Duration| d.as_secs_f64() * 1e6 / PODS as f64;
    let figures = vec![
        Figure::new(
            "workloads rows, 10k pods, wasm: total",
            wasm.as_secs_f64() * 1e3,
            "ms",
        ),
        Figure::new(
            "workloads rows, 10k pods, native: total",
            native.as_secs_f64() * 1e3,
            "ms",
        ),
        Figure::new("workloads rows, wasm: per row", per_row(wasm), "us"),
        Figure::new("workloads rows, native: per row", per_row(native), "us"),
        Figure::new(
            "workloads rows, wasm / native",
            wasm.as_secs_f64() / native.as_secs_f64(),
            "x",
        )
        .target("<= 3"),
    ];
    report::finish("plugin_rows", &figures);
}
