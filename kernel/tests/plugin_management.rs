//! Local plugin management through the API: enable/disable (persisted, live), settings forms
//! checked by type and read by the plugin, the Artifact Hub catalog (against a fake Artifact
//! Hub on loopback), and refusals in a kernel whose plugins are the operator's.

mod common;

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use headlamp_kernel::api::AppState;
use headlamp_kernel::host::{PluginOrigin, PluginSource};
use headlamp_kernel::loader::BUILTIN_PLUGINS;
use headlamp_kernel::plugin_manager::PluginManager;
use reqwest::StatusCode;
use serde_json::{Value, json};

use common::socket;
use common::{csrf_token, host_with_cluster, namespace_api, serve_app, test_plugin};

/// The built-in map plugin, as a built-in source.
fn map_plugin() -> PluginSource {
    let (_, wasm, sha256) = BUILTIN_PLUGINS
        .iter()
        .find(|(name, _, _)| *name == "map")
        .expect("the kernel was built without the map plugin: run `make plugins`");
    PluginSource {
        sha256: Some(sha256.to_string()),
        ..PluginSource::from_bytes(wasm.to_vec(), PluginOrigin::Builtin)
    }
}

/// The settings test plugin, as if from a plugins folder.
fn tuned_plugin() -> PluginSource {
    PluginSource::from_bytes(
        test_plugin("tuned"),
        PluginOrigin::File("/plugins/tuned.wasm".into()),
    )
}

/// A local kernel managing plugins with its state in `dir`, started with map and tuned.
async fn kernel(dir: &Path, catalog: &str) -> String {
    kernel_with(dir, catalog, vec![map_plugin(), tuned_plugin()]).await
}

/// A local kernel managing plugins with its state in `dir`, started with `plugins`.
async fn kernel_with(dir: &Path, catalog: &str, plugins: Vec<PluginSource>) -> String {
    let host = Arc::new(host_with_cluster(&namespace_api(vec![]).await));
    let manager = Arc::new(PluginManager::local(host.clone(), dir, catalog).unwrap());
    manager.start(plugins).await;
    serve_app(AppState {
        plugin_manager: Some(manager),
        ..AppState::local(host)
    })
    .await
}

async fn get_json(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// Sends a mutating request with the CSRF token; returns the status and the JSON answer.
async fn send(
    kernel: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let token = csrf_token(kernel, Default::default()).await;
    let mut request = reqwest::Client::new()
        .request(method, format!("{kernel}{path}"))
        .header("x-csrf-token", token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post(kernel: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    send(kernel, reqwest::Method::POST, path, body).await
}

/// Ids of the sidebar entries of `plugin` in the merged registry.
async fn sidebar_of(kernel: &str, plugin: &str) -> Vec<String> {
    fn walk(nodes: &Value, plugin: &str, out: &mut Vec<String>) {
        for node in nodes.as_array().into_iter().flatten() {
            if node["plugin"] == plugin {
                out.push(node["id"].as_str().unwrap_or_default().to_string());
            }
            walk(&node["children"], plugin, out);
        }
    }
    let registry = get_json(&format!("{kernel}/api/v1/registry")).await;
    let mut out = Vec::new();
    walk(&registry["sidebar"], plugin, &mut out);
    out
}

/// Paths of the routes of `plugin` in the merged registry.
async fn routes_of(kernel: &str, plugin: &str) -> Vec<String> {
    let registry = get_json(&format!("{kernel}/api/v1/registry")).await;
    registry["routes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["plugin"] == plugin)
        .filter_map(|r| r["path"].as_str().map(str::to_string))
        .collect()
}

async fn plugin_state(kernel: &str, name: &str) -> Value {
    let plugins = get_json(&format!("{kernel}/api/v1/plugins")).await;
    plugins["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn disabling_a_builtin_removes_its_sidebar_entries_until_it_is_enabled_again() {
    let dir = tempfile::tempdir().unwrap();
    let kernel = kernel(dir.path(), "http://127.0.0.1:9").await;
    assert_eq!(sidebar_of(&kernel, "map").await, vec!["map"]);

    let (status, answer) = post(&kernel, "/api/v1/plugins/map/disable", None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(sidebar_of(&kernel, "map").await.is_empty());
    assert!(routes_of(&kernel, "map").await.is_empty());
    let map = plugin_state(&kernel, "map").await;
    assert_eq!(
        (map["state"].as_str(), map["enabled"].as_bool()),
        (Some("disabled"), Some(false))
    );

    let (status, answer) = post(&kernel, "/api/v1/plugins/map/enable", None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(sidebar_of(&kernel, "map").await, vec!["map"]);
    assert!(
        routes_of(&kernel, "map")
            .await
            .contains(&"/map".to_string())
    );
    assert_eq!(plugin_state(&kernel, "map").await["state"], "ready");
}

#[tokio::test]
async fn disabling_a_plugin_tells_open_streams_and_ends_its_live_tables() {
    let dir = tempfile::tempdir().unwrap();
    let flaky = PluginSource::from_bytes(test_plugin("flaky"), PluginOrigin::Memory);
    let flaky = PluginSource {
        origin: PluginOrigin::File("/plugins/flaky.wasm".into()),
        ..flaky
    };
    let kernel = kernel_with(dir.path(), "http://127.0.0.1:9", vec![map_plugin(), flaky]).await;
    let mut stream =
        socket::connect(&format!("{}/api/v1/stream", kernel.replace("http", "ws"))).await;
    socket::send(
        &mut stream,
        json!({"type": "subscribe-table", "id": "t1", "cluster": "fixture", "table": "items"}),
    )
    .await;
    socket::next_where(
        &mut stream,
        "the table's snapshot",
        socket::is("table-snapshot", "t1"),
    )
    .await;

    let (status, answer) = post(&kernel, "/api/v1/plugins/flaky/disable", None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let message =
            socket::next_where(&mut stream, "registry-changed and the table's end", |m| {
                // The fixture cluster cannot watch, so the table also reports watch errors.
                m["type"] == "registry-changed"
                    || (m["type"] == "error"
                        && m["id"] == "t1"
                        && m["message"]
                            .as_str()
                            .is_some_and(|t| t.contains("has ended")))
            })
            .await;
        seen.push(message);
    }
    assert!(
        seen.iter().any(|m| m["type"] == "registry-changed"),
        "{seen:?}"
    );
    assert!(seen.iter().any(|m| m["type"] == "error"), "{seen:?}");
}

#[tokio::test]
async fn a_disabled_builtin_stays_disabled_after_a_restart_with_the_same_state_dir() {
    let dir = tempfile::tempdir().unwrap();
    let first = kernel(dir.path(), "http://127.0.0.1:9").await;
    let (status, answer) = post(&first, "/api/v1/plugins/map/disable", None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let second = kernel(dir.path(), "http://127.0.0.1:9").await;
    assert!(sidebar_of(&second, "map").await.is_empty());
    assert_eq!(plugin_state(&second, "map").await["state"], "disabled");
    assert_eq!(sidebar_of(&second, "tuned").await, vec!["tuned"]);
}

#[tokio::test]
async fn a_setting_of_the_wrong_type_is_refused_naming_the_key_and_the_type() {
    let dir = tempfile::tempdir().unwrap();
    let kernel = kernel(dir.path(), "http://127.0.0.1:9").await;
    let (status, answer) = send(
        &kernel,
        reqwest::Method::PUT,
        "/api/v1/plugins/tuned/settings",
        Some(json!({"repeat": "three"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error = answer["error"].as_str().unwrap();
    assert!(
        error.contains("`repeat`") && error.contains("a number"),
        "{error}"
    );
}

async fn greeting_page(kernel: &str) -> String {
    let view: Value = reqwest::Client::new()
        .post(format!("{kernel}/api/v1/pages/tuned"))
        .json(&json!({"cluster": "fixture"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    view.to_string()
}

#[tokio::test]
async fn a_saved_setting_reaches_the_plugin_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let kernel_url = kernel(dir.path(), "http://127.0.0.1:9").await;
    assert!(greeting_page(&kernel_url).await.contains("hello"));
    let form = get_json(&format!("{kernel_url}/api/v1/plugins/tuned/settings")).await;
    let tone = form
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "tone")
        .unwrap();
    assert_eq!(
        (tone["kind"].as_str(), tone["choices"].clone()),
        (Some("choice"), json!(["plain", "fancy"]))
    );

    let (status, answer) = send(
        &kernel_url,
        reqwest::Method::PUT,
        "/api/v1/plugins/tuned/settings",
        Some(json!({"greeting": "bonjour", "loud": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(greeting_page(&kernel_url).await.contains("bonjour"));

    let restarted = kernel(dir.path(), "http://127.0.0.1:9").await;
    assert!(greeting_page(&restarted).await.contains("bonjour"));
    let form = get_json(&format!("{restarted}/api/v1/plugins/tuned/settings")).await;
    let loud = form
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "loud")
        .unwrap();
    assert_eq!(
        (loud["value"].clone(), loud["customised"].clone()),
        (json!(true), json!(true))
    );
}

#[tokio::test]
async fn a_changed_setting_re_renders_the_plugins_live_page() {
    let dir = tempfile::tempdir().unwrap();
    let kernel = kernel(dir.path(), "http://127.0.0.1:9").await;
    let mut stream =
        socket::connect(&format!("{}/api/v1/stream", kernel.replace("http", "ws"))).await;
    socket::send(
        &mut stream,
        json!({"type": "subscribe-view", "id": "v1", "cluster": "fixture", "page": "tuned"}),
    )
    .await;
    let first = socket::next_where(&mut stream, "the page", socket::is("view", "v1")).await;
    assert!(first.to_string().contains("hello"), "{first}");

    let (status, answer) = send(
        &kernel,
        reqwest::Method::PUT,
        "/api/v1/plugins/tuned/settings",
        Some(json!({"greeting": "salut"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let again = socket::next_where(
        &mut stream,
        "the page re-rendered",
        socket::is("view", "v1"),
    )
    .await;
    assert!(again.to_string().contains("salut"), "{again}");
}

#[tokio::test]
async fn a_corrupt_state_file_stops_the_manager_with_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plugins.json"), "{ nope").unwrap();
    let host = Arc::new(common::host());
    let error = PluginManager::local(host, dir.path(), "http://127.0.0.1:9")
        .err()
        .expect("a corrupt state file is refused")
        .to_string();
    assert!(
        error.contains("plugins.json") && error.contains("move it away"),
        "{error}"
    );
}

/// A kernel whose plugin set is the operator's: every change is refused.
async fn pinned_kernel() -> String {
    let host = Arc::new(host_with_cluster(&namespace_api(vec![]).await));
    let manager = Arc::new(PluginManager::refusing(host.clone(), "http://127.0.0.1:9"));
    manager.start(vec![map_plugin(), tuned_plugin()]).await;
    serve_app(AppState {
        plugin_manager: Some(manager),
        ..AppState::local(host)
    })
    .await
}

#[tokio::test]
async fn a_pinned_kernel_refuses_every_change_saying_the_operator_pinned_plugins() {
    let kernel = pinned_kernel().await;
    for (method, path, body) in [
        (reqwest::Method::POST, "/api/v1/plugins/map/disable", None),
        (
            reqwest::Method::PUT,
            "/api/v1/plugins/tuned/settings",
            Some(json!({"greeting": "x"})),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/catalog/install",
            Some(json!({"package": "repo/tuned"})),
        ),
        (
            reqwest::Method::DELETE,
            "/api/v1/catalog/installed/tuned",
            None,
        ),
    ] {
        let (status, answer) = send(&kernel, method, path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
        let error = answer["error"].as_str().unwrap();
        assert!(
            error.contains("pinned by the operator in headlamp.toml"),
            "{path}: {error}"
        );
    }
    assert_eq!(sidebar_of(&kernel, "map").await, vec!["map"]);
    let answer = get_json(&format!("{kernel}/api/v1/plugins")).await;
    assert_eq!(answer["management"]["allowed"], false);
}

#[tokio::test]
async fn a_change_without_the_csrf_token_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let kernel = kernel(dir.path(), "http://127.0.0.1:9").await;
    let response = reqwest::Client::new()
        .post(format!("{kernel}/api/v1/plugins/map/disable"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let answer: Value = response.json().await.unwrap();
    assert!(
        answer["error"].as_str().unwrap().contains("x-csrf-token"),
        "{answer}"
    );
    assert_eq!(sidebar_of(&kernel, "map").await, vec!["map"]);
}

#[tokio::test]
async fn a_builtin_cannot_be_removed_only_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let kernel = kernel(dir.path(), "http://127.0.0.1:9").await;
    let (status, answer) = send(
        &kernel,
        reqwest::Method::DELETE,
        "/api/v1/catalog/installed/map",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("only disabled"),
        "{answer}"
    );
}

/// A `headlamp-plugin package`-shaped archive holding `wasm` as `NAME/plugin.wasm`.
fn package_archive(name: &str, wasm: &[u8]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    let mut header = tar::Header::new_gnu();
    header.set_size(wasm.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder
        .append_data(&mut header, format!("{name}/plugin.wasm"), wasm)
        .unwrap();
    builder.into_inner().unwrap().finish().unwrap()
}

/// What the fake Artifact Hub serves.
#[derive(Clone)]
struct Hub {
    base: String,
    archive: Arc<Vec<u8>>,
    checksum: String,
}

fn package_json(hub: &Hub) -> Value {
    json!({
        "name": "tuned",
        "version": "0.1.0",
        "description": "Settings test plugin",
        "repository": {"name": "test-repo"},
        "available_versions": [{"version": "0.1.0"}],
        "data": {
            "headlamp/plugin/runtime": "wasm-component",
            "headlamp/plugin/wit": "0.1.0",
            "headlamp/plugin/archive-url": format!("{}/archives/tuned.tar.gz", hub.base),
            "headlamp/plugin/archive-checksum": hub.checksum,
        }
    })
}

/// A fake Artifact Hub on loopback listing the `tuned` test plugin; `checksum` is what it
/// publishes for the archive (the real one unless a test wants a mismatch).
async fn fake_artifact_hub(wrong_checksum: bool) -> (String, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let archive = package_archive("tuned", &test_plugin("tuned"));
    let actual = format!("sha256:{}", headlamp_registry::sha256_hex(&archive));
    let checksum = if wrong_checksum {
        format!("sha256:{}", "0".repeat(64))
    } else {
        actual.clone()
    };
    let hub = Hub {
        base: base.clone(),
        archive: Arc::new(archive),
        checksum,
    };
    let app = Router::new()
        .route(
            "/api/v1/packages/search",
            get(|State(hub): State<Hub>| async move {
                let mut package = package_json(&hub);
                package.as_object_mut().unwrap().remove("data");
                axum::Json(json!({"packages": [package]}))
            }),
        )
        .route(
            "/api/v1/packages/headlamp/test-repo/tuned",
            get(|State(hub): State<Hub>| async move { axum::Json(package_json(&hub)) }),
        )
        .route(
            "/api/v1/packages/headlamp/test-repo/tuned/{version}",
            get(|State(hub): State<Hub>| async move { axum::Json(package_json(&hub)) }),
        )
        .route(
            "/archives/tuned.tar.gz",
            get(|State(hub): State<Hub>| async move { hub.archive.to_vec() }),
        )
        .with_state(hub);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, actual)
}

/// A local kernel with only the map plugin, its catalog at `catalog`.
async fn catalog_kernel(dir: &Path, catalog: &str) -> String {
    let host = Arc::new(host_with_cluster(&namespace_api(vec![]).await));
    let manager = Arc::new(PluginManager::local(host.clone(), dir, catalog).unwrap());
    manager.start(vec![map_plugin()]).await;
    serve_app(AppState {
        plugin_manager: Some(manager),
        ..AppState::local(host)
    })
    .await
}

#[tokio::test]
async fn the_catalog_lists_packages_with_versions_and_compatibility() {
    let (hub, _) = fake_artifact_hub(false).await;
    let dir = tempfile::tempdir().unwrap();
    let kernel = catalog_kernel(dir.path(), &hub).await;
    let found = get_json(&format!("{kernel}/api/v1/catalog?q=tuned")).await;
    let entry = &found[0];
    assert_eq!(entry["package"], "test-repo/tuned", "{found}");
    assert_eq!(entry["versions"], json!(["0.1.0"]));
    assert_eq!(entry["compatibility"]["compatible"], true, "{entry}");
    let versions = get_json(&format!(
        "{kernel}/api/v1/catalog/versions?package=test-repo/tuned"
    ))
    .await;
    assert_eq!(versions[0]["version"], "0.1.0");
    assert_eq!(versions[0]["compatibility"]["wit"], "0.1.0");
}

#[tokio::test]
async fn installing_from_the_catalog_loads_the_plugin_live_and_removing_it_unloads_and_deletes_it()
{
    let (hub, digest) = fake_artifact_hub(false).await;
    let dir = tempfile::tempdir().unwrap();
    let kernel = catalog_kernel(dir.path(), &hub).await;
    assert!(sidebar_of(&kernel, "tuned").await.is_empty());

    let (status, answer) = post(
        &kernel,
        "/api/v1/catalog/install",
        Some(json!({"package": "test-repo/tuned", "version": "0.1.0"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        (answer["name"].as_str(), answer["digest"].as_str()),
        (Some("tuned"), Some(digest.as_str()))
    );
    assert_eq!(sidebar_of(&kernel, "tuned").await, vec!["tuned"]);
    let installed = dir.path().join("plugins/tuned/plugin.wasm");
    assert!(installed.is_file());
    assert_eq!(
        plugin_state(&kernel, "tuned").await["installed"]["package"],
        "test-repo/tuned"
    );

    let (status, answer) = send(
        &kernel,
        reqwest::Method::DELETE,
        "/api/v1/catalog/installed/tuned",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(sidebar_of(&kernel, "tuned").await.is_empty());
    assert!(!dir.path().join("plugins/tuned").exists());
    assert_eq!(plugin_state(&kernel, "tuned").await, Value::Null);
}

#[tokio::test]
async fn a_checksum_mismatch_is_refused_with_both_digests_and_nothing_is_installed() {
    let (hub, actual) = fake_artifact_hub(true).await;
    let dir = tempfile::tempdir().unwrap();
    let kernel = catalog_kernel(dir.path(), &hub).await;
    let (status, answer) = post(
        &kernel,
        "/api/v1/catalog/install",
        Some(json!({"package": "test-repo/tuned"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let error = answer["error"].as_str().unwrap();
    assert!(
        error.contains(&"0".repeat(64)) && error.contains(&actual),
        "{error}"
    );
    assert!(sidebar_of(&kernel, "tuned").await.is_empty());
    let plugins_dir = dir.path().join("plugins");
    let left: Vec<_> = std::fs::read_dir(&plugins_dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn a_plugin_installed_from_the_catalog_loads_again_after_a_restart() {
    let (hub, _) = fake_artifact_hub(false).await;
    let dir = tempfile::tempdir().unwrap();
    let kernel = catalog_kernel(dir.path(), &hub).await;
    let (status, answer) = post(
        &kernel,
        "/api/v1/catalog/install",
        Some(json!({"package": "test-repo/tuned"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    // A restart scans the install folder, as the kernel binary does.
    let host = Arc::new(host_with_cluster(&namespace_api(vec![]).await));
    let manager = Arc::new(PluginManager::local(host.clone(), dir.path(), hub.as_str()).unwrap());
    let mut sources = vec![map_plugin()];
    sources.extend(headlamp_kernel::loader::dir_sources(
        &host,
        manager.plugins_dir().unwrap(),
    ));
    manager.start(sources).await;
    let restarted = serve_app(AppState {
        plugin_manager: Some(manager),
        ..AppState::local(host)
    })
    .await;
    assert_eq!(sidebar_of(&restarted, "tuned").await, vec!["tuned"]);
    assert_eq!(
        plugin_state(&restarted, "tuned").await["installed"]["version"],
        "0.1.0"
    );
}

#[tokio::test]
async fn a_token_mode_kernel_refuses_changes_saying_the_operator_pinned_plugins() {
    let host = Arc::new(host_with_cluster(&namespace_api(vec![]).await));
    headlamp_kernel::loader::load_all(&host, vec![map_plugin()]).await;
    let kernel = serve_app(AppState {
        auth: headlamp_kernel::identity::AuthMode::Token,
        ..AppState::local(host)
    })
    .await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", "Bearer viewer-token".parse().unwrap());
    let token = csrf_token(&kernel, headers.clone()).await;
    let response = reqwest::Client::new()
        .post(format!("{kernel}/api/v1/plugins/map/disable"))
        .headers(headers)
        .header("x-csrf-token", token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let answer: Value = response.json().await.unwrap();
    let error = answer["error"].as_str().unwrap();
    assert!(
        error.contains("pinned by the operator in headlamp.toml"),
        "{error}"
    );
}

#[tokio::test]
async fn updating_an_installed_plugin_replaces_it_and_keeps_it_in_the_registry() {
    let (hub, _) = fake_artifact_hub(false).await;
    let dir = tempfile::tempdir().unwrap();
    let kernel = catalog_kernel(dir.path(), &hub).await;
    let (status, answer) = post(
        &kernel,
        "/api/v1/catalog/install",
        Some(json!({"package": "test-repo/tuned"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let (status, answer) = post(
        &kernel,
        "/api/v1/catalog/update",
        Some(json!({"name": "tuned", "version": "0.1.0"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["replaced"], "0.1.0", "{answer}");
    assert_eq!(sidebar_of(&kernel, "tuned").await, vec!["tuned"]);

    let (status, answer) = post(
        &kernel,
        "/api/v1/catalog/update",
        Some(json!({"name": "map"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("not installed from the catalog"),
        "{answer}"
    );
}
