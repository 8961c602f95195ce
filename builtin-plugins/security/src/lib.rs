//! Built-in plugin: the security views (ServiceAccounts, Roles, ClusterRoles, RoleBindings,
//! ClusterRoleBindings), written with the public SDK only. Bindings link to their roles and
//! to the service accounts they name; service accounts list the bindings that name them.

pub mod accounts;
pub mod bindings;
pub mod roles;

use headlamp_plugin_sdk::prelude::*;

use headlamp_plugin_sdk::kind::Kind;

/// The resource table of service accounts.
pub const ACCOUNTS_TABLE: &str = "serviceaccounts";
/// The resource table of roles.
pub const ROLES_TABLE: &str = "roles";
/// The resource table of cluster roles.
pub const CLUSTER_ROLES_TABLE: &str = "clusterroles";
/// The resource table of role bindings.
pub const BINDINGS_TABLE: &str = "rolebindings";
/// The resource table of cluster role bindings.
pub const CLUSTER_BINDINGS_TABLE: &str = "clusterrolebindings";

/// The details view of one service account.
pub const ACCOUNT_VIEW: &str = "serviceaccount";
/// The details view of one role.
pub const ROLE_VIEW: &str = "role";
/// The details view of one cluster role.
pub const CLUSTER_ROLE_VIEW: &str = "clusterrole";
/// The details view of one role binding.
pub const BINDING_VIEW: &str = "rolebinding";
/// The details view of one cluster role binding.
pub const CLUSTER_BINDING_VIEW: &str = "clusterrolebinding";

/// The API group of RBAC.
const RBAC: &str = "rbac.authorization.k8s.io";

/// ServiceAccounts.
pub fn account_kind() -> Gvk {
    Gvk::core("v1", "ServiceAccount")
}

/// Roles.
pub fn role_kind() -> Gvk {
    Gvk::new(RBAC, "v1", "Role")
}

/// ClusterRoles.
pub fn cluster_role_kind() -> Gvk {
    Gvk::new(RBAC, "v1", "ClusterRole")
}

/// RoleBindings.
pub fn binding_kind() -> Gvk {
    Gvk::new(RBAC, "v1", "RoleBinding")
}

/// ClusterRoleBindings.
pub fn cluster_binding_kind() -> Gvk {
    Gvk::new(RBAC, "v1", "ClusterRoleBinding")
}

/// The route of a service account's details view.
pub fn account_route(namespace: &str, name: &str) -> String {
    format!("/serviceaccounts/{namespace}/{name}")
}

/// The security plugin.
pub struct SecurityPlugin;

fn kinds() -> Vec<Kind> {
    vec![
        Kind::namespaced(
            ACCOUNTS_TABLE,
            "Service Accounts",
            "Service Account",
            ACCOUNT_VIEW,
            account_kind(),
            "mdi:account-key",
        )
        .columns(vec![Column::computed("secrets", "Secrets")]),
        Kind::namespaced(
            ROLES_TABLE,
            "Roles",
            "Role",
            ROLE_VIEW,
            role_kind(),
            "mdi:account-lock",
        )
        .columns(vec![Column::computed("rules", "Rules")]),
        Kind::cluster_scoped(
            CLUSTER_ROLES_TABLE,
            "Cluster Roles",
            "Cluster Role",
            CLUSTER_ROLE_VIEW,
            cluster_role_kind(),
            "mdi:account-lock-outline",
        )
        .columns(vec![Column::computed("rules", "Rules")]),
        Kind::namespaced(
            BINDINGS_TABLE,
            "Role Bindings",
            "Role Binding",
            BINDING_VIEW,
            binding_kind(),
            "mdi:link-lock",
        )
        .columns(vec![
            Column::computed("role", "Role"),
            Column::computed("subjects", "Subjects"),
        ]),
        Kind::cluster_scoped(
            CLUSTER_BINDINGS_TABLE,
            "Cluster Role Bindings",
            "Cluster Role Binding",
            CLUSTER_BINDING_VIEW,
            cluster_binding_kind(),
            "mdi:link-variant",
        )
        .columns(vec![
            Column::computed("role", "Role"),
            Column::computed("subjects", "Subjects"),
        ]),
    ]
}

impl Plugin for SecurityPlugin {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        // After Network (40) and before Configuration (60), as Headlamp orders its sidebar.
        let mut reg = Registration::new().sidebar(
            SidebarEntry::group("security", "Security")
                .icon("mdi:lock")
                .order(50),
        );
        for (i, kind) in kinds().into_iter().enumerate() {
            let order = 10 * (i32::try_from(i).unwrap_or(0) + 1);
            reg = kind.register(reg, "security", order);
        }
        Ok(reg)
    }

    fn render(&self, slot: &Slot, ctx: &RenderContext) -> Result<View, String> {
        let Slot::DetailsView(id) = slot else {
            return Err(format!(
                "the security plugin has no view for {slot:?}; it renders only details views"
            ));
        };
        let now = host::now_millis();
        let object = ctx.require_object()?;
        let cluster = ctx.cluster.as_str();
        match id.as_str() {
            ACCOUNT_VIEW => accounts::view(object, cluster, now),
            ROLE_VIEW => roles::view(object, cluster, now, false),
            CLUSTER_ROLE_VIEW => roles::view(object, cluster, now, true),
            BINDING_VIEW | CLUSTER_BINDING_VIEW => bindings::view(object, cluster, now),
            other => Err(format!(
                "the security plugin has no details view `{other}`; it renders `{ACCOUNT_VIEW}`, `{ROLE_VIEW}`, `{CLUSTER_ROLE_VIEW}`, `{BINDING_VIEW}` and `{CLUSTER_BINDING_VIEW}`"
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
            ACCOUNTS_TABLE => accounts::rows(columns, objects),
            ROLES_TABLE | CLUSTER_ROLES_TABLE => roles::rows(&ctx.table, columns, objects),
            BINDINGS_TABLE | CLUSTER_BINDINGS_TABLE => bindings::rows(&ctx.table, columns, objects),
            other => Err(format!(
                "the security plugin has no table `{other}`; it computes columns of `{ACCOUNTS_TABLE}`, `{ROLES_TABLE}`, `{CLUSTER_ROLES_TABLE}`, `{BINDINGS_TABLE}` and `{CLUSTER_BINDINGS_TABLE}` only"
            )),
        }
    }
}

headlamp_plugin_sdk::export_plugin!(SecurityPlugin);
