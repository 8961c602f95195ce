//! Everything the plugin contributes: the sidebar, routes, tables, details views and icons.

use headlamp_plugin_sdk::prelude::*;

use crate::classes::{priority_class_kind, runtime_class_kind};
use crate::crds::crd_kind;
use crate::events::event_kind;
use crate::leases::lease_kind;
use crate::*;

fn name() -> Column {
    Column::json_path("name", "Name", ".metadata.name")
}

fn namespace() -> Column {
    Column::json_path("namespace", "Namespace", ".metadata.namespace")
}

fn age() -> Column {
    Column::json_path("age", "Age", ".metadata.creationTimestamp").format(CellFormat::Age)
}

/// One kind with a table and a details view: what the sidebar, routes and icons need.
struct Kind {
    table: ResourceTable,
    /// The path of the table; the details path adds `/:namespace/:name` or `/:name`.
    path: &'static str,
    label: &'static str,
    singular: &'static str,
    view: &'static str,
    icon: &'static str,
}

impl Kind {
    fn details_path(&self) -> String {
        if self.table.namespaced {
            format!("{}/:namespace/:name", self.path)
        } else {
            format!("{}/:name", self.path)
        }
    }
}

fn namespaces() -> Kind {
    let table = ResourceTable::new(
        NAMESPACES_TABLE,
        "Namespaces",
        namespace_kind(),
        "namespaces",
    )
    .cluster_scoped()
    .column(name())
    .column(Column::computed("status", "Status"))
    .column(age())
    .column(Column::computed("labels", "Labels").format(CellFormat::Labels))
    .sort_by("name");
    Kind {
        table,
        path: "/namespaces",
        label: "Namespaces",
        singular: "Namespace",
        view: NAMESPACE_VIEW,
        icon: "mdi:folder-outline",
    }
}

fn nodes() -> Kind {
    // A table of kind v1 Node is all the kernel needs to offer cordon, uncordon and drain on
    // its rows (to viewers whose RBAC allows them).
    let table = ResourceTable::new(NODES_TABLE, "Nodes", node_kind(), "nodes")
        .cluster_scoped()
        .column(name())
        .column(Column::computed("status", "Status"))
        .column(Column::computed("roles", "Roles"))
        .column(Column::json_path(
            "version",
            "Version",
            ".status.nodeInfo.kubeletVersion",
        ))
        .column(Column::computed("internal-ip", "Internal IP"))
        .column(Column::computed("cpu", "CPU").format(CellFormat::Number))
        .column(Column::computed("memory", "Memory").format(CellFormat::Number))
        .column(Column::computed("pods", "Pods").format(CellFormat::Number))
        .column(age())
        .sort_by("name");
    Kind {
        table,
        path: "/nodes",
        label: "Nodes",
        singular: "Node",
        view: NODE_VIEW,
        icon: "mdi:server",
    }
}

fn events() -> Kind {
    let table = ResourceTable::new(EVENTS_TABLE, "Events", event_kind(), "events")
        .column(Column::computed("type", "Type"))
        .column(namespace())
        .column(Column::json_path("reason", "Reason", ".reason"))
        .column(Column::computed("object", "Object"))
        .column(Column::json_path("message", "Message", ".message"))
        .column(Column::computed("count", "Count").format(CellFormat::Number))
        .column(Column::computed("last-seen", "Last Seen").format(CellFormat::Age))
        // The type cell sorts warnings first, then by when the event was last seen.
        .sort_by_desc("type");
    Kind {
        table,
        path: "/events",
        label: "Events",
        singular: "Event",
        view: EVENT_VIEW,
        icon: "mdi:calendar-alert",
    }
}

fn leases() -> Kind {
    let table = ResourceTable::new(LEASES_TABLE, "Leases", lease_kind(), "leases")
        .column(name())
        .column(namespace())
        .column(Column::json_path(
            "holder",
            "Holder",
            ".spec.holderIdentity",
        ))
        .column(Column::json_path("renewed", "Renewed", ".spec.renewTime").format(CellFormat::Age))
        .column(age())
        .sort_by("name");
    Kind {
        table,
        path: "/leases",
        label: "Leases",
        singular: "Lease",
        view: LEASE_VIEW,
        icon: "mdi:handshake-outline",
    }
}

fn priority_classes() -> Kind {
    let table = ResourceTable::new(
        PRIORITY_CLASSES_TABLE,
        "Priority Classes",
        priority_class_kind(),
        "priorityclasses",
    )
    .cluster_scoped()
    .column(name())
    .column(Column::json_path("value", "Value", ".value").format(CellFormat::Number))
    .column(Column::computed("global-default", "Global Default"))
    .column(Column::computed("preemption", "Preemption Policy"))
    .column(age())
    .sort_by("name");
    Kind {
        table,
        path: "/priorityclasses",
        label: "Priority Classes",
        singular: "Priority Class",
        view: PRIORITY_CLASS_VIEW,
        icon: "mdi:sort-numeric-descending",
    }
}

fn runtime_classes() -> Kind {
    let table = ResourceTable::new(
        RUNTIME_CLASSES_TABLE,
        "Runtime Classes",
        runtime_class_kind(),
        "runtimeclasses",
    )
    .cluster_scoped()
    .column(name())
    .column(Column::json_path("handler", "Handler", ".handler"))
    .column(age())
    .sort_by("name");
    Kind {
        table,
        path: "/runtimeclasses",
        label: "Runtime Classes",
        singular: "Runtime Class",
        view: RUNTIME_CLASS_VIEW,
        icon: "mdi:run-fast",
    }
}

fn crds() -> Kind {
    let table = ResourceTable::new(
        CRDS_TABLE,
        "Custom Resource Definitions",
        crd_kind(),
        "customresourcedefinitions",
    )
    .cluster_scoped()
    .column(name())
    .column(Column::json_path("group", "Group", ".spec.group"))
    .column(Column::json_path("kind", "Kind", ".spec.names.kind"))
    .column(Column::json_path("scope", "Scope", ".spec.scope"))
    .column(Column::computed("versions", "Versions"))
    .column(age())
    .sort_by("name");
    Kind {
        table,
        path: "/crds",
        label: "Custom Resource Definitions",
        singular: "Custom Resource Definition",
        view: CRD_VIEW,
        icon: "mdi:puzzle-outline",
    }
}

/// Adds a kind's sidebar link (under `group`, at `order`), routes, table, view and icon.
fn add(reg: Registration, kind: Kind, group: &str, order: i32) -> Registration {
    let details = kind.details_path();
    let gvk = kind.table.kind.clone();
    reg.sidebar(
        SidebarEntry::link(kind.table.id.as_str(), kind.label, kind.path)
            .parent(group)
            .icon(kind.icon)
            .order(order),
    )
    .table_route(kind.path, kind.label, &kind.table.id)
    .details_route(&details, kind.singular, kind.view)
    .details_view(DetailsView::new(kind.view, gvk.clone(), kind.singular))
    .table(kind.table.details_route(&details))
    .kind_icon(gvk, kind.icon)
}

/// The whole registration. Headlamp's order: the Cluster group first (Overview, Namespaces,
/// Nodes, Events), the small cluster kinds in Configuration, Custom Resources after Network.
pub(crate) fn registration() -> Registration {
    let mut reg = Registration::new()
        .sidebar(
            SidebarEntry::group("cluster", "Cluster")
                .icon("mdi:hexagon-multiple-outline")
                .order(0),
        )
        .sidebar(
            SidebarEntry::link("overview", "Overview", "/overview")
                .parent("cluster")
                .icon("mdi:view-dashboard-outline")
                .order(0),
        )
        .page_route("/overview", "Cluster Overview", OVERVIEW_PAGE);
    let cluster_kinds = [namespaces(), nodes(), events()];
    for (i, kind) in cluster_kinds.into_iter().enumerate() {
        let order = 10 * (i32::try_from(i).unwrap_or(0) + 1);
        reg = add(reg, kind, "cluster", order);
    }
    // Headlamp lists these in Configuration (the config plugin's group), after the limit
    // ranges; without the config plugin they show at the top level.
    for (kind, order) in [
        (priority_classes(), 70),
        (runtime_classes(), 80),
        (leases(), 90),
    ] {
        reg = add(reg, kind, "config", order);
    }
    reg = reg.sidebar(
        SidebarEntry::group("customresources", "Custom Resources")
            .icon("mdi:puzzle-outline")
            .order(80),
    );
    add(reg, crds(), "customresources", 10)
        .page_route("/customresources", "Custom Resources", CUSTOM_RESOURCE_PAGE)
        .page_route(
            "/customresources/:crd/:namespace/:name",
            "Custom Resource",
            CUSTOM_RESOURCE_PAGE,
        )
}
