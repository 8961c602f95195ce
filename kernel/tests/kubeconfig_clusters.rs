//! Clusters from a kubeconfig: every context is a cluster, and a broken one is shown with its
//! error while the others keep working.

mod common;

use std::sync::Arc;

use common::*;
use headlamp_kernel::cluster::ClusterRegistry;
use headlamp_kernel::host::PluginHost;
use headlamp_kernel::kubeconfig;
use serde_json::{Value, json};

/// A kubeconfig with a working context `good` and a context `broken` naming a missing cluster.
fn kubeconfig_text(server: &str) -> String {
    format!(
        r#"apiVersion: v1
kind: Config
clusters:
- name: fixture
  cluster:
    server: {server}
users:
- name: someone
  user:
    token: not-checked-by-the-fixture
contexts:
- name: good
  context: {{cluster: fixture, user: someone}}
- name: broken
  context: {{cluster: nowhere, user: someone}}
current-context: good
"#
    )
}

async fn registry_from(server: &str) -> ClusterRegistry {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, kubeconfig_text(server)).unwrap();
    let config = kubeconfig::read(std::slice::from_ref(&path)).unwrap();
    let registry = ClusterRegistry::new();
    kubeconfig::add_contexts(&config, &registry).await;
    registry
}

#[tokio::test]
async fn every_working_context_becomes_a_cluster_and_a_broken_one_is_kept_with_its_error() {
    let api = namespace_api(vec![namespace("default", "Active", json!({}))]).await;
    let registry = registry_from(&api).await;
    let names: Vec<_> = registry
        .list()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    assert_eq!(names, ["good"]);
    let broken: Vec<_> = registry
        .broken()
        .into_iter()
        .map(|b| (b.name.to_string(), b.error))
        .collect();
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0].0, "broken");
    assert!(broken[0].1.contains("nowhere"), "{}", broken[0].1);
    let err = registry.get("broken").err().unwrap().to_string();
    assert!(err.contains("cluster broken cannot be used"), "{err}");
}

#[tokio::test]
async fn the_clusters_api_lists_the_broken_context_beside_the_working_one() {
    let api = namespace_api(vec![namespace("default", "Active", json!({}))]).await;
    let registry = registry_from(&api).await;
    let host = PluginHost::new(test_limits(), None, Arc::new(registry)).unwrap();
    host.load(source(cluster_plugin())).await.unwrap();
    let kernel = serve_kernel(host).await;

    let clusters: Value = reqwest::get(format!("{kernel}/api/v1/clusters"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let good = clusters
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "good")
        .unwrap();
    let broken = clusters
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "broken")
        .unwrap();
    assert_eq!(good["version"], "v1.37.0-fixture");
    assert!(
        broken["error"]
            .as_str()
            .unwrap()
            .contains("fix the context"),
        "{broken}"
    );

    // The broken context does not keep the working one from serving rows.
    let rows = post_rows(&kernel, "namespaces", json!({"cluster": "good"})).await;
    assert_eq!(rows["rows"][0]["cells"][0]["text"], "default");
}

#[test]
fn a_missing_kubeconfig_file_is_named_in_the_error() {
    let err = kubeconfig::read(&["/nonexistent/kubeconfig".into()]).unwrap_err();
    assert!(err.contains("/nonexistent/kubeconfig"), "{err}");
}

#[tokio::test]
async fn several_kubeconfig_files_are_merged_into_one_cluster_list() {
    let api = namespace_api(vec![namespace("default", "Active", json!({}))]).await;
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let second = dir.path().join("second");
    std::fs::write(&first, kubeconfig_text(&api)).unwrap();
    std::fs::write(
        &second,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- {{name: other, cluster: {{server: \"{api}\"}}}}\n\
             contexts:\n- {{name: staging, context: {{cluster: other}}}}\n"
        ),
    )
    .unwrap();
    let config = kubeconfig::read(&[first, second]).unwrap();
    let registry = ClusterRegistry::new();
    kubeconfig::add_contexts(&config, &registry).await;
    let names: Vec<_> = registry
        .list()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    assert_eq!(names, ["good", "staging"]);
}
