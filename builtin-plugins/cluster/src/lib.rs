//! Built-in plugin: the cluster views (Namespaces), written with the public SDK only.

mod details;
mod rows;

use headlamp_plugin_sdk::prelude::*;

/// The resource table of namespaces.
pub const NAMESPACES_TABLE: &str = "namespaces";
/// The details view of one namespace.
pub const NAMESPACE_VIEW: &str = "namespace";

/// The kind this plugin shows.
pub fn namespace_kind() -> Gvk {
    Gvk::core("v1", "Namespace")
}

/// The cluster plugin.
pub struct ClusterPlugin;

impl Plugin for ClusterPlugin {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        let table = ResourceTable::new(
            NAMESPACES_TABLE,
            "Namespaces",
            namespace_kind(),
            "namespaces",
        )
        .cluster_scoped()
        .column(Column::json_path("name", "Name", ".metadata.name"))
        .column(Column::computed("status", "Status"))
        .column(
            Column::json_path("age", "Age", ".metadata.creationTimestamp").format(CellFormat::Age),
        )
        .column(Column::computed("labels", "Labels").format(CellFormat::Labels))
        .sort_by("name")
        .details_route("/namespaces/:name");

        Ok(Registration::new()
            .sidebar(
                SidebarEntry::group("cluster", "Cluster")
                    .icon("mdi:hexagon-multiple-outline")
                    .order(0),
            )
            .sidebar(
                SidebarEntry::link("namespaces", "Namespaces", "/namespaces")
                    .parent("cluster")
                    .icon("mdi:folder-outline")
                    .order(10),
            )
            .table_route("/namespaces", "Namespaces", NAMESPACES_TABLE)
            .details_route("/namespaces/:name", "Namespace", NAMESPACE_VIEW)
            .table(table)
            .details_view(DetailsView::new(
                NAMESPACE_VIEW,
                namespace_kind(),
                "Namespace",
            ))
            .kind_icon(namespace_kind(), "mdi:folder-outline"))
    }

    fn render(&self, slot: &Slot, ctx: &RenderContext) -> Result<View, String> {
        match slot {
            Slot::DetailsView(id) if id == NAMESPACE_VIEW => {
                details::namespace(ctx.require_object()?, host::now_millis())
            }
            other => Err(format!(
                "the cluster plugin has no view for {other:?}; it renders only the details view `{NAMESPACE_VIEW}`"
            )),
        }
    }

    fn rows(
        &self,
        ctx: &RowsContext,
        columns: &[String],
        objects: &[Object],
    ) -> Result<Vec<Vec<Cell>>, String> {
        if ctx.table != NAMESPACES_TABLE {
            return Err(format!(
                "the cluster plugin has no table `{}`; it computes columns of `{NAMESPACES_TABLE}` only",
                ctx.table
            ));
        }
        rows::namespace_rows(columns, objects)
    }
}

headlamp_plugin_sdk::export_plugin!(ClusterPlugin);
