//! The network plugin, driven natively through the SDK's harness.

use headlamp_plugin_network::{INGRESSES_TABLE, NetworkPlugin, SERVICE_VIEW, SERVICES_TABLE};
use headlamp_plugin_sdk::testing::Harness;
use headlamp_plugin_sdk::{NodeKind, RouteTarget, View};
use serde_json::{Value, json};

fn harness() -> Harness {
    let mut h = Harness::new(NetworkPlugin);
    h.init().expect("init succeeds");
    h
}

fn service(name: &str, selector: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": "shop", "creationTimestamp": "2024-02-29T00:00:00Z"},
        "spec": {"type": "NodePort", "clusterIP": "10.96.0.5", "selector": selector,
                 "ports": [{"name": "http", "port": 80, "targetPort": "web", "nodePort": 30080, "protocol": "TCP"}]}})
}

fn texts(row: &[headlamp_plugin_sdk::Cell]) -> Vec<&str> {
    row.iter().map(|c| c.text.as_str()).collect()
}

fn table(view: &View, section: &str) -> headlamp_plugin_sdk::TableNode {
    let index = view.find_section(section).expect("section exists");
    view.children_of(index)
        .find_map(|n| match &n.kind {
            NodeKind::Table(t) => Some(t.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no table in section `{section}`"))
}

#[test]
fn the_gateway_api_is_a_group_of_its_own_between_network_and_security() {
    let reg = Harness::new(NetworkPlugin).init().unwrap();
    let group = reg.sidebar.iter().find(|e| e.id == "gateway").unwrap();
    assert_eq!((group.label.as_str(), group.order), ("Gateway API", 45));
    let links: Vec<(&str, Option<&str>)> = reg
        .sidebar
        .iter()
        .filter(|e| e.parent.as_deref() == Some("gateway"))
        .map(|e| (e.label.as_str(), e.route.as_deref()))
        .collect();
    assert_eq!(
        links,
        [
            ("Gateway Classes", Some("/gatewayclasses")),
            ("Gateways", Some("/gateways")),
            ("HTTP Routes", Some("/httproutes")),
            ("gRPC Routes", Some("/grpcroutes")),
        ]
    );
    let classes = reg
        .tables
        .iter()
        .find(|t| t.id == "gatewayclasses")
        .unwrap();
    assert!(!classes.namespaced);
    assert_eq!(classes.kind.group, "gateway.networking.k8s.io");
}

#[test]
fn init_registers_the_network_group_with_a_table_and_view_per_kind() {
    let reg = Harness::new(NetworkPlugin).init().unwrap();
    let group = reg.sidebar.iter().find(|e| e.id == "network").unwrap();
    assert_eq!((group.label.as_str(), group.order), ("Network", 40));
    let tables: Vec<_> = reg.tables.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        tables,
        [
            "services",
            "endpoints",
            "endpointslices",
            "ingresses",
            "ingressclasses",
            "networkpolicies",
            "gatewayclasses",
            "gateways",
            "httproutes",
            "grpcroutes"
        ]
    );
    let target = |path: &str| {
        reg.routes
            .iter()
            .find(|r| r.path == path)
            .unwrap()
            .target
            .clone()
    };
    assert_eq!(
        target("/services/:namespace/:name"),
        RouteTarget::Details(SERVICE_VIEW.into())
    );
    assert_eq!(
        target("/ingressclasses/:name"),
        RouteTarget::Details("ingressclass".into())
    );
    let classes = reg
        .tables
        .iter()
        .find(|t| t.id == "ingressclasses")
        .unwrap();
    assert!(!classes.namespaced);
    assert_eq!(
        classes.details_route.as_deref(),
        Some("/ingressclasses/:name")
    );
}

#[test]
fn service_rows_follow_kubectl() {
    let h = harness();
    let rows = h
        .rows(
            SERVICES_TABLE,
            &["external-ip", "ports", "selector"],
            &[service("web", json!({"app": "web", "tier": "front"})).to_string()],
        )
        .unwrap();
    assert_eq!(
        texts(&rows[0]),
        ["<none>", "80:30080/TCP", "app=web, tier=front"]
    );
}

#[test]
fn a_service_view_reads_its_endpoints_and_links_the_pods() {
    let h = harness();
    h.insert(json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "web", "namespace": "shop"},
        "subsets": [{"addresses": [{"ip": "10.244.0.7", "nodeName": "node-1", "targetRef": {"kind": "Pod", "name": "web-1", "namespace": "shop"}}],
                     "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}]}));
    let view = h
        .render_details(
            SERVICE_VIEW,
            &service("web", json!({"app": "web"})).to_string(),
        )
        .unwrap();
    let ports = table(&view, "Ports");
    assert_eq!(texts(&ports.rows[0]), ["http", "80", "web", "TCP", "30080"]);
    let endpoints = table(&view, "Endpoints");
    assert_eq!(
        texts(&endpoints.rows[0]),
        ["10.244.0.7", "Yes", "node-1", "Pod/web-1", "http:8080/TCP"]
    );
    assert_eq!(
        endpoints.rows[0][3].link.as_deref(),
        Some("/pods/shop/web-1")
    );
    assert_eq!(h.calls()[0].verb, "get");
}

#[test]
fn a_service_view_without_endpoints_says_so() {
    let h = harness();
    let view = h
        .render_details(
            SERVICE_VIEW,
            &service("web", json!({"app": "web"})).to_string(),
        )
        .unwrap();
    let section = view.find_section("Endpoints").unwrap();
    assert!(view.children_of(section).any(
        |n| matches!(&n.kind, NodeKind::Empty(m) if m.contains("no pod matches the selector"))
    ));
}

#[test]
fn ingress_rows_link_the_class() {
    let h = harness();
    let ingress = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"ingressClassName": "nginx", "rules": [{"host": "a.example.com"}]},
        "status": {"loadBalancer": {"ingress": [{"hostname": "lb.example.com"}]}}});
    let rows = h
        .rows(
            INGRESSES_TABLE,
            &["class", "hosts", "address", "ports"],
            &[ingress.to_string()],
        )
        .unwrap();
    assert_eq!(
        texts(&rows[0]),
        ["nginx", "a.example.com", "lb.example.com", "80"]
    );
    assert_eq!(rows[0][0].link.as_deref(), Some("/ingressclasses/nginx"));
}

#[test]
fn manifest_asks_only_for_reads_of_network_kinds() {
    let manifest = include_str!("../plugin.toml");
    assert!(manifest.contains(r#"name = "network""#));
    assert!(manifest.contains(
        r#"resources = ["services", "endpoints", "endpointslices.discovery.k8s.io", "ingresses.networking.k8s.io", "ingressclasses.networking.k8s.io", "networkpolicies.networking.k8s.io"]"#
    ));
    assert!(manifest.contains(r#"verbs = ["get", "list", "watch"]"#));
}
