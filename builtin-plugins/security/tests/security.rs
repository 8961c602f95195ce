//! The security plugin, driven natively through the SDK's harness.

use headlamp_plugin_sdk::testing::Harness;
use headlamp_plugin_sdk::{NodeKind, View};
use headlamp_plugin_security::{
    ACCOUNT_VIEW, BINDINGS_TABLE, CLUSTER_BINDING_VIEW, SecurityPlugin,
};
use serde_json::{Value, json};

fn harness() -> Harness {
    let mut h = Harness::new(SecurityPlugin);
    h.init().expect("init succeeds");
    h
}

fn table(view: &View, section: &str) -> headlamp_plugin_sdk::TableNode {
    let index = view.find_section(section).expect("section exists");
    view.children_of(index)
        .find_map(|n| match &n.kind {
            NodeKind::Table(t) => Some(t.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no table in section `{section}`"))
}

fn binding(kind: &str, namespace: Option<&str>, name: &str, role: (&str, &str)) -> Value {
    let mut metadata = json!({"name": name});
    if let Some(ns) = namespace {
        metadata["namespace"] = json!(ns);
    }
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": metadata,
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role.0, "name": role.1},
        "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "shop"}]})
}

#[test]
fn init_registers_the_security_group_with_a_table_per_kind() {
    let reg = Harness::new(SecurityPlugin).init().unwrap();
    let group = reg.sidebar.iter().find(|e| e.id == "security").unwrap();
    assert_eq!((group.label.as_str(), group.order), ("Security", 50));
    let tables: Vec<_> = reg.tables.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        tables,
        [
            "serviceaccounts",
            "roles",
            "clusterroles",
            "rolebindings",
            "clusterrolebindings"
        ]
    );
    let cluster_roles = reg.tables.iter().find(|t| t.id == "clusterroles").unwrap();
    assert!(!cluster_roles.namespaced);
}

#[test]
fn binding_rows_link_the_role_and_name_the_subjects() {
    let h = harness();
    let b = binding("RoleBinding", Some("shop"), "ci-edit", ("Role", "editor"));
    let rows = h
        .rows(BINDINGS_TABLE, &["role", "subjects"], &[b.to_string()])
        .unwrap();
    assert_eq!(rows[0][0].text, "Role/editor");
    assert_eq!(rows[0][0].link.as_deref(), Some("/roles/shop/editor"));
    assert_eq!(rows[0][1].text, "ServiceAccount shop/ci");
}

#[test]
fn a_cluster_role_binding_view_links_role_and_service_account() {
    let h = harness();
    let b = binding(
        "ClusterRoleBinding",
        None,
        "ci-view",
        ("ClusterRole", "view"),
    );
    let view = h
        .render_details(CLUSTER_BINDING_VIEW, &b.to_string())
        .unwrap();
    let subjects = table(&view, "Subjects");
    assert_eq!(subjects.columns, ["Kind", "Name", "Namespace"]);
    assert_eq!(
        subjects.rows[0][1].link.as_deref(),
        Some("/serviceaccounts/shop/ci")
    );
}

#[test]
fn a_service_account_view_lists_the_bindings_that_name_it() {
    let h = harness();
    h.insert(binding(
        "RoleBinding",
        Some("shop"),
        "ci-edit",
        ("Role", "editor"),
    ));
    h.insert(binding(
        "ClusterRoleBinding",
        None,
        "ci-view",
        ("ClusterRole", "view"),
    ));
    let mut other = binding("RoleBinding", Some("shop"), "other", ("Role", "editor"));
    other["subjects"][0]["name"] = json!("someone-else");
    h.insert(other);
    let account = json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "ci", "namespace": "shop"}, "secrets": [{"name": "ci-token"}]});
    let view = h
        .render_details(ACCOUNT_VIEW, &account.to_string())
        .unwrap();
    let bindings = table(&view, "Bindings");
    let texts: Vec<Vec<&str>> = bindings
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.text.as_str()).collect())
        .collect();
    assert_eq!(
        texts,
        [
            ["RoleBinding/ci-edit", "Role/editor"],
            ["ClusterRoleBinding/ci-view", "ClusterRole/view"]
        ]
    );
    assert_eq!(
        bindings.rows[1][0].link.as_deref(),
        Some("/clusterrolebindings/ci-view")
    );
    let secrets = table(&view, "Secrets");
    assert_eq!(
        secrets.rows[0][0].link.as_deref(),
        Some("/secrets/shop/ci-token")
    );
}

#[test]
fn manifest_reads_rbac_and_no_secrets() {
    let manifest = include_str!("../plugin.toml");
    assert!(manifest.contains(r#"name = "security""#));
    assert!(manifest.contains("\"clusterrolebindings.rbac.authorization.k8s.io\""));
    assert!(!manifest.contains("\"secrets\""));
}
