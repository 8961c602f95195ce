//! Live tables over the one WebSocket, against kube-sim started in-process.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::socket::*;
use common::*;
use futures::SinkExt;
use headlamp_kernel::api::{self, AppState};
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry, Gvk};
use headlamp_kernel::host::PluginHost;
use headlamp_kernel::stream::{self, StreamState};
use headlamp_kernel::watch::{Update, WatchHub, WatchKey};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube_sim::{Sim, SimConfig, SimHandle};
use serde_json::{Value, json};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

fn demo_config() -> SimConfig {
    SimConfig {
        churn: false,
        ..SimConfig::demo()
    }
}

fn clusters(sim: &SimHandle) -> Arc<ClusterRegistry> {
    let clusters = ClusterRegistry::new();
    clusters.insert(Cluster::new(
        ClusterName::new("demo"),
        sim.client_for("admin"),
    ));
    Arc::new(clusters)
}

/// kube-sim, a host with the cluster plugin, and the stream served on a loopback port.
async fn serve_stream() -> (SimHandle, StreamState, String) {
    let sim = Sim::start(demo_config()).await.unwrap();
    let host = PluginHost::new(test_limits(), None, clusters(&sim)).unwrap();
    host.load(source(cluster_plugin())).await.unwrap();
    let state = StreamState::new(Arc::new(host));
    let app = stream::router(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/api/v1/stream", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (sim, state, url)
}

/// The kernel's whole API router (the stream included) on a loopback port.
async fn serve_api() -> (SimHandle, String) {
    let sim = Sim::start(demo_config()).await.unwrap();
    let host = PluginHost::new(test_limits(), None, clusters(&sim)).unwrap();
    host.load(source(cluster_plugin())).await.unwrap();
    let app = api::router(AppState::local(Arc::new(host)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/api/v1/stream", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (sim, url)
}

fn subscribe(id: &str) -> Value {
    json!({"type": "subscribe-table", "id": id, "cluster": "demo", "table": "namespaces",
           "namespace": null, "labelSelector": null})
}

fn names(rows: &Value) -> Vec<String> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r["object"]["name"].as_str().unwrap().to_string())
        .collect()
}

fn column(snapshot: &Value, id: &str) -> usize {
    snapshot["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == id)
        .unwrap_or_else(|| panic!("no column {id} in {}", snapshot["columns"]))
}

/// Waits until `check` holds, polling; the hub stops watches asynchronously.
async fn eventually(what: &str, check: impl Fn() -> bool) {
    timeout(WAIT, async {
        while !check() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what} did not happen within {WAIT:?}"));
}

#[tokio::test]
async fn subscribing_to_a_table_sends_a_snapshot_of_the_demo_namespaces() {
    let (_sim, _state, url) = serve_stream().await;
    let mut socket = connect(&url).await;
    send(&mut socket, subscribe("t1")).await;
    let snapshot = next_where(&mut socket, "snapshot", is("table-snapshot", "t1")).await;
    let rows = names(&snapshot["rows"]);
    for expected in ["default", "kube-system", "shop"] {
        assert!(rows.contains(&expected.to_string()), "{rows:?}");
    }
    let labels = column(&snapshot, "labels");
    let shop = snapshot["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["object"]["name"] == "shop")
        .unwrap();
    assert!(
        shop["cells"][labels]["text"]
            .as_str()
            .unwrap()
            .contains("team=shop"),
        "{shop}"
    );
    assert_eq!(snapshot["errors"], json!([]));
    assert_eq!(snapshot["resync"], false);
}

#[tokio::test]
async fn creating_relabelling_and_deleting_a_namespace_streams_upserts_then_a_delete() {
    let (sim, _state, url) = serve_stream().await;
    let mut socket = connect(&url).await;
    send(&mut socket, subscribe("t1")).await;
    let snapshot = next_where(&mut socket, "snapshot", is("table-snapshot", "t1")).await;
    let labels = column(&snapshot, "labels");
    let api: Api<Namespace> = Api::all(sim.client());

    let created: Namespace =
        serde_json::from_value(json!({"metadata": {"name": "live", "labels": {"stage": "one"}}}))
            .unwrap();
    api.create(&PostParams::default(), &created).await.unwrap();
    let rows = next_where(&mut socket, "upsert of live", |m| {
        is("rows", "t1")(m) && names(&m["upserts"]).contains(&"live".to_string())
    })
    .await;
    let row = &rows["upserts"][0];
    assert!(
        row["cells"][labels]["text"]
            .as_str()
            .unwrap()
            .contains("stage=one"),
        "{row}"
    );

    let patch = json!({"metadata": {"labels": {"stage": "two"}}});
    api.patch("live", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    let rows = next_where(&mut socket, "upsert with the new label", |m| {
        is("rows", "t1")(m)
            && m["upserts"].as_array().unwrap().iter().any(|r| {
                r["object"]["name"] == "live"
                    && r["cells"][labels]["text"]
                        .as_str()
                        .unwrap()
                        .contains("stage=two")
            })
    })
    .await;
    assert_eq!(rows["deletes"], json!([]));

    api.delete("live", &DeleteParams::default()).await.unwrap();
    let rows = next_where(&mut socket, "delete of live", |m| {
        is("rows", "t1")(m) && !m["deletes"].as_array().unwrap().is_empty()
    })
    .await;
    assert_eq!(rows["deletes"][0]["name"], "live");
    assert_eq!(rows["upserts"], json!([]));
}

#[tokio::test]
async fn a_malformed_message_gets_an_error_and_the_socket_keeps_working() {
    let (_sim, url) = serve_api().await;
    let mut socket = connect(&url).await;
    socket
        .send(Message::Text("{not json".into()))
        .await
        .unwrap();
    let error = next_where(&mut socket, "error for bad JSON", |m| m["type"] == "error").await;
    assert_eq!(error["id"], Value::Null);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("not understood"),
        "{error}"
    );

    send(
        &mut socket,
        json!({"type": "subscribe-everything", "id": "x1"}),
    )
    .await;
    let error = next_where(&mut socket, "error for an unknown type", |m| {
        m["type"] == "error"
    })
    .await;
    assert_eq!(error["id"], "x1");

    send(&mut socket, json!({"type": "unsubscribe", "id": "never"})).await;
    let error = next_where(&mut socket, "error for an unknown id", |m| {
        m["type"] == "error"
    })
    .await;
    assert_eq!(error["id"], "never");

    send(&mut socket, subscribe("t1")).await;
    let snapshot = next_where(&mut socket, "snapshot", is("table-snapshot", "t1")).await;
    assert!(!snapshot["rows"].as_array().unwrap().is_empty());

    send(&mut socket, subscribe("t1")).await;
    let error = next_where(&mut socket, "error for a reused id", |m| {
        m["type"] == "error"
    })
    .await;
    assert_eq!(error["id"], "t1");
    assert!(
        error["message"].as_str().unwrap().contains("in use"),
        "{error}"
    );
}

#[tokio::test]
async fn an_unknown_table_gets_an_error_naming_the_subscription() {
    let (_sim, state, url) = serve_stream().await;
    let mut socket = connect(&url).await;
    send(
        &mut socket,
        json!({"type": "subscribe-table", "id": "t9", "cluster": "demo", "table": "nope"}),
    )
    .await;
    let error = next_where(&mut socket, "error", |m| m["type"] == "error").await;
    assert_eq!(error["id"], "t9");
    assert!(
        error["message"].as_str().unwrap().contains("nope"),
        "{error}"
    );
    assert_eq!(state.hub.running(), 0);
}

#[tokio::test]
async fn two_subscribers_of_one_table_share_one_watch_which_stops_when_both_leave() {
    let (_sim, state, url) = serve_stream().await;
    let mut first = connect(&url).await;
    let mut second = connect(&url).await;
    send(&mut first, subscribe("a")).await;
    next_where(&mut first, "first snapshot", is("table-snapshot", "a")).await;
    send(&mut second, subscribe("b")).await;
    next_where(&mut second, "second snapshot", is("table-snapshot", "b")).await;
    assert_eq!(state.hub.running(), 1);

    send(&mut first, json!({"type": "unsubscribe", "id": "a"})).await;
    // The second subscriber still holds the watch.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(state.hub.running(), 1);

    second.close(None).await.unwrap();
    eventually("the watch stopping", || state.hub.running() == 0).await;
}

#[tokio::test]
async fn a_lagging_subscriber_is_resynced_with_a_fresh_snapshot() {
    let sim = Sim::start(demo_config()).await.unwrap();
    let hub = WatchHub::with_capacity(clusters(&sim), 2);
    let key = WatchKey::new(
        ClusterName::new("demo"),
        Gvk {
            group: String::new(),
            version: "v1".into(),
            kind: "Namespace".into(),
        },
    );
    let mut reader = hub.subscribe(key.clone()).await.unwrap();
    let mut laggard = hub.subscribe(key).await.unwrap();
    assert_eq!(hub.running(), 1);
    for sub in [&mut reader, &mut laggard] {
        let first = timeout(WAIT, sub.next()).await.unwrap().unwrap();
        assert!(matches!(first, Update::Snapshot { resync: false, .. }));
    }

    let api: Api<Namespace> = Api::all(sim.client());
    let created: Vec<String> = (0..6).map(|i| format!("lag-{i}")).collect();
    for name in &created {
        let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
        api.create(&PostParams::default(), &ns).await.unwrap();
    }
    // The reader keeps up (it may itself be resynced, which also shows every object).
    timeout(WAIT, async {
        let mut seen = std::collections::BTreeSet::new();
        while !created.iter().all(|n| seen.contains(n)) {
            match reader.next().await.unwrap() {
                Update::Upsert(o) => {
                    seen.insert(o["metadata"]["name"].as_str().unwrap().to_string());
                }
                Update::Snapshot { objects, .. } => {
                    seen.extend(
                        objects
                            .iter()
                            .map(|o| o["metadata"]["name"].as_str().unwrap().to_string()),
                    );
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    })
    .await
    .expect("the reader did not see every new namespace");

    match timeout(WAIT, laggard.next()).await.unwrap().unwrap() {
        Update::Snapshot { objects, resync } => {
            assert!(resync);
            let names: Vec<_> = objects
                .iter()
                .map(|o| o["metadata"]["name"].as_str().unwrap())
                .collect();
            for name in &created {
                assert!(names.contains(&name.as_str()), "{names:?}");
            }
        }
        other => panic!("the laggard got {other:?}, not a resync"),
    }
    drop(reader);
    drop(laggard);
    assert_eq!(hub.running(), 0);
}

#[tokio::test]
async fn a_page_from_another_origin_cannot_open_the_stream() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let (_sim, url) = serve_api().await;
    let mut request = url.as_str().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    let refused = tokio_tungstenite::connect_async(request).await.unwrap_err();
    match refused {
        tokio_tungstenite::tungstenite::Error::Http(answer) => {
            assert_eq!(answer.status(), 403);
            let body = String::from_utf8_lossy(answer.body().as_deref().unwrap_or_default());
            assert!(body.contains("--allowed-origin"), "{body}");
        }
        other => panic!("expected an HTTP refusal, got {other}"),
    }

    // The kernel's own page may.
    let own = url
        .replace("ws://", "http://")
        .replace("/api/v1/stream", "");
    let mut request = url.as_str().into_client_request().unwrap();
    request.headers_mut().insert("origin", own.parse().unwrap());
    tokio_tungstenite::connect_async(request).await.unwrap();
}
