//! kube-sim benchmarks: list 10,000 pods and watch fan-out to 50 watchers.
//! Run with `cargo bench -p kube-sim --bench sim_bench`; prints a table.

use futures::{AsyncBufReadExt, StreamExt};
use kube_sim::{Sim, SimConfig, UpdateMode};
use serde_json::json;
use std::time::{Duration, Instant};

const PODS: usize = 10_000;
const WATCHERS: usize = 50;
const EVENTS: usize = 2_000;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn list_bench(rows: &mut Vec<(String, String)>) {
    let sim = Sim::start(SimConfig {
        controllers: false,
        ..SimConfig::load(PODS, 0)
    })
    .await
    .expect("sim starts");
    let client = sim.client();
    let def = sim.store().def("", "pods");
    let t = Instant::now();
    let (items, _) = sim.store().list(&def, Some("load"));
    let listed = t.elapsed();
    let t = Instant::now();
    let (shared, _) = sim.store().list_shared(&def, Some("load"));
    rows.push((
        format!("store.list_shared {PODS} pods (in-process)"),
        format!("{:.1} ms", ms(t.elapsed())),
    ));
    drop(shared);
    let t = Instant::now();
    let bytes = serde_json::to_vec(&items).unwrap().len();
    rows.push((
        format!("store.list {PODS} pods (copying, in-process)"),
        format!("{:.1} ms", ms(listed)),
    ));
    rows.push((
        format!("serialize {PODS} pods"),
        format!("{:.1} ms ({:.1} MB)", ms(t.elapsed()), bytes as f64 / 1e6),
    ));
    for (label, accept) in [
        ("JSON", "application/json"),
        ("Table", "application/json;as=Table;v=v1;g=meta.k8s.io"),
    ] {
        let mut times = vec![];
        let mut bytes = 0;
        for _ in 0..5 {
            let req = http::Request::get("/api/v1/namespaces/load/pods")
                .header("accept", accept)
                .body(vec![])
                .unwrap();
            let t = Instant::now();
            let body = client.request_text(req).await.expect("list works");
            times.push(t.elapsed());
            bytes = body.len();
        }
        times.sort();
        rows.push((
            format!("list {PODS} pods ({label})"),
            format!(
                "median {:.1} ms, min {:.1} ms, {:.1} MB",
                ms(times[2]),
                ms(times[0]),
                bytes as f64 / 1e6
            ),
        ));
    }
}

async fn fanout_bench(rows: &mut Vec<(String, String)>) {
    let sim = Sim::start(SimConfig {
        controllers: false,
        ..SimConfig::load(1_000, 0)
    })
    .await
    .expect("sim starts");
    let store = sim.store().clone();
    let rv = store.current_rv();
    let mut watchers = vec![];
    for _ in 0..WATCHERS {
        let client = sim.client();
        let path = format!(
            "/api/v1/namespaces/load/pods?watch=true&resourceVersion={rv}&allowWatchBookmarks=false"
        );
        watchers.push(tokio::spawn(async move {
            let body = client
                .request_stream(http::Request::get(path).body(vec![]).unwrap())
                .await
                .expect("watch starts");
            let mut lines = body.lines();
            let mut n = 0;
            while n < EVENTS {
                match lines.next().await {
                    Some(Ok(l)) if l.contains("\"MODIFIED\"") => n += 1,
                    Some(Ok(_)) => {}
                    _ => break,
                }
            }
            (n, Instant::now())
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let def = store.def("", "pods");
    let start = Instant::now();
    for i in 0..EVENTS {
        let name = format!("load-{:06}", i % 1_000);
        let mut p = store.get(&def, "load", &name).unwrap();
        p["metadata"]["annotations"] = json!({"bench/seq": i.to_string()});
        store
            .update(&def, "load", &name, p, UpdateMode::All)
            .unwrap();
    }
    let produced = start.elapsed();
    let mut last = start;
    let mut delivered = 0;
    for w in watchers {
        let (n, at) = w.await.unwrap();
        delivered += n;
        last = last.max(at);
    }
    let total = last - start;
    rows.push((
        format!("produce {EVENTS} pod updates"),
        format!(
            "{:.1} ms ({:.0} updates/s)",
            ms(produced),
            EVENTS as f64 / produced.as_secs_f64()
        ),
    ));
    rows.push((
        format!("watch fan-out to {WATCHERS} watchers"),
        format!(
            "{delivered} events in {:.1} ms = {:.0} events/s delivered",
            ms(total),
            delivered as f64 / total.as_secs_f64()
        ),
    ));
}

fn main() {
    // Ignore the flags `cargo bench` passes (e.g. --bench); this harness has no options.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut rows = vec![];
    rt.block_on(async {
        list_bench(&mut rows).await;
        fanout_bench(&mut rows).await;
    });
    let w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    println!("{:w$}  result", "benchmark");
    println!("{}", "-".repeat(w + 60));
    for (k, v) in rows {
        println!("{k:w$}  {v}");
    }
}
