//! Table subscriptions that narrow what is sent: several namespaces at once, and a sorted
//! window of rows with the total, moved with `set-window`.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::socket::*;
use common::*;
use headlamp_kernel::api::AppState;
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::host::PluginHost;
use kube_sim::{Sim, SimConfig, SimHandle};
use serde_json::{Value, json};

async fn start() -> (SimHandle, Socket) {
    let sim = Sim::start(SimConfig {
        churn: false,
        ..SimConfig::demo()
    })
    .await
    .unwrap();
    let clusters = ClusterRegistry::new();
    clusters.insert(Cluster::new(
        ClusterName::new("demo"),
        sim.client_for("admin"),
    ));
    let host = PluginHost::new(test_limits(), None, Arc::new(clusters)).unwrap();
    for plugin in builtin_plugins() {
        host.load(plugin).await.unwrap();
    }
    let kernel = serve_app(AppState::local(Arc::new(host))).await;
    let socket = connect(&format!("{}/api/v1/stream", kernel.replace("http", "ws"))).await;
    (sim, socket)
}

fn names(message: &Value) -> Vec<String> {
    message["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["object"]["name"].as_str().unwrap().to_string())
        .collect()
}

fn namespaces_of(message: &Value) -> Vec<String> {
    let mut found: Vec<String> = message["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["object"]["namespace"].as_str().unwrap().to_string())
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The names of the pods in namespaces shop and monitoring, straight from the sim's store.
fn pods_in_shop_and_monitoring(sim: &SimHandle) -> BTreeSet<String> {
    sim.store()
        .list(&sim.store().def("", "pods"), None)
        .0
        .iter()
        .filter(|p| {
            matches!(
                p["metadata"]["namespace"].as_str(),
                Some("shop" | "monitoring")
            )
        })
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_table_of_several_namespaces_shows_exactly_their_objects() {
    let (sim, mut socket) = start().await;
    // The demo's cron job may start a pod while the snapshot is made: a pod there before and
    // after must be in it, and nothing that was in neither.
    let before = pods_in_shop_and_monitoring(&sim);
    send(
        &mut socket,
        json!({"type": "subscribe-table", "id": "p", "cluster": "demo", "table": "pods",
               "namespaces": ["shop", "monitoring"]}),
    )
    .await;
    let snapshot = next_where(&mut socket, "the snapshot", is("table-snapshot", "p")).await;
    let after = pods_in_shop_and_monitoring(&sim);
    assert_eq!(namespaces_of(&snapshot), ["monitoring", "shop"]);
    let shown: BTreeSet<String> = names(&snapshot).into_iter().collect();
    let throughout: BTreeSet<String> = before.intersection(&after).cloned().collect();
    let ever: BTreeSet<String> = before.union(&after).cloned().collect();
    assert!(
        shown.is_superset(&throughout),
        "{shown:?} lacks some of {throughout:?}"
    );
    assert!(
        shown.is_subset(&ever),
        "{shown:?} has pods outside {ever:?}"
    );
}

fn windowed(offset: usize, limit: usize) -> Value {
    json!({"type": "subscribe-table", "id": "w", "cluster": "demo", "table": "namespaces",
           "sort": {"column": "name", "descending": true},
           "window": {"offset": offset, "limit": limit}})
}

async fn all_namespaces_descending(sim: &SimHandle) -> Vec<String> {
    let mut all: Vec<String> = sim
        .store()
        .list(&sim.store().def("", "namespaces"), None)
        .0
        .iter()
        .map(|n| n["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    all.sort();
    all.reverse();
    all
}

#[tokio::test]
async fn a_windowed_table_sends_the_sorted_window_and_the_total() {
    let (sim, mut socket) = start().await;
    send(&mut socket, windowed(1, 2)).await;
    let window = next_where(&mut socket, "the window", is("table-window", "w")).await;
    let all = all_namespaces_descending(&sim).await;
    assert_eq!(window["total"], all.len());
    assert_eq!(window["offset"], 1);
    assert_eq!(names(&window), all[1..3]);
}

#[tokio::test]
async fn moving_the_window_sends_the_rows_now_shown() {
    let (sim, mut socket) = start().await;
    send(&mut socket, windowed(0, 2)).await;
    next_where(&mut socket, "the window", is("table-window", "w")).await;
    send(
        &mut socket,
        json!({"type": "set-window", "id": "w", "window": {"offset": 2, "limit": 2},
               "sort": {"column": "name", "descending": false}}),
    )
    .await;
    let moved = next_where(&mut socket, "the moved window", is("table-window", "w")).await;
    let mut ascending = all_namespaces_descending(&sim).await;
    ascending.reverse();
    assert_eq!(names(&moved), ascending[2..4]);
}

#[tokio::test]
async fn a_new_object_in_a_windowed_table_updates_the_total() {
    let (sim, mut socket) = start().await;
    send(&mut socket, windowed(0, 1)).await;
    let first = next_where(&mut socket, "the window", is("table-window", "w")).await;
    let total = first["total"].as_u64().unwrap();
    let store = sim.store();
    store
        .create(
            &store.def("", "namespaces"),
            "",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "zzz-last"}}),
        )
        .unwrap();
    // Sorted descending, the new namespace is first: it enters the window.
    let next = next_where(&mut socket, "the updated window", is("table-window", "w")).await;
    assert_eq!(next["total"].as_u64().unwrap(), total + 1);
    assert_eq!(names(&next), ["zzz-last"]);
}

#[tokio::test]
async fn a_bad_window_or_sort_is_an_error_naming_the_subscription() {
    let (_sim, mut socket) = start().await;
    send(
        &mut socket,
        json!({"type": "subscribe-table", "id": "w", "cluster": "demo", "table": "namespaces",
               "sort": {"column": "colour"}, "window": {"limit": 5}}),
    )
    .await;
    let error = next_where(&mut socket, "the error", |m| m["type"] == "error").await;
    assert_eq!(error["id"], "w");
    assert!(
        error["message"].as_str().unwrap().contains("colour"),
        "{error}"
    );
    send(
        &mut socket,
        json!({"type": "set-window", "id": "nope", "window": {"limit": 5}}),
    )
    .await;
    let error = next_where(&mut socket, "the error", |m| m["type"] == "error").await;
    assert_eq!(error["id"], "nope");
}
