//! The kernel against kube-sim's demo world, as `headlamp --demo` runs it.

mod common;

use std::sync::Arc;

use common::*;
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::host::PluginHost;
use headlamp_kernel::registry::MergedRegistry;
use headlamp_kernel::tables::{self, RowsQuery};
use kube_sim::{Sim, SimConfig};

async fn demo_host(sim: &kube_sim::SimHandle, user: &str) -> PluginHost {
    let clusters = ClusterRegistry::new();
    clusters.insert(Cluster::new(ClusterName::new("demo"), sim.client_for(user)));
    let host = PluginHost::new(test_limits(), None, Arc::new(clusters)).unwrap();
    for plugin in builtin_plugins() {
        host.load(plugin).await.unwrap();
    }
    host
}

/// The rows of `table` in the demo cluster, filtered by `namespace` and `labels`.
async fn demo_rows(
    host: &PluginHost,
    table: &str,
    namespace: Option<&str>,
    labels: Option<&str>,
) -> headlamp_kernel::tables::TableRows {
    let registry = MergedRegistry::build(host);
    let query = RowsQuery {
        cluster: "demo".into(),
        namespace: namespace.map(str::to_string),
        label_selector: labels.map(str::to_string),
    };
    tables::rows(
        host,
        &headlamp_kernel::identity::Identity::Kernel,
        &registry,
        table,
        &query,
    )
    .await
    .unwrap()
}

fn demo_config() -> SimConfig {
    SimConfig {
        churn: false,
        ..SimConfig::demo()
    }
}

#[tokio::test]
async fn the_namespaces_table_lists_the_demo_namespaces_with_their_labels() {
    let sim = Sim::start(demo_config()).await.unwrap();
    let host = demo_host(&sim, "admin").await;
    let rows = demo_rows(&host, "namespaces", None, None).await;
    let shop = rows
        .rows
        .iter()
        .find(|r| r.object.name == "shop")
        .expect("shop namespace");
    assert_eq!(shop.cells[1].text, "Active");
    assert!(
        shop.cells[3].text.contains("team=shop"),
        "{:?}",
        shop.cells[3]
    );
    assert!(rows.rows.iter().any(|r| r.object.name == "kube-system"));
}

#[tokio::test]
async fn a_label_selector_narrows_the_rows() {
    let sim = Sim::start(demo_config()).await.unwrap();
    let host = demo_host(&sim, "admin").await;
    let rows = demo_rows(&host, "namespaces", None, Some("team=shop")).await;
    let names: Vec<_> = rows.rows.iter().map(|r| r.object.name.as_str()).collect();
    assert_eq!(names, ["shop"]);
}

#[tokio::test]
async fn the_read_only_viewer_sees_the_same_rows() {
    let sim = Sim::start(demo_config()).await.unwrap();
    let host = demo_host(&sim, "viewer").await;
    let rows = demo_rows(&host, "namespaces", None, None).await;
    assert!(rows.rows.len() >= 4);
}

#[tokio::test]
async fn the_cluster_reports_its_version() {
    let sim = Sim::start(demo_config()).await.unwrap();
    let host = demo_host(&sim, "admin").await;
    let version = host
        .clusters()
        .get("demo")
        .unwrap()
        .server_version()
        .await
        .unwrap();
    assert!(version.starts_with("v1."), "{version}");
}

#[tokio::test]
async fn the_pods_table_shows_demo_pods_with_kubectl_status_and_readiness() {
    let sim = Sim::start(demo_config()).await.unwrap();
    let host = demo_host(&sim, "admin").await;
    // The demo's controllers start pods a moment after the cluster comes up.
    let mut rows = demo_rows(&host, "pods", Some("shop"), None).await;
    for _ in 0..50 {
        if rows
            .rows
            .iter()
            .any(|r| r.object.name.starts_with("frontend-"))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        rows = demo_rows(&host, "pods", Some("shop"), None).await;
    }
    assert!(rows.errors.is_empty(), "{:?}", rows.errors);
    let column = |id: &str| rows.columns.iter().position(|c| c == id).unwrap();
    let frontend = rows
        .rows
        .iter()
        .find(|r| r.object.name.starts_with("frontend-"))
        .expect("a frontend pod");
    assert_eq!(frontend.cells[column("namespace")].text, "shop");
    assert!(
        frontend.cells[column("ready")].text.ends_with("/1"),
        "{:?}",
        frontend.cells
    );
    assert!(!frontend.cells[column("status")].text.is_empty());
    assert!(
        rows.rows
            .iter()
            .all(|r| r.object.namespace.as_deref() == Some("shop"))
    );
}
