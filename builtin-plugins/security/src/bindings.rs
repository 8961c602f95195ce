//! RoleBindings and ClusterRoleBindings: the role and subjects of the tables, and the details
//! view (role linked, subjects as a table with service accounts linked).

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use headlamp_plugin_sdk::details::{self, array_at, kv_link, str_at, text_at};

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    Role,
    Subjects,
}

/// Cells of `columns` of `table` for each binding in `objects`.
pub(crate) fn rows(
    table: &str,
    columns: &[String],
    objects: &[Object],
) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "binding",
        columns,
        objects,
        |id| match id {
            "role" => Ok(Computed::Role),
            "subjects" => Ok(Computed::Subjects),
            other => Err(format!(
                "the security plugin computes no column `{other}` of table `{table}` (only `role` and `subjects`)"
            )),
        },
        |row: &Value, columns: &[Computed]| {
            columns
                .iter()
                .map(|c| match c {
                    Computed::Role => {
                        let (text, route) = role(row);
                        Cell::text(text).link(route)
                    }
                    Computed::Subjects => Cell::text(subjects_text(row)),
                })
                .collect()
        },
    )
}

/// `Role/pod-reader` or `ClusterRole/view`, and the route of its details view (a Role lives in
/// the binding's namespace).
pub fn role(binding: &Value) -> (String, String) {
    let kind = str_at(binding, &["roleRef", "kind"]).unwrap_or("ClusterRole");
    let name = text_at(binding, &["roleRef", "name"]);
    let route = if kind == "Role" {
        let namespace = text_at(binding, &["metadata", "namespace"]);
        format!("/roles/{namespace}/{name}")
    } else {
        format!("/clusterroles/{name}")
    };
    (format!("{kind}/{name}"), route)
}

/// The namespace of a subject: its own, else (for a service account of a role binding) the
/// binding's.
fn subject_namespace(subject: &Value, binding: &Value) -> String {
    str_at(subject, &["namespace"])
        .or_else(|| {
            (str_at(subject, &["kind"]) == Some("ServiceAccount"))
                .then(|| str_at(binding, &["metadata", "namespace"]))
                .flatten()
        })
        .unwrap_or_default()
        .to_owned()
}

/// `ServiceAccount shop/frontend, Group viewers`.
pub fn subjects_text(binding: &Value) -> String {
    array_at(binding, &["subjects"])
        .iter()
        .map(|s| {
            let kind = text_at(s, &["kind"]);
            let name = text_at(s, &["name"]);
            match subject_namespace(s, binding) {
                ns if ns.is_empty() => format!("{kind} {name}"),
                ns => format!("{kind} {ns}/{name}"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Kind, name (a service account linked to its details), namespace.
pub fn subject_row(subject: &Value, binding: &Value) -> Vec<Cell> {
    let kind = text_at(subject, &["kind"]);
    let name = text_at(subject, &["name"]);
    let namespace = subject_namespace(subject, binding);
    let name_cell = if kind == "ServiceAccount" {
        Cell::text(&name).link(crate::account_route(&namespace, &name))
    } else {
        Cell::text(&name)
    };
    vec![Cell::text(kind), name_cell, Cell::text(namespace)]
}

/// Whether `binding` names the service account `namespace/name` among its subjects.
pub fn names_account(binding: &Value, namespace: &str, name: &str) -> bool {
    array_at(binding, &["subjects"]).iter().any(|s| {
        str_at(s, &["kind"]) == Some("ServiceAccount")
            && str_at(s, &["name"]) == Some(name)
            && subject_namespace(s, binding) == namespace
    })
}

/// Metadata, the role (linked), the subjects table, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let binding = object.value()?;
    let (role_text, role_route) = role(binding);
    let mut pairs = details::metadata(binding, now_millis);
    pairs.push(kv_link("Role", role_text, role_route));
    let header =
        View::section(text_at(binding, &["metadata", "name"])).child(View::key_value_list(pairs));
    let rows = array_at(binding, &["subjects"])
        .iter()
        .map(|s| subject_row(s, binding))
        .collect();
    let subjects = View::section("Subjects").child(details::table_or_empty(
        &["Kind", "Name", "Namespace"],
        rows,
        "The binding has no subjects: it grants nothing.",
    ));
    Ok(View::stack()
        .child(header)
        .child(subjects)
        .child(details::events_section(cluster, binding, now_millis))
        .child(details::yaml_section(binding, "binding")?)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    fn binding() -> Value {
        json!({"metadata": {"name": "b", "namespace": "shop"},
            "roleRef": {"kind": "Role", "name": "pod-reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "frontend"},
                         {"kind": "Group", "name": "viewers"},
                         {"kind": "ServiceAccount", "name": "agent", "namespace": "monitoring"}]})
    }

    #[test]
    fn a_role_lives_in_the_bindings_namespace_a_cluster_role_nowhere() {
        assert_eq!(
            role(&binding()),
            ("Role/pod-reader".into(), "/roles/shop/pod-reader".into())
        );
        let crb = json!({"roleRef": {"kind": "ClusterRole", "name": "view"}});
        assert_eq!(
            role(&crb),
            ("ClusterRole/view".into(), "/clusterroles/view".into())
        );
    }

    #[test]
    fn subjects_text_names_kind_and_namespace() {
        assert_eq!(
            subjects_text(&binding()),
            "ServiceAccount shop/frontend, Group viewers, ServiceAccount monitoring/agent"
        );
    }

    #[test]
    fn service_account_subjects_link_to_their_details() {
        let b = binding();
        let rows: Vec<Vec<Cell>> = array_at(&b, &["subjects"])
            .iter()
            .map(|s| subject_row(s, &b))
            .collect();
        assert_eq!(
            rows[0][1].link.as_deref(),
            Some("/serviceaccounts/shop/frontend")
        );
        assert_eq!(rows[1][1].link, None);
        assert_eq!(rows[2][2].text, "monitoring");
    }

    #[test]
    fn names_account_matches_kind_name_and_namespace() {
        assert!(names_account(&binding(), "shop", "frontend"));
        assert!(names_account(&binding(), "monitoring", "agent"));
        assert!(!names_account(&binding(), "monitoring", "frontend"));
        assert!(!names_account(&binding(), "shop", "viewers"));
    }
}
