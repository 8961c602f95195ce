//! The Gateway API views of the network plugin against kube-sim's demo world (which installs
//! the Gateway API CRDs), and the sidebar narrowed to what a cluster serves: a cluster without
//! those CRDs has no Gateway API group.

mod common;

use common::plugin_views::*;
use common::socket::*;
use common::*;
use headlamp_kernel::cluster::{Cluster, ClusterName};
use headlamp_kernel::host::PluginHost;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, PostParams};
use kube_sim::{Sim, SimConfig, SimHandle};
use serde_json::{Value, json};

/// The demo world as cluster `demo` and a cluster with nothing installed as `bare`.
async fn demo_and_bare() -> (SimHandle, SimHandle, String) {
    let (demo_sim, host) = demo().await;
    let bare = Sim::start(SimConfig::default()).await.unwrap();
    host.clusters().insert(Cluster::new(
        ClusterName::new("bare"),
        bare.client_for("admin"),
    ));
    (demo_sim, bare, serve_kernel(host).await)
}

#[tokio::test]
async fn a_cluster_serving_the_gateway_api_has_its_group_after_network() {
    let (_demo, _bare, kernel) = demo_and_bare().await;
    let registry = registry_json(&kernel, Some("demo")).await;
    assert_eq!(
        sidebar_group_routes(&registry, "gateway").expect("a Gateway API group"),
        ["/gatewayclasses", "/gateways", "/httproutes", "/grpcroutes"]
    );
    assert_sidebar_order(&registry, &["network", "gateway", "security"]);
}

#[tokio::test]
async fn a_cluster_without_the_gateway_api_has_no_gateway_group_and_keeps_the_rest() {
    let (_demo, _bare, kernel) = demo_and_bare().await;
    let bare = registry_json(&kernel, Some("bare")).await;
    assert_eq!(sidebar_group_routes(&bare, "gateway"), None);
    assert_eq!(
        sidebar_group_routes(&bare, "network").unwrap().len(),
        6,
        "every core network kind stays"
    );
    // Routes and tables stay registered, so a deep link still opens and says why it is empty.
    let tables: Vec<&str> = bare["tables"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert!(tables.contains(&"gateways"), "{tables:?}");
    // Without a cluster the registry is every plugin's, unnarrowed.
    let all = registry_json(&kernel, None).await;
    assert!(sidebar_group_routes(&all, "gateway").is_some());
}

#[tokio::test]
async fn installing_the_gateway_api_crds_brings_the_group_without_a_restart() {
    let (_demo, bare_sim, kernel) = demo_and_bare().await;
    assert_eq!(
        sidebar_group_routes(&registry_json(&kernel, Some("bare")).await, "gateway"),
        None
    );
    let crds = Api::<CustomResourceDefinition>::all(bare_sim.client());
    for crd in kube_sim::demo::gateway::crds() {
        crds.create(
            &PostParams::default(),
            &serde_json::from_value(crd).unwrap(),
        )
        .await
        .unwrap();
    }
    assert_eq!(
        sidebar_group_routes(&registry_json(&kernel, Some("bare")).await, "gateway")
            .map(|r| r.len()),
        Some(4)
    );
}

#[tokio::test]
async fn the_registry_of_an_unknown_cluster_is_a_404_that_names_it() {
    let (_demo, _bare, kernel) = demo_and_bare().await;
    let answer = reqwest::get(format!("{kernel}/api/v1/registry?cluster=nowhere"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    let body: Value = answer.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("nowhere"),
        "{body}"
    );
}

#[tokio::test]
async fn the_gateway_tables_match_their_snapshot() {
    let (_sim, host) = demo().await;
    assert_eq!(
        Value::Object(rows(&host, "gatewayclasses", None).await),
        json!({"eg": {
            "name": {"text": "eg"},
            "controller": {"text": "gateway.envoyproxy.io/gatewayclass-controller"},
            "accepted": {"text": "True", "tone": "Success"}
        }})
    );
    assert_eq!(
        Value::Object(rows(&host, "gateways", Some("shop")).await),
        json!({"shop/shop-gateway": {
            "name": {"text": "shop-gateway"},
            "namespace": {"text": "shop"},
            "class": {"text": "eg", "link": "/gatewayclasses/eg"},
            "addresses": {"text": "172.18.0.200"},
            "listeners": {"text": "http:80/HTTP, https:443/HTTPS"},
            "programmed": {"text": "True", "tone": "Success"}
        }})
    );
}

#[tokio::test]
async fn route_tables_show_hostnames_parents_rules_and_acceptance() {
    let (_sim, host) = demo().await;
    assert_eq!(
        Value::Object(rows(&host, "httproutes", Some("shop")).await),
        json!({"shop/storefront": {
            "name": {"text": "storefront"},
            "namespace": {"text": "shop"},
            "hostnames": {"text": "www.shop.demo.local, shop.demo.local"},
            "parents": {"text": "shop/shop-gateway", "link": "/gateways/shop/shop-gateway"},
            "rules": {"text": "3"},
            "accepted": {"text": "True", "tone": "Success"}
        }})
    );
    let grpc = rows(&host, "grpcroutes", Some("shop")).await;
    assert_eq!(
        text(&grpc, "shop/checkout-grpc", "parents"),
        "shop/shop-gateway:https"
    );
    assert_eq!(
        text(&grpc, "shop/checkout-grpc", "hostnames"),
        "grpc.shop.demo.local"
    );
}

#[tokio::test]
async fn a_gateway_view_lists_its_listeners_and_the_routes_attached_to_it() {
    let (_sim, host) = demo().await;
    let view = view(&host, "gateway", Some("shop"), "shop-gateway").await;
    assert_eq!(
        section_titles(&view),
        [
            "shop-gateway",
            "Listeners",
            "Conditions",
            "Routes",
            "Events",
            "YAML"
        ]
    );
    assert_eq!(
        key_values(&view, "shop-gateway")["Class"],
        json!({"value": "eg", "link": "/gatewayclasses/eg"})
    );
    let (_, listeners) = table(&view, "Listeners");
    let https: Vec<&str> = listeners[1]
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        https,
        [
            "https",
            "*.shop.demo.local",
            "443",
            "HTTPS",
            "Terminate (frontend-tls)",
            "2",
            "True"
        ]
    );
    let (_, routes) = table(&view, "Routes");
    let attached: Vec<(&str, &str)> = routes
        .iter()
        .map(|r| {
            (
                r[0]["text"].as_str().unwrap(),
                r[1]["link"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        attached,
        [
            ("HTTPRoute", "/httproutes/shop/storefront"),
            ("GRPCRoute", "/grpcroutes/shop/checkout-grpc")
        ]
    );
}

#[tokio::test]
async fn an_http_route_view_links_its_parent_and_backends_and_shows_each_parents_status() {
    let (_sim, host) = demo().await;
    let view = view(&host, "httproute", Some("shop"), "storefront").await;
    let (_, parents) = table(&view, "Parents");
    assert_eq!(parents[0][0]["link"], "/gateways/shop/shop-gateway");
    let (columns, rules) = table(&view, "Rules");
    assert_eq!(columns, ["Rule", "Matches", "Backend", "Weight", "Filters"]);
    let canary: Vec<Vec<&str>> = rules
        .iter()
        .filter(|r| r[0]["text"] == "2")
        .map(|r| r.iter().map(|c| c["text"].as_str().unwrap()).collect())
        .collect();
    assert_eq!(
        canary,
        [
            [
                "2",
                "PathPrefix /, header x-canary=true",
                "frontend:80",
                "90",
                ""
            ],
            [
                "2",
                "PathPrefix /, header x-canary=true",
                "checkout:8080",
                "10",
                ""
            ]
        ]
    );
    assert_eq!(rules[0][2]["link"], "/services/shop/checkout");
    assert!(
        section_titles(&view).contains(&"Status from shop/shop-gateway".to_owned()),
        "{:?}",
        section_titles(&view)
    );
}

#[tokio::test]
async fn a_gateway_class_view_lists_the_gateways_using_it() {
    let (_sim, host) = demo().await;
    let view = view(&host, "gatewayclass", None, "eg").await;
    let (_, gateways) = table(&view, "Gateways");
    assert_eq!(gateways.len(), 1);
    assert_eq!(
        gateways[0][0],
        json!({"text": "shop-gateway", "link": "/gateways/shop/shop-gateway"})
    );
    assert_eq!(
        key_values(&view, "eg")["Controller"]["value"],
        "gateway.envoyproxy.io/gatewayclass-controller"
    );
}

#[tokio::test]
async fn a_new_http_route_reaches_the_live_table() {
    let (sim, host): (SimHandle, PluginHost) = demo().await;
    let kernel = serve_kernel(host).await;
    let url = format!("{}/api/v1/stream", kernel.replacen("http://", "ws://", 1));
    let mut socket = connect(&url).await;
    send(
        &mut socket,
        json!({"type": "subscribe-table", "id": "hr", "cluster": "demo", "table": "httproutes",
               "namespace": "shop", "labelSelector": null}),
    )
    .await;
    let snapshot = next_where(&mut socket, "snapshot", is("table-snapshot", "hr")).await;
    let parents = snapshot["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == "parents")
        .unwrap();
    let gvk = GroupVersionKind::gvk("gateway.networking.k8s.io", "v1", "HTTPRoute");
    let api: Api<DynamicObject> = Api::namespaced_with(
        sim.client(),
        "shop",
        &ApiResource::from_gvk_with_plural(&gvk, "httproutes"),
    );
    let route: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": "grafana", "namespace": "shop"},
        "spec": {"parentRefs": [{"name": "shop-gateway", "sectionName": "http"}],
                 "rules": [{"backendRefs": [{"name": "grafana", "namespace": "monitoring", "port": 3000}]}]}
    }))
    .unwrap();
    api.create(&PostParams::default(), &route).await.unwrap();
    let message = next_where(&mut socket, "upsert of grafana", |m| {
        is("rows", "hr")(m)
            && m["upserts"]
                .as_array()
                .is_some_and(|u| u.iter().any(|r| r["object"]["name"] == "grafana"))
    })
    .await;
    let row = message["upserts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["object"]["name"] == "grafana")
        .unwrap();
    assert_eq!(row["cells"][parents]["text"], "shop/shop-gateway:http");
}
