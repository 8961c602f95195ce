//! Built-in plugin: the cluster views (Overview, Namespaces, Nodes, Events, Leases,
//! PriorityClasses, RuntimeClasses, CRDs and custom resources), written with the public SDK only.

mod classes;
pub mod crds;
mod custom;
mod details;
pub mod events;
mod jsonpath;
mod leases;
mod node_details;
pub mod nodes;
pub mod overview;
pub mod page;
pub mod quantity;
mod register;
mod rows;

use headlamp_plugin_sdk::prelude::*;

/// The resource table of namespaces.
pub const NAMESPACES_TABLE: &str = "namespaces";
/// The resource table of nodes.
pub const NODES_TABLE: &str = "nodes";
/// The resource table of events.
pub const EVENTS_TABLE: &str = "events";
/// The resource table of leases.
pub const LEASES_TABLE: &str = "leases";
/// The resource table of priority classes.
pub const PRIORITY_CLASSES_TABLE: &str = "priorityclasses";
/// The resource table of runtime classes.
pub const RUNTIME_CLASSES_TABLE: &str = "runtimeclasses";
/// The resource table of custom resource definitions.
pub const CRDS_TABLE: &str = "crds";

/// The details view of one namespace.
pub const NAMESPACE_VIEW: &str = "namespace";
/// The details view of one node.
pub const NODE_VIEW: &str = "node";
/// The details view of one event.
pub const EVENT_VIEW: &str = "event";
/// The details view of one lease.
pub const LEASE_VIEW: &str = "lease";
/// The details view of one priority class.
pub const PRIORITY_CLASS_VIEW: &str = "priorityclass";
/// The details view of one runtime class.
pub const RUNTIME_CLASS_VIEW: &str = "runtimeclass";
/// The details view of one custom resource definition.
pub const CRD_VIEW: &str = "crd";

/// The page slot of the cluster overview.
pub const OVERVIEW_PAGE: &str = "overview";
/// The page slot of one custom object (route `/customresources/:crd/:namespace/:name`).
pub const CUSTOM_RESOURCE_PAGE: &str = "customresource";

/// The kind this plugin shows first.
pub fn namespace_kind() -> Gvk {
    Gvk::core("v1", "Namespace")
}

/// Nodes.
pub fn node_kind() -> Gvk {
    Gvk::core("v1", "Node")
}

/// The cluster plugin.
pub struct ClusterPlugin;

impl Plugin for ClusterPlugin {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        Ok(register::registration())
    }

    fn render(&self, slot: &Slot, ctx: &RenderContext) -> Result<View, String> {
        let now = host::now_millis();
        let cluster = ctx.cluster.as_str();
        match slot {
            Slot::DetailsView(id) => {
                let object = ctx.require_object()?;
                match id.as_str() {
                    NAMESPACE_VIEW => details::namespace(object, cluster, now),
                    NODE_VIEW => node_details::view(object, cluster, now),
                    EVENT_VIEW => events::view(object, now),
                    LEASE_VIEW => leases::view(object, cluster, now),
                    PRIORITY_CLASS_VIEW => classes::priority_view(object, cluster, now),
                    RUNTIME_CLASS_VIEW => classes::runtime_view(object, cluster, now),
                    CRD_VIEW => crds::view(object, cluster, now),
                    other => Err(format!(
                        "the cluster plugin has no details view `{other}`; it renders `{NAMESPACE_VIEW}`, `{NODE_VIEW}`, `{EVENT_VIEW}`, `{LEASE_VIEW}`, `{PRIORITY_CLASS_VIEW}`, `{RUNTIME_CLASS_VIEW}` and `{CRD_VIEW}`"
                    )),
                }
            }
            Slot::Page(id) if id == OVERVIEW_PAGE => overview::page(cluster, now),
            Slot::Page(id) if id == CUSTOM_RESOURCE_PAGE => custom::page(ctx, now),
            other => Err(format!(
                "the cluster plugin has no view for {other:?}; it renders its details views and the pages `{OVERVIEW_PAGE}` and `{CUSTOM_RESOURCE_PAGE}`"
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
            NAMESPACES_TABLE => rows::namespace_rows(columns, objects),
            NODES_TABLE => nodes::rows(&ctx.cluster, columns, objects),
            EVENTS_TABLE => events::rows(columns, objects),
            PRIORITY_CLASSES_TABLE => classes::priority_rows(columns, objects),
            CRDS_TABLE => crds::rows(columns, objects),
            other => Err(format!(
                "the cluster plugin has no table `{other}` with computed columns; it computes columns of `{NAMESPACES_TABLE}`, `{NODES_TABLE}`, `{EVENTS_TABLE}`, `{PRIORITY_CLASSES_TABLE}` and `{CRDS_TABLE}` only"
            )),
        }
    }
}

headlamp_plugin_sdk::export_plugin!(ClusterPlugin);
