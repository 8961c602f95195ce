//! One kind a plugin shows, Headlamp-style: its table (name, namespace, the kind's columns,
//! age), details route and view, sidebar entry and icon, registered together so that the
//! routes, table and view of a kind always agree.

use crate::prelude::*;

/// A kind with its table (name, namespace, the kind's columns, age) and details view.
pub struct Kind {
    /// The resource table.
    pub table: ResourceTable,
    /// The plural resource name, also the table id and route.
    pub plural: &'static str,
    /// The sidebar and table title.
    pub label: &'static str,
    /// The details page title.
    pub singular: &'static str,
    /// The details view id.
    pub view: &'static str,
    /// The kind shown.
    pub kind: Gvk,
    /// The icon of the sidebar entry and the kind.
    pub icon: &'static str,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
}

impl Kind {
    /// A namespaced kind whose table is `plural`, listed under `label`.
    pub fn namespaced(
        plural: &'static str,
        label: &'static str,
        singular: &'static str,
        view: &'static str,
        kind: Gvk,
        icon: &'static str,
    ) -> Self {
        let table = ResourceTable::new(plural, label, kind.clone(), plural)
            .column(Column::json_path("name", "Name", ".metadata.name"))
            .column(Column::json_path(
                "namespace",
                "Namespace",
                ".metadata.namespace",
            ));
        Self {
            table,
            plural,
            label,
            singular,
            view,
            kind,
            icon,
            namespaced: true,
        }
    }

    /// A cluster-scoped kind whose table is `plural`, listed under `label`.
    pub fn cluster_scoped(
        plural: &'static str,
        label: &'static str,
        singular: &'static str,
        view: &'static str,
        kind: Gvk,
        icon: &'static str,
    ) -> Self {
        let table = ResourceTable::new(plural, label, kind.clone(), plural)
            .cluster_scoped()
            .column(Column::json_path("name", "Name", ".metadata.name"));
        Self {
            table,
            plural,
            label,
            singular,
            view,
            kind,
            icon,
            namespaced: false,
        }
    }

    /// Appends the kind's own columns, then age; sorts by name.
    pub fn columns(mut self, columns: Vec<Column>) -> Self {
        for column in columns {
            self.table = self.table.column(column);
        }
        self.table = self
            .table
            .column(
                Column::json_path("age", "Age", ".metadata.creationTimestamp")
                    .format(CellFormat::Age),
            )
            .sort_by("name");
        self
    }

    /// `/plural/:namespace/:name`, or `/plural/:name` for a cluster-scoped kind.
    pub fn details_route(&self) -> String {
        if self.namespaced {
            format!("/{}/:namespace/:name", self.plural)
        } else {
            format!("/{}/:name", self.plural)
        }
    }

    /// Adds the sidebar entry under `group`, the table and details routes, the table, the
    /// details view and the kind's icon to `reg`.
    pub fn register(self, reg: Registration, group: &str, order: i32) -> Registration {
        let route = format!("/{}", self.plural);
        let details = self.details_route();
        reg.sidebar(
            SidebarEntry::link(self.plural, self.label, &route)
                .parent(group)
                .icon(self.icon)
                .order(order),
        )
        .table_route(&route, self.label, self.plural)
        .details_route(&details, self.singular, self.view)
        .table(self.table.details_route(&details))
        .details_view(DetailsView::new(
            self.view,
            self.kind.clone(),
            self.singular,
        ))
        .kind_icon(self.kind, self.icon)
    }
}
