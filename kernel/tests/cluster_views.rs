//! The built-in cluster plugin against kube-sim's demo world: the rows of every table, the
//! parts of every details view, the overview with and without metrics, CRDs with their
//! instances and the custom resource page, row actions on nodes, and a live nodes table.

mod common;
#[path = "common/demo_world.rs"]
mod demo_world;

use common::plugin_views::{assert_sidebar_order, registry_json};
use common::socket::*;
use common::*;
use demo_world::*;
use headlamp_kernel::access::AccessCache;
use headlamp_kernel::identity::Identity;
use headlamp_kernel::registry::MergedRegistry;
use headlamp_kernel::stream::{self, StreamState};
use headlamp_kernel::tables::{self, RowsQuery};
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube_sim::{Sim, SimConfig};
use serde_json::{Value, json};

/// The sidebar routes under group `group` of the registry the kernel serves.
fn group_routes(registry: &Value, group: &str) -> Vec<String> {
    common::plugin_views::sidebar_group_routes(registry, group)
        .unwrap_or_else(|| panic!("no sidebar group {group}: {}", registry["sidebar"]))
}

#[tokio::test]
async fn the_sidebar_has_the_cluster_and_custom_resources_groups_in_headlamps_order() {
    let (_sim, host) = demo().await;
    let kernel = serve_kernel(host).await;
    let registry = registry_json(&kernel, None).await;
    assert_eq!(
        group_routes(&registry, "cluster"),
        ["/overview", "/namespaces", "/nodes", "/events"]
    );
    assert_eq!(group_routes(&registry, "customresources"), ["/crds"]);
    assert_sidebar_order(&registry, &["cluster", "network", "customresources"]);
}

/// Pods holding resources on each node in the sim's store (not Succeeded or Failed).
fn pods_per_node(sim: &kube_sim::SimHandle) -> std::collections::HashMap<String, usize> {
    let store = sim.store();
    let (pods, _) = store.list(&store.def("", "pods"), None);
    let mut counts = std::collections::HashMap::new();
    for pod in pods
        .iter()
        .filter(|p| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
    {
        if let Some(node) = pod["spec"]["nodeName"].as_str() {
            *counts.entry(node.to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

#[tokio::test]
async fn the_nodes_table_shows_status_roles_version_address_usage_and_pods() {
    let (sim, host) = demo().await;
    // The demo's every-minute cron job adds and finishes pods meanwhile: the count shown lies
    // between the counts before and after the rows were computed.
    let before = pods_per_node(&sim);
    let rows = rows(&host, "nodes", None).await;
    let after = pods_per_node(&sim);
    assert_eq!(rows.len(), 3);
    assert_eq!(text(&rows, "node-1", "status"), "Ready");
    assert_eq!(rows["node-1"]["status"]["tone"], "Success");
    assert_eq!(text(&rows, "node-1", "roles"), "control-plane");
    assert_eq!(text(&rows, "node-2", "roles"), "worker");
    assert_eq!(text(&rows, "node-3", "version"), "v1.32.0");
    assert_eq!(text(&rows, "node-2", "internal-ip"), "10.0.0.12");
    for node in ["node-1", "node-2", "node-3"] {
        let cpu = text(&rows, node, "cpu");
        let memory = text(&rows, node, "memory");
        assert!(
            cpu.ends_with('%') && memory.ends_with('%'),
            "{node}: {cpu} {memory}"
        );
        let shown: usize = text(&rows, node, "pods").parse().unwrap();
        let (a, b) = (
            before.get(node).copied().unwrap_or(0),
            after.get(node).copied().unwrap_or(0),
        );
        assert!(
            shown >= a.min(b) && shown <= a.max(b),
            "{node}: {shown} pods, store had {a} then {b}"
        );
        assert!(shown > 0, "{node} runs demo pods");
    }
}

#[tokio::test]
async fn node_rows_offer_cordon_uncordon_and_drain_to_an_admin() {
    let (_sim, host) = demo().await;
    let registry = MergedRegistry::build(&host);
    let query = RowsQuery {
        cluster: "demo".into(),
        namespace: None,
        label_selector: None,
    };
    let access = AccessCache::default();
    let table = tables::rows_with_actions(
        &host,
        &access,
        &Identity::Kernel,
        &registry,
        "nodes",
        &query,
    )
    .await
    .unwrap();
    for row in &table.rows {
        for action in ["cordon", "uncordon", "drain"] {
            assert!(
                row.actions.iter().any(|a| a == action),
                "{}: {:?}",
                row.object.name,
                row.actions
            );
        }
    }
}

#[tokio::test]
async fn the_nodes_table_matches_its_snapshot() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "nodes", None).await;
    let shown: serde_json::Map<String, Value> = rows
        .iter()
        .map(|(node, cells)| {
            let cells = ["name", "status", "roles", "version", "internal-ip"]
                .iter()
                .map(|c| ((*c).to_owned(), cell_json(&cells[*c])))
                .collect();
            (node.clone(), Value::Object(cells))
        })
        .collect();
    let node = |name: &str, role: &str, ip: &str| {
        json!({"name": {"text": name}, "status": {"text": "Ready", "tone": "Success"},
               "roles": {"text": role}, "version": {"text": "v1.32.0"}, "internal-ip": {"text": ip}})
    };
    assert_eq!(
        Value::Object(shown),
        json!({
            "node-1": node("node-1", "control-plane", "10.0.0.11"),
            "node-2": node("node-2", "worker", "10.0.0.12"),
            "node-3": node("node-3", "worker", "10.0.0.13"),
        })
    );
}

#[tokio::test]
async fn cordoning_a_node_reaches_the_live_nodes_table() {
    let (sim, host) = demo().await;
    let state = StreamState::new(std::sync::Arc::new(host));
    let app = stream::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/api/v1/stream", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut socket = connect(&url).await;
    send(
        &mut socket,
        json!({"type": "subscribe-table", "id": "n", "cluster": "demo", "table": "nodes",
               "namespace": null, "labelSelector": null}),
    )
    .await;
    let snapshot = next_where(&mut socket, "snapshot", is("table-snapshot", "n")).await;
    let status = snapshot["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == "status")
        .unwrap();

    let nodes: Api<Node> = Api::all(sim.client_for("admin"));
    let cordon = json!({"spec": {"unschedulable": true}});
    nodes
        .patch("node-3", &PatchParams::default(), &Patch::Merge(&cordon))
        .await
        .unwrap();
    let rows = next_where(&mut socket, "node-3 cordoned", |m| {
        is("rows", "n")(m)
            && m["upserts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["object"]["name"] == "node-3")
    })
    .await;
    let row = rows["upserts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["object"]["name"] == "node-3")
        .unwrap();
    assert_eq!(row["cells"][status]["text"], "Ready,SchedulingDisabled");
    assert_eq!(row["cells"][status]["tone"], "Warning");
}

#[tokio::test]
async fn a_node_view_has_conditions_capacity_taints_addresses_system_info_pods_and_events() {
    let (sim, host) = demo().await;
    let on_node_2 = || {
        let store = sim.store();
        let (all, _) = store.list(&store.def("", "pods"), None);
        all.iter()
            .filter(|p| p["spec"]["nodeName"] == "node-2")
            .count()
    };
    let before = on_node_2();
    let view = view(&host, "node", None, "node-2").await;
    let after = on_node_2();
    assert_eq!(
        section_titles(&view),
        [
            "node-2",
            "Conditions",
            "Capacity",
            "Taints",
            "Addresses",
            "System info",
            "Pods",
            "Events",
            "YAML"
        ]
    );
    let header = key_values(&view, "node-2");
    assert_eq!(header["Roles"], "worker");
    assert_eq!(header["Internal IP"], "10.0.0.12");
    let (columns, capacity) = table(&view, "Capacity");
    assert_eq!(columns, ["Resource", "Capacity", "Allocatable", "Used"]);
    let cpu = capacity.iter().find(|r| r[0]["text"] == "cpu").unwrap();
    assert_eq!(
        (cpu[1]["text"].as_str(), cpu[2]["text"].as_str()),
        (Some("4"), Some("3800m"))
    );
    assert_ne!(cpu[3]["text"], "", "usage from metrics.k8s.io");
    assert_eq!(
        key_values(&view, "System info")["Kubelet version"],
        "v1.32.0"
    );
    let (_, pods) = table(&view, "Pods");
    // The demo's cron job may add a pod meanwhile.
    assert!(
        pods.len() >= before.min(after) && pods.len() <= before.max(after),
        "{} pods listed, the store had {before} then {after}",
        pods.len()
    );
    let first = &pods[0];
    let link = first[0]["link"].as_str().unwrap();
    assert_eq!(
        link,
        format!(
            "/pods/{}/{}",
            first[1]["text"].as_str().unwrap(),
            first[0]["text"].as_str().unwrap()
        )
    );
}

#[tokio::test]
async fn the_events_table_puts_warnings_first_and_links_their_objects() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "events", None).await;
    let warning = &rows["shop/recommendations.warning"];
    assert_eq!(warning["type"]["text"], "Warning");
    assert_eq!(warning["type"]["tone"], "Warning");
    assert_eq!(warning["object"]["text"], "Deployment/recommendations");
    assert_eq!(
        warning["object"]["link"],
        "/deployments/shop/recommendations"
    );
    assert_eq!(warning["count"]["text"], "12");
    let key = |row: &Value| row["type"]["sort"].as_f64().unwrap();
    let normals: Vec<&Value> = rows
        .values()
        .filter(|r| r["type"]["text"] == "Normal")
        .collect();
    assert!(!normals.is_empty(), "the controllers record normal events");
    for normal in normals {
        assert!(key(warning) > key(normal), "{warning} sorts after {normal}");
    }
}

#[tokio::test]
async fn an_event_view_links_the_object_and_has_no_events_of_its_own() {
    let (_sim, host) = demo().await;
    let view = view(&host, "event", Some("shop"), "recommendations.warning").await;
    assert_eq!(section_titles(&view), ["recommendations.warning", "YAML"]);
    let header = key_values(&view, "recommendations.warning");
    assert_eq!(header["Reason"], "Unhealthy");
    assert_eq!(
        key_link(&view, "recommendations.warning", "Object").as_deref(),
        Some("/deployments/shop/recommendations")
    );
}

#[tokio::test]
async fn leases_priority_classes_and_runtime_classes_have_their_columns() {
    let (_sim, host) = demo().await;
    let leases = rows(&host, "leases", None).await;
    assert_eq!(text(&leases, "kube-node-lease/node-2", "holder"), "node-2");
    let classes = rows(&host, "priorityclasses", None).await;
    assert_eq!(text(&classes, "shop-critical", "value"), "100000");
    assert_eq!(text(&classes, "shop-critical", "global-default"), "false");
    assert_eq!(
        text(&classes, "shop-critical", "preemption"),
        "PreemptLowerPriority"
    );
    let runtimes = rows(&host, "runtimeclasses", None).await;
    assert_eq!(text(&runtimes, "gvisor", "handler"), "runsc");
}

#[tokio::test]
async fn every_cluster_details_view_has_metadata_its_parts_events_and_yaml() {
    let (_sim, host) = demo().await;
    let lease = view(&host, "lease", Some("kube-node-lease"), "node-1").await;
    assert_eq!(section_titles(&lease), ["node-1", "Events", "YAML"]);
    assert_eq!(
        key_link(&lease, "node-1", "Holder").as_deref(),
        Some("/nodes/node-1")
    );
    let class = view(&host, "priorityclass", None, "shop-critical").await;
    assert_eq!(section_titles(&class), ["shop-critical", "Events", "YAML"]);
    assert_eq!(key_values(&class, "shop-critical")["Value"], "100000");
    assert_eq!(
        key_values(&class, "shop-critical")["Description"],
        "Checkout path"
    );
    let runtime = view(&host, "runtimeclass", None, "gvisor").await;
    assert_eq!(
        section_titles(&runtime),
        ["gvisor", "Tolerations", "Events", "YAML"]
    );
    assert_eq!(key_values(&runtime, "gvisor")["Handler"], "runsc");
    let namespace = view(&host, "namespace", None, "shop").await;
    assert_eq!(section_titles(&namespace), ["shop", "Events", "YAML"]);
    let crd = view(&host, "crd", None, "widgets.demo.headlamp.dev").await;
    assert_eq!(
        section_titles(&crd),
        [
            "widgets.demo.headlamp.dev",
            "Versions",
            "Printer columns",
            "Instances",
            "Conditions",
            "Events",
            "YAML"
        ]
    );
}

#[tokio::test]
async fn the_crds_table_lists_group_kind_scope_and_versions() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "crds", None).await;
    let crd = "widgets.demo.headlamp.dev";
    assert_eq!(text(&rows, crd, "group"), "demo.headlamp.dev");
    assert_eq!(text(&rows, crd, "kind"), "Widget");
    assert_eq!(text(&rows, crd, "scope"), "Namespaced");
    assert_eq!(text(&rows, crd, "versions"), "v1");
}

#[tokio::test]
async fn a_crd_view_lists_its_instances_by_printer_columns_each_linked() {
    let (_sim, host) = demo().await;
    let view = view(&host, "crd", None, "widgets.demo.headlamp.dev").await;
    let (columns, versions) = table(&view, "Versions");
    assert_eq!(columns, ["Name", "Served", "Storage", "Deprecated"]);
    assert_eq!(versions[0][0]["text"], "v1");
    assert_eq!(versions[0][2]["text"], "true");
    let (_, printer) = table(&view, "Printer columns");
    let names: Vec<&str> = printer
        .iter()
        .map(|r| r[0]["text"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Size", "Color", "Ready", "Age"]);
    let (columns, instances) = table(&view, "Instances");
    assert_eq!(
        columns,
        ["Name", "Namespace", "Size", "Color", "Ready", "Age"]
    );
    let shown: Vec<Vec<&str>> = instances
        .iter()
        .map(|r| r[..5].iter().map(|c| c["text"].as_str().unwrap()).collect())
        .collect();
    assert_eq!(
        shown,
        [
            ["widget-c", "default", "1", "green", "false"],
            ["widget-a", "shop", "3", "red", "true"],
            ["widget-b", "shop", "5", "blue", "true"],
        ]
    );
    assert_eq!(
        instances[1][0]["link"],
        "/customresources/widgets.demo.headlamp.dev/shop/widget-a"
    );
}

#[tokio::test]
async fn a_custom_resource_page_shows_printer_columns_spec_status_events_and_yaml() {
    let (_sim, host) = demo().await;
    let params = [
        ("crd", "widgets.demo.headlamp.dev"),
        ("namespace", "shop"),
        ("name", "widget-b"),
    ];
    let view = page(&host, "cluster", "customresource", None, &params)
        .await
        .unwrap();
    assert_eq!(
        section_titles(&view),
        ["widget-b", "Spec", "Status", "Events", "YAML"]
    );
    let header = key_values(&view, "widget-b");
    assert_eq!(header["Kind"], "Widget");
    assert_eq!(header["Size"], "5");
    assert_eq!(header["Color"], "blue");
    assert_eq!(
        key_link(&view, "widget-b", "Definition").as_deref(),
        Some("/crds/widgets.demo.headlamp.dev")
    );
    assert_eq!(key_values(&view, "Spec")["color"], "blue");
    assert_eq!(key_values(&view, "Status")["ready"], "true");
}

#[tokio::test]
async fn a_custom_resource_page_for_a_missing_object_says_what_it_looked_for() {
    let (_sim, host) = demo().await;
    let params = [
        ("crd", "widgets.demo.headlamp.dev"),
        ("namespace", "shop"),
        ("name", "nope"),
    ];
    let error = page(&host, "cluster", "customresource", None, &params)
        .await
        .unwrap_err();
    assert!(error.contains("Widget shop/nope"), "{error}");
}

/// The data of the chart titled starting with `title`, as `{label: value}`.
fn chart(view: &Value, title: &str) -> serde_json::Map<String, Value> {
    let chart = nodes_of(view, "Chart")
        .into_iter()
        .find(|c| c[1].as_str().unwrap().starts_with(title))
        .unwrap_or_else(|| panic!("no chart {title:?} in {view}"));
    chart[2]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["label"].as_str().unwrap().to_owned(), d["value"].clone()))
        .collect()
}

#[tokio::test]
async fn the_overview_counts_nodes_pods_usage_workloads_and_warnings() {
    let (sim, host) = demo().await;
    let store = sim.store();
    let before = store.list(&store.def("", "pods"), None).0.len() as f64;
    let view = page(&host, "cluster", "overview", None, &[]).await.unwrap();
    let after = store.list(&store.def("", "pods"), None).0.len() as f64;
    assert_eq!(
        section_titles(&view),
        [
            "Nodes",
            "Pods",
            "Resource usage",
            "Workloads",
            "Recent warnings"
        ]
    );
    let nodes = chart(&view, "Nodes");
    assert_eq!(
        (nodes["Ready"].as_f64(), nodes["Not ready"].as_f64()),
        (Some(3.0), Some(0.0))
    );
    let phases = chart(&view, "Pods by phase");
    let counted: f64 = phases.values().map(|v| v.as_f64().unwrap()).sum();
    // The demo's cron job adds pods meanwhile; the pie counts what there was at render time.
    assert!(
        counted >= before.min(after) && counted <= before.max(after),
        "{counted} pods charted, the store had {before} then {after}"
    );
    assert!(phases["Running"].as_f64().unwrap() > 0.0, "{phases:?}");
    let cpu = nodes_of(&view, "Chart")
        .into_iter()
        .find(|c| c[1].as_str().unwrap().starts_with("CPU"))
        .expect("a CPU gauge");
    assert_eq!(cpu[0], "Gauge");
    let allocatable = cpu[3].as_f64().unwrap();
    assert!(
        (allocatable - 11.4).abs() < 1e-9,
        "3 nodes of 3800m allocatable: {allocatable}"
    );
    let (_, warnings) = table(&view, "Recent warnings");
    assert_eq!(warnings[0][0]["text"], "Deployment/recommendations");
    assert_eq!(warnings[0][0]["link"], "/deployments/shop/recommendations");
    let (_, workloads) = table(&view, "Workloads");
    assert_eq!(workloads[0][0]["text"], "Deployments");
    assert_eq!(workloads[0][2]["text"], "7");
}

#[tokio::test]
async fn the_overview_of_a_cluster_without_metrics_says_usage_needs_them() {
    let sim = Sim::start(SimConfig {
        demo: false,
        controllers: false,
        churn: false,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let nodes: Api<Node> = Api::all(sim.client_for("admin"));
    for name in ["bare-1", "bare-2"] {
        let node: Node = serde_json::from_value(json!({
            "metadata": {"name": name},
            "status": {"allocatable": {"cpu": "2", "memory": "4Gi"},
                       "conditions": [{"type": "Ready", "status": "True"}]}
        }))
        .unwrap();
        nodes.create(&PostParams::default(), &node).await.unwrap();
    }
    let host = host_for(&sim).await;
    let view = page(&host, "cluster", "overview", None, &[]).await.unwrap();
    let nodes = chart(&view, "Nodes");
    assert_eq!(nodes["Ready"].as_f64(), Some(2.0));
    assert!(
        nodes_of(&view, "Chart").iter().all(|c| c[0] != "Gauge"),
        "no gauges without metrics: {view}"
    );
    let usage = section(&view, "Resource usage");
    assert_eq!(usage[0]["kind"]["Badge"][1], "Info");
    assert!(
        usage[1]["kind"]["Text"]
            .as_str()
            .unwrap()
            .contains("metrics"),
        "{usage:?}"
    );
}

#[tokio::test]
async fn the_map_of_the_shop_namespace_joins_ingress_service_pods_nodes_and_volumes() {
    let (sim, host) = demo().await;
    let view = page(&host, "map", "map", None, &[("namespace", "shop")])
        .await
        .unwrap();
    let graph = nodes_of(&view, "Graph");
    let (vertices, edges) = (
        graph[0][0].as_array().unwrap(),
        graph[0][1].as_array().unwrap(),
    );
    let ids: Vec<&str> = vertices.iter().map(|v| v["id"].as_str().unwrap()).collect();
    let store = sim.store();
    let (pods, _) = store.list(&store.def("", "pods"), Some("shop"));
    for pod in &pods {
        let id = format!("Pod/shop/{}", pod["metadata"]["name"].as_str().unwrap());
        assert!(ids.contains(&id.as_str()), "{id} missing from {ids:?}");
    }
    for id in [
        "Ingress/shop/frontend",
        "Service/shop/frontend",
        "Deployment/shop/frontend",
        "StatefulSet/shop/postgres",
        "PersistentVolumeClaim/shop/data-postgres-0",
        "PersistentVolume/pvc-postgres-0",
        "Node/node-2",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert!(!ids.iter().any(|id| id.contains("/monitoring/")), "{ids:?}");
    let has = |source: &str, target_prefix: &str, label: &str| {
        edges.iter().any(|e| {
            e["source"] == source
                && e["target"].as_str().unwrap().starts_with(target_prefix)
                && e["label"] == label
        })
    };
    assert!(has(
        "Ingress/shop/frontend",
        "Service/shop/frontend",
        "routes to"
    ));
    assert!(has(
        "Service/shop/frontend",
        "Pod/shop/frontend-",
        "selects"
    ));
    assert!(has(
        "Deployment/shop/frontend",
        "ReplicaSet/shop/frontend-",
        "owns"
    ));
    assert!(has(
        "StatefulSet/shop/postgres",
        "Pod/shop/postgres-0",
        "owns"
    ));
    assert!(has(
        "Pod/shop/postgres-0",
        "PersistentVolumeClaim/shop/data-postgres-0",
        "mounts"
    ));
    assert!(has(
        "PersistentVolumeClaim/shop/data-postgres-0",
        "PersistentVolume/pvc-postgres-0",
        "bound to"
    ));
    assert!(has("Pod/shop/db-migrate-x7k2p", "Node/node-2", "runs on"));
    let known: Vec<&str> = ids.clone();
    for edge in edges {
        for end in ["source", "target"] {
            assert!(
                known.contains(&edge[end].as_str().unwrap()),
                "dangling {edge}"
            );
        }
    }
}
