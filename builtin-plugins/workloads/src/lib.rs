//! Built-in plugin: the workload views (Pods, Deployments), written with the public SDK only.

mod deployment_details;
mod deployments;
mod details;
mod pod_details;
mod pod_status;
mod pods;

use headlamp_plugin_sdk::prelude::*;

/// The resource table of pods.
pub const PODS_TABLE: &str = "pods";
/// The resource table of deployments.
pub const DEPLOYMENTS_TABLE: &str = "deployments";
/// The details view of one pod.
pub const POD_VIEW: &str = "pod";
/// The details view of one deployment.
pub const DEPLOYMENT_VIEW: &str = "deployment";

/// The kind of the pods table.
pub fn pod_kind() -> Gvk {
    Gvk::core("v1", "Pod")
}

/// The kind of the deployments table.
pub fn deployment_kind() -> Gvk {
    Gvk::new("apps", "v1", "Deployment")
}

/// The workloads plugin.
pub struct WorkloadsPlugin;

fn name_namespace(table: ResourceTable) -> ResourceTable {
    table
        .column(Column::json_path("name", "Name", ".metadata.name"))
        .column(Column::json_path(
            "namespace",
            "Namespace",
            ".metadata.namespace",
        ))
}

fn age(table: ResourceTable) -> ResourceTable {
    table
        .column(
            Column::json_path("age", "Age", ".metadata.creationTimestamp").format(CellFormat::Age),
        )
        .sort_by("name")
}

fn pods_table() -> ResourceTable {
    let table = name_namespace(ResourceTable::new(PODS_TABLE, "Pods", pod_kind(), "pods"))
        .column(Column::computed("ready", "Ready"))
        .column(Column::computed("status", "Status"))
        .column(Column::computed("restarts", "Restarts"))
        .column(Column::json_path("ip", "IP", ".status.podIP"))
        .column(Column::json_path("node", "Node", ".spec.nodeName"));
    age(table).details_route("/pods/:namespace/:name")
}

fn deployments_table() -> ResourceTable {
    let table = name_namespace(ResourceTable::new(
        DEPLOYMENTS_TABLE,
        "Deployments",
        deployment_kind(),
        "deployments",
    ))
    .column(Column::computed("pods", "Pods"))
    .column(Column::json_path("replicas", "Replicas", ".spec.replicas"))
    .column(Column::computed("conditions", "Conditions"))
    .column(Column::computed("containers", "Containers").hidden())
    .column(Column::computed("images", "Images"));
    age(table).details_route("/deployments/:namespace/:name")
}

impl Plugin for WorkloadsPlugin {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        let link = |id: &str, label: &str, route: &str, icon: &str, order: i32| {
            SidebarEntry::link(id, label, route)
                .parent("workloads")
                .icon(icon)
                .order(order)
        };
        Ok(Registration::new()
            .sidebar(
                SidebarEntry::group("workloads", "Workloads")
                    .icon("mdi:circle-slice-2")
                    .order(20),
            )
            .sidebar(link("pods", "Pods", "/pods", "mdi:cube-outline", 10))
            .sidebar(link(
                "deployments",
                "Deployments",
                "/deployments",
                "mdi:rocket-launch-outline",
                20,
            ))
            .table_route("/pods", "Pods", PODS_TABLE)
            .table_route("/deployments", "Deployments", DEPLOYMENTS_TABLE)
            .details_route("/pods/:namespace/:name", "Pod", POD_VIEW)
            .details_route(
                "/deployments/:namespace/:name",
                "Deployment",
                DEPLOYMENT_VIEW,
            )
            .table(pods_table())
            .table(deployments_table())
            .details_view(DetailsView::new(POD_VIEW, pod_kind(), "Pod"))
            .details_view(DetailsView::new(
                DEPLOYMENT_VIEW,
                deployment_kind(),
                "Deployment",
            ))
            .kind_icon(pod_kind(), "mdi:cube-outline")
            .kind_icon(deployment_kind(), "mdi:rocket-launch-outline"))
    }

    fn render(&self, slot: &Slot, ctx: &RenderContext) -> Result<View, String> {
        match slot {
            Slot::DetailsView(id) if id == POD_VIEW => {
                pod_details::pod(ctx.require_object()?, host::now_millis())
            }
            Slot::DetailsView(id) if id == DEPLOYMENT_VIEW => {
                deployment_details::deployment(ctx.require_object()?, host::now_millis())
            }
            other => Err(format!(
                "the workloads plugin has no view for {other:?}; it renders only the details views `{POD_VIEW}` and `{DEPLOYMENT_VIEW}`"
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
            // One clock read per batch: the host call costs more than a row.
            PODS_TABLE => pods::pod_rows(columns, objects, host::now_millis()),
            DEPLOYMENTS_TABLE => deployments::deployment_rows(columns, objects),
            other => Err(format!(
                "the workloads plugin has no table `{other}`; it computes columns of `{PODS_TABLE}` and `{DEPLOYMENTS_TABLE}` only"
            )),
        }
    }
}

headlamp_plugin_sdk::export_plugin!(WorkloadsPlugin);
