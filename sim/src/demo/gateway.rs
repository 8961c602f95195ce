//! The Gateway API in the demo world: its four standard CRDs (`gateway.networking.k8s.io/v1`)
//! and a class, a gateway and routes in front of the shop, as an Envoy Gateway install has.

use serde_json::{Value, json};

use super::put;
use crate::store::{Store, now_rfc3339};

/// The API group of the Gateway API.
pub const GROUP: &str = "gateway.networking.k8s.io";

/// One Gateway API CRD at `v1`, with the printer columns the upstream CRDs declare.
fn crd(plural: &str, kind: &str, scope: &str, short: &[&str], columns: Value) -> Value {
    json!({"metadata": {"name": format!("{plural}.{GROUP}"),
            "annotations": {"gateway.networking.k8s.io/bundle-version": "v1.2.1", "gateway.networking.k8s.io/channel": "standard"}},
        "spec": {"group": GROUP, "scope": scope,
            "names": {"plural": plural, "singular": kind.to_lowercase(), "kind": kind, "listKind": format!("{kind}List"),
                "shortNames": short, "categories": ["gateway-api"]},
            "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
                "additionalPrinterColumns": columns}]}})
}

/// The CRDs of GatewayClass, Gateway, HTTPRoute and GRPCRoute.
pub fn crds() -> Vec<Value> {
    let age = json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"});
    vec![
        crd(
            "gatewayclasses",
            "GatewayClass",
            "Cluster",
            &["gc"],
            json!([{"name": "Controller", "type": "string", "jsonPath": ".spec.controllerName"},
                {"name": "Accepted", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Accepted\")].status"},
                age, {"name": "Description", "type": "string", "jsonPath": ".spec.description", "priority": 1}]),
        ),
        crd(
            "gateways",
            "Gateway",
            "Namespaced",
            &["gtw"],
            json!([{"name": "Class", "type": "string", "jsonPath": ".spec.gatewayClassName"},
                {"name": "Address", "type": "string", "jsonPath": ".status.addresses[*].value"},
                {"name": "Programmed", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Programmed\")].status"},
                age]),
        ),
        crd(
            "httproutes",
            "HTTPRoute",
            "Namespaced",
            &[],
            json!([{"name": "Hostnames", "type": "string", "jsonPath": ".spec.hostnames"}, age]),
        ),
        crd(
            "grpcroutes",
            "GRPCRoute",
            "Namespaced",
            &[],
            json!([{"name": "Hostnames", "type": "string", "jsonPath": ".spec.hostnames"}, age]),
        ),
    ]
}

fn condition(kind: &str, reason: &str, message: &str) -> Value {
    json!({"type": kind, "status": "True", "reason": reason, "message": message,
        "lastTransitionTime": now_rfc3339(), "observedGeneration": 1})
}

/// The controller of the demo's class.
const CONTROLLER: &str = "gateway.envoyproxy.io/gatewayclass-controller";

/// A route's status: accepted by the shop gateway, every backend resolved.
fn route_status() -> Value {
    json!({"parents": [{"parentRef": {"group": GROUP, "kind": "Gateway", "name": "shop-gateway"},
        "controllerName": CONTROLLER,
        "conditions": [condition("Accepted", "Accepted", "Route is accepted"),
            condition("ResolvedRefs", "ResolvedRefs", "Resolved all the Object references for the Route")]}]})
}

/// Creates the CRDs, then the class `eg`, the gateway `shop/shop-gateway` (HTTP and HTTPS
/// listeners) and the routes `shop/storefront` (HTTP) and `shop/checkout-grpc` (gRPC).
pub fn populate(s: &Store) {
    for crd in crds() {
        put(
            s,
            "apiextensions.k8s.io",
            "customresourcedefinitions",
            "",
            crd,
        );
    }
    put(
        s,
        GROUP,
        "gatewayclasses",
        "",
        json!({"metadata": {"name": "eg"},
            "spec": {"controllerName": CONTROLLER, "description": "Envoy Gateway, the demo's gateway controller"},
            "status": {"conditions": [condition("Accepted", "Accepted", "Valid GatewayClass")]}}),
    );
    put(
        s,
        GROUP,
        "gateways",
        "shop",
        json!({"metadata": {"name": "shop-gateway"},
            "spec": {"gatewayClassName": "eg", "listeners": [
                {"name": "http", "protocol": "HTTP", "port": 80, "hostname": "*.shop.demo.local", "allowedRoutes": {"namespaces": {"from": "Same"}}},
                {"name": "https", "protocol": "HTTPS", "port": 443, "hostname": "*.shop.demo.local",
                    "tls": {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": "frontend-tls"}]},
                    "allowedRoutes": {"namespaces": {"from": "Same"}}}]},
            "status": {"addresses": [{"type": "IPAddress", "value": "172.18.0.200"}],
                "conditions": [condition("Accepted", "Accepted", "The Gateway has been scheduled by Envoy Gateway"),
                    condition("Programmed", "Programmed", "Address assigned to the Gateway, 1/1 envoy Deployment replicas available")],
                "listeners": [
                    {"name": "http", "attachedRoutes": 1, "supportedKinds": [{"group": GROUP, "kind": "HTTPRoute"}, {"group": GROUP, "kind": "GRPCRoute"}],
                        "conditions": [condition("Programmed", "Programmed", "Sending translated listener configuration to the data plane")]},
                    {"name": "https", "attachedRoutes": 2, "supportedKinds": [{"group": GROUP, "kind": "HTTPRoute"}, {"group": GROUP, "kind": "GRPCRoute"}],
                        "conditions": [condition("Programmed", "Programmed", "Sending translated listener configuration to the data plane")]}]}}),
    );
    put(
        s,
        GROUP,
        "httproutes",
        "shop",
        json!({"metadata": {"name": "storefront"},
            "spec": {"parentRefs": [{"name": "shop-gateway"}], "hostnames": ["www.shop.demo.local", "shop.demo.local"],
                "rules": [
                    {"matches": [{"path": {"type": "PathPrefix", "value": "/checkout"}}],
                        "backendRefs": [{"name": "checkout", "port": 8080, "weight": 1}]},
                    {"matches": [{"path": {"type": "PathPrefix", "value": "/"}, "headers": [{"name": "x-canary", "value": "true"}]}],
                        "backendRefs": [{"name": "frontend", "port": 80, "weight": 90}, {"name": "checkout", "port": 8080, "weight": 10}]},
                    {"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                        "backendRefs": [{"name": "frontend", "port": 80}]}]},
            "status": route_status()}),
    );
    put(
        s,
        GROUP,
        "grpcroutes",
        "shop",
        json!({"metadata": {"name": "checkout-grpc"},
            "spec": {"parentRefs": [{"name": "shop-gateway", "sectionName": "https"}], "hostnames": ["grpc.shop.demo.local"],
                "rules": [{"matches": [{"method": {"service": "shop.Checkout", "method": "PlaceOrder"}}],
                    "backendRefs": [{"name": "checkout", "port": 8080}]}]},
            "status": route_status()}),
    );
}
