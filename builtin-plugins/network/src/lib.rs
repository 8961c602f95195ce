//! Built-in plugin: the network views (Services, Endpoints, EndpointSlices, Ingresses,
//! IngressClasses, NetworkPolicies) and the Gateway API (GatewayClasses, Gateways,
//! HTTPRoutes, GRPCRoutes), written with the public SDK only.
//!
//! The Gateway API is a set of CRDs many clusters lack; its sidebar group shows only where
//! the cluster serves it (the kernel drops entries of unserved kinds from a cluster's sidebar).

mod classes;
pub mod endpoints;
pub mod gateways;
pub mod ingresses;
pub mod policies;
pub mod routes;
pub mod services;
pub mod slices;

use headlamp_plugin_sdk::kind::Kind;
use headlamp_plugin_sdk::prelude::*;

use routes::RouteKind;

/// The resource table of services.
pub const SERVICES_TABLE: &str = "services";
/// The resource table of endpoints.
pub const ENDPOINTS_TABLE: &str = "endpoints";
/// The resource table of endpoint slices.
pub const SLICES_TABLE: &str = "endpointslices";
/// The resource table of ingresses.
pub const INGRESSES_TABLE: &str = "ingresses";
/// The resource table of ingress classes.
pub const INGRESS_CLASSES_TABLE: &str = "ingressclasses";
/// The resource table of network policies.
pub const POLICIES_TABLE: &str = "networkpolicies";
/// The resource table of Gateway API gateway classes.
pub const GATEWAY_CLASSES_TABLE: &str = "gatewayclasses";
/// The resource table of Gateway API gateways.
pub const GATEWAYS_TABLE: &str = "gateways";
/// The resource table of Gateway API HTTP routes.
pub const HTTP_ROUTES_TABLE: &str = "httproutes";
/// The resource table of Gateway API gRPC routes.
pub const GRPC_ROUTES_TABLE: &str = "grpcroutes";

/// The details view of one service.
pub const SERVICE_VIEW: &str = "service";
/// The details view of one Endpoints object.
pub const ENDPOINTS_VIEW: &str = "endpoints";
/// The details view of one endpoint slice.
pub const SLICE_VIEW: &str = "endpointslice";
/// The details view of one ingress.
pub const INGRESS_VIEW: &str = "ingress";
/// The details view of one ingress class.
pub const INGRESS_CLASS_VIEW: &str = "ingressclass";
/// The details view of one network policy.
pub const POLICY_VIEW: &str = "networkpolicy";
/// The details view of one gateway class.
pub const GATEWAY_CLASS_VIEW: &str = "gatewayclass";
/// The details view of one gateway.
pub const GATEWAY_VIEW: &str = "gateway";
/// The details view of one HTTP route.
pub const HTTP_ROUTE_VIEW: &str = "httproute";
/// The details view of one gRPC route.
pub const GRPC_ROUTE_VIEW: &str = "grpcroute";

/// The Gateway API's group.
const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";

/// Services.
pub fn service_kind() -> Gvk {
    Gvk::core("v1", "Service")
}

/// Endpoints (one object per service).
pub fn endpoints_kind() -> Gvk {
    Gvk::core("v1", "Endpoints")
}

/// EndpointSlices.
pub fn slice_kind() -> Gvk {
    Gvk::new("discovery.k8s.io", "v1", "EndpointSlice")
}

/// Ingresses.
pub fn ingress_kind() -> Gvk {
    Gvk::new("networking.k8s.io", "v1", "Ingress")
}

/// IngressClasses.
pub fn ingress_class_kind() -> Gvk {
    Gvk::new("networking.k8s.io", "v1", "IngressClass")
}

/// NetworkPolicies.
pub fn policy_kind() -> Gvk {
    Gvk::new("networking.k8s.io", "v1", "NetworkPolicy")
}

/// Gateway API GatewayClasses.
pub fn gateway_class_kind() -> Gvk {
    Gvk::new(GATEWAY_GROUP, "v1", "GatewayClass")
}

/// Gateway API Gateways.
pub fn gateway_kind() -> Gvk {
    Gvk::new(GATEWAY_GROUP, "v1", "Gateway")
}

/// Gateway API HTTPRoutes.
pub fn http_route_kind() -> Gvk {
    Gvk::new(GATEWAY_GROUP, "v1", "HTTPRoute")
}

/// Gateway API GRPCRoutes.
pub fn grpc_route_kind() -> Gvk {
    Gvk::new(GATEWAY_GROUP, "v1", "GRPCRoute")
}

/// The route of a gateway class's details view.
pub fn gateway_class_route(name: &str) -> String {
    format!("/{GATEWAY_CLASSES_TABLE}/{name}")
}

/// The route of a gateway's details view.
pub fn gateway_route(namespace: &str, name: &str) -> String {
    format!("/{GATEWAYS_TABLE}/{namespace}/{name}")
}

/// The route of an HTTP route's details view.
pub fn http_route_route(namespace: &str, name: &str) -> String {
    format!("/{HTTP_ROUTES_TABLE}/{namespace}/{name}")
}

/// The route of a gRPC route's details view.
pub fn grpc_route_route(namespace: &str, name: &str) -> String {
    format!("/{GRPC_ROUTES_TABLE}/{namespace}/{name}")
}

/// The route of a service's details view.
pub fn service_route(namespace: &str, name: &str) -> String {
    format!("/services/{namespace}/{name}")
}

/// The route of an ingress class's details view.
pub fn ingress_class_route(name: &str) -> String {
    format!("/ingressclasses/{name}")
}

/// The network plugin.
pub struct NetworkPlugin;

/// A kind of this plugin: name (and namespace) first, its own columns, then age.
#[allow(clippy::too_many_arguments)]
fn kind(
    table: &'static str,
    label: &'static str,
    singular: &'static str,
    view: &'static str,
    gvk: Gvk,
    icon: &'static str,
    namespaced: bool,
    columns: Vec<Column>,
) -> Kind {
    let kind = if namespaced {
        Kind::namespaced(table, label, singular, view, gvk, icon)
    } else {
        Kind::cluster_scoped(table, label, singular, view, gvk, icon)
    };
    kind.columns(columns)
}

fn kinds() -> Vec<Kind> {
    vec![
        kind(
            SERVICES_TABLE,
            "Services",
            "Service",
            SERVICE_VIEW,
            service_kind(),
            "mdi:lan",
            true,
            vec![
                Column::json_path("type", "Type", ".spec.type"),
                Column::json_path("cluster-ip", "Cluster IP", ".spec.clusterIP"),
                Column::computed("external-ip", "External IP"),
                Column::computed("ports", "Ports"),
                Column::computed("selector", "Selector").format(CellFormat::Labels),
            ],
        ),
        kind(
            ENDPOINTS_TABLE,
            "Endpoints",
            "Endpoints",
            ENDPOINTS_VIEW,
            endpoints_kind(),
            "mdi:lan-connect",
            true,
            vec![Column::computed("endpoints", "Endpoints")],
        ),
        kind(
            SLICES_TABLE,
            "Endpoint Slices",
            "Endpoint Slice",
            SLICE_VIEW,
            slice_kind(),
            "mdi:lan-pending",
            true,
            vec![
                Column::json_path("address-type", "Address Type", ".addressType"),
                Column::computed("ports", "Ports"),
                Column::computed("endpoints", "Endpoints"),
            ],
        ),
        kind(
            INGRESSES_TABLE,
            "Ingresses",
            "Ingress",
            INGRESS_VIEW,
            ingress_kind(),
            "mdi:directions-fork",
            true,
            vec![
                Column::computed("class", "Class"),
                Column::computed("hosts", "Hosts"),
                Column::computed("address", "Address"),
                Column::computed("ports", "Ports"),
            ],
        ),
        kind(
            INGRESS_CLASSES_TABLE,
            "Ingress Classes",
            "Ingress Class",
            INGRESS_CLASS_VIEW,
            ingress_class_kind(),
            "mdi:folder-network-outline",
            false,
            vec![
                Column::json_path("controller", "Controller", ".spec.controller"),
                Column::computed("default", "Default"),
            ],
        ),
        kind(
            POLICIES_TABLE,
            "Network Policies",
            "Network Policy",
            POLICY_VIEW,
            policy_kind(),
            "mdi:security-network",
            true,
            vec![
                Column::computed("pod-selector", "Pod Selector"),
                Column::computed("policy-types", "Policy Types"),
            ],
        ),
    ]
}

/// The Gateway API kinds, a sidebar group of their own as in Headlamp.
fn gateway_kinds() -> Vec<Kind> {
    let route_columns = || {
        vec![
            Column::computed("hostnames", "Hostnames"),
            Column::computed("parents", "Parents"),
            Column::computed("rules", "Rules"),
            Column::computed("accepted", "Accepted"),
        ]
    };
    vec![
        kind(
            GATEWAY_CLASSES_TABLE,
            "Gateway Classes",
            "Gateway Class",
            GATEWAY_CLASS_VIEW,
            gateway_class_kind(),
            "mdi:boom-gate-outline",
            false,
            vec![
                Column::json_path("controller", "Controller", ".spec.controllerName"),
                Column::computed("accepted", "Accepted"),
            ],
        ),
        kind(
            GATEWAYS_TABLE,
            "Gateways",
            "Gateway",
            GATEWAY_VIEW,
            gateway_kind(),
            "mdi:boom-gate",
            true,
            vec![
                Column::computed("class", "Class"),
                Column::computed("addresses", "Addresses"),
                Column::computed("listeners", "Listeners"),
                Column::computed("programmed", "Programmed"),
            ],
        ),
        kind(
            HTTP_ROUTES_TABLE,
            "HTTP Routes",
            "HTTP Route",
            HTTP_ROUTE_VIEW,
            http_route_kind(),
            "mdi:routes",
            true,
            route_columns(),
        ),
        kind(
            GRPC_ROUTES_TABLE,
            "gRPC Routes",
            "gRPC Route",
            GRPC_ROUTE_VIEW,
            grpc_route_kind(),
            "mdi:transit-connection-variant",
            true,
            route_columns(),
        ),
    ]
}

/// Registers each kind under `group`, in order.
fn register(mut reg: Registration, group: &str, kinds: Vec<Kind>) -> Registration {
    for (i, kind) in kinds.into_iter().enumerate() {
        reg = kind.register(reg, group, 10 * (i32::try_from(i).unwrap_or(0) + 1));
    }
    reg
}

impl Plugin for NetworkPlugin {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        // After Cluster (0), Workloads (20) and Storage (30), as Headlamp orders its sidebar;
        // the Gateway API right after Network, before Security (50).
        let reg = Registration::new()
            .sidebar(
                SidebarEntry::group("network", "Network")
                    .icon("mdi:lan")
                    .order(40),
            )
            .sidebar(
                SidebarEntry::group("gateway", "Gateway API")
                    .icon("mdi:boom-gate")
                    .order(45),
            );
        let reg = register(reg, "network", kinds());
        let reg = register(reg, "gateway", gateway_kinds());
        Ok(reg)
    }

    fn render(&self, slot: &Slot, ctx: &RenderContext) -> Result<View, String> {
        let Slot::DetailsView(id) = slot else {
            return Err(format!(
                "the network plugin has no view for {slot:?}; it renders only details views"
            ));
        };
        let now = host::now_millis();
        match id.as_str() {
            SERVICE_VIEW => services::view(ctx.require_object()?, &ctx.cluster, now),
            ENDPOINTS_VIEW => endpoints::view(ctx.require_object()?, &ctx.cluster, now),
            SLICE_VIEW => slices::view(ctx.require_object()?, &ctx.cluster, now),
            INGRESS_VIEW => ingresses::view(ctx.require_object()?, &ctx.cluster, now),
            INGRESS_CLASS_VIEW => classes::view(ctx.require_object()?, &ctx.cluster, now),
            POLICY_VIEW => policies::view(ctx.require_object()?, &ctx.cluster, now),
            GATEWAY_CLASS_VIEW => gateways::class_view(ctx.require_object()?, &ctx.cluster, now),
            GATEWAY_VIEW => gateways::view(ctx.require_object()?, &ctx.cluster, now),
            HTTP_ROUTE_VIEW => {
                routes::view(RouteKind::Http, ctx.require_object()?, &ctx.cluster, now)
            }
            GRPC_ROUTE_VIEW => {
                routes::view(RouteKind::Grpc, ctx.require_object()?, &ctx.cluster, now)
            }
            other => Err(format!(
                "the network plugin has no details view `{other}`; it renders `{SERVICE_VIEW}`, `{ENDPOINTS_VIEW}`, `{SLICE_VIEW}`, `{INGRESS_VIEW}`, `{INGRESS_CLASS_VIEW}`, `{POLICY_VIEW}`, `{GATEWAY_CLASS_VIEW}`, `{GATEWAY_VIEW}`, `{HTTP_ROUTE_VIEW}` and `{GRPC_ROUTE_VIEW}`"
            )),
        }
    }

    fn rows(
        &self,
        ctx: &RowsContext,
        columns: &[String],
        objects: &[Object],
    ) -> Result<Vec<Vec<Cell>>, String> {
        match ctx.table.as_str() {
            SERVICES_TABLE => services::rows(columns, objects),
            ENDPOINTS_TABLE => endpoints::rows(columns, objects),
            SLICES_TABLE => slices::rows(columns, objects),
            INGRESSES_TABLE => ingresses::rows(columns, objects),
            INGRESS_CLASSES_TABLE => classes::rows(columns, objects),
            POLICIES_TABLE => policies::rows(columns, objects),
            GATEWAY_CLASSES_TABLE => gateways::class_rows(columns, objects),
            GATEWAYS_TABLE => gateways::rows(columns, objects),
            HTTP_ROUTES_TABLE => routes::rows(RouteKind::Http, columns, objects),
            GRPC_ROUTES_TABLE => routes::rows(RouteKind::Grpc, columns, objects),
            other => Err(format!(
                "the network plugin has no table `{other}`; it computes columns of `{SERVICES_TABLE}`, `{ENDPOINTS_TABLE}`, `{SLICES_TABLE}`, `{INGRESSES_TABLE}`, `{INGRESS_CLASSES_TABLE}`, `{POLICIES_TABLE}`, `{GATEWAY_CLASSES_TABLE}`, `{GATEWAYS_TABLE}`, `{HTTP_ROUTES_TABLE}` and `{GRPC_ROUTES_TABLE}` only"
            )),
        }
    }
}

headlamp_plugin_sdk::export_plugin!(NetworkPlugin);
