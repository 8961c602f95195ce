//! Misbehaving plugins are contained: each gets a clear reason, and the healthy plugin and the
//! kernel go on serving.

mod common;

use common::*;
use headlamp_kernel::host::{PluginCallError, PluginHost, PluginStatus};
use headlamp_kernel::registry::MergedRegistry;
use headlamp_kernel::tables;
use serde_json::json;

fn objects() -> Vec<String> {
    vec![namespace("default", "Active", json!({})).to_string()]
}

async fn call_rows(
    host: &PluginHost,
    name: &str,
) -> Result<Vec<Vec<headlamp_kernel::host::Cell>>, PluginCallError> {
    let plugin = host.plugin(name).unwrap();
    plugin
        .rows(
            &headlamp_kernel::identity::Identity::Kernel,
            &rows_context("items"),
            &["x".to_string()],
            &objects(),
        )
        .await
}

/// The healthy plugin still answers after the other one failed.
async fn healthy_plugin_still_serves(host: &PluginHost) {
    let registry = MergedRegistry::build(host);
    let spec = registry.table("namespaces").unwrap();
    let rows = tables::compute(
        host,
        &headlamp_kernel::identity::Identity::Kernel,
        spec,
        &rows_context("namespaces"),
        vec![namespace("default", "Active", json!({}))],
    )
    .await
    .unwrap();
    assert!(rows.errors.is_empty(), "{:?}", rows.errors);
    assert_eq!(rows.rows[0].cells[1].text, "Active");
}

async fn host_with(name: &str) -> PluginHost {
    let host = host();
    host.load(source(cluster_plugin())).await.unwrap();
    host.load(source(test_plugin(name))).await.unwrap();
    host
}

#[tokio::test]
async fn a_plugin_that_traps_is_stopped_with_its_panic_message() {
    let host = host_with("trap").await;
    let err = call_rows(&host, "trap").await.unwrap_err();
    let PluginCallError::Failed { reason, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(reason.starts_with("trapped"), "{reason}");
    assert!(
        reason.contains("panicked"),
        "the guest's panic message is kept: {reason}"
    );
    assert!(matches!(
        host.plugin("trap").unwrap().status(),
        PluginStatus::Failed(_)
    ));
    healthy_plugin_still_serves(&host).await;
}

#[tokio::test]
async fn a_stopped_plugin_refuses_further_calls_with_the_reason() {
    let host = host_with("trap").await;
    let _ = call_rows(&host, "trap").await;
    let err = call_rows(&host, "trap").await.unwrap_err();
    assert!(matches!(err, PluginCallError::Stopped { .. }), "{err:?}");
    assert!(err.to_string().contains("trapped"), "{err}");
}

#[tokio::test]
async fn a_failed_plugin_can_be_restarted() {
    let host = host_with("trap").await;
    let _ = call_rows(&host, "trap").await;
    let plugin = host.plugin("trap").unwrap();
    plugin.restart().await.unwrap();
    assert_eq!(plugin.status(), PluginStatus::Ready);
}

#[tokio::test]
async fn a_plugin_that_loops_forever_hits_its_deadline() {
    let host = host_with("spin").await;
    let err = call_rows(&host, "spin").await.unwrap_err();
    assert!(
        err.to_string().contains("exceeded its deadline of 200 ms"),
        "{err}"
    );
    healthy_plugin_still_serves(&host).await;
}

#[tokio::test]
async fn a_plugin_that_allocates_without_bound_hits_its_memory_cap() {
    let host = host_with("hog").await;
    let err = call_rows(&host, "hog").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("exceeded its memory limit of 32 MiB"),
        "{err}"
    );
    healthy_plugin_still_serves(&host).await;
}

#[tokio::test]
async fn a_cluster_call_outside_the_manifest_is_refused_by_the_kernel() {
    let api = namespace_api(vec![namespace("default", "Active", json!({}))]).await;
    let host = host_with_cluster(&api);
    host.load(source(test_plugin("greedy"))).await.unwrap();
    let answer = call_rows(&host, "greedy").await;
    let text = match answer {
        Ok(rows) => rows[0][0].text.clone(),
        Err(e) => e.to_string(),
    };
    assert!(text.contains("does not allow list on secrets"), "{text}");
    // Refused by the manifest gate, not by the API server, and the plugin keeps running.
    assert_eq!(host.plugin("greedy").unwrap().status(), PluginStatus::Ready);
}

#[tokio::test]
async fn the_plugins_api_reports_the_failed_plugin_and_its_reason() {
    let host = host_with("spin").await;
    let _ = call_rows(&host, "spin").await;
    let plugins = host.plugins();
    let spin = plugins.iter().find(|p| p.id().as_str() == "spin").unwrap();
    let cluster = plugins
        .iter()
        .find(|p| p.id().as_str() == "cluster")
        .unwrap();
    assert!(matches!(spin.status(), PluginStatus::Failed(r) if r.contains("deadline")));
    assert_eq!(cluster.status(), PluginStatus::Ready);
}
