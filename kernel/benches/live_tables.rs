//! Live tables end to end: kube-sim in load mode (10,000 pods), the real `headlamp` binary in
//! its own process (so its RSS is its own), and WebSocket clients like the browser's.
//!
//! `make bench` (or `cargo bench -p headlamp-kernel --bench live_tables`) prints one table and
//! writes `target/bench/live_tables.json`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use kube_sim::{Sim, SimConfig, SimHandle, UpdateMode};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

const PODS: usize = 10_000;
const CHANGES: usize = 1_000;
const CLIENTS: usize = 50;
const FANOUT_CHANGES: usize = 100;
/// The cluster name kube-sim's kubeconfig gives its admin context.
const CLUSTER: &str = "kube-sim";

/// The kernel binary, stopped when dropped.
struct Kernel {
    child: Child,
    url: String,
}

impl Drop for Kernel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Kernel {
    fn start(kubeconfig: &std::path::Path, scratch: &std::path::Path) -> Kernel {
        let mut child = Command::new(env!("CARGO_BIN_EXE_headlamp"))
            .arg("--listen=127.0.0.1:0")
            .arg(format!("--kubeconfig={}", kubeconfig.display()))
            .arg(format!("--cache-dir={}", scratch.join("cache").display()))
            .arg(format!("--config-dir={}", scratch.join("config").display()))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting the headlamp binary");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("headlamp exited before serving")
                .unwrap();
            if let Some(rest) = line.strip_prefix("headlamp is serving on ") {
                break rest.trim_end_matches('/').to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Kernel { child, url }
    }

    fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kib| kib / 1024.0)
    }

    async fn socket(&self) -> Socket {
        let url = format!("{}/api/v1/stream", self.url.replace("http://", "ws://"));
        tokio_tungstenite::connect_async(url).await.unwrap().0
    }
}

async fn subscribe(socket: &mut Socket) {
    let message = json!({"type": "subscribe-table", "id": "pods", "cluster": CLUSTER,
                         "table": "pods", "namespace": kube_sim::load::NAMESPACE});
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

/// The next message of the subscription, parsed.
async fn next(socket: &mut Socket) -> Value {
    loop {
        match socket.next().await.expect("the kernel closed the stream") {
            Ok(Message::Text(text)) => {
                let value: Value = serde_json::from_str(text.as_str()).unwrap();
                if value["type"] == "error" {
                    panic!("the kernel answered an error: {value}");
                }
                return value;
            }
            Ok(_) => continue,
            Err(e) => panic!("the stream failed: {e}"),
        }
    }
}

async fn snapshot(socket: &mut Socket) -> usize {
    loop {
        let message = next(socket).await;
        if message["type"] == "table-snapshot" {
            return message["rows"].as_array().unwrap().len();
        }
    }
}

/// Waits for a rows message carrying `pod`.
async fn row_of(socket: &mut Socket, pod: &str) {
    loop {
        let message = next(socket).await;
        let carries = message["upserts"]
            .as_array()
            .is_some_and(|rows| rows.iter().any(|r| r["object"]["name"] == pod));
        if carries {
            return;
        }
    }
}

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

struct Figure {
    name: &'static str,
    value: f64,
    unit: &'static str,
    target: Option<(&'static str, f64)>,
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
    let idle_rss = kernel.rss_mib();
    let mut figures = Vec::new();

    // Subscribe -> full snapshot, cold (the watch lists 10,000 pods) and warm (it runs).
    let mut first = kernel.socket().await;
    let started = Instant::now();
    subscribe(&mut first).await;
    let rows = snapshot(&mut first).await;
    let cold = started.elapsed();
    assert_eq!(rows, PODS, "the snapshot has every pod");
    let mut second = kernel.socket().await;
    let started = Instant::now();
    subscribe(&mut second).await;
    snapshot(&mut second).await;
    let warm = started.elapsed();
    drop(second);
    figures.push(Figure {
        name: "10k pods: subscribe -> snapshot, watch cold",
        value: ms(cold),
        unit: "ms",
        target: Some(("< 300 ms", 300.0)),
    });
    figures.push(Figure {
        name: "10k pods: subscribe -> snapshot, watch running",
        value: ms(warm),
        unit: "ms",
        target: Some(("< 300 ms", 300.0)),
    });

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
    figures.push(Figure {
        name: "one change -> row at the client, p50",
        value: ms(percentile(&mut latencies, 0.5)),
        unit: "ms",
        target: None,
    });
    figures.push(Figure {
        name: "one change -> row at the client, p99",
        value: ms(percentile(&mut latencies, 0.99)),
        unit: "ms",
        target: Some(("< 25 ms", 25.0)),
    });
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
    figures.push(Figure {
        name: "50 clients: every snapshot",
        value: ms(all_snapshots),
        unit: "ms",
        target: None,
    });
    figures.push(Figure {
        name: "50 clients: watches opened on the API server",
        value: watches as f64,
        unit: "",
        target: Some(("1", 1.0)),
    });
    figures.push(Figure {
        name: "50 clients: change -> row at all, p99",
        value: ms(percentile(&mut fanout, 0.99)),
        unit: "ms",
        target: Some(("< 25 ms", 25.0)),
    });
    figures.push(Figure {
        name: "kernel RSS at start (no table open)",
        value: idle_rss,
        unit: "MiB",
        target: None,
    });
    figures.push(Figure {
        name: "kernel RSS, 10k pods, 50 clients",
        value: kernel.rss_mib(),
        unit: "MiB",
        target: Some(("< 150 MB", 150.0 * 1e6 / (1024.0 * 1024.0))),
    });
    drop(clients);
    report(&figures);
}

fn report(figures: &[Figure]) {
    println!(
        "\n| {:<46} | {:>10} | {:>10} | {:<6} |",
        "figure", "value", "target", ""
    );
    println!("|{:-<48}|{:-<12}|{:-<12}|{:-<8}|", "", "", "", "");
    for f in figures {
        let (target, verdict) = match f.target {
            Some((text, limit)) => (text, if f.value <= limit { "pass" } else { "short" }),
            None => ("", ""),
        };
        println!(
            "| {:<46} | {:>7.1} {:<3}| {:>10} | {:<6} |",
            f.name, f.value, f.unit, target, verdict
        );
    }
    let json: Vec<Value> = figures
        .iter()
        .map(|f| {
            json!({"figure": f.name, "value": f.value, "unit": f.unit,
                   "target": f.target.map(|(text, _)| text)})
        })
        .collect();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(
            dir.join("live_tables.json"),
            serde_json::to_string_pretty(&json).unwrap(),
        );
    }
}
