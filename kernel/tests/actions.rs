//! `POST /api/v1/actions` and the actions rows carry, against kube-sim started in-process.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use futures::{SinkExt, StreamExt};
use headlamp_kernel::api::AppState;
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::host::PluginHost;
use headlamp_kernel::identity::AuthMode;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Node, Pod};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube_sim::{Sim, SimConfig, SimHandle};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

/// Every wait in these tests is bounded by this.
const WAIT: Duration = Duration::from_secs(15);

/// kube-sim's demo world and the kernel (in web mode: every request carries a token) serving
/// it as the cluster `demo`, on loopback ports picked now.
struct Setup {
    sim: SimHandle,
    url: String,
    http: reqwest::Client,
}

async fn start() -> Setup {
    let sim = Sim::start(SimConfig {
        churn: false,
        ..SimConfig::demo()
    })
    .await
    .unwrap();
    let clusters = ClusterRegistry::new();
    clusters.insert(
        Cluster::from_config(ClusterName::new("demo"), sim.config_for("admin").unwrap()).unwrap(),
    );
    let host = PluginHost::new(test_limits(), None, Arc::new(clusters)).unwrap();
    for plugin in builtin_plugins() {
        host.load(plugin).await.unwrap();
    }
    let state = AppState {
        auth: AuthMode::Token,
        ..AppState::local(Arc::new(host))
    };
    let url = serve_app(state).await;
    Setup {
        sim,
        url,
        http: reqwest::Client::new(),
    }
}

impl Setup {
    fn token(&self, user: &str) -> String {
        self.sim.token(user).unwrap().to_string()
    }

    /// The CSRF token the kernel issues to `user`.
    async fn csrf(&self, user: &str) -> String {
        let answer: Value = self
            .http
            .get(format!("{}/api/v1/csrf", self.url))
            .bearer_auth(self.token(user))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["token"].as_str().unwrap().to_string()
    }

    /// Runs an action as `user`, with a valid CSRF token; the status and JSON answer.
    async fn act(&self, user: &str, body: Value) -> (StatusCode, Value) {
        let csrf = self.csrf(user).await;
        let response = self
            .http
            .post(format!("{}/api/v1/actions", self.url))
            .bearer_auth(self.token(user))
            .header("x-csrf-token", csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    /// `POST /api/v1/tables/{table}/rows` as `user`.
    async fn rows(&self, user: &str, table: &str, query: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/api/v1/tables/{table}/rows", self.url))
            .bearer_auth(self.token(user))
            .json(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    fn admin<K>(&self, namespace: Option<&str>) -> Api<K>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        K::DynamicType: Default,
    {
        Api::namespaced(self.sim.client(), namespace.unwrap_or("default"))
    }
}

fn deployment(name: &str) -> Value {
    json!({"kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
           "namespace": "shop", "name": name})
}

fn node(name: &str) -> Value {
    json!({"kind": {"group": "", "version": "v1", "kind": "Node"}, "name": name})
}

fn config_map(name: &str) -> Value {
    json!({"kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
           "namespace": "default", "name": name})
}

async fn create_config_map(setup: &Setup, name: &str) -> ConfigMap {
    let object: ConfigMap = serde_json::from_value(
        json!({"metadata": {"name": name, "namespace": "default"}, "data": {"color": "blue"}}),
    )
    .unwrap();
    setup
        .admin::<ConfigMap>(None)
        .create(&PostParams::default(), &object)
        .await
        .unwrap()
}

/// Waits until `check` holds, polling.
async fn eventually<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    timeout(WAIT, async {
        while !check().await {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what} did not happen within {WAIT:?}"));
}

#[tokio::test]
async fn scaling_a_deployment_changes_its_replica_count() {
    let setup = start().await;
    let (status, answer) = setup
        .act(
            "admin",
            json!({"cluster": "demo", "action": "scale", "target": deployment("frontend"),
                   "params": {"replicas": 5}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["ok"], true);
    assert!(answer["message"].as_str().unwrap().contains("5 replicas"));
    let frontend = setup
        .admin::<Deployment>(Some("shop"))
        .get("frontend")
        .await
        .unwrap();
    assert_eq!(frontend.spec.replicas, Some(5));
}

#[tokio::test]
async fn a_rollout_restart_sets_the_restarted_at_annotation_of_the_pod_template() {
    let setup = start().await;
    let (status, answer) = setup
        .act(
            "admin",
            json!({"cluster": "demo", "action": "rollout-restart", "target": deployment("cart")}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let cart = setup
        .admin::<Deployment>(Some("shop"))
        .get("cart")
        .await
        .unwrap();
    let annotations = cart.spec.template.metadata.unwrap().annotations;
    let restarted = annotations
        .unwrap_or_default()
        .get("kubectl.kubernetes.io/restartedAt")
        .cloned()
        .expect("no restartedAt annotation on the pod template");
    assert!(
        chrono::DateTime::parse_from_rfc3339(&restarted).is_ok(),
        "{restarted}"
    );
}

#[tokio::test]
async fn delete_removes_the_object() {
    let setup = start().await;
    create_config_map(&setup, "doomed").await;
    let (status, answer) = setup
        .act(
            "admin",
            json!({"cluster": "demo", "action": "delete", "target": config_map("doomed")}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let gone = setup.admin::<ConfigMap>(None).get_opt("doomed").await;
    assert!(gone.unwrap().is_none(), "the config map is still there");
}

#[tokio::test]
async fn cordon_then_uncordon_toggles_whether_the_node_is_schedulable() {
    let setup = start().await;
    let nodes: Api<Node> = Api::all(setup.sim.client());
    let unschedulable = |node: Node| node.spec.unwrap_or_default().unschedulable == Some(true);
    let (status, answer) = setup
        .act(
            "admin",
            json!({"cluster": "demo", "action": "cordon", "target": node("node-3")}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(unschedulable(nodes.get("node-3").await.unwrap()));
    let (status, answer) = setup
        .act(
            "admin",
            json!({"cluster": "demo", "action": "uncordon", "target": node("node-3")}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(!unschedulable(nodes.get("node-3").await.unwrap()));
}

fn owned_by_daemon_set(pod: &Pod) -> bool {
    pod.metadata
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.kind == "DaemonSet")
}

async fn pods_on(setup: &Setup, node: &str) -> Vec<Pod> {
    Api::<Pod>::all(setup.sim.client())
        .list(&ListParams::default().fields(&format!("spec.nodeName={node}")))
        .await
        .unwrap()
        .items
}

#[tokio::test]
async fn drain_evicts_the_pods_of_a_node_but_not_its_daemon_set_pods() {
    let setup = start().await;
    // The demo's controllers place pods on the nodes shortly after the start.
    eventually("pods on node-2, DaemonSet-owned and not", || async {
        let pods = pods_on(&setup, "node-2").await;
        pods.iter().any(owned_by_daemon_set) && pods.iter().any(|p| !owned_by_daemon_set(p))
    })
    .await;
    let (status, answer) = setup
        .act(
            "admin",
            json!({"cluster": "demo", "action": "drain", "target": node("node-2")}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let report = &answer["drain"];
    let evicted: Vec<&str> = report["evicted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(!evicted.is_empty(), "{answer}");
    let skipped = report["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .all(|s| s["reason"].as_str().unwrap().contains("DaemonSet")),
        "{answer}"
    );
    assert!(!skipped.is_empty(), "{answer}");
    let left = pods_on(&setup, "node-2").await;
    for pod in &left {
        let key = format!(
            "{}/{}",
            pod.metadata.namespace.as_deref().unwrap_or_default(),
            pod.metadata.name.as_deref().unwrap_or_default()
        );
        assert!(
            !evicted.contains(&key.as_str()) || pod.metadata.deletion_timestamp.is_some(),
            "{key} was reported evicted but is still running on node-2"
        );
        assert!(
            owned_by_daemon_set(pod) || pod.metadata.deletion_timestamp.is_some(),
            "{key} is not a DaemonSet pod and was left on node-2"
        );
    }
    let node = Api::<Node>::all(setup.sim.client())
        .get("node-2")
        .await
        .unwrap();
    assert_eq!(node.spec.unwrap().unschedulable, Some(true));
}

#[tokio::test]
async fn an_edit_from_a_stale_resource_version_gets_409_with_the_current_object_and_a_diff() {
    let setup = start().await;
    let loaded = create_config_map(&setup, "settings").await;
    // Someone else changes the object after it was loaded.
    setup
        .admin::<ConfigMap>(None)
        .patch(
            "settings",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"color": "green"}})),
        )
        .await
        .unwrap();
    let mut edited = serde_json::to_value(&loaded).unwrap();
    edited["data"]["color"] = json!("red");
    let (status, answer) = setup
        .act(
            "admin",
            json!({"cluster": "demo", "action": "edit", "target": config_map("settings"),
                   "params": {"yaml": serde_yaml::to_string(&edited).unwrap()}}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["current"]["data"]["color"], "green");
    let diff = answer["diff"].as_str().unwrap();
    assert!(diff.contains("-  color: green"), "{diff}");
    assert!(diff.contains("+  color: red"), "{diff}");
    let now = setup
        .admin::<ConfigMap>(None)
        .get("settings")
        .await
        .unwrap();
    assert_eq!(
        now.data.unwrap()["color"],
        "green",
        "the stale edit was saved"
    );
}

#[tokio::test]
async fn an_edit_from_the_current_resource_version_is_saved() {
    let setup = start().await;
    let loaded = create_config_map(&setup, "settings").await;
    let mut edited = serde_json::to_value(&loaded).unwrap();
    edited["data"]["color"] = json!("red");
    let (status, answer) = setup
        .act(
            "admin",
            json!({"cluster": "demo", "action": "edit", "target": config_map("settings"),
                   "params": {"object": edited}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["object"]["data"]["color"], "red");
    let now = setup
        .admin::<ConfigMap>(None)
        .get("settings")
        .await
        .unwrap();
    assert_eq!(now.data.unwrap()["color"], "red");
}

#[tokio::test]
async fn an_edit_without_a_resource_version_is_refused_saying_why() {
    let setup = start().await;
    create_config_map(&setup, "settings").await;
    let edited = json!({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": "settings", "namespace": "default"},
                        "data": {"color": "red"}});
    let (status, answer) = setup
        .act(
            "admin",
            json!({"cluster": "demo", "action": "edit", "target": config_map("settings"),
                   "params": {"object": edited}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("no metadata.resourceVersion"),
        "{answer}"
    );
    let now = setup
        .admin::<ConfigMap>(None)
        .get("settings")
        .await
        .unwrap();
    assert_eq!(now.data.unwrap()["color"], "blue");
}

#[tokio::test]
async fn admin_rows_carry_the_write_actions_of_their_kind() {
    let setup = start().await;
    let table = setup
        .rows(
            "admin",
            "deployments",
            json!({"cluster": "demo", "namespace": "shop"}),
        )
        .await;
    let rows = table["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        assert_eq!(
            row["actions"],
            json!(["edit", "delete", "scale", "rollout-restart"]),
            "{row}"
        );
    }
}

#[tokio::test]
async fn the_read_only_viewer_sees_rows_without_write_actions() {
    let setup = start().await;
    let table = setup
        .rows(
            "viewer",
            "deployments",
            json!({"cluster": "demo", "namespace": "shop"}),
        )
        .await;
    let rows = table["rows"].as_array().unwrap();
    assert!(!rows.is_empty(), "the viewer may read deployments");
    for row in rows {
        assert_eq!(row["actions"], json!([]), "{row}");
    }
}

#[tokio::test]
async fn a_viewer_granted_delete_in_one_namespace_sees_only_that_action_there() {
    let setup = start().await;
    let rbac = |plural: &str, namespace: &str| {
        Api::<kube::api::DynamicObject>::namespaced_with(
            setup.sim.client(),
            namespace,
            &kube::api::ApiResource::from_gvk_with_plural(
                &kube::api::GroupVersionKind::gvk("rbac.authorization.k8s.io", "v1", ""),
                plural,
            ),
        )
    };
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "deployment-deleter", "namespace": "shop"},
        "rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["delete"]}]});
    let binding = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "viewer-deletes", "namespace": "shop"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "deployment-deleter"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "viewer"}]});
    for (plural, object) in [("roles", role), ("rolebindings", binding)] {
        rbac(plural, "shop")
            .create(
                &PostParams::default(),
                &serde_json::from_value(object).unwrap(),
            )
            .await
            .unwrap();
    }
    let table = setup
        .rows("viewer", "deployments", json!({"cluster": "demo"}))
        .await;
    let rows = table["rows"].as_array().unwrap();
    let actions_in = |namespace: &str| -> Vec<&Value> {
        rows.iter()
            .filter(|r| r["object"]["namespace"] == namespace)
            .map(|r| &r["actions"])
            .collect()
    };
    assert!(!actions_in("shop").is_empty() && !actions_in("monitoring").is_empty());
    assert!(
        actions_in("shop").iter().all(|a| **a == json!(["delete"])),
        "{table}"
    );
    assert!(
        actions_in("monitoring").iter().all(|a| **a == json!([])),
        "{table}"
    );
}

#[tokio::test]
async fn the_read_only_viewer_gets_403_with_kubernetes_text_on_a_delete() {
    let setup = start().await;
    let (status, answer) = setup
        .act(
            "viewer",
            json!({"cluster": "demo", "action": "delete", "target": deployment("frontend")}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    let error = answer["error"].as_str().unwrap();
    // Kubernetes' own refusal, after what was attempted.
    assert!(
        error.starts_with("delete Deployment shop/frontend: "),
        "{error}"
    );
    assert!(
        error.contains("User \"viewer\" cannot delete resource \"deployments\""),
        "{error}"
    );
    let still = setup
        .admin::<Deployment>(Some("shop"))
        .get_opt("frontend")
        .await
        .unwrap();
    assert!(still.is_some(), "the viewer's delete went through");
}

#[tokio::test]
async fn a_stream_snapshot_carries_each_rows_actions() {
    let setup = start().await;
    let ws_url = setup.url.replace("http://", "ws://") + "/api/v1/stream";
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(ws_url)
            .unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {}", setup.token("viewer")).parse().unwrap(),
    );
    let (mut socket, _) = timeout(WAIT, tokio_tungstenite::connect_async(request))
        .await
        .unwrap()
        .unwrap();
    let subscribe = json!({"type": "subscribe-table", "id": "d", "cluster": "demo",
                           "table": "deployments", "namespace": "shop"});
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    let snapshot = timeout(WAIT, async {
        loop {
            if let Some(Ok(Message::Text(text))) = socket.next().await {
                let value: Value = serde_json::from_str(text.as_str()).unwrap();
                if value["type"] == "table-snapshot" || value["type"] == "error" {
                    return value;
                }
            }
        }
    })
    .await
    .expect("no snapshot");
    assert_eq!(snapshot["type"], "table-snapshot", "{snapshot}");
    let rows = snapshot["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["actions"] == json!([])), "{snapshot}");
}

#[tokio::test]
async fn an_action_without_the_csrf_header_is_refused() {
    let setup = start().await;
    let response = setup
        .http
        .post(format!("{}/api/v1/actions", setup.url))
        .bearer_auth(setup.token("admin"))
        .json(&json!({"cluster": "demo", "action": "delete", "target": deployment("frontend")}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let answer: Value = response.json().await.unwrap();
    assert!(answer["error"].as_str().unwrap().contains("x-csrf-token"));
    let still = setup
        .admin::<Deployment>(Some("shop"))
        .get_opt("frontend")
        .await
        .unwrap();
    assert!(still.is_some());
}

#[tokio::test]
async fn a_malformed_body_gets_400_saying_what_to_send() {
    let setup = start().await;
    let (status, answer) = setup
        .act("admin", json!({"cluster": "demo", "verb": "delete"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let error = answer["error"].as_str().unwrap();
    assert!(error.contains("send JSON"), "{error}");
    assert!(error.contains("\"action\""), "{error}");
}

#[tokio::test]
async fn an_unknown_action_or_bad_params_get_400_listing_what_is_accepted() {
    let setup = start().await;
    let (status, answer) = setup
        .act(
            "admin",
            json!({"cluster": "demo", "action": "restart", "target": deployment("frontend")}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("rollout-restart")
    );
    let (status, answer) = setup
        .act(
            "admin",
            json!({"cluster": "demo", "action": "scale", "target": deployment("frontend"),
                   "params": {"replicas": -1}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("\"replicas\": N")
    );
}

#[tokio::test]
async fn a_plugin_action_no_plugin_declares_gets_404_listing_the_declared_ones() {
    let setup = start().await;
    let (status, answer) = setup
        .act(
            "admin",
            json!({"cluster": "demo", "action": "plugin:workloads:explode"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    let error = answer["error"].as_str().unwrap();
    assert!(
        error.contains("\"plugin:workloads:explode\"") && error.contains("plugin actions:"),
        "{error}"
    );
}
