//! Built-in plugin: the workload views (Pods, Deployments, StatefulSets, DaemonSets,
//! ReplicaSets, Jobs, CronJobs, HorizontalPodAutoscalers, PodDisruptionBudgets) and the
//! Workloads overview, written with the public SDK only.

mod cronjob_actions;
mod cronjobs;
mod daemonsets;
mod deployment_details;
mod deployments;
mod details;
pub mod duration;
mod hpas;
mod jobs;
pub mod kinds;
mod overview;
mod pdbs;
mod pod_details;
mod pod_status;
mod pods;
mod replicasets;
pub mod schedule;
mod statefulsets;

use headlamp_plugin_sdk::prelude::*;

pub use cronjob_actions::{RESUME, SUSPEND, TRIGGER};
use kinds::Kind;
pub use overview::{PAGE as OVERVIEW_PAGE, ROUTE as OVERVIEW_ROUTE};

/// The resource table of pods.
pub const PODS_TABLE: &str = kinds::POD.table;
/// The resource table of deployments.
pub const DEPLOYMENTS_TABLE: &str = kinds::DEPLOYMENT.table;
/// The details view of one pod.
pub const POD_VIEW: &str = kinds::POD.view;
/// The details view of one deployment.
pub const DEPLOYMENT_VIEW: &str = kinds::DEPLOYMENT.view;

/// The kind of the pods table.
pub fn pod_kind() -> Gvk {
    kinds::POD.gvk()
}

/// The kind of the deployments table.
pub fn deployment_kind() -> Gvk {
    kinds::DEPLOYMENT.gvk()
}

/// The workloads plugin.
pub struct WorkloadsPlugin;

/// The columns of `kind`'s table between namespace and age.
fn columns(kind: &Kind) -> Vec<Column> {
    match kind.table {
        "pods" => vec![
            Column::computed("ready", "Ready"),
            Column::computed("status", "Status"),
            Column::computed("restarts", "Restarts"),
            Column::json_path("ip", "IP", ".status.podIP"),
            Column::json_path("node", "Node", ".spec.nodeName"),
        ],
        "deployments" => vec![
            Column::computed("pods", "Pods"),
            Column::json_path("replicas", "Replicas", ".spec.replicas"),
            Column::computed("conditions", "Conditions"),
            Column::computed("containers", "Containers").hidden(),
            Column::computed("images", "Images"),
        ],
        "statefulsets" => statefulsets::columns(),
        "daemonsets" => daemonsets::columns(),
        "replicasets" => replicasets::columns(),
        "jobs" => jobs::columns(),
        "cronjobs" => cronjobs::columns(),
        "horizontalpodautoscalers" => hpas::columns(),
        _ => pdbs::columns(),
    }
}

/// Name, namespace, the kind's columns, age; sorted by name; rows open the details view.
fn table(kind: &Kind) -> ResourceTable {
    let mut table = ResourceTable::new(kind.table, kind.title, kind.gvk(), kind.table)
        .column(Column::json_path("name", "Name", ".metadata.name"))
        .column(Column::json_path(
            "namespace",
            "Namespace",
            ".metadata.namespace",
        ));
    for column in columns(kind) {
        table = table.column(column);
    }
    table
        .column(
            Column::json_path("age", "Age", ".metadata.creationTimestamp").format(CellFormat::Age),
        )
        .sort_by("name")
        .details_route(&details_route(kind))
}

/// Where a kind's sidebar link goes. As in Headlamp, autoscalers and disruption budgets sit in
/// Configuration (the config plugin's group, after Secrets), the rest in Workloads in order.
/// Without the config plugin they show at the top level.
fn sidebar_place(kind: &Kind, index: usize) -> (&'static str, i32) {
    match kind.table {
        t if t == kinds::HPA.table => ("config", 30),
        t if t == kinds::PDB.table => ("config", 40),
        _ => ("workloads", 10 * (i32::try_from(index).unwrap_or(0) + 1)),
    }
}

fn details_route(kind: &Kind) -> String {
    format!("/{}/:namespace/:name", kind.table)
}

impl Plugin for WorkloadsPlugin {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        // As in Headlamp, the group itself opens the overview.
        let mut reg = Registration::new()
            .sidebar(
                SidebarEntry::link("workloads", "Workloads", OVERVIEW_ROUTE)
                    .icon("mdi:circle-slice-2")
                    .order(20),
            )
            .page_route(OVERVIEW_ROUTE, "Workloads", OVERVIEW_PAGE);
        for (i, kind) in kinds::ALL.into_iter().enumerate() {
            let route = format!("/{}", kind.table);
            let (group, order) = sidebar_place(kind, i);
            reg = reg
                .sidebar(
                    SidebarEntry::link(kind.table, kind.label, &route)
                        .parent(group)
                        .icon(kind.icon)
                        .order(order),
                )
                .table_route(&route, kind.title, kind.table)
                .details_route(&details_route(kind), kind.singular, kind.view)
                .table(table(kind))
                .details_view(DetailsView::new(kind.view, kind.gvk(), kind.singular))
                .kind_icon(kind.gvk(), kind.icon);
        }
        for action in cronjob_actions::actions() {
            reg = reg.action(action);
        }
        Ok(reg)
    }

    fn render(&self, slot: &Slot, ctx: &RenderContext) -> Result<View, String> {
        let now = host::now_millis();
        let cluster = ctx.cluster.as_str();
        match slot {
            Slot::Page(id) if id == OVERVIEW_PAGE => {
                Ok(overview::page(cluster, ctx.namespace.as_deref()))
            }
            Slot::DetailsView(id) => {
                let object = ctx.require_object()?;
                match id.as_str() {
                    "pod" => pod_details::pod(object, cluster, now),
                    "deployment" => deployment_details::deployment(object, cluster, now),
                    "statefulset" => statefulsets::view(object, cluster, now),
                    "daemonset" => daemonsets::view(object, cluster, now),
                    "replicaset" => replicasets::view(object, cluster, now),
                    "job" => jobs::view(object, cluster, now),
                    "cronjob" => cronjobs::view(object, cluster, now),
                    "horizontalpodautoscaler" => hpas::view(object, cluster, now),
                    "poddisruptionbudget" => pdbs::view(object, cluster, now),
                    other => Err(format!(
                        "the workloads plugin has no details view `{other}`; it renders {}",
                        known(|k| k.view)
                    )),
                }
            }
            other => Err(format!(
                "the workloads plugin has no view for {other:?}; it renders the page `{OVERVIEW_PAGE}` and the details views {}",
                known(|k| k.view)
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
            "pods" => pods::pod_rows(columns, objects, host::now_millis()),
            "deployments" => deployments::deployment_rows(columns, objects),
            "statefulsets" => statefulsets::rows(columns, objects),
            "daemonsets" => daemonsets::rows(columns, objects),
            "replicasets" => replicasets::rows(columns, objects),
            "jobs" => jobs::rows(columns, objects, host::now_millis()),
            "cronjobs" => cronjobs::rows(columns, objects),
            "horizontalpodautoscalers" => hpas::rows(columns, objects),
            "poddisruptionbudgets" => pdbs::rows(columns, objects),
            other => Err(format!(
                "the workloads plugin has no table `{other}`; it computes columns of {}",
                known(|k| k.table)
            )),
        }
    }

    fn invoke(&mut self, action: &str, ctx: &ActionContext) -> Result<ActionResult, String> {
        match action {
            SUSPEND => cronjob_actions::set_suspend(ctx, true),
            RESUME => cronjob_actions::set_suspend(ctx, false),
            TRIGGER => cronjob_actions::trigger(ctx, host::now_millis()),
            other => Err(format!(
                "the workloads plugin has no action `{other}`; its actions are `{SUSPEND}`, `{RESUME}` and `{TRIGGER}` (on cron jobs)"
            )),
        }
    }
}

/// `pods`, `deployments`, ...: one id of each kind, for error messages.
fn known(id: impl Fn(&Kind) -> &'static str) -> String {
    kinds::ALL
        .into_iter()
        .map(|k| format!("`{}`", id(k)))
        .collect::<Vec<_>>()
        .join(", ")
}

headlamp_plugin_sdk::export_plugin!(WorkloadsPlugin);
