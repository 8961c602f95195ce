//! Shared pieces of the kernel's integration tests: plugin bytes, hosts, a fixture API server.

#![allow(dead_code)]

pub mod mirror;
pub mod plugin_views;
pub mod socket;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::host::{Limits, PluginHost, PluginOrigin, PluginSource};
use headlamp_kernel::loader::BUILTIN_PLUGINS;
use serde_json::{Value, json};

/// The built-in cluster plugin, as embedded in the kernel by `make plugins`.
pub fn cluster_plugin() -> Vec<u8> {
    BUILTIN_PLUGINS
        .iter()
        .find(|(name, _, _)| *name == "cluster")
        .map(|(_, wasm, _)| wasm.to_vec())
        .expect(
            "the kernel was built without the cluster plugin: run `make plugins` before the tests",
        )
}

/// Every built-in plugin, as embedded in the kernel by `make plugins`.
pub fn builtin_plugins() -> Vec<PluginSource> {
    let sources = headlamp_kernel::loader::builtin_sources();
    assert!(
        sources.len() >= 2,
        "the kernel was built without its built-in plugins: run `make plugins` before the tests"
    );
    sources
}

/// A fault-test plugin built by `make test-plugins`.
pub fn test_plugin(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/test-plugins")
        .join(format!("headlamp_test_plugin_{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `make test-plugins` before the tests",
            path.display()
        )
    })
}

/// Rows of `table` from the cluster `fixture`.
pub fn rows_context(table: &str) -> headlamp_kernel::host::RowsContext {
    headlamp_kernel::host::RowsContext {
        table: table.into(),
        cluster: "fixture".into(),
        namespace: None,
    }
}

/// A source from bytes with the embedded manifest.
pub fn source(wasm: Vec<u8>) -> PluginSource {
    PluginSource::from_bytes(wasm, PluginOrigin::Memory)
}

/// Limits small enough that the fault tests finish quickly.
pub fn test_limits() -> Limits {
    Limits {
        memory_bytes: 32 << 20,
        call_deadline: Duration::from_millis(200),
        init_deadline: Duration::from_secs(2),
        max_instances: 16,
    }
}

/// A host without clusters and without a cache directory.
pub fn host() -> PluginHost {
    PluginHost::new(test_limits(), None, Arc::new(ClusterRegistry::new())).unwrap()
}

/// A host whose cluster `fixture` is the given API server.
pub fn host_with_cluster(url: &str) -> PluginHost {
    let clusters = ClusterRegistry::new();
    clusters.insert(Cluster::new(ClusterName::new("fixture"), client(url)));
    PluginHost::new(test_limits(), None, Arc::new(clusters)).unwrap()
}

/// A kube client for a plain-HTTP server.
pub fn client(url: &str) -> kube::Client {
    let config = kube::Config::new(url.parse().unwrap());
    kube::Client::try_from(config).unwrap()
}

/// A Namespace as the API server returns it.
pub fn namespace(name: &str, phase: &str, labels: Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "uid": format!("uid-{name}"),
            "resourceVersion": "7",
            "creationTimestamp": "2026-01-02T03:04:05Z",
            "labels": labels,
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": phase}
    })
}

/// Serves just enough of the Kubernetes API for namespaces: discovery, list, get, version.
/// Stands in for a cluster until kube-sim is used; answers on a loopback port picked now.
pub async fn namespace_api(namespaces: Vec<Value>) -> String {
    let items = Arc::new(namespaces);
    let list_items = items.clone();
    let app = Router::new()
        .route(
            "/version",
            get(|| async { axum::Json(json!({"major": "1", "minor": "37", "gitVersion": "v1.37.0-fixture", "gitCommit": "", "gitTreeState": "", "buildDate": "", "goVersion": "", "compiler": "", "platform": "linux/amd64"})) }),
        )
        .route(
            "/api/v1",
            get(|| async {
                axum::Json(json!({
                    "kind": "APIResourceList", "groupVersion": "v1",
                    "resources": [{"name": "namespaces", "singularName": "namespace", "namespaced": false,
                                   "kind": "Namespace", "verbs": ["get", "list", "watch"]},
                                  {"name": "secrets", "singularName": "secret", "namespaced": true,
                                   "kind": "Secret", "verbs": ["get", "list"]}]
                }))
            }),
        )
        .route(
            "/api/v1/namespaces",
            get(move || {
                let items = list_items.clone();
                async move {
                    axum::Json(json!({"kind": "NamespaceList", "apiVersion": "v1",
                                      "metadata": {"resourceVersion": "9"}, "items": *items}))
                }
            }),
        )
        .route(
            "/api/v1/namespaces/{name}",
            get(move |Path(name): Path<String>| {
                let items = items.clone();
                async move {
                    match items.iter().find(|n| n["metadata"]["name"] == name.as_str()) {
                        Some(ns) => (axum::http::StatusCode::OK, axum::Json(ns.clone())),
                        None => (
                            axum::http::StatusCode::NOT_FOUND,
                            axum::Json(json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                              "message": format!("namespaces \"{name}\" not found"),
                                              "reason": "NotFound", "code": 404})),
                        ),
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// Installs ring as rustls' process-wide provider, which reqwest (built without one) needs.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Serves the kernel's API for `host` on a loopback port picked now; returns its base URL.
pub async fn serve_kernel(host: PluginHost) -> String {
    serve_app(headlamp_kernel::api::AppState::local(Arc::new(host))).await
}

/// Serves the kernel's API with `state` on a loopback port picked now; returns its base URL.
pub async fn serve_app(state: headlamp_kernel::api::AppState) -> String {
    install_crypto();
    let app = headlamp_kernel::api::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// The CSRF token the kernel at `kernel` issues to a request with `headers`.
pub async fn csrf_token(kernel: &str, headers: reqwest::header::HeaderMap) -> String {
    let answer: Value = reqwest::Client::new()
        .get(format!("{kernel}/api/v1/csrf"))
        .headers(headers)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["token"].as_str().unwrap().to_string()
}

/// `POST /api/v1/tables/{table}/rows` with `query`, answered as JSON.
pub async fn post_rows(kernel: &str, table: &str, query: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{kernel}/api/v1/tables/{table}/rows"))
        .json(&query)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
