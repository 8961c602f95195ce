//! The hot-reload endpoint (`POST /api/v1/dev/plugins`) that `headlamp-plugin start` uses.

mod common;

use std::sync::Arc;

use common::*;
use headlamp_kernel::api::{AppState, router};
use headlamp_kernel::host::PluginHost;
use serde_json::Value;

const TOKEN: &str = "s3cret-dev-token";

/// Serves the API plus the dev routes (with `token`) for `host` on a loopback port.
async fn serve(host: Arc<PluginHost>, token: Option<&str>) -> String {
    let app =
        router(AppState::local(host.clone())).merge(headlamp_kernel::dev::router(host, token));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn upload(kernel: &str, token: Option<&str>, wasm: Vec<u8>) -> (u16, Value) {
    // reqwest has no TLS provider of its own here, even for plain HTTP.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut request = reqwest::Client::new()
        .post(format!("{kernel}/api/v1/dev/plugins"))
        .header("content-type", "application/wasm")
        .body(wasm);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn plugin_state(kernel: &str, name: &str) -> Option<String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let plugins: Value = reqwest::get(format!("{kernel}/api/v1/plugins"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    plugins["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .map(|p| p["state"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn an_upload_loads_a_new_plugin_and_replaces_a_running_one() {
    let host = Arc::new(host());
    let kernel = serve(host.clone(), Some(TOKEN)).await;

    let (status, body) = upload(&kernel, Some(TOKEN), test_plugin("trap")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "trap");
    assert_eq!(body["replaced"], Value::Null);
    let first = host.plugin("trap").unwrap();

    // Stop the running instance (its rows trap), then reload: a fresh plugin takes its place.
    let _ = first
        .rows(
            &headlamp_kernel::identity::Identity::Kernel,
            &rows_context("items"),
            &["x".into()],
            &["{}".into()],
        )
        .await;
    assert_eq!(
        plugin_state(&kernel, "trap").await.as_deref(),
        Some("failed")
    );
    let (status, body) = upload(&kernel, Some(TOKEN), test_plugin("trap")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["replaced"], "0.1.0");
    assert!(!Arc::ptr_eq(&first, &host.plugin("trap").unwrap()));
    assert_eq!(
        plugin_state(&kernel, "trap").await.as_deref(),
        Some("ready")
    );
    assert_eq!(host.plugins().len(), 1);
}

#[tokio::test]
async fn a_bad_component_is_refused_and_the_running_plugin_keeps_serving() {
    let host = Arc::new(host());
    let kernel = serve(host.clone(), Some(TOKEN)).await;
    let (status, _) = upload(&kernel, Some(TOKEN), test_plugin("greedy")).await;
    assert_eq!(status, 200);
    let running = host.plugin("greedy").unwrap();

    let mut broken = test_plugin("greedy");
    broken.truncate(broken.len() / 2);
    let (status, body) = upload(&kernel, Some(TOKEN), broken).await;
    assert_eq!(status, 422, "{body}");
    let message = body["error"].as_str().unwrap();
    assert!(message.contains("keeps serving"), "{message}");
    assert!(Arc::ptr_eq(&running, &host.plugin("greedy").unwrap()));
    assert_eq!(
        plugin_state(&kernel, "greedy").await.as_deref(),
        Some("ready")
    );
}

#[tokio::test]
async fn a_missing_or_wrong_token_is_401() {
    let host = Arc::new(host());
    let kernel = serve(host.clone(), Some(TOKEN)).await;
    for token in [None, Some("wrong")] {
        let (status, body) = upload(&kernel, token, test_plugin("trap")).await;
        assert_eq!(status, 401, "token {token:?}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains("--dev-token"),
            "{body}"
        );
    }
    assert!(host.plugins().is_empty());
}

#[tokio::test]
async fn without_a_dev_token_the_endpoint_does_not_exist() {
    let host = Arc::new(host());
    let kernel = serve(host.clone(), None).await;
    let (status, _) = upload(&kernel, Some(TOKEN), test_plugin("trap")).await;
    assert_eq!(status, 404);
    assert!(host.plugins().is_empty());
}
