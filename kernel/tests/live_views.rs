//! A details view on the stream is rendered again when the object it shows changes, and says
//! so when the object is deleted.

mod common;

use std::sync::Arc;

use common::socket::*;
use common::*;
use headlamp_kernel::api::AppState;
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::host::PluginHost;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
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

fn subscribe_view(name: &str) -> Value {
    json!({"type": "subscribe-view", "id": "v", "cluster": "demo", "view": "namespace",
           "name": name})
}

#[tokio::test]
async fn a_view_is_rendered_again_when_its_object_changes() {
    let (sim, mut socket) = start().await;
    send(&mut socket, subscribe_view("shop")).await;
    let first = next_where(&mut socket, "the first view", is("view", "v")).await;
    assert!(!first["view"].to_string().contains("relabelled"));

    Api::<Namespace>::all(sim.client())
        .patch(
            "shop",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"stage": "relabelled"}}})),
        )
        .await
        .unwrap();
    let second = next_where(&mut socket, "the view after the change", is("view", "v")).await;
    assert!(
        second["view"].to_string().contains("relabelled"),
        "{}",
        second["view"]
    );
}

#[tokio::test]
async fn a_view_of_a_deleted_object_gets_an_error_naming_it() {
    let (sim, mut socket) = start().await;
    send(&mut socket, subscribe_view("shop")).await;
    next_where(&mut socket, "the first view", is("view", "v")).await;
    Api::<Namespace>::all(sim.client())
        .delete("shop", &DeleteParams::default())
        .await
        .unwrap();
    // Deleting a namespace first marks it Terminating (a new view), then removes it.
    let error = next_where(&mut socket, "the error", |m| {
        m["type"] == "error" && m["id"] == "v"
    })
    .await;
    assert!(
        error["message"].as_str().unwrap().contains("shop"),
        "{error}"
    );
}

#[tokio::test]
async fn a_view_that_does_not_exist_gets_an_error_and_the_socket_keeps_working() {
    let (_sim, mut socket) = start().await;
    send(
        &mut socket,
        json!({"type": "subscribe-view", "id": "v", "cluster": "demo", "view": "no-such-view",
               "name": "shop"}),
    )
    .await;
    let error = next_where(&mut socket, "the error", |m| m["type"] == "error").await;
    assert!(error["message"].as_str().unwrap().contains("no-such-view"));
    send(&mut socket, subscribe_view("shop")).await;
    next_where(&mut socket, "a view after the error", is("view", "v")).await;
}
