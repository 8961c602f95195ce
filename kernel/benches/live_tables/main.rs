//! Live tables end to end: kube-sim in load mode (10,000 pods) in this process, the real
//! `headlamp` binary in its own process, and WebSocket clients like the browser's. Also the
//! watch hub under a burst of changes and the overhead of the kernel's proxy.
//!
//! `make bench` (or `cargo bench -p headlamp-kernel --bench live_tables`) prints one table and
//! writes `target/bench/live_tables.json`.

mod hub;
mod kernel;
mod proxy;
#[path = "../support/report.rs"]
mod report;

use std::time::{Duration, Instant};

use kube_sim::{Sim, SimConfig, SimHandle, UpdateMode};
use report::Figure;
use serde_json::json;

use kernel::{Kernel, row_of, snapshot, subscribe};

const PODS: usize = 10_000;
const CHANGES: usize = 1_000;
const CLIENTS: usize = 50;
const FANOUT_CHANGES: usize = 100;
/// Distinct pods changed at once in the watch hub burst.
const BURST: usize = PODS;

/// Changes pod number `i` (a label), as a controller would.
fn change(sim: &SimHandle, i: usize, seq: usize) -> String {
    let store = sim.store();
    let pods = store.def("", "pods");
    let name = format!("load-{:06}", i % PODS);
    let mut pod = store.get(&pods, kube_sim::load::NAMESPACE, &name).unwrap();
    pod["metadata"]["labels"]["bench-seq"] = json!(seq.to_string());
    store
        .update(
            &pods,
            kube_sim::load::NAMESPACE,
            &name,
            pod,
            UpdateMode::All,
        )
        .unwrap();
    name
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let sim = Sim::start(SimConfig {
        tls: true,
        ..SimConfig::load(PODS, 0)
    })
    .await
    .expect("starting kube-sim");
    let scratch = tempfile::tempdir().unwrap();
    let kubeconfig = scratch.path().join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).unwrap();
    let kernel = Kernel::start(&kubeconfig, scratch.path());
    let idle_rss = kernel.rss_mb();
    let mut figures = Vec::new();

    // Subscribe -> full snapshot, cold (the watch lists 10,000 pods) and warm (it runs).
    let mut first = kernel.socket().await;
    let started = Instant::now();
    subscribe(&mut first).await;
    let (rows, bytes) = snapshot(&mut first).await;
    let cold = started.elapsed();
    assert_eq!(rows, PODS, "the snapshot has every pod");
    let mut second = kernel.socket().await;
    let started = Instant::now();
    subscribe(&mut second).await;
    snapshot(&mut second).await;
    let warm = started.elapsed();
    drop(second);
    figures.push(
        Figure::new(
            "10k pods: subscribe -> snapshot, watch cold",
            ms(cold),
            "ms",
        )
        .target("< 300"),
    );
    figures.push(
        Figure::new(
            "10k pods: subscribe -> snapshot, watch running",
            ms(warm),
            "ms",
        )
        .target("< 300"),
    );
    figures.push(Figure::new(
        "10k pods: snapshot message size",
        bytes as f64 / 1e6,
        "MB",
    ));

    // One change -> its row at the client. The changes are spaced (as one pod changing is):
    // a change right after another waits for the coalescing window by design.
    let mut latencies = Vec::with_capacity(CHANGES);
    for seq in 0..CHANGES {
        tokio::time::sleep(headlamp_kernel::stream::COALESCE * 2).await;
        let started = Instant::now();
        let pod = change(&sim, seq * 7, seq);
        row_of(&mut first, &pod).await;
        latencies.push(started.elapsed());
    }
    figures.push(Figure::new(
        "one change -> row at the client, p50",
        ms(percentile(&mut latencies, 0.5)),
        "ms",
    ));
    figures.push(
        Figure::new(
            "one change -> row at the client, p99",
            ms(percentile(&mut latencies, 0.99)),
            "ms",
        )
        .target("< 25"),
    );
    drop(first);
    tokio::time::sleep(Duration::from_millis(200)).await;

    // 50 clients on the same table: one watch, every snapshot, every change to all of them.
    let watches_before = sim.store().watch_stats().started;
    let started = Instant::now();
    let mut clients = Vec::with_capacity(CLIENTS);
    for _ in 0..CLIENTS {
        let mut socket = kernel.socket().await;
        subscribe(&mut socket).await;
        clients.push(socket);
    }
    futures::future::join_all(clients.iter_mut().map(snapshot)).await;
    let all_snapshots = started.elapsed();
    let watches = sim.store().watch_stats().started - watches_before;
    let mut fanout = Vec::with_capacity(FANOUT_CHANGES);
    for seq in 0..FANOUT_CHANGES {
        tokio::time::sleep(headlamp_kernel::stream::COALESCE * 2).await;
        let started = Instant::now();
        let pod = change(&sim, seq * 13 + 1, CHANGES + seq);
        futures::future::join_all(clients.iter_mut().map(|c| row_of(c, &pod))).await;
        fanout.push(started.elapsed());
    }
    figures.push(Figure::new(
        "50 clients: every snapshot",
        ms(all_snapshots),
        "ms",
    ));
    figures.push(
        Figure::new(
            "50 clients: watches opened on the API server",
            watches as f64,
            "",
        )
        .target("= 1"),
    );
    figures.push(
        Figure::new(
            "50 clients: change -> row at all, p99",
            ms(percentile(&mut fanout, 0.99)),
            "ms",
        )
        .target("< 25"),
    );
    figures.push(Figure::new(
        "kernel RSS at start (no table open)",
        idle_rss,
        "MB",
    ));
    figures.push(
        Figure::new("kernel RSS, 10k pods, 50 clients", kernel.rss_mb(), "MB").target("< 150"),
    );

    // The watch hub: every pod changes at once; every change must reach every client.
    let burst = hub::burst(&sim, &mut clients, BURST, Duration::from_secs(60)).await;
    let seconds = burst.elapsed.as_secs_f64();
    figures.push(Figure::new(
        "watch hub: 10k changes -> all 50 clients",
        ms(burst.elapsed),
        "ms",
    ));
    figures.push(
        Figure::new(
            "watch hub: changes/s reaching all 50 clients",
            BURST as f64 / seconds,
            "/s",
        )
        .target(">= 50000"),
    );
    figures.push(Figure::new(
        "watch hub: rows/s delivered (changes x clients)",
        (BURST * CLIENTS) as f64 / seconds,
        "/s",
    ));
    figures.push(
        Figure::new(
            "watch hub: changes lost (summed over clients)",
            burst.lost as f64,
            "",
        )
        .target("= 0"),
    );
    figures.push(Figure::new(
        "watch hub: resync snapshots during the burst",
        burst.resyncs as f64,
        "",
    ));
    figures.push(Figure::new(
        "kernel RSS after the burst, 50 clients",
        kernel.rss_mb(),
        "MB",
    ));
    drop(clients);

    // The proxy: the same list straight to kube-sim and through the kernel.
    let (straight, proxied) = proxy::list_pods(&sim, &kernel, PODS).await;
    figures.push(Figure::new(
        "list 10k pods: straight to kube-sim",
        ms(straight),
        "ms",
    ));
    figures.push(Figure::new(
        "list 10k pods: through the kernel's proxy",
        ms(proxied),
        "ms",
    ));
    figures.push(
        Figure::new(
            "list 10k pods: proxy / straight",
            proxied.as_secs_f64() / straight.as_secs_f64(),
            "x",
        )
        .target("<= 1.1"),
    );
    report::finish("live_tables", &figures);
}
