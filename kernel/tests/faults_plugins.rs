//! Misbehaving plugins are contained: each gets a clear reason, and the healthy plugin and the
//! kernel go on serving. The plugins are built by `make test-plugins`: `trap` panics, `flaky`
//! panics on every 10th call, `spin` loops, `hog` allocates without bound (it would take 2 GiB
//! and more), `greedy` lists secrets it was not granted, `liar` answers an invalid view tree and
//! 1 million cells.

mod common;

use common::*;
use std::sync::Arc;
use std::time::Duration;

use headlamp_kernel::cluster::ClusterRegistry;
use headlamp_kernel::host::{
    Limits, PluginCallError, PluginHost, PluginStatus, RenderContext, Slot,
};
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

#[tokio::test]
async fn a_plugin_that_traps_on_every_tenth_call_serves_nine_and_is_then_stopped_with_the_reason() {
    let host = host_with("flaky").await;
    for call in 1..10 {
        let rows = call_rows(&host, "flaky").await.unwrap();
        assert_eq!(rows[0][0].text, format!("call {call}"));
    }
    let err = call_rows(&host, "flaky").await.unwrap_err();
    assert!(err.to_string().contains("panics on call 10"), "{err}");
    let PluginStatus::Failed(reason) = host.plugin("flaky").unwrap().status() else {
        panic!("the flaky plugin was not stopped")
    };
    assert!(reason.starts_with("trapped"), "{reason}");
    healthy_plugin_still_serves(&host).await;
}

/// `GET /api/v1/plugins` as JSON: the entry of `name`.
async fn plugin_entry(kernel: &str, name: &str) -> serde_json::Value {
    let answer: serde_json::Value = reqwest::get(format!("{kernel}/api/v1/plugins"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not on the plugins page: {answer}"))
        .clone()
}

#[tokio::test]
async fn a_trapped_plugin_is_reported_on_the_plugins_api_and_restarted_through_it() {
    let api = namespace_api(vec![namespace("default", "Active", json!({}))]).await;
    let host = host_with_cluster(&api);
    host.load(source(cluster_plugin())).await.unwrap();
    host.load(source(test_plugin("flaky"))).await.unwrap();
    let kernel = serve_kernel(host).await;
    for _ in 0..10 {
        post_rows(&kernel, "items", json!({"cluster": "fixture"})).await;
    }

    let flaky = plugin_entry(&kernel, "flaky").await;
    assert_eq!(flaky["state"], "failed", "{flaky}");
    let reason = flaky["error"].as_str().unwrap();
    assert!(reason.contains("panics on call 10"), "{reason}");
    assert_eq!(plugin_entry(&kernel, "cluster").await["state"], "ready");
    let namespaces = post_rows(&kernel, "namespaces", json!({"cluster": "fixture"})).await;
    assert_eq!(
        namespaces["rows"].as_array().unwrap().len(),
        1,
        "{namespaces}"
    );
    let stopped = post_rows(&kernel, "items", json!({"cluster": "fixture"})).await;
    assert!(
        stopped.to_string().contains("is stopped"),
        "a stopped plugin's table says so: {stopped}"
    );

    let csrf = csrf_token(&kernel, Default::default()).await;
    let restart = reqwest::Client::new()
        .post(format!("{kernel}/api/v1/plugins/flaky/restart"))
        .header("x-csrf-token", csrf)
        .send()
        .await
        .unwrap();
    assert!(restart.status().is_success(), "{}", restart.status());
    assert_eq!(plugin_entry(&kernel, "flaky").await["state"], "ready");
    let rows = post_rows(&kernel, "items", json!({"cluster": "fixture"})).await;
    assert_eq!(rows["rows"][0]["cells"][0]["text"], "call 1", "{rows}");
}

fn render_context() -> RenderContext {
    RenderContext {
        cluster: "fixture".into(),
        object: Some(namespace("default", "Active", json!({})).to_string()),
        namespace: None,
        params: Vec::new(),
    }
}

#[tokio::test]
async fn an_invalid_view_tree_is_refused_with_the_problem_and_the_plugin_keeps_serving() {
    let host = host_with("liar").await;
    let liar = host.plugin("liar").unwrap();
    for _ in 0..2 {
        let err = liar
            .render(
                &headlamp_kernel::identity::Identity::Kernel,
                &Slot::DetailsView("lie".into()),
                &render_context(),
            )
            .await
            .unwrap_err();
        let PluginCallError::Invalid { what, problem, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*what, "view tree");
        assert!(problem.contains("two parents"), "{problem}");
    }
    assert_eq!(liar.status(), PluginStatus::Ready);
    healthy_plugin_still_serves(&host).await;
}

/// A host whose plugins may grow to `memory_bytes` and run for seconds, so the liar's million
/// cells reach the kernel (the test limits would stop it at 32 MiB and 200 ms).
async fn roomy_host_with_liar(memory_bytes: usize) -> PluginHost {
    let limits = Limits {
        memory_bytes,
        call_deadline: Duration::from_secs(10),
        ..test_limits()
    };
    let host = PluginHost::new(limits, None, Arc::new(ClusterRegistry::new())).unwrap();
    host.load(source(cluster_plugin())).await.unwrap();
    host.load(source(test_plugin("liar"))).await.unwrap();
    host
}

#[tokio::test]
async fn a_million_cells_are_refused_as_an_invalid_rows_answer_and_the_plugin_keeps_serving() {
    let host = roomy_host_with_liar(256 << 20).await;
    let err = call_rows(&host, "liar").await.unwrap_err();
    let PluginCallError::Invalid { what, problem, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*what, "rows answer");
    assert!(
        problem.contains("1000000 cells for 1 requested columns"),
        "{problem}"
    );
    assert_eq!(host.plugin("liar").unwrap().status(), PluginStatus::Ready);
    healthy_plugin_still_serves(&host).await;
}

#[tokio::test]
async fn a_million_cells_under_the_default_memory_limit_stop_the_plugin_at_its_cap() {
    let host = roomy_host_with_liar(Limits::default().memory_bytes).await;
    let err = call_rows(&host, "liar").await.unwrap_err();
    assert!(matches!(err, PluginCallError::Failed { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("exceeded its memory limit of 64 MiB"),
        "{err}"
    );
    healthy_plugin_still_serves(&host).await;
}
