//! The watch hub under a burst: kube-sim changes many distinct pods as fast as its store
//! takes them, and every client of one table must end up with every change — counted by the
//! resourceVersion each row carries, so a change that never arrived is a loss.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use kube_sim::{SimHandle, UpdateMode};
use serde_json::{Value, json};

use super::kernel::{Socket, next};

/// What the burst did.
pub struct Burst {
    /// From the first change until the last client had every change.
    pub elapsed: Duration,
    /// Changes that some client had not received when the wait ended.
    pub lost: usize,
    /// Snapshots clients received instead of row deltas (the kernel fell behind and resynced).
    pub resyncs: usize,
}

/// Per pod name, the resourceVersion of its change.
type Versions = HashMap<String, u64>;

/// Changes `changes` distinct load pods (one label each) while every client reads; waits up
/// to `patience` for every client to hold every change.
pub async fn burst(
    sim: &SimHandle,
    clients: &mut [Socket],
    changes: usize,
    patience: Duration,
) -> Burst {
    let written: Arc<OnceLock<Versions>> = Arc::default();
    let store = sim.store().clone();
    let started = Instant::now();
    let writer = {
        let written = written.clone();
        std::thread::spawn(move || {
            let _ = written.set(write(&store, changes));
        })
    };
    let deadline = tokio::time::Instant::now() + patience;
    let outcomes = futures::future::join_all(
        clients
            .iter_mut()
            .map(|client| receive(client, &written, changes, deadline)),
    )
    .await;
    let elapsed = started.elapsed();
    writer.join().expect("the writer thread panicked");
    Burst {
        elapsed,
        lost: outcomes.iter().map(|(lost, _)| lost).sum(),
        resyncs: outcomes.iter().map(|(_, resyncs)| resyncs).sum(),
    }
}

/// Writes the changes; the resourceVersion each pod got.
fn write(store: &kube_sim::Store, changes: usize) -> Versions {
    let pods = store.def("", "pods");
    let namespace = kube_sim::load::NAMESPACE;
    (0..changes)
        .map(|i| {
            let name = format!("load-{i:06}");
            let mut pod = store.get(&pods, namespace, &name).unwrap();
            pod["metadata"]["labels"]["bench-burst"] = json!(i.to_string());
            let stored = store
                .update(&pods, namespace, &name, pod, UpdateMode::All)
                .unwrap();
            (name, version(&stored["metadata"]["resourceVersion"]))
        })
        .collect()
}

fn version(value: &Value) -> u64 {
    value
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("kube-sim resourceVersions are numbers")
}

/// Reads one client until it holds every written change or the deadline passes; how many
/// of the `changes` it is missing, and how many snapshots (resyncs) it got.
async fn receive(
    client: &mut Socket,
    written: &OnceLock<Versions>,
    changes: usize,
    deadline: tokio::time::Instant,
) -> (usize, usize) {
    let mut seen = Versions::new();
    let mut missing: Option<HashMap<&str, u64>> = None;
    let mut resyncs = 0;
    loop {
        if missing.is_none()
            && let Some(written) = written.get()
        {
            let left = written
                .iter()
                .filter(|(name, v)| seen.get(*name).is_none_or(|s| s < *v))
                .map(|(name, v)| (name.as_str(), *v))
                .collect();
            missing = Some(left);
        }
        if missing.as_ref().is_some_and(HashMap::is_empty) {
            return (0, resyncs);
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return (missing.map_or(changes, |m| m.len()), resyncs);
        }
        // Woken now and then even when nothing arrives, to notice the writer has finished;
        // a stream's `next` is cancel-safe, so no message is lost to the timeout.
        let wake = deadline.min(now + Duration::from_millis(50));
        let Ok(message) = tokio::time::timeout_at(wake, next(client)).await else {
            continue;
        };
        let rows = match message["type"].as_str() {
            Some("table-snapshot") => {
                resyncs += 1;
                &message["rows"]
            }
            _ => &message["upserts"],
        };
        for row in rows.as_array().into_iter().flatten() {
            let object = &row["object"];
            let (Some(name), Some(v)) = (
                object["name"].as_str(),
                object["resourceVersion"]
                    .as_str()
                    .and_then(|v| v.parse().ok()),
            ) else {
                continue;
            };
            match missing.as_mut() {
                Some(missing) => {
                    if missing.get(name).is_some_and(|want| v >= *want) {
                        missing.remove(name);
                    }
                }
                None => {
                    seen.insert(name.to_string(), v);
                }
            }
        }
    }
}
