//! Plugin host figures: compile vs cache load (one plugin and every built-in), instantiation,
//! and the cost of `rows`.
//!
//! `make bench` (or `cargo bench -p headlamp-kernel --bench plugin_host`) prints one table and
//! writes `target/bench/plugin_host.json`.

#[path = "support/report.rs"]
mod report;

use std::sync::Arc;
use std::time::{Duration, Instant};

use headlamp_kernel::cluster::ClusterRegistry;
use headlamp_kernel::host::{Limits, PluginHost, PluginSource, RowsContext};
use headlamp_kernel::identity::Identity;
use headlamp_kernel::loader::{self, BUILTIN_PLUGINS};
use headlamp_kernel::registry::MergedRegistry;
use headlamp_kernel::tables;
use report::Figure;
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
    loader::builtin_sources()
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Loads every built-in into `host` as the kernel does at start; how long it took.
async fn load_builtins(host: &PluginHost) -> Duration {
    let started = Instant::now();
    let report = loader::load_all(host, loader::builtin_sources()).await;
    let took = started.elapsed();
    assert!(
        report.failed.is_empty(),
        "built-ins failed: {:?}",
        report.failed
    );
    assert_eq!(report.loaded.len(), BUILTIN_PLUGINS.len());
    took
}

/// Start of every built-in: compiling (no cache), from the precompile cache, the slowest
/// plugin from the cache, and instantiation alone.
async fn builtins(figures: &mut Vec<Figure>) {
    let count = BUILTIN_PLUGINS.len();
    let mut cold = Vec::new();
    for _ in 0..3 {
        cold.push(load_builtins(&host(None)).await);
    }
    figures.push(
        Figure::new(
            &format!("all {count} built-ins: load, no cache (compile)"),
            ms(median(cold)),
            "ms",
        )
        .target("< 5000"),
    );

    let dir = tempfile::tempdir().unwrap();
    load_builtins(&host(Some(dir.path()))).await;
    let mut warm = Vec::new();
    let mut each: Vec<Vec<Duration>> = vec![Vec::new(); count];
    for round in 0..10 {
        let h = host(Some(dir.path()));
        warm.push(load_builtins(&h).await);
        assert_eq!(
            h.cache_stats().compiled,
            0,
            "every built-in came from the cache"
        );
        // The first load on a fresh host pays for warming it up: each plugin goes first in
        // only a few rounds, so its median is its own cost.
        let h = host(Some(dir.path()));
        let mut sources: Vec<_> = loader::builtin_sources().into_iter().enumerate().collect();
        sources.rotate_left(round % count);
        for (index, source) in sources {
            let started = Instant::now();
            h.load(source).await.unwrap();
            each[index].push(started.elapsed());
        }
    }
    figures.push(
        Figure::new(
            &format!("all {count} built-ins: load, precompile cache"),
            ms(median(warm)),
            "ms",
        )
        .target("< 50"),
    );
    let slowest = each.into_iter().map(median).max().unwrap();
    figures.push(
        Figure::new(
            "slowest built-in: load, precompile cache",
            ms(slowest),
            "ms",
        )
        .target("< 2"),
    );

    let h = host(Some(dir.path()));
    load_builtins(&h).await;
    let plugins = h.plugins();
    let mut inst = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        for plugin in &plugins {
            plugin.restart().await.unwrap();
        }
        inst.push(started.elapsed());
    }
    figures.push(Figure::new(
        &format!("all {count} built-ins: instantiate + init"),
        ms(median(inst)),
        "ms",
    ));
}

#[tokio::main]
async fn main() {
    let mut figures = vec![Figure::new(
        "cluster plugin size (release, opt-level s)",
        (cluster_plugin().len() / 1024) as f64,
        "KiB",
    )];

    // Cold: compile from .wasm (no cache dir) each time.
    let mut cold = Vec::new();
    for _ in 0..3 {
        let h = host(None);
        let t = Instant::now();
        h.load(source()).await.unwrap();
        cold.push(t.elapsed());
    }
    figures.push(Figure::new(
        "cluster plugin: load, no cache (compile + inst. + init)",
        ms(median(cold)),
        "ms",
    ));

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
    figures.push(
        Figure::new(
            "cluster plugin: load, precompile cache",
            ms(median(warm)),
            "ms",
        )
        .target("< 2"),
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
    figures.push(Figure::new(
        "cluster plugin: instantiate + init (restart)",
        us(median(inst)),
        "us",
    ));

    builtins(&mut figures).await;

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
            .rows(&Identity::Kernel, &context, &columns, &objects)
            .await
            .unwrap();
        rows_t.push(t.elapsed());
        assert_eq!(rows.len(), 1000);
    }
    let m = median(rows_t);
    figures.push(Figure::new(
        "rows(), 1,000 namespaces, one call (2 cells/row)",
        ms(m),
        "ms",
    ));
    figures.push(Figure::new(
        "rows(), 1,000 namespaces, per row",
        us(m) / 1000.0,
        "us",
    ));

    // The whole table: native JSONPath columns + plugin cells.
    let registry = MergedRegistry::build(&h);
    let spec = registry.table("namespaces").unwrap().clone();
    let mut table_t = Vec::new();
    for _ in 0..20 {
        let objs = namespaces(1000);
        let t = Instant::now();
        let out = tables::compute(&h, &Identity::Kernel, &spec, &context, objs)
            .await
            .unwrap();
        table_t.push(t.elapsed());
        assert!(out.errors.is_empty());
    }
    figures.push(Figure::new(
        "table rows, 1,000 namespaces (all columns)",
        ms(median(table_t)),
        "ms",
    ));

    // Call overhead: a rows() call with no objects.
    let empty: Vec<String> = Vec::new();
    let mut call_t = Vec::new();
    for _ in 0..2000 {
        let t = Instant::now();
        plugin
            .rows(&Identity::Kernel, &context, &columns, &empty)
            .await
            .unwrap();
        call_t.push(t.elapsed());
    }
    figures.push(
        Figure::new("host->guest call, empty rows()", us(median(call_t)), "us").target("< 1"),
    );

    report::finish("plugin_host", &figures);
}
