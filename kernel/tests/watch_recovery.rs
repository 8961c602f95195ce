//! A live table stays true when the watch behind it breaks: a dropped connection resumes from
//! the last resourceVersion, a 410 Gone relists, and afterwards the client's rows equal a fresh
//! list of the cluster (nothing lost, nothing left over).
//!
//! The changes made "during the outage" are made synchronously in the test's task: the runtime
//! is single-threaded, so the kernel cannot reconnect before they are all in the store.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::socket::*;
use common::*;
use headlamp_kernel::api::AppState;
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::host::PluginHost;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams};
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
    host.load(source(cluster_plugin())).await.unwrap();
    let kernel = serve_app(AppState::local(Arc::new(host))).await;
    let socket = connect(&format!("{}/api/v1/stream", kernel.replace("http", "ws"))).await;
    (sim, socket)
}

/// What a client holds for one table subscription: rows by namespace/name.
#[derive(Default)]
struct Mirror {
    rows: BTreeMap<String, Value>,
}

impl Mirror {
    fn key(object: &Value) -> String {
        format!(
            "{}/{}",
            object["namespace"].as_str().unwrap_or(""),
            object["name"].as_str().unwrap()
        )
    }

    fn apply(&mut self, message: &Value) {
        match message["type"].as_str() {
            Some("table-snapshot") => {
                self.rows.clear();
                for row in message["rows"].as_array().unwrap() {
                    self.rows.insert(Self::key(&row["object"]), row.clone());
                }
            }
            Some("rows") => {
                for row in message["upserts"].as_array().unwrap() {
                    self.rows.insert(Self::key(&row["object"]), row.clone());
                }
                for gone in message["deletes"].as_array().unwrap() {
                    self.rows.remove(&Self::key(gone));
                }
            }
            _ => {}
        }
    }

    fn names(&self) -> Vec<String> {
        self.rows
            .keys()
            .map(|k| k.trim_start_matches('/').to_string())
            .collect()
    }
}

/// Reads the subscription's messages into `mirror` until `done` holds for it.
async fn follow_until(socket: &mut Socket, mirror: &mut Mirror, done: impl Fn(&Mirror) -> bool) {
    while !done(mirror) {
        let message = next_where(socket, "a table message", |m| m["id"] == "ns").await;
        mirror.apply(&message);
    }
}

async fn fresh_list(sim: &SimHandle) -> Vec<String> {
    let mut names: Vec<String> = Api::<Namespace>::all(sim.client())
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|n| n.metadata.name.unwrap())
        .collect();
    names.sort();
    names
}

fn namespace(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
}

async fn subscribed(socket: &mut Socket) -> Mirror {
    send(
        socket,
        json!({"type": "subscribe-table", "id": "ns", "cluster": "demo", "table": "namespaces"}),
    )
    .await;
    let mut mirror = Mirror::default();
    mirror.apply(&next_where(socket, "the snapshot", is("table-snapshot", "ns")).await);
    mirror
}

#[tokio::test]
async fn a_dropped_watch_resumes_and_the_rows_equal_a_fresh_list() {
    let (sim, mut socket) = start().await;
    let mut mirror = subscribed(&mut socket).await;
    let store = sim.store();
    let namespaces = store.def("", "namespaces");
    store
        .create(&namespaces, "", namespace("before-drop"))
        .unwrap();
    follow_until(&mut socket, &mut mirror, |m| {
        m.names().contains(&"before-drop".into())
    })
    .await;
    let before = store.watch_stats();

    store.drop_watches();
    store.delete(&namespaces, "", "before-drop").unwrap();
    store
        .create(&namespaces, "", namespace("during-drop"))
        .unwrap();

    follow_until(&mut socket, &mut mirror, |m| {
        m.names().contains(&"during-drop".into()) && !m.names().contains(&"before-drop".into())
    })
    .await;
    let after = store.watch_stats();
    assert!(
        after.started > before.started,
        "the kernel never reconnected"
    );
    assert_eq!(after.gone, before.gone, "a resume needed no relist");
    assert_eq!(mirror.names(), fresh_list(&sim).await);
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
        .create(&namespaces, "", namespace("after-compaction"))
        .unwrap();
    // The history the kernel would resume from is gone: it must list again.
    store.compact();

    follow_until(&mut socket, &mut mirror, |m| {
        m.names().contains(&"after-compaction".into()) && !m.names().contains(&"shop".into())
    })
    .await;
    assert!(
        store.watch_stats().gone > before.gone,
        "the kernel's resume was never answered 410"
    );
    assert_eq!(mirror.names(), fresh_list(&sim).await);
}
