//! The built-in cluster plugin travels the whole path: component -> host -> rows -> HTTP API.

mod common;

use common::*;
use headlamp_kernel::registry::MergedRegistry;
use headlamp_kernel::tables;
use serde_json::{Value, json};

#[tokio::test]
async fn the_cluster_plugin_registers_the_namespaces_table() {
    let host = host();
    let plugin = host.load(source(cluster_plugin())).await.unwrap();
    let registration = plugin.registration();
    let table = registration
        .tables
        .iter()
        .find(|t| t.id == "namespaces")
        .expect("namespaces table");
    assert_eq!(table.kind.kind, "Namespace");
    let ids: Vec<_> = table.columns.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["name", "status", "age", "labels"]);
    assert!(
        registration
            .routes
            .iter()
            .any(|r| r.path == "/namespaces/:name")
    );
}

#[tokio::test]
async fn rows_mix_kernel_evaluated_and_plugin_computed_cells() {
    let host = host();
    host.load(source(cluster_plugin())).await.unwrap();
    let registry = MergedRegistry::build(&host);
    let spec = registry.table("namespaces").unwrap();
    let objects = vec![
        namespace("default", "Active", json!({"team": "a", "env": "prod"})),
        namespace("old", "Terminating", json!({})),
    ];
    let rows = tables::compute(
        &host,
        &headlamp_kernel::identity::Identity::Kernel,
        spec,
        &rows_context("namespaces"),
        objects,
    )
    .await
    .unwrap();
    assert!(rows.errors.is_empty(), "{:?}", rows.errors);
    let texts =
        |i: usize| -> Vec<String> { rows.rows[i].cells.iter().map(|c| c.text.clone()).collect() };
    assert_eq!(
        texts(0),
        [
            "default",
            "Active",
            "2026-01-02T03:04:05Z",
            "env=prod, team=a"
        ]
    );
    assert_eq!(texts(1)[1], "Terminating");
    assert_eq!(rows.rows[0].object.name, "default");
}

#[tokio::test]
async fn the_http_api_returns_rows_listed_from_a_cluster() {
    let api = namespace_api(vec![
        namespace("default", "Active", json!({})),
        namespace("kube-system", "Active", json!({"tier": "control"})),
    ])
    .await;
    let host = host_with_cluster(&api);
    host.load(source(cluster_plugin())).await.unwrap();
    let kernel = serve_kernel(host).await;
    let answer = post_rows(&kernel, "namespaces", json!({"cluster": "fixture"})).await;
    assert_eq!(
        answer["columns"],
        json!(["name", "status", "age", "labels"])
    );
    let names: Vec<_> = answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cells"][0]["text"].clone())
        .collect();
    assert_eq!(names, [json!("default"), json!("kube-system")]);
    assert_eq!(answer["rows"][1]["cells"][3]["text"], "tier=control");
}

#[tokio::test]
async fn the_registry_lists_the_sidebar_routes_and_tables() {
    let host = host();
    host.load(source(cluster_plugin())).await.unwrap();
    let kernel = serve_kernel(host).await;
    let registry: Value = reqwest::get(format!("{kernel}/api/v1/registry"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sidebar = registry["sidebar"].as_array().unwrap();
    let cluster = sidebar
        .iter()
        .find(|e| e["id"] == "cluster")
        .expect("Cluster group");
    assert!(
        cluster["children"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["route"] == "/namespaces")
    );
    assert!(
        registry["tables"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "namespaces")
    );
}

#[tokio::test]
async fn a_details_view_renders_the_object_fetched_from_the_cluster() {
    let api = namespace_api(vec![namespace("default", "Active", json!({"team": "a"}))]).await;
    let host = host_with_cluster(&api);
    host.load(source(cluster_plugin())).await.unwrap();
    let kernel = serve_kernel(host).await;
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{kernel}/api/v1/details/namespace"))
        .json(&json!({"cluster": "fixture", "name": "default"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let view: Value = response.json().await.unwrap();
    let text = view.to_string();
    assert!(text.contains("uid-default"), "{text}");
    assert!(view["nodes"].as_array().unwrap().len() > 2);
}

#[tokio::test]
async fn an_unknown_table_is_a_404_that_says_where_to_look() {
    let kernel = serve_kernel(host()).await;
    let response = reqwest::Client::new()
        .post(format!("{kernel}/api/v1/tables/nope/rows"))
        .json(&json!({"cluster": "fixture"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("/api/v1/registry"));
}

#[tokio::test]
async fn an_unknown_cluster_is_a_404_naming_it() {
    let host = host();
    host.load(source(cluster_plugin())).await.unwrap();
    let kernel = serve_kernel(host).await;
    let response = reqwest::Client::new()
        .post(format!("{kernel}/api/v1/tables/namespaces/rows"))
        .json(&json!({"cluster": "elsewhere"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("\"elsewhere\""),
        "{body}"
    );
}

#[tokio::test]
async fn healthz_answers_ok() {
    let kernel = serve_kernel(host()).await;
    assert_eq!(
        reqwest::get(format!("{kernel}/healthz"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
}
