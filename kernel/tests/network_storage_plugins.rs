//! The built-in network and storage plugins against kube-sim's demo world: the cells of each
//! table, the nodes of each details view, and one whole table per plugin as a snapshot.

mod common;

use std::time::Duration;

use common::plugin_views::*;
use common::*;
use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim, Service};
use kube::api::{Api, PostParams};
use serde_json::{Value, json};

#[tokio::test]
async fn the_registry_groups_storage_and_network_as_headlamp_does() {
    let (_sim, host) = demo().await;
    let kernel = serve_kernel(host).await;
    let registry = registry_json(&kernel, None).await;
    let sidebar = registry["sidebar"].as_array().unwrap();
    let routes = |group: &str| -> Vec<String> {
        sidebar_group_routes(&registry, group)
            .unwrap_or_else(|| panic!("no sidebar group {group}: {sidebar:?}"))
    };
    assert_eq!(
        routes("storage"),
        [
            "/persistentvolumeclaims",
            "/persistentvolumes",
            "/storageclasses"
        ]
    );
    assert_eq!(
        routes("network"),
        [
            "/services",
            "/endpoints",
            "/endpointslices",
            "/ingresses",
            "/ingressclasses",
            "/networkpolicies"
        ]
    );
    assert_sidebar_order(&registry, &["workloads", "storage", "network"]);
}

#[tokio::test]
async fn the_services_table_shows_type_addresses_ports_and_selector() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "services", None).await;
    let row = |name: &str| -> Vec<&str> {
        ["type", "cluster-ip", "external-ip", "ports", "selector"]
            .iter()
            .map(|c| text(&rows, name, c))
            .collect()
    };
    assert_eq!(
        row("shop/frontend"),
        [
            "LoadBalancer",
            "10.96.10.1",
            "192.168.49.100",
            "80:31080/TCP",
            "app=frontend"
        ]
    );
    assert_eq!(
        row("kube-system/kube-dns"),
        [
            "ClusterIP",
            "10.96.0.10",
            "<none>",
            "53/UDP, 53/TCP",
            "app=coredns"
        ]
    );
    assert_eq!(
        row("default/kubernetes"),
        ["ClusterIP", "10.96.0.1", "<none>", "443/TCP", ""]
    );
    assert_eq!(text(&rows, "shop/postgres", "cluster-ip"), "None");
}

#[tokio::test]
async fn a_service_view_has_its_ports_and_the_endpoints_of_its_ready_pods() {
    let (_sim, host) = demo().await;
    // The demo's kubelet makes pods ready a moment after the cluster comes up.
    let mut v = view(&host, "service", Some("shop"), "cart").await;
    for _ in 0..50 {
        if table_rows_in(&v, "Endpoints") >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        v = view(&host, "service", Some("shop"), "cart").await;
    }
    assert_eq!(
        section_titles(&v),
        ["cart", "Ports", "Endpoints", "Events", "YAML"]
    );
    let header = key_values(&v, "cart");
    assert_eq!(header["Type"]["value"], "ClusterIP");
    assert_eq!(header["Cluster IP"]["value"], "10.96.10.2");
    assert_eq!(header["Selector"]["value"], "app=cart");
    let (columns, ports) = table(&v, "Ports");
    assert_eq!(
        columns,
        ["Name", "Port", "Target Port", "Protocol", "Node Port"]
    );
    let texts: Vec<Vec<&str>> = ports
        .iter()
        .map(|r| r.iter().map(|c| c["text"].as_str().unwrap()).collect())
        .collect();
    assert_eq!(texts, [["http", "6379", "6379", "TCP", ""]]);
    let (columns, endpoints) = table(&v, "Endpoints");
    assert_eq!(columns, ["Address", "Ready", "Node", "Target", "Ports"]);
    assert_eq!(endpoints.len(), 2, "{endpoints:?}");
    for row in &endpoints {
        let target = row[3]["text"].as_str().unwrap();
        let pod = target.strip_prefix("Pod/cart-").expect("a cart pod");
        assert_eq!(row[3]["link"], format!("/pods/shop/cart-{pod}"));
        assert_eq!(row[1]["text"], "Yes");
        assert_eq!(row[4]["text"], "http:6379/TCP");
    }
}

#[tokio::test]
async fn a_service_without_a_selector_says_why_it_has_no_endpoints() {
    let (_sim, host) = demo().await;
    let v = view(&host, "service", Some("default"), "kubernetes").await;
    let empty = section(&v, "Endpoints")
        .into_iter()
        .find_map(|n| n["kind"]["Empty"].as_str())
        .expect("an empty state");
    assert!(empty.contains("no selector"), "{empty}");
}

#[tokio::test]
async fn the_ingresses_table_matches_its_snapshot() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "ingresses", Some("shop")).await;
    let expected = json!({
        "shop/api": {
            "name": {"text": "api"},
            "namespace": {"text": "shop"},
            "class": {"text": "nginx", "link": "/ingressclasses/nginx"},
            "hosts": {"text": "api.shop.demo.local"},
            "address": {"text": "192.168.49.100"},
            "ports": {"text": "80"}
        },
        "shop/frontend": {
            "name": {"text": "frontend"},
            "namespace": {"text": "shop"},
            "class": {"text": "nginx", "link": "/ingressclasses/nginx"},
            "hosts": {"text": "shop.demo.local"},
            "address": {"text": "192.168.49.100"},
            "ports": {"text": "80, 443"}
        }
    });
    assert_eq!(Value::Object(rows), expected);
}

#[tokio::test]
async fn an_ingress_view_lists_its_rules_with_backends_linked_to_services() {
    let (_sim, host) = demo().await;
    let v = view(&host, "ingress", Some("shop"), "api").await;
    assert_eq!(section_titles(&v), ["api", "Rules", "Events", "YAML"]);
    let header = key_values(&v, "api");
    assert_eq!(
        header["Class"],
        json!({"value": "nginx", "link": "/ingressclasses/nginx"})
    );
    let (columns, rules) = table(&v, "Rules");
    assert_eq!(columns, ["Host", "Path", "Path Type", "Backend"]);
    assert_eq!(
        rules,
        [
            vec![
                json!({"text": "api.shop.demo.local"}),
                json!({"text": "/checkout"}),
                json!({"text": "Prefix"}),
                json!({"text": "checkout:8080", "link": "/services/shop/checkout"}),
            ],
            vec![
                json!({"text": "api.shop.demo.local"}),
                json!({"text": "/"}),
                json!({"text": "Prefix"}),
                json!({"text": "frontend:http", "link": "/services/shop/frontend"}),
            ],
        ]
    );
}

#[tokio::test]
async fn ingress_classes_mark_the_default() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "ingressclasses", None).await;
    assert_eq!(text(&rows, "nginx", "controller"), "k8s.io/ingress-nginx");
    assert_eq!(text(&rows, "nginx", "default"), "Yes");
    let v = view(&host, "ingressclass", None, "nginx").await;
    assert_eq!(key_values(&v, "nginx")["Default"]["value"], "Yes");
}

#[tokio::test]
async fn endpoints_and_slices_follow_the_ready_pods() {
    let (_sim, host) = demo().await;
    let mut endpoints = rows(&host, "endpoints", Some("shop")).await;
    for _ in 0..50 {
        if text(&endpoints, "shop/checkout", "endpoints") != "<none>" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        endpoints = rows(&host, "endpoints", Some("shop")).await;
    }
    // Two checkout pods, each on the target port.
    let checkout = text(&endpoints, "shop/checkout", "endpoints");
    assert_eq!(checkout.matches(":8080").count(), 2, "{checkout}");
    let slices = rows(&host, "endpointslices", Some("shop")).await;
    assert_eq!(text(&slices, "shop/checkout-sim", "address-type"), "IPv4");
    assert_eq!(text(&slices, "shop/checkout-sim", "ports"), "8080");
    let v = view(&host, "endpointslice", Some("shop"), "checkout-sim").await;
    assert_eq!(
        key_values(&v, "checkout-sim")["Service"],
        json!({"value": "checkout", "link": "/services/shop/checkout"})
    );
    let (columns, _) = table(&v, "Endpoints");
    assert_eq!(columns, ["Addresses", "Ready", "Node", "Target"]);
}

#[tokio::test]
async fn network_policies_show_selector_types_and_rules() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "networkpolicies", Some("shop")).await;
    assert_eq!(
        text(&rows, "shop/db-allow-backend", "pod-selector"),
        "app=postgres"
    );
    assert_eq!(
        text(&rows, "shop/db-allow-backend", "policy-types"),
        "Ingress"
    );
    assert_eq!(
        text(&rows, "shop/frontend-egress", "policy-types"),
        "Egress"
    );
    let v = view(&host, "networkpolicy", Some("shop"), "frontend-egress").await;
    assert_eq!(
        section_titles(&v),
        ["frontend-egress", "Egress rules", "Events", "YAML"]
    );
    let (columns, rules) = table(&v, "Egress rules");
    assert_eq!(columns, ["To", "Ports"]);
    assert_eq!(
        rules,
        [
            vec![
                json!({"text": "pods app=checkout"}),
                json!({"text": "8080/TCP"})
            ],
            vec![
                json!({"text": "namespaces kubernetes.io/metadata.name=kube-system / pods app=coredns"}),
                json!({"text": "53/UDP, 53/TCP"})
            ],
        ]
    );
    let v = view(&host, "networkpolicy", Some("shop"), "db-allow-backend").await;
    let (_, rules) = table(&v, "Ingress rules");
    assert_eq!(
        rules,
        [vec![
            json!({"text": "pods app=checkout"}),
            json!({"text": "5432/TCP"})
        ]]
    );
}

#[tokio::test]
async fn the_persistent_volumes_table_matches_its_snapshot() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "persistentvolumes", None).await;
    let expected = json!({
        "pv-archive": {
            "name": {"text": "pv-archive"},
            "capacity": {"text": "100Gi"},
            "access-modes": {"text": "ROX, RWX"},
            "reclaim-policy": {"text": "Retain"},
            "status": {"text": "Released", "tone": "Warning"},
            "claim": {"text": "shop/archive", "link": "/persistentvolumeclaims/shop/archive"},
            "storage-class": {"text": "fast-retain", "link": "/storageclasses/fast-retain"}
        },
        "pv-grafana-data": {
            "name": {"text": "pv-grafana-data"},
            "capacity": {"text": "5Gi"},
            "access-modes": {"text": "RWO"},
            "reclaim-policy": {"text": "Retain"},
            "status": {"text": "Bound", "tone": "Success"},
            "claim": {"text": "monitoring/grafana-data", "link": "/persistentvolumeclaims/monitoring/grafana-data"},
            "storage-class": {"text": "fast-retain", "link": "/storageclasses/fast-retain"}
        },
        "pvc-postgres-0": {
            "name": {"text": "pvc-postgres-0"},
            "capacity": {"text": "10Gi"},
            "access-modes": {"text": "RWO"},
            "reclaim-policy": {"text": "Delete"},
            "status": {"text": "Bound", "tone": "Success"},
            "claim": {"text": "shop/data-postgres-0", "link": "/persistentvolumeclaims/shop/data-postgres-0"},
            "storage-class": {"text": "standard", "link": "/storageclasses/standard"}
        }
    });
    assert_eq!(Value::Object(rows), expected);
}

#[tokio::test]
async fn the_claims_table_shows_status_volume_modes_and_class() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "persistentvolumeclaims", None).await;
    assert_eq!(
        rows["shop/data-postgres-0"]["status"],
        json!({"text": "Bound", "tone": "Success"})
    );
    assert_eq!(
        rows["shop/data-postgres-0"]["volume"],
        json!({"text": "pvc-postgres-0", "link": "/persistentvolumes/pvc-postgres-0"})
    );
    assert_eq!(text(&rows, "shop/data-postgres-0", "capacity"), "10Gi");
    assert_eq!(text(&rows, "shop/data-postgres-0", "access-modes"), "RWO");
    assert_eq!(
        rows["shop/uploads"]["status"],
        json!({"text": "Pending", "tone": "Warning"})
    );
    assert_eq!(rows["shop/uploads"]["volume"], json!({"text": ""}));
    assert_eq!(text(&rows, "shop/uploads", "access-modes"), "RWX");
    assert_eq!(
        rows["monitoring/grafana-data"]["storage-class"],
        json!({"text": "fast-retain", "link": "/storageclasses/fast-retain"})
    );
}

#[tokio::test]
async fn claims_and_volumes_link_to_each_other_in_their_views() {
    let (_sim, host) = demo().await;
    let claim = view(
        &host,
        "persistentvolumeclaim",
        Some("shop"),
        "data-postgres-0",
    )
    .await;
    assert_eq!(
        section_titles(&claim),
        ["data-postgres-0", "Events", "YAML"]
    );
    let header = key_values(&claim, "data-postgres-0");
    assert_eq!(
        header["Volume"],
        json!({"value": "pvc-postgres-0", "link": "/persistentvolumes/pvc-postgres-0"})
    );
    assert_eq!(header["Capacity"]["value"], "10Gi");
    assert_eq!(header["Access modes"]["value"], "RWO");
    let volume = view(&host, "persistentvolume", None, "pvc-postgres-0").await;
    let header = key_values(&volume, "pvc-postgres-0");
    assert_eq!(
        header["Claim"],
        json!({"value": "shop/data-postgres-0", "link": "/persistentvolumeclaims/shop/data-postgres-0"})
    );
    assert_eq!(header["Source"]["value"], "hostPath /data/pvc-postgres-0");
    assert_eq!(header["Reclaim policy"]["value"], "Delete");
    let archive = view(&host, "persistentvolume", None, "pv-archive").await;
    assert_eq!(
        key_values(&archive, "pv-archive")["Source"]["value"],
        "nfs /exports/archive"
    );
}

#[tokio::test]
async fn storage_classes_mark_the_default_and_list_their_volumes() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "storageclasses", None).await;
    let row = |name: &str| -> Vec<&str> {
        ["provisioner", "reclaim-policy", "binding-mode", "default"]
            .iter()
            .map(|c| text(&rows, name, c))
            .collect()
    };
    assert_eq!(
        row("standard"),
        [
            "sim.headlamp.dev/hostpath",
            "Delete",
            "WaitForFirstConsumer",
            "Yes"
        ]
    );
    assert_eq!(
        row("fast-retain"),
        ["sim.headlamp.dev/ssd", "Retain", "Immediate", ""]
    );
    let v = view(&host, "storageclass", None, "fast-retain").await;
    assert_eq!(
        section_titles(&v),
        ["fast-retain", "Persistent volumes", "Events", "YAML"]
    );
    assert_eq!(
        key_values(&v, "fast-retain")["Volume expansion"]["value"],
        "Allowed"
    );
    let (columns, volumes) = table(&v, "Persistent volumes");
    assert_eq!(columns, ["Name", "Capacity", "Status", "Claim"]);
    let names: Vec<&Value> = volumes.iter().map(|r| &r[0]).collect();
    assert_eq!(
        names,
        [
            &json!({"text": "pv-archive", "link": "/persistentvolumes/pv-archive"}),
            &json!({"text": "pv-grafana-data", "link": "/persistentvolumes/pv-grafana-data"})
        ]
    );
}

/// Records a warning event about the object `kind` `namespace/name` with `uid`.
async fn record_warning(
    sim: &kube_sim::SimHandle,
    kind: &str,
    name: &str,
    uid: &str,
    reason: &str,
) {
    let event: Event = serde_json::from_value(json!({
        "metadata": {"name": format!("{name}.{reason}"), "namespace": "shop"},
        "involvedObject": {"kind": kind, "name": name, "namespace": "shop", "uid": uid},
        "type": "Warning", "reason": reason, "message": format!("{reason} on {name}"), "count": 1
    }))
    .unwrap();
    Api::<Event>::namespaced(sim.client(), "shop")
        .create(&PostParams::default(), &event)
        .await
        .unwrap();
}

/// The reasons in the events table of a details view.
fn event_reasons(view: &Value) -> Vec<String> {
    let (_, events) = table(view, "Events");
    events
        .iter()
        .map(|e| e[1]["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn events_about_a_service_and_a_claim_show_in_their_views() {
    let (sim, host) = demo().await;
    let service = Api::<Service>::namespaced(sim.client(), "shop")
        .get("cart")
        .await
        .unwrap();
    record_warning(
        &sim,
        "Service",
        "cart",
        &service.metadata.uid.unwrap(),
        "SyncFailed",
    )
    .await;
    let claim = Api::<PersistentVolumeClaim>::namespaced(sim.client(), "shop")
        .get("data-postgres-0")
        .await
        .unwrap();
    let uid = claim.metadata.uid.unwrap();
    record_warning(
        &sim,
        "PersistentVolumeClaim",
        "data-postgres-0",
        &uid,
        "ResizeFailed",
    )
    .await;
    let v = view(&host, "service", Some("shop"), "cart").await;
    assert_eq!(event_reasons(&v), ["SyncFailed"]);
    let v = view(
        &host,
        "persistentvolumeclaim",
        Some("shop"),
        "data-postgres-0",
    )
    .await;
    assert_eq!(event_reasons(&v), ["ResizeFailed"]);
}
