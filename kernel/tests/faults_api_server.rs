//! The API server misbehaves; the kernel recovers or says why. After a recovery the client's
//! rows equal a fresh list of the cluster (nothing lost, nothing left over, nothing doubled).
//!
//! The changes made "during the outage" are made synchronously in the test's task: the runtime
//! is single-threaded, so the kernel cannot reconnect before they are all in the store.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::mirror::*;
use common::socket::*;
use common::*;
use headlamp_kernel::api::AppState;
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::host::PluginHost;
use headlamp_kernel::stream::{self, StreamState};
use headlamp_kernel::watch::WatchHub;
use kube_sim::{Sim, SimConfig, SimHandle};
use serde_json::{Value, json};

/// The demo world without churn.
async fn quiet_sim() -> SimHandle {
    Sim::start(SimConfig {
        churn: false,
        ..SimConfig::demo()
    })
    .await
    .unwrap()
}

/// A kernel whose cluster `demo` is reached through `client`; answers its base URL.
async fn kernel_for(client: kube::Client) -> String {
    let clusters = ClusterRegistry::new();
    clusters.insert(Cluster::new(ClusterName::new("demo"), client));
    let host = PluginHost::new(test_limits(), None, Arc::new(clusters)).unwrap();
    host.load(source(cluster_plugin())).await.unwrap();
    serve_app(AppState::local(Arc::new(host))).await
}

async fn stream_of(kernel: &str) -> Socket {
    connect(&format!("{}/api/v1/stream", kernel.replace("http", "ws"))).await
}

async fn start() -> (SimHandle, Socket) {
    let sim = quiet_sim().await;
    let kernel = kernel_for(sim.client_for("admin")).await;
    let socket = stream_of(&kernel).await;
    (sim, socket)
}

/// Polls `done` until it holds; the bound is generous, it only keeps a hang from lasting.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    let wait = async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(WAIT, wait)
        .await
        .unwrap_or_else(|_| panic!("{what} did not happen within {WAIT:?}"));
}

#[tokio::test]
async fn a_dropped_watch_resumes_and_the_rows_equal_a_fresh_list() {
    let (sim, mut socket) = start().await;
    let mut mirror = subscribed(&mut socket).await;
    let store = sim.store();
    let namespaces = store.def("", "namespaces");
    store
        .create(&namespaces, "", new_namespace("before-drop"))
        .unwrap();
    follow_until(&mut socket, &mut mirror, |m| m.has("before-drop")).await;
    let before = store.watch_stats();

    store.drop_watches();
    store.delete(&namespaces, "", "before-drop").unwrap();
    store
        .create(&namespaces, "", new_namespace("during-drop"))
        .unwrap();

    follow_until(&mut socket, &mut mirror, |m| {
        m.has("during-drop") && !m.has("before-drop")
    })
    .await;
    let after = store.watch_stats();
    assert!(
        after.started > before.started,
        "the kernel never reconnected"
    );
    assert_eq!(after.gone, before.gone, "a resume needed no relist");
    assert_eq!(mirror.names(), fresh_namespaces(&sim).await);
}

#[tokio::test]
async fn a_410_after_compaction_relists_and_the_rows_equal_a_fresh_list() {
    let (sim, mut socket) = start().await;
    let mut mirror = subscribed(&mut socket).await;
    let store = sim.store();
    let namespaces = store.def("", "namespaces");
    let before = store.watch_stats();

    store.drop_watches();
    store.delete(&namespaces, "", "shop").unwrap();
    store
        .create(&namespaces, "", new_namespace("after-compaction"))
        .unwrap();
    // The history the kernel would resume from is gone: it must list again.
    store.compact();

    follow_until(&mut socket, &mut mirror, |m| {
        m.has("after-compaction") && !m.has("shop")
    })
    .await;
    assert!(
        store.watch_stats().gone > before.gone,
        "the kernel's resume was never answered 410"
    );
    assert_eq!(mirror.names(), fresh_namespaces(&sim).await);
}

#[tokio::test]
async fn a_storm_of_410s_relists_every_time_and_the_rows_equal_a_fresh_list() {
    const ROUNDS: usize = 5;
    let (sim, mut socket) = start().await;
    let mut mirror = subscribed(&mut socket).await;
    let store = sim.store();
    let namespaces = store.def("", "namespaces");
    let first = store.watch_stats();
    for round in 0..ROUNDS {
        let name = format!("storm-{round}");
        let previous = format!("storm-{}", round.wrapping_sub(1));
        store.drop_watches();
        store.create(&namespaces, "", new_namespace(&name)).unwrap();
        if round > 0 {
            store.delete(&namespaces, "", &previous).unwrap();
        }
        // Whatever the kernel resumes from is older than this: its next watch is a 410.
        store.compact();
        follow_until(&mut socket, &mut mirror, |m| {
            m.has(&name) && !m.has(&previous)
        })
        .await;
    }
    assert!(
        store.watch_stats().gone - first.gone >= ROUNDS,
        "not every round was answered 410"
    );
    assert_eq!(mirror.names(), fresh_namespaces(&sim).await);
}

#[tokio::test]
async fn a_killed_api_server_restarted_on_its_port_is_resumed_and_the_rows_equal_a_fresh_list() {
    let (mut sim, mut socket) = start().await;
    let mut mirror = subscribed(&mut socket).await;
    let namespaces = sim.store().def("", "namespaces");
    let before = sim.store().watch_stats();

    sim.stop_server().await;
    eventually("the watch connection's end", || {
        sim.store().watch_stats().open == 0
    })
    .await;
    sim.store().delete(&namespaces, "", "shop").unwrap();
    sim.store()
        .create(&namespaces, "", new_namespace("during-outage"))
        .unwrap();
    // While the server is down the kernel says why the table is not live.
    follow_until(&mut socket, &mut mirror, |m| !m.errors.is_empty()).await;
    assert!(
        mirror.errors[0].contains("retries"),
        "the error says the kernel retries: {}",
        mirror.errors[0]
    );
    sim.start_server().await.unwrap();

    follow_until(&mut socket, &mut mirror, |m| {
        m.has("during-outage") && !m.has("shop")
    })
    .await;
    assert!(sim.store().watch_stats().started > before.started);
    assert_eq!(mirror.names(), fresh_namespaces(&sim).await);
}

#[tokio::test]
async fn a_stalled_watch_is_noticed_by_the_watch_timeout_and_watched_again() {
    let sim = quiet_sim().await;
    let clusters = ClusterRegistry::new();
    clusters.insert(Cluster::new(ClusterName::new("demo"), sim.client()));
    let clusters = Arc::new(clusters);
    let host = PluginHost::new(test_limits(), None, clusters.clone()).unwrap();
    host.load(source(cluster_plugin())).await.unwrap();
    // Watch requests of 1 s: a watch silent for 1 s + kube's 5 s margin is taken for dead.
    let hub = WatchHub::new(clusters).with_watch_timeout(Duration::from_secs(1));
    let state = StreamState {
        hub: Arc::new(hub),
        ..StreamState::new(Arc::new(host))
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/api/v1/stream", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, stream::router(state)).await.unwrap() });
    let mut socket = connect(&url).await;
    let mut mirror = subscribed(&mut socket).await;
    let store = sim.store();
    let namespaces = store.def("", "namespaces");

    store.stall_watches();
    let stalled = store.watch_stats();
    store
        .create(&namespaces, "", new_namespace("during-stall"))
        .unwrap();

    follow_until(&mut socket, &mut mirror, |m| m.has("during-stall")).await;
    let after = store.watch_stats();
    assert!(
        after.started > stalled.started,
        "the kernel never re-watched"
    );
    assert_eq!(after.gone, stalled.gone, "a resume needed no relist");
    assert_eq!(mirror.names(), fresh_namespaces(&sim).await);
}

/// `GET /api/v1/clusters` as JSON: the entry of `name`.
async fn cluster_entry(kernel: &str, name: &str) -> Value {
    let answer: Value = reqwest::get(format!("{kernel}/api/v1/clusters"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in the cluster list: {answer}"))
        .clone()
}

/// The error of the first subscription of a socket to the namespaces of `demo`.
async fn subscription_error(kernel: &str) -> String {
    let mut socket = stream_of(kernel).await;
    send(
        &mut socket,
        json!({"type": "subscribe-table", "id": "ns", "cluster": "demo", "table": "namespaces"}),
    )
    .await;
    let error = next_where(&mut socket, "the subscription's error", is("error", "ns")).await;
    error["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_cluster_whose_certificate_authority_does_not_match_is_reported_with_a_tls_error() {
    let sim = Sim::start(SimConfig {
        tls: true,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let other = Sim::start(SimConfig {
        tls: true,
        controllers: false,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut config = sim.config_for("admin").unwrap();
    // The other simulator's CA did not sign this one's serving certificate.
    config.root_cert = other.config_for("admin").unwrap().root_cert;
    let kernel = kernel_for(kube::Client::try_from(config).unwrap()).await;

    let demo = cluster_entry(&kernel, "demo").await;
    assert_eq!(demo["reachable"], false, "{demo}");
    let error = demo["error"].as_str().unwrap();
    assert!(error.contains("certificate"), "{error}");
    let subscription = subscription_error(&kernel).await;
    assert!(subscription.contains("certificate"), "{subscription}");
}

#[tokio::test]
async fn a_cluster_whose_token_is_refused_is_reported_as_unauthorized() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let mut config = sim.config_for("admin").unwrap();
    config.auth_info.token = Some("expired-or-revoked".to_string().into());
    let kernel = kernel_for(kube::Client::try_from(config).unwrap()).await;

    let demo = cluster_entry(&kernel, "demo").await;
    assert_eq!(demo["reachable"], false, "{demo}");
    let error = demo["error"].as_str().unwrap();
    assert!(error.contains("401"), "{error}");
    assert!(error.contains("token"), "{error}");
    let subscription = subscription_error(&kernel).await;
    assert!(subscription.contains("401"), "{subscription}");
}
