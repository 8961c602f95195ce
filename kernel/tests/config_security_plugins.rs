//! The built-in config and security plugins against kube-sim's demo world: the cells of each
//! table, the nodes of each details view, secrets hidden until revealed, a live table per
//! plugin, and one whole table per plugin as a snapshot.

mod common;

use common::plugin_views::*;
use common::socket::*;
use common::*;
use k8s_openapi::api::core::v1::{ConfigMap, Event};
use k8s_openapi::api::rbac::v1::RoleBinding;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

#[tokio::test]
async fn the_registry_groups_security_then_configuration_after_network() {
    let (_sim, host) = demo().await;
    let kernel = serve_kernel(host).await;
    let registry = registry_json(&kernel, None).await;
    let sidebar = registry["sidebar"].as_array().unwrap();
    let entry = |group: &str| {
        sidebar
            .iter()
            .find(|e| e["id"] == group)
            .unwrap_or_else(|| panic!("no sidebar group {group}: {sidebar:?}"))
    };
    let routes = |group: &str| -> Vec<String> {
        sidebar_group_routes(&registry, group).unwrap_or_else(|| panic!("no group {group}"))
    };
    assert_eq!(entry("config")["label"], "Configuration");
    assert_eq!(
        routes("config"),
        [
            "/configmaps",
            "/secrets",
            "/horizontalpodautoscalers",
            "/poddisruptionbudgets",
            "/resourcequotas",
            "/limitranges",
            "/priorityclasses",
            "/runtimeclasses",
            "/leases",
            "/mutatingwebhookconfigurations",
            "/validatingwebhookconfigurations"
        ]
    );
    assert_eq!(
        routes("security"),
        [
            "/serviceaccounts",
            "/roles",
            "/clusterroles",
            "/rolebindings",
            "/clusterrolebindings"
        ]
    );
    assert_sidebar_order(&registry, &["network", "security", "config"]);
}

#[tokio::test]
async fn the_configmaps_table_counts_data_keys() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "configmaps", None).await;
    assert_eq!(text(&rows, "shop/frontend-config", "data"), "2");
    assert_eq!(text(&rows, "kube-system/coredns", "data"), "1");
}

#[tokio::test]
async fn the_secrets_table_matches_its_snapshot() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "secrets", Some("shop")).await;
    let expected = json!({
        "shop/ci-deployer-token": {
            "name": {"text": "ci-deployer-token"},
            "namespace": {"text": "shop"},
            "type": {"text": "kubernetes.io/service-account-token"},
            "data": {"text": "3"}
        },
        "shop/db-credentials": {
            "name": {"text": "db-credentials"},
            "namespace": {"text": "shop"},
            "type": {"text": "Opaque"},
            "data": {"text": "2"}
        },
        "shop/frontend-tls": {
            "name": {"text": "frontend-tls"},
            "namespace": {"text": "shop"},
            "type": {"text": "kubernetes.io/tls"},
            "data": {"text": "2"}
        },
        "shop/registry-credentials": {
            "name": {"text": "registry-credentials"},
            "namespace": {"text": "shop"},
            "type": {"text": "kubernetes.io/dockerconfigjson"},
            "data": {"text": "1"}
        }
    });
    assert_eq!(Value::Object(rows), expected);
}

#[tokio::test]
async fn the_quota_table_splits_request_and_limit_as_kubectl_does() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "resourcequotas", None).await;
    assert_eq!(
        text(&rows, "shop/shop-quota", "request"),
        "pods: 9/50, requests.cpu: 450m/8, requests.memory: 576Mi/16Gi"
    );
    assert_eq!(text(&rows, "shop/shop-quota", "limit"), "");
}

#[tokio::test]
async fn the_limit_ranges_table_lists_the_types() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "limitranges", None).await;
    assert_eq!(text(&rows, "shop/defaults", "types"), "Container");
}

#[tokio::test]
async fn the_webhook_tables_count_the_webhooks() {
    let (_sim, host) = demo().await;
    let mutating = rows(&host, "mutatingwebhookconfigurations", None).await;
    assert_eq!(text(&mutating, "sidecar-injector", "webhooks"), "1");
    let validating = rows(&host, "validatingwebhookconfigurations", None).await;
    assert_eq!(text(&validating, "policy-check", "webhooks"), "1");
}

#[tokio::test]
async fn a_configmap_view_shows_each_key_as_a_code_block() {
    let (_sim, host) = demo().await;
    let v = view(&host, "configmap", Some("shop"), "frontend-config").await;
    assert_eq!(
        section_titles(&v),
        ["frontend-config", "Data", "Events", "YAML"]
    );
    let code = |key: &str| -> Value {
        section(&v, key)
            .into_iter()
            .find_map(|n| n["kind"].get("Code"))
            .unwrap_or_else(|| panic!("no code block for {key}: {v}"))
            .clone()
    };
    assert_eq!(
        code("FEATURE_FLAGS"),
        json!(["text", "new-cart,fast-checkout"])
    );
    assert!(
        code("nginx.conf")[1]
            .as_str()
            .unwrap()
            .contains("proxy_pass http://checkout:8080"),
        "{v}"
    );
}

#[tokio::test]
async fn an_event_about_a_configmap_shows_in_its_view() {
    let (sim, host) = demo().await;
    let configmaps: Api<ConfigMap> = Api::namespaced(sim.client(), "shop");
    let uid = configmaps
        .get("frontend-config")
        .await
        .unwrap()
        .metadata
        .uid
        .unwrap();
    let event: Event = serde_json::from_value(json!({
        "metadata": {"name": "frontend-config.reload", "namespace": "shop"},
        "involvedObject": {"kind": "ConfigMap", "name": "frontend-config", "namespace": "shop", "uid": uid},
        "type": "Warning", "reason": "ReloadFailed", "message": "nginx rejected the new config", "count": 1
    }))
    .unwrap();
    Api::<Event>::namespaced(sim.client(), "shop")
        .create(&PostParams::default(), &event)
        .await
        .unwrap();
    let v = view(&host, "configmap", Some("shop"), "frontend-config").await;
    let (columns, events) = table(&v, "Events");
    assert_eq!(columns, ["Type", "Reason", "Message", "Count", "Last seen"]);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        events[0][..3],
        [
            json!({"text": "Warning", "tone": "Warning"}),
            json!({"text": "ReloadFailed"}),
            json!({"text": "nginx rejected the new config"})
        ]
    );
}

#[tokio::test]
async fn a_secret_view_shows_sizes_and_no_values() {
    let (_sim, host) = demo().await;
    let v = view(&host, "secret", Some("shop"), "db-credentials").await;
    assert_eq!(
        section_titles(&v),
        ["db-credentials", "Data", "Events", "YAML"]
    );
    assert_eq!(key_values(&v, "db-credentials")["Type"]["value"], "Opaque");
    let (columns, data) = table(&v, "Data");
    assert_eq!(columns, ["Key", "Size"]);
    assert_eq!(
        data,
        [
            vec![json!({"text": "password"}), json!({"text": "9 bytes"})],
            vec![json!({"text": "username"}), json!({"text": "4 bytes"})]
        ]
    );
    let everything = v.to_string();
    for value in ["czNjcjN0LXB3", "s3cr3t-pw", "c2hvcA=="] {
        assert!(!everything.contains(value), "{value} is in the view: {v}");
    }
    let link = section(&v, "Data")
        .into_iter()
        .find_map(|n| n["kind"].get("Link"))
        .expect("a reveal link");
    assert_eq!(
        *link,
        json!(["Reveal values", "/secrets/shop/db-credentials/reveal"])
    );
}

#[tokio::test]
async fn revealing_a_secret_shows_its_values_decoded() {
    let (_sim, host) = demo().await;
    let v = view(&host, "secret-values", Some("shop"), "db-credentials").await;
    let code = |key: &str| -> Value {
        section(&v, key)
            .into_iter()
            .find_map(|n| n["kind"].get("Code"))
            .unwrap_or_else(|| panic!("no value for {key}: {v}"))
            .clone()
    };
    assert_eq!(code("password"), json!(["text", "s3cr3t-pw"]));
    assert_eq!(code("username"), json!(["text", "shop"]));
    assert_eq!(
        key_values(&v, "db-credentials")["Values"],
        json!({"value": "Hide values", "link": "/secrets/shop/db-credentials"})
    );
}

#[tokio::test]
async fn a_binary_secret_value_is_revealed_as_a_hex_dump() {
    let (_sim, host) = demo().await;
    let v = view(&host, "secret-values", Some("shop"), "ci-deployer-token").await;
    let ca = section(&v, "ca.crt");
    assert!(
        ca.iter()
            .any(|n| n["kind"]["Text"] == "Binary, 6 bytes; shown as a hex dump."),
        "{v}"
    );
    let dump = ca
        .iter()
        .find_map(|n| n["kind"].get("Code"))
        .expect("a hex dump");
    assert_eq!(dump[0], "hex");
    assert!(
        dump[1]
            .as_str()
            .unwrap()
            .starts_with("00000000  30 82 01 00 ff 00"),
        "{dump}"
    );
}

#[tokio::test]
async fn a_quota_view_has_a_usage_table_and_a_gauge_per_resource() {
    let (_sim, host) = demo().await;
    let v = view(&host, "resourcequota", Some("shop"), "shop-quota").await;
    assert_eq!(
        section_titles(&v),
        ["shop-quota", "Usage", "Events", "YAML"]
    );
    let (columns, usage) = table(&v, "Usage");
    assert_eq!(columns, ["Resource", "Used", "Hard", "Percent"]);
    assert_eq!(
        usage[0],
        [
            json!({"text": "pods"}),
            json!({"text": "9"}),
            json!({"text": "50"}),
            json!({"text": "18%", "tone": "Success"})
        ]
    );
    let gauges: Vec<&Value> = section(&v, "Usage")
        .into_iter()
        .filter_map(|n| n["kind"].get("Chart"))
        .collect();
    assert_eq!(gauges.len(), 3, "{v}");
    let memory = gauges
        .iter()
        .find(|g| g[1] == "requests.memory (576Mi of 16Gi)")
        .expect("a memory gauge");
    assert_eq!(memory[0], "Gauge");
    assert_eq!(memory[2][0]["value"], 0.5625);
    assert_eq!(memory[3], 16.0);
}

#[tokio::test]
async fn a_limit_range_view_lists_limits_per_type_and_resource() {
    let (_sim, host) = demo().await;
    let v = view(&host, "limitrange", Some("shop"), "defaults").await;
    assert_eq!(section_titles(&v), ["defaults", "Limits", "Events", "YAML"]);
    let (columns, limits) = table(&v, "Limits");
    assert_eq!(
        columns,
        [
            "Type",
            "Resource",
            "Min",
            "Max",
            "Default Request",
            "Default Limit",
            "Max Limit/Request Ratio"
        ]
    );
    let texts: Vec<Vec<&str>> = limits
        .iter()
        .map(|r| r.iter().map(|c| c["text"].as_str().unwrap()).collect())
        .collect();
    assert_eq!(
        texts,
        [
            ["Container", "cpu", "", "", "50m", "500m", ""],
            ["Container", "memory", "", "", "64Mi", "256Mi", ""]
        ]
    );
}

#[tokio::test]
async fn webhook_views_show_client_rules_and_failure_policy() {
    let (_sim, host) = demo().await;
    let v = view(
        &host,
        "mutatingwebhookconfiguration",
        None,
        "sidecar-injector",
    )
    .await;
    assert_eq!(
        section_titles(&v),
        ["sidecar-injector", "Webhooks", "Events", "YAML"]
    );
    let (columns, hooks) = table(&v, "Webhooks");
    assert_eq!(
        columns,
        ["Name", "Client", "Rules", "Failure Policy", "Side Effects"]
    );
    assert_eq!(
        hooks[0],
        [
            json!({"text": "sidecar.demo.headlamp.dev"}),
            json!({"text": "kube-system/sidecar-injector:443/inject", "link": "/services/kube-system/sidecar-injector"}),
            json!({"text": "CREATE core/v1 pods"}),
            json!({"text": "Ignore", "tone": "Neutral"}),
            json!({"text": "None"})
        ]
    );
    let v = view(
        &host,
        "validatingwebhookconfiguration",
        None,
        "policy-check",
    )
    .await;
    let (_, hooks) = table(&v, "Webhooks");
    assert_eq!(
        hooks[0][1],
        json!({"text": "https://policy.demo.local/validate"})
    );
    assert_eq!(
        hooks[0][2],
        json!({"text": "CREATE, UPDATE apps/v1 deployments"})
    );
    assert_eq!(hooks[0][3], json!({"text": "Fail", "tone": "Warning"}));
}

#[tokio::test]
async fn the_service_accounts_table_counts_secrets() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "serviceaccounts", None).await;
    assert_eq!(text(&rows, "shop/ci-deployer", "secrets"), "1");
    assert_eq!(text(&rows, "shop/frontend", "secrets"), "0");
    assert_eq!(text(&rows, "kube-system/default", "secrets"), "0");
}

#[tokio::test]
async fn the_role_tables_count_rules() {
    let (_sim, host) = demo().await;
    let roles = rows(&host, "roles", None).await;
    assert_eq!(text(&roles, "shop/pod-reader", "rules"), "1");
    let cluster_roles = rows(&host, "clusterroles", None).await;
    assert_eq!(text(&cluster_roles, "cluster-admin", "rules"), "2");
    assert_eq!(text(&cluster_roles, "system:basic-user", "rules"), "1");
}

#[tokio::test]
async fn the_role_bindings_table_links_the_role() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "rolebindings", None).await;
    assert_eq!(
        rows["shop/frontend-pod-reader"]["role"],
        json!({"text": "Role/pod-reader", "link": "/roles/shop/pod-reader"})
    );
    assert_eq!(
        text(&rows, "shop/frontend-pod-reader", "subjects"),
        "ServiceAccount shop/frontend"
    );
}

#[tokio::test]
async fn the_cluster_role_bindings_table_matches_its_snapshot() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "clusterrolebindings", None).await;
    let expected = json!({
        "ci-deployer-view": {
            "name": {"text": "ci-deployer-view"},
            "role": {"text": "ClusterRole/view-all-but-secrets", "link": "/clusterroles/view-all-but-secrets"},
            "subjects": {"text": "ServiceAccount shop/ci-deployer, Group ci"}
        },
        "cluster-admin": {
            "name": {"text": "cluster-admin"},
            "role": {"text": "ClusterRole/cluster-admin", "link": "/clusterroles/cluster-admin"},
            "subjects": {"text": "Group system:masters"}
        },
        "system:basic-user": {
            "name": {"text": "system:basic-user"},
            "role": {"text": "ClusterRole/system:basic-user", "link": "/clusterroles/system:basic-user"},
            "subjects": {"text": "Group system:authenticated"}
        },
        "viewers": {
            "name": {"text": "viewers"},
            "role": {"text": "ClusterRole/view-all-but-secrets", "link": "/clusterroles/view-all-but-secrets"},
            "subjects": {"text": "Group viewers"}
        }
    });
    assert_eq!(Value::Object(rows), expected);
}

#[tokio::test]
async fn a_role_view_lists_its_rules() {
    let (_sim, host) = demo().await;
    let v = view(&host, "role", Some("shop"), "pod-reader").await;
    assert_eq!(
        section_titles(&v),
        ["pod-reader", "Rules", "Events", "YAML"]
    );
    let (columns, rules) = table(&v, "Rules");
    assert_eq!(
        columns,
        ["API Groups", "Resources", "Resource Names", "Verbs"]
    );
    assert_eq!(
        rules,
        [vec![
            json!({"text": "core"}),
            json!({"text": "pods, pods/log"}),
            json!({"text": ""}),
            json!({"text": "get, list, watch"})
        ]]
    );
}

#[tokio::test]
async fn a_cluster_role_view_shows_non_resource_urls() {
    let (_sim, host) = demo().await;
    let v = view(&host, "clusterrole", None, "cluster-admin").await;
    let (columns, rules) = table(&v, "Rules");
    assert_eq!(columns[2], "Non-Resource URLs");
    assert_eq!(rules[1][2], json!({"text": "*"}));
    assert_eq!(rules[0][0], json!({"text": "*"}));
}

#[tokio::test]
async fn a_role_binding_view_links_its_role_and_service_account() {
    let (_sim, host) = demo().await;
    let v = view(&host, "rolebinding", Some("shop"), "frontend-pod-reader").await;
    assert_eq!(
        section_titles(&v),
        ["frontend-pod-reader", "Subjects", "Events", "YAML"]
    );
    assert_eq!(
        key_values(&v, "frontend-pod-reader")["Role"],
        json!({"value": "Role/pod-reader", "link": "/roles/shop/pod-reader"})
    );
    let (columns, subjects) = table(&v, "Subjects");
    assert_eq!(columns, ["Kind", "Name", "Namespace"]);
    assert_eq!(
        subjects,
        [vec![
            json!({"text": "ServiceAccount"}),
            json!({"text": "frontend", "link": "/serviceaccounts/shop/frontend"}),
            json!({"text": "shop"})
        ]]
    );
}

#[tokio::test]
async fn a_service_account_view_links_its_secrets_and_bindings() {
    let (_sim, host) = demo().await;
    let v = view(&host, "serviceaccount", Some("shop"), "ci-deployer").await;
    assert_eq!(
        section_titles(&v),
        ["ci-deployer", "Secrets", "Bindings", "Events", "YAML"]
    );
    let (_, secrets) = table(&v, "Secrets");
    assert_eq!(
        secrets,
        [
            vec![
                json!({"text": "ci-deployer-token", "link": "/secrets/shop/ci-deployer-token"}),
                json!({"text": "Mountable"})
            ],
            vec![
                json!({"text": "registry-credentials", "link": "/secrets/shop/registry-credentials"}),
                json!({"text": "Image pull"})
            ]
        ]
    );
    let (_, bindings) = table(&v, "Bindings");
    assert_eq!(
        bindings,
        [vec![
            json!({"text": "ClusterRoleBinding/ci-deployer-view", "link": "/clusterrolebindings/ci-deployer-view"}),
            json!({"text": "ClusterRole/view-all-but-secrets", "link": "/clusterroles/view-all-but-secrets"})
        ]]
    );
}

/// The kernel's API (the stream included) for the demo world; the stream's ws:// URL.
async fn stream_url() -> (kube_sim::SimHandle, String) {
    let (sim, host) = demo().await;
    let kernel = serve_kernel(host).await;
    let url = format!("{}/api/v1/stream", kernel.replacen("http://", "ws://", 1));
    (sim, url)
}

/// The cell of `column` in the first upserted row named `name` of a `rows` message.
fn upserted<'m>(message: &'m Value, name: &str, column: usize) -> Option<&'m Value> {
    message["upserts"]
        .as_array()?
        .iter()
        .find(|r| r["object"]["name"] == name)
        .map(|r| &r["cells"][column])
}

fn column(snapshot: &Value, id: &str) -> usize {
    snapshot["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == id)
        .unwrap_or_else(|| panic!("no column {id} in {}", snapshot["columns"]))
}

#[tokio::test]
async fn a_key_added_to_a_configmap_reaches_the_live_table() {
    let (sim, url) = stream_url().await;
    let mut socket = connect(&url).await;
    send(
        &mut socket,
        json!({"type": "subscribe-table", "id": "cm", "cluster": "demo", "table": "configmaps",
               "namespace": "shop", "labelSelector": null}),
    )
    .await;
    let snapshot = next_where(&mut socket, "snapshot", is("table-snapshot", "cm")).await;
    let data = column(&snapshot, "data");
    let patch = json!({"data": {"NEW_KEY": "on"}});
    Api::<ConfigMap>::namespaced(sim.client(), "shop")
        .patch(
            "frontend-config",
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await
        .unwrap();
    let rows = next_where(&mut socket, "upsert of frontend-config", |m| {
        is("rows", "cm")(m) && upserted(m, "frontend-config", data).is_some()
    })
    .await;
    assert_eq!(
        upserted(&rows, "frontend-config", data).unwrap()["text"],
        "3"
    );
}

#[tokio::test]
async fn a_new_role_binding_reaches_the_live_table() {
    let (sim, url) = stream_url().await;
    let mut socket = connect(&url).await;
    send(
        &mut socket,
        json!({"type": "subscribe-table", "id": "rb", "cluster": "demo", "table": "rolebindings",
               "namespace": null, "labelSelector": null}),
    )
    .await;
    let snapshot = next_where(&mut socket, "snapshot", is("table-snapshot", "rb")).await;
    let role = column(&snapshot, "role");
    let binding: RoleBinding = serde_json::from_value(json!({
        "metadata": {"name": "grafana-reader", "namespace": "monitoring"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view-all-but-secrets"},
        "subjects": [{"kind": "ServiceAccount", "name": "grafana", "namespace": "monitoring"}]
    }))
    .unwrap();
    Api::<RoleBinding>::namespaced(sim.client(), "monitoring")
        .create(&PostParams::default(), &binding)
        .await
        .unwrap();
    let rows = next_where(&mut socket, "upsert of grafana-reader", |m| {
        is("rows", "rb")(m) && upserted(m, "grafana-reader", role).is_some()
    })
    .await;
    assert_eq!(
        upserted(&rows, "grafana-reader", role).unwrap()["link"],
        "/clusterroles/view-all-but-secrets"
    );
}
