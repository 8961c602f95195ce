//! The kernel's pass-through proxy: `list pods` through `/clusters/{cluster}/api/v1/pods`
//! versus the same request straight to kube-sim, with the same client.

use std::time::{Duration, Instant};

use kube_sim::SimHandle;

use super::kernel::{CLUSTER, Kernel};

const ROUNDS: usize = 10;
const PATH: &str = "/api/v1/pods";

/// Median time of `list pods` straight to kube-sim and through the kernel, in that order.
pub async fn list_pods(sim: &SimHandle, kernel: &Kernel, pods: usize) -> (Duration, Duration) {
    let straight = sim.client();
    let url = format!("{}/clusters/{CLUSTER}", kernel.url);
    let config = kube::Config::new(url.parse().expect("the kernel's URL"));
    let proxied = kube::Client::try_from(config).expect("a client for the kernel's proxy");
    // Once each first: connections are up, and both answer the same list.
    assert!(list(&straight).await.1 >= pods);
    assert_eq!(list(&proxied).await.1, list(&straight).await.1);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        a.push(list(&straight).await.0);
        b.push(list(&proxied).await.0);
    }
    (median(a), median(b))
}

/// One `list pods`: how long until the whole body arrived (parsing is not timed), and how
/// many pods it listed.
async fn list(client: &kube::Client) -> (Duration, usize) {
    let request = http::Request::get(PATH).body(Vec::new()).unwrap();
    let started = Instant::now();
    let text = client
        .request_text(request)
        .await
        .unwrap_or_else(|e| panic!("GET {PATH} failed: {e}"));
    let took = started.elapsed();
    let list: serde_json::Value = serde_json::from_str(&text).expect("a JSON pod list");
    (took, list["items"].as_array().map_or(0, Vec::len))
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}
