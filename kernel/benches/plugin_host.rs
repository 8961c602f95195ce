//! Plugin host figures: compile vs cache load, instantiation, and the cost of `rows`.
//!
//! `make bench` (or `cargo bench -p headlamp-kernel --bench plugin_host`) prints one table.

use std::sync::Arc;
use std::time::{Duration, Instant};

use headlamp_kernel::cluster::ClusterRegistry;
use headlamp_kernel::host::{Limits, PluginHost, PluginSource, RowsContext};
use headlamp_kernel::loader::BUILTIN_PLUGINS;
use headlamp_kernel::registry::MergedRegistry;
use headlamp_kernel::tables;
use serde_json::{Value, json};

fn cluster_plugin() -> Vec<u8> {
    BUILTIN_PLUGINS
        .iter()
        .find(|(name, _, _)| *name == "cluster")
        .map(|(_, wasm, _)| wasm.to_vec())
        .expect("built without the cluster plugin: run `make plugins` first")
}

/// The cluster plugin as the kernel loads its built-ins: with the digest computed at build time.
fn source() -> PluginSource {
    let wasm = cluster_plugin();
    headlamp_kernel::loader::builtin_sources()
        .into_iter()
        .find(|s| s.wasm == wasm)
        .expect("the cluster plugin is built in")
}

fn host(cache: Option<&std::path::Path>) -> PluginHost {
    PluginHost::new(
        Limits::default(),
        cache.map(|p| p.to_path_buf()),
        Arc::new(ClusterRegistry::new()),
    )
    .unwrap()
}

fn namespaces(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            json!({"apiVersion": "v1", "kind": "Namespace",
                   "metadata": {"name": format!("team-{i:05}"), "uid": format!("uid-{i}"),
                                "resourceVersion": "1", "creationTimestamp": "2026-01-02T03:04:05Z",
                                "labels": {"team": format!("t{}", i % 17), "env": "prod"}},
                   "status": {"phase": if i % 50 == 0 { "Terminating" } else { "Active" }}})
        })
        .collect()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn row(figure: &str, value: String, note: &str) {
    println!("| {figure:<44} | {value:>12} | {note:<34} |");
}

#[tokio::main]
async fn main() {
    let wasm_len = cluster_plugin().len();
    println!(
        "| {:<44} | {:>12} | {:<34} |",
        "figure", "value", "target / note"
    );
    println!("|{:-<46}|{:-<14}|{:-<36}|", "", "", "");
    row(
        "cluster plugin size",
        format!("{} KiB", wasm_len / 1024),
        "release, opt-level s",
    );

    // Cold: compile from .wasm (no cache dir) each time.
    let mut cold = Vec::new();
    for _ in 0..3 {
        let h = host(None);
        let t = Instant::now();
        h.load(source()).await.unwrap();
        cold.push(t.elapsed());
    }
    row(
        "load, cold (compile + instantiate + init)",
        format!("{:.1} ms", median(cold).as_secs_f64() * 1e3),
        "< 5 s for all, off the request path",
    );

    // Warm: from the precompile cache.
    let dir = tempfile::tempdir().unwrap();
    host(Some(dir.path())).load(source()).await.unwrap();
    let mut warm = Vec::new();
    for _ in 0..10 {
        let h = host(Some(dir.path()));
        let t = Instant::now();
        h.load(source()).await.unwrap();
        assert_eq!(h.cache_stats().compiled, 0);
        warm.push(t.elapsed());
    }
    row(
        "load, warm cache (deserialize + inst. + init)",
        format!("{:.2} ms", median(warm).as_secs_f64() * 1e3),
        "< 2 ms per plugin",
    );

    // Instantiation alone: restart re-instantiates and re-runs init on a loaded plugin.
    let h = host(Some(dir.path()));
    let plugin = h.load(source()).await.unwrap();
    let mut inst = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        plugin.restart().await.unwrap();
        inst.push(t.elapsed());
    }
    row(
        "instantiate + init (restart)",
        format!("{:.0} us", median(inst).as_secs_f64() * 1e6),
        "pooling allocator, CoW memory",
    );

    // rows for 1,000 namespaces through the plugin (2 computed columns per row).
    let objects: Vec<String> = namespaces(1000).iter().map(Value::to_string).collect();
    let columns = vec!["status".to_string(), "labels".to_string()];
    let context = RowsContext {
        table: "namespaces".into(),
        cluster: "bench".into(),
        namespace: None,
    };
    let mut rows_t = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let rows = plugin
            .rows(
                &headlamp_kernel::identity::Identity::Kernel,
                &context,
                &columns,
                &objects,
            )
            .await
            .unwrap();
        rows_t.push(t.elapsed());
        assert_eq!(rows.len(), 1000);
    }
    let m = median(rows_t);
    row(
        "rows(), 1,000 namespaces, one call",
        format!("{:.2} ms", m.as_secs_f64() * 1e3),
        "wasm guest: parse + 2 cells/row",
    );
    row(
        "rows(), per row",
        format!("{:.2} us", m.as_secs_f64() * 1e6 / 1000.0),
        "",
    );

    // The whole table: native JSONPath columns + plugin cells.
    let registry = MergedRegistry::build(&h);
    let spec = registry.table("namespaces").unwrap().clone();
    let mut table_t = Vec::new();
    for _ in 0..20 {
        let objs = namespaces(1000);
        let t = Instant::now();
        let out = tables::compute(
            &h,
            &headlamp_kernel::identity::Identity::Kernel,
            &spec,
            &context,
            objs,
        )
        .await
        .unwrap();
        table_t.push(t.elapsed());
        assert!(out.errors.is_empty());
    }
    row(
        "table rows, 1,000 namespaces (all columns)",
        format!("{:.2} ms", median(table_t).as_secs_f64() * 1e3),
        "kernel JSONPath + plugin batch",
    );

    // Call overhead: a rows() call with no objects.
    let empty: Vec<String> = Vec::new();
    let mut call_t = Vec::new();
    for _ in 0..2000 {
        let t = Instant::now();
        plugin
            .rows(
                &headlamp_kernel::identity::Identity::Kernel,
                &context,
                &columns,
                &empty,
            )
            .await
            .unwrap();
        call_t.push(t.elapsed());
    }
    row(
        "host->guest call, empty rows()",
        format!("{:.2} us", median(call_t).as_secs_f64() * 1e6),
        "target < 1 us (sync call)",
    );
}
