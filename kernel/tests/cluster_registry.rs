//! The clusters a kernel serves: several at once, one of them down; clusters added and removed
//! at run time and kept across restarts; and the viewer's own token deciding what they see.

mod common;

use std::sync::Arc;

use common::*;
use headlamp_kernel::added_clusters::AddedClusters;
use headlamp_kernel::api::AppState;
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry, ClusterSource};
use headlamp_kernel::host::PluginHost;
use headlamp_kernel::identity::AuthMode;
use kube_sim::{Sim, SimConfig, SimHandle};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde_json::{Value, json};

async fn sim() -> SimHandle {
    Sim::start(SimConfig {
        churn: false,
        ..SimConfig::demo()
    })
    .await
    .unwrap()
}

/// The demo world as cluster `demo`, reached with its admin's settings (viewers' tokens work).
fn demo_cluster(sim: &SimHandle) -> Cluster {
    Cluster::from_config(ClusterName::new("demo"), sim.config_for("admin").unwrap())
        .unwrap()
        .with_source(ClusterSource::Demo)
}

/// A cluster whose API server is not there (nothing listens on the port).
async fn down_cluster() -> Cluster {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let config = kube::Config::new(url.parse().unwrap());
    Cluster::from_config(ClusterName::new("down"), config).unwrap()
}

async fn host_with(clusters: ClusterRegistry) -> Arc<PluginHost> {
    let host = PluginHost::new(test_limits(), None, Arc::new(clusters)).unwrap();
    host.load(source(cluster_plugin())).await.unwrap();
    Arc::new(host)
}

async fn get_json(url: &str, headers: HeaderMap) -> (StatusCode, Value) {
    let answer = reqwest::Client::new()
        .get(url)
        .headers(headers)
        .send()
        .await
        .unwrap();
    (answer.status(), answer.json().await.unwrap())
}

async fn post_json(url: &str, headers: HeaderMap, body: Value) -> (StatusCode, Value) {
    let answer = reqwest::Client::new()
        .post(url)
        .headers(headers)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = answer.status();
    (status, answer.json().await.unwrap_or(Value::Null))
}

fn with_csrf(token: String) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-csrf-token", HeaderValue::from_str(&token).unwrap());
    headers
}

fn bearer(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    headers
}

fn names(rows: &Value) -> Vec<String> {
    rows["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows in {rows}"))
        .iter()
        .map(|r| r["object"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_unreachable_cluster_is_listed_as_such_and_does_not_break_the_other() {
    let sim = sim().await;
    let clusters = ClusterRegistry::new();
    clusters.insert(demo_cluster(&sim));
    clusters.insert(down_cluster().await);
    let kernel = serve_app(AppState::local(host_with(clusters).await)).await;

    let (_, list) = get_json(&format!("{kernel}/api/v1/clusters"), HeaderMap::new()).await;
    let find = |name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {list}"))
            .clone()
    };
    assert_eq!(find("demo")["reachable"], true);
    assert_eq!(find("demo")["source"], "demo");
    assert!(find("demo")["version"].as_str().unwrap().starts_with('v'));
    assert_eq!(find("down")["reachable"], false);
    assert!(
        find("down")["error"]
            .as_str()
            .unwrap()
            .contains("could not be reached")
    );

    let demo = post_rows(&kernel, "namespaces", json!({"cluster": "demo"})).await;
    assert!(names(&demo).contains(&"shop".to_string()), "{demo}");
    let down = post_rows(&kernel, "namespaces", json!({"cluster": "down"})).await;
    assert!(
        down["error"].as_str().unwrap().contains("cluster down"),
        "{down}"
    );
}

/// A kernel in local mode keeping added clusters in `dir`.
async fn kernel_with_store(dir: &std::path::Path, clusters: ClusterRegistry) -> String {
    let store = Arc::new(AddedClusters::in_dir(dir));
    let config = store.load().unwrap();
    headlamp_kernel::kubeconfig::add_contexts_from(&config, &clusters, ClusterSource::Added).await;
    let state = AppState {
        added_clusters: Some(store),
        ..AppState::local(host_with(clusters).await)
    };
    serve_app(state).await
}

fn add_request(sim: &SimHandle, name: &str) -> Value {
    json!({"name": name, "server": sim.url, "token": sim.token("admin").unwrap()})
}

#[tokio::test]
async fn a_cluster_added_through_the_api_serves_rows_and_is_there_after_a_restart() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let kernel = kernel_with_store(dir.path(), ClusterRegistry::new()).await;
    let token = csrf_token(&kernel, HeaderMap::new()).await;

    let (status, added) = post_json(
        &format!("{kernel}/api/v1/clusters"),
        with_csrf(token),
        add_request(&sim, "lab"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["reachable"], true, "{added}");
    let rows = post_rows(&kernel, "namespaces", json!({"cluster": "lab"})).await;
    assert!(names(&rows).contains(&"shop".to_string()), "{rows}");

    // A new kernel process over the same config dir.
    let restarted = kernel_with_store(dir.path(), ClusterRegistry::new()).await;
    let (_, list) = get_json(&format!("{restarted}/api/v1/clusters"), HeaderMap::new()).await;
    assert_eq!(list[0]["name"], "lab", "{list}");
    assert_eq!(list[0]["source"], "added");
    assert_eq!(list[0]["reachable"], true);
}

#[tokio::test]
async fn a_removed_cluster_is_gone_now_and_after_a_restart() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let kernel = kernel_with_store(dir.path(), ClusterRegistry::new()).await;
    let token = csrf_token(&kernel, HeaderMap::new()).await;
    let url = format!("{kernel}/api/v1/clusters");
    post_json(&url, with_csrf(token.clone()), add_request(&sim, "lab")).await;

    let answer = reqwest::Client::new()
        .delete(format!("{url}/lab"))
        .headers(with_csrf(token))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    let (_, list) = get_json(&url, HeaderMap::new()).await;
    assert_eq!(list, json!([]));
    let restarted = kernel_with_store(dir.path(), ClusterRegistry::new()).await;
    let (_, list) = get_json(&format!("{restarted}/api/v1/clusters"), HeaderMap::new()).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn adding_a_cluster_without_the_csrf_token_is_refused_and_nothing_is_kept() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let kernel = kernel_with_store(dir.path(), ClusterRegistry::new()).await;
    let (status, answer) = post_json(
        &format!("{kernel}/api/v1/clusters"),
        HeaderMap::new(),
        add_request(&sim, "lab"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(answer["error"].as_str().unwrap().contains("x-csrf-token"));
    assert!(!dir.path().join("clusters.kubeconfig").exists());
}

#[tokio::test]
async fn a_cluster_from_the_kubeconfig_cannot_be_removed_through_the_api() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let clusters = ClusterRegistry::new();
    clusters.insert(demo_cluster(&sim));
    let kernel = kernel_with_store(dir.path(), clusters).await;
    let token = csrf_token(&kernel, HeaderMap::new()).await;
    let answer = reqwest::Client::new()
        .delete(format!("{kernel}/api/v1/clusters/demo"))
        .headers(with_csrf(token))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::CONFLICT);
    let text: Value = answer.json().await.unwrap();
    assert!(
        text["error"].as_str().unwrap().contains("kubeconfig"),
        "{text}"
    );
}

#[tokio::test]
async fn a_bad_add_request_says_what_to_send() {
    let dir = tempfile::tempdir().unwrap();
    let kernel = kernel_with_store(dir.path(), ClusterRegistry::new()).await;
    let token = csrf_token(&kernel, HeaderMap::new()).await;
    let (status, answer) = post_json(
        &format!("{kernel}/api/v1/clusters"),
        with_csrf(token),
        json!({"name": "x", "server": "not a url"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("https://HOST:PORT"),
        "{answer}"
    );
}

/// A kernel in web mode over the demo world.
async fn web_kernel(sim: &SimHandle) -> String {
    let clusters = ClusterRegistry::new();
    clusters.insert(demo_cluster(sim));
    let state = AppState {
        auth: AuthMode::Token,
        ..AppState::local(host_with(clusters).await)
    };
    serve_app(state).await
}

async fn rows_as(kernel: &str, headers: HeaderMap) -> (StatusCode, Value) {
    post_json(
        &format!("{kernel}/api/v1/tables/namespaces/rows"),
        headers,
        json!({"cluster": "demo"}),
    )
    .await
}

#[tokio::test]
async fn in_web_mode_a_request_without_a_token_is_refused_with_how_to_log_in() {
    let sim = sim().await;
    let kernel = web_kernel(&sim).await;
    let (status, answer) = rows_as(&kernel, HeaderMap::new()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(answer["error"].as_str().unwrap().contains("Bearer"));
}

#[tokio::test]
async fn in_web_mode_the_viewers_token_is_what_the_api_server_judges() {
    let sim = sim().await;
    let kernel = web_kernel(&sim).await;
    // The read-only viewer may list namespaces.
    let (status, rows) = rows_as(&kernel, bearer(sim.token("viewer").unwrap())).await;
    assert_eq!(status, StatusCode::OK, "{rows}");
    assert!(names(&rows).contains(&"shop".to_string()));
    // A token the API server does not know gets the API server's refusal, not the kernel's
    // own credentials.
    let (status, answer) = rows_as(&kernel, bearer("not-a-real-token")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
}

#[tokio::test]
async fn in_web_mode_clusters_cannot_be_added_through_the_api() {
    let sim = sim().await;
    let kernel = web_kernel(&sim).await;
    let viewer = bearer(sim.token("admin").unwrap());
    let token = csrf_token(&kernel, viewer.clone()).await;
    let mut headers = with_csrf(token);
    headers.extend(viewer);
    let (status, answer) = post_json(
        &format!("{kernel}/api/v1/clusters"),
        headers,
        add_request(&sim, "lab"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(answer["error"].as_str().unwrap().contains("operator"));
}

#[tokio::test]
async fn a_kubeconfig_user_with_an_exec_credential_plugin_reaches_its_cluster() {
    let sim = sim().await;
    let credential = json!({
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": {"token": sim.token("admin").unwrap()}
    });
    let dir = tempfile::tempdir().unwrap();
    let credential_file = dir.path().join("credential.json");
    std::fs::write(&credential_file, credential.to_string()).unwrap();
    let kubeconfig = format!(
        r#"apiVersion: v1
kind: Config
clusters:
- name: sim
  cluster: {{server: "{server}"}}
users:
- name: exec-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: cat
      args: ["{credential_file}"]
      interactiveMode: Never
contexts:
- name: via-exec
  context: {{cluster: sim, user: exec-user}}
"#,
        server = sim.url,
        credential_file = credential_file.display(),
    );
    let config = kube::config::Kubeconfig::from_yaml(&kubeconfig).unwrap();
    let clusters = ClusterRegistry::new();
    headlamp_kernel::kubeconfig::add_contexts(&config, &clusters).await;
    let kernel = serve_app(AppState::local(host_with(clusters).await)).await;
    let rows = post_rows(&kernel, "namespaces", json!({"cluster": "via-exec"})).await;
    assert!(names(&rows).contains(&"shop".to_string()), "{rows}");
}
