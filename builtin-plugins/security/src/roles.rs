//! Roles and ClusterRoles: the rule count of the tables and the details view (rules as a
//! table; a cluster role's aggregation).

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use headlamp_plugin_sdk::details::{self, array_at, kv, strings_at, text_at};

/// Cells of `columns` of `table` for each role in `objects`.
pub(crate) fn rows(
    table: &str,
    columns: &[String],
    objects: &[Object],
) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "role",
        columns,
        objects,
        |id| match id {
            "rules" => Ok(()),
            other => Err(format!(
                "the security plugin computes no column `{other}` of table `{table}` (only `rules`)"
            )),
        },
        |row: &Value, columns: &[()]| {
            columns
                .iter()
                .map(|()| Cell::number(array_at(row, &["rules"]).len() as f64))
                .collect()
        },
    )
}

/// The items of the string list `field` of a rule, comma-separated; the core API group (the
/// empty string) is written `core`, as kubectl describes it.
fn list(rule: &Value, field: &str) -> String {
    strings_at(rule, &[field])
        .into_iter()
        .map(|s| {
            if s.is_empty() && field == "apiGroups" {
                "core"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The columns of the rules table; cluster roles also grant non-resource URLs.
pub fn columns(cluster_role: bool) -> Vec<&'static str> {
    if cluster_role {
        vec![
            "API Groups",
            "Resources",
            "Non-Resource URLs",
            "Resource Names",
            "Verbs",
        ]
    } else {
        vec!["API Groups", "Resources", "Resource Names", "Verbs"]
    }
}

/// One row per rule, in the order of [`columns`].
pub fn rule_rows(role: &Value, cluster_role: bool) -> Vec<Vec<String>> {
    array_at(role, &["rules"])
        .iter()
        .map(|rule| {
            let mut row = vec![list(rule, "apiGroups"), list(rule, "resources")];
            if cluster_role {
                row.push(list(rule, "nonResourceURLs"));
            }
            row.extend([list(rule, "resourceNames"), list(rule, "verbs")]);
            row
        })
        .collect()
}

/// The label selectors of a cluster role's aggregation rule, `; `-separated.
pub fn aggregation(role: &Value) -> String {
    array_at(role, &["aggregationRule", "clusterRoleSelectors"])
        .iter()
        .map(|s| details::pairs_text(s.get("matchLabels")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Metadata, the aggregation (cluster roles), the rules table, events, YAML.
pub(crate) fn view(
    object: &Object,
    cluster: &str,
    now_millis: u64,
    cluster_role: bool,
) -> Result<View, String> {
    let role = object.value()?;
    let mut pairs = details::metadata(role, now_millis);
    if cluster_role {
        pairs.push(kv("Aggregated from", aggregation(role)));
    }
    let header =
        View::section(text_at(role, &["metadata", "name"])).child(View::key_value_list(pairs));
    let rows = rule_rows(role, cluster_role)
        .into_iter()
        .map(|row| row.into_iter().map(Cell::text).collect())
        .collect();
    let rules = View::section("Rules").child(details::table_or_empty(
        &columns(cluster_role),
        rows,
        "The role grants nothing.",
    ));
    let what = if cluster_role { "cluster role" } else { "role" };
    Ok(View::stack()
        .child(header)
        .child(rules)
        .child(details::events_section(cluster, role, now_millis))
        .child(details::yaml_section(role, what)?)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn rules_name_the_core_group_and_list_each_field() {
        let role = json!({"rules": [{"apiGroups": ["", "apps"], "resources": ["pods", "deployments"],
            "resourceNames": ["web"], "verbs": ["get", "list"]}]});
        assert_eq!(
            rule_rows(&role, false),
            [["core, apps", "pods, deployments", "web", "get, list"]]
        );
    }

    #[test]
    fn cluster_roles_show_non_resource_urls() {
        let role =
            json!({"rules": [{"nonResourceURLs": ["/healthz", "/version"], "verbs": ["get"]}]});
        assert_eq!(
            rule_rows(&role, true),
            [["", "", "/healthz, /version", "", "get"]]
        );
        assert_eq!(columns(true).len(), rule_rows(&role, true)[0].len());
    }

    #[test]
    fn aggregation_lists_the_selectors() {
        let role = json!({"aggregationRule": {"clusterRoleSelectors": [
            {"matchLabels": {"rbac.example.com/aggregate-to-view": "true"}}, {"matchLabels": {"a": "b"}}]}});
        assert_eq!(
            aggregation(&role),
            "rbac.example.com/aggregate-to-view=true; a=b"
        );
    }
}
