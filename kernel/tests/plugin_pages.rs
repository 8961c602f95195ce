//! Plugin pages (a route whose target is a `page`): rendered through the API like details
//! views, and kept live on the stream by what the plugin read while rendering them.

mod common;

use std::sync::Arc;

use common::socket::*;
use common::*;
use headlamp_kernel::api::AppState;
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::host::PluginHost;
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, PostParams};
use kube_sim::{Sim, SimConfig, SimHandle};
use serde_json::{Value, json};

/// The workloads plugin's overview, a page of the built-ins.
const OVERVIEW: &str = "workloads-overview";

async fn start() -> (SimHandle, String) {
    install_crypto();
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
    (sim, kernel)
}

async fn post_page(kernel: &str, page: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{kernel}/api/v1/pages/{page}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn has_chart(view: &Value) -> bool {
    view["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"].get("Chart").is_some())
}

#[tokio::test]
async fn a_plugin_page_is_rendered_by_the_plugin_that_routes_to_it() {
    let (_sim, kernel) = start().await;
    let (status, view) = post_page(
        &kernel,
        OVERVIEW,
        json!({"cluster": "demo", "namespace": "shop"}),
    )
    .await;
    assert_eq!(status, 200, "{view}");
    assert!(has_chart(&view), "{view}");
}

#[tokio::test]
async fn an_unknown_page_is_not_found_and_says_where_pages_are_listed() {
    let (_sim, kernel) = start().await;
    let (status, body) = post_page(&kernel, "no-such-page", json!({"cluster": "demo"})).await;
    assert_eq!(status, 404);
    assert!(body.to_string().contains("GET /api/v1/registry"), "{body}");
}

#[tokio::test]
async fn a_page_on_an_unknown_cluster_is_refused_before_the_plugin_runs() {
    let (_sim, kernel) = start().await;
    let (status, body) = post_page(&kernel, OVERVIEW, json!({"cluster": "nowhere"})).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.to_string().contains("nowhere"), "{body}");
}

#[tokio::test]
async fn a_page_on_the_stream_is_rendered_again_when_what_it_read_changes() {
    let (sim, kernel) = start().await;
    let mut socket = connect(&format!("{}/api/v1/stream", kernel.replace("http", "ws"))).await;
    send(
        &mut socket,
        json!({"type": "subscribe-view", "id": "p", "cluster": "demo", "page": OVERVIEW,
               "namespace": "shop"}),
    )
    .await;
    let first = next_where(&mut socket, "the first page", is("view", "p")).await;
    assert!(has_chart(&first["view"]));

    let deployment: Deployment = serde_json::from_value(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "page-test", "namespace": "shop"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "page-test"}},
                 "template": {"metadata": {"labels": {"app": "page-test"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}
    }))
    .unwrap();
    Api::<Deployment>::namespaced(sim.client(), "shop")
        .create(&PostParams::default(), &deployment)
        .await
        .unwrap();
    let second = next_where(&mut socket, "the page after the change", is("view", "p")).await;
    assert_ne!(first["view"], second["view"]);
}

#[tokio::test]
async fn subscribe_view_needs_exactly_one_of_view_and_page() {
    let (_sim, kernel) = start().await;
    let mut socket = connect(&format!("{}/api/v1/stream", kernel.replace("http", "ws"))).await;
    send(
        &mut socket,
        json!({"type": "subscribe-view", "id": "x", "cluster": "demo"}),
    )
    .await;
    let error = next_where(&mut socket, "the error", |m| {
        m["type"] == "error" && m["id"] == "x"
    })
    .await;
    assert!(
        error["message"].as_str().unwrap().contains("either `view`"),
        "{error}"
    );
}
