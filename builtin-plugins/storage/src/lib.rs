//! Built-in plugin: the storage views (PersistentVolumeClaims, PersistentVolumes,
//! StorageClasses), written with the public SDK only. Claims, volumes and classes link to
//! each other both ways.

mod claims;
mod classes;
pub mod modes;
mod volumes;

use headlamp_plugin_sdk::prelude::*;

/// The resource table of persistent volume claims.
pub const CLAIMS_TABLE: &str = "persistentvolumeclaims";
/// The resource table of persistent volumes.
pub const VOLUMES_TABLE: &str = "persistentvolumes";
/// The resource table of storage classes.
pub const CLASSES_TABLE: &str = "storageclasses";
/// The details view of one claim.
pub const CLAIM_VIEW: &str = "persistentvolumeclaim";
/// The details view of one volume.
pub const VOLUME_VIEW: &str = "persistentvolume";
/// The details view of one storage class.
pub const CLASS_VIEW: &str = "storageclass";

/// The kind of the claims table.
pub fn claim_kind() -> Gvk {
    Gvk::core("v1", "PersistentVolumeClaim")
}

/// The kind of the volumes table.
pub fn volume_kind() -> Gvk {
    Gvk::core("v1", "PersistentVolume")
}

/// The kind of the storage classes table.
pub fn class_kind() -> Gvk {
    Gvk::new("storage.k8s.io", "v1", "StorageClass")
}

/// The storage plugin.
pub struct StoragePlugin;

fn name(table: ResourceTable) -> ResourceTable {
    table.column(Column::json_path("name", "Name", ".metadata.name"))
}

fn age(table: ResourceTable, details_route: &str) -> ResourceTable {
    table
        .column(
            Column::json_path("age", "Age", ".metadata.creationTimestamp").format(CellFormat::Age),
        )
        .sort_by("name")
        .details_route(details_route)
}

fn claims_table() -> ResourceTable {
    let table = name(ResourceTable::new(
        CLAIMS_TABLE,
        "Persistent Volume Claims",
        claim_kind(),
        "persistentvolumeclaims",
    ))
    .column(Column::json_path(
        "namespace",
        "Namespace",
        ".metadata.namespace",
    ))
    .column(Column::computed("status", "Status"))
    .column(Column::computed("volume", "Volume"))
    .column(Column::json_path(
        "capacity",
        "Capacity",
        ".status.capacity.storage",
    ))
    .column(Column::computed("access-modes", "Access Modes"))
    .column(Column::computed("storage-class", "Storage Class"));
    age(table, "/persistentvolumeclaims/:namespace/:name")
}

fn volumes_table() -> ResourceTable {
    let table = name(ResourceTable::new(
        VOLUMES_TABLE,
        "Persistent Volumes",
        volume_kind(),
        "persistentvolumes",
    ))
    .cluster_scoped()
    .column(Column::json_path(
        "capacity",
        "Capacity",
        ".spec.capacity.storage",
    ))
    .column(Column::computed("access-modes", "Access Modes"))
    .column(Column::computed("reclaim-policy", "Reclaim Policy"))
    .column(Column::computed("status", "Status"))
    .column(Column::computed("claim", "Claim"))
    .column(Column::computed("storage-class", "Storage Class"));
    age(table, "/persistentvolumes/:name")
}

fn classes_table() -> ResourceTable {
    let table = name(ResourceTable::new(
        CLASSES_TABLE,
        "Storage Classes",
        class_kind(),
        "storageclasses",
    ))
    .cluster_scoped()
    .column(Column::json_path(
        "provisioner",
        "Provisioner",
        ".provisioner",
    ))
    .column(Column::computed("reclaim-policy", "Reclaim Policy"))
    .column(Column::computed("binding-mode", "Volume Binding Mode"))
    .column(Column::computed("default", "Default"));
    age(table, "/storageclasses/:name")
}

impl Plugin for StoragePlugin {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        let link = |id: &str, label: &str, route: &str, icon: &str, order: i32| {
            SidebarEntry::link(id, label, route)
                .parent("storage")
                .icon(icon)
                .order(order)
        };
        Ok(Registration::new()
            // After Cluster (0) and Workloads (20), as Headlamp orders its sidebar.
            .sidebar(
                SidebarEntry::group("storage", "Storage")
                    .icon("mdi:database")
                    .order(30),
            )
            .sidebar(link(
                "persistentvolumeclaims",
                "Persistent Volume Claims",
                "/persistentvolumeclaims",
                "mdi:database-arrow-left-outline",
                10,
            ))
            .sidebar(link(
                "persistentvolumes",
                "Persistent Volumes",
                "/persistentvolumes",
                "mdi:database-outline",
                20,
            ))
            .sidebar(link(
                "storageclasses",
                "Storage Classes",
                "/storageclasses",
                "mdi:folder-cog-outline",
                30,
            ))
            .table_route(
                "/persistentvolumeclaims",
                "Persistent Volume Claims",
                CLAIMS_TABLE,
            )
            .table_route("/persistentvolumes", "Persistent Volumes", VOLUMES_TABLE)
            .table_route("/storageclasses", "Storage Classes", CLASSES_TABLE)
            .details_route(
                "/persistentvolumeclaims/:namespace/:name",
                "Persistent Volume Claim",
                CLAIM_VIEW,
            )
            .details_route("/persistentvolumes/:name", "Persistent Volume", VOLUME_VIEW)
            .details_route("/storageclasses/:name", "Storage Class", CLASS_VIEW)
            .table(claims_table())
            .table(volumes_table())
            .table(classes_table())
            .details_view(DetailsView::new(
                CLAIM_VIEW,
                claim_kind(),
                "Persistent Volume Claim",
            ))
            .details_view(DetailsView::new(
                VOLUME_VIEW,
                volume_kind(),
                "Persistent Volume",
            ))
            .details_view(DetailsView::new(CLASS_VIEW, class_kind(), "Storage Class"))
            .kind_icon(claim_kind(), "mdi:database-arrow-left-outline")
            .kind_icon(volume_kind(), "mdi:database-outline")
            .kind_icon(class_kind(), "mdi:folder-cog-outline"))
    }

    fn render(&self, slot: &Slot, ctx: &RenderContext) -> Result<View, String> {
        match slot {
            Slot::DetailsView(id) if id == CLAIM_VIEW => {
                claims::view(ctx.require_object()?, &ctx.cluster, host::now_millis())
            }
            Slot::DetailsView(id) if id == VOLUME_VIEW => {
                volumes::view(ctx.require_object()?, &ctx.cluster, host::now_millis())
            }
            Slot::DetailsView(id) if id == CLASS_VIEW => {
                classes::view(ctx.require_object()?, &ctx.cluster, host::now_millis())
            }
            other => Err(format!(
                "the storage plugin has no view for {other:?}; it renders only the details views `{CLAIM_VIEW}`, `{VOLUME_VIEW}` and `{CLASS_VIEW}`"
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
            CLAIMS_TABLE => claims::rows(columns, objects),
            VOLUMES_TABLE => volumes::rows(columns, objects),
            CLASSES_TABLE => classes::rows(columns, objects),
            other => Err(format!(
                "the storage plugin has no table `{other}`; it computes columns of `{CLAIMS_TABLE}`, `{VOLUMES_TABLE}` and `{CLASSES_TABLE}` only"
            )),
        }
    }
}

headlamp_plugin_sdk::export_plugin!(StoragePlugin);
