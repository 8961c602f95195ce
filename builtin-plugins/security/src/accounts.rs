//! ServiceAccounts: the secret count of the table and the details view (secrets linked, and
//! the bindings that name the account).

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use headlamp_plugin_sdk::details::{self, array_at, kv, text_at};

/// Cells of `columns` for each service account in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "service account",
        columns,
        objects,
        |id| match id {
            "secrets" => Ok(()),
            other => Err(format!(
                "the security plugin computes no column `{other}` of table `{}` (only `secrets`)",
                crate::ACCOUNTS_TABLE
            )),
        },
        |row: &Value, columns: &[()]| {
            columns
                .iter()
                .map(|()| Cell::number(array_at(row, &["secrets"]).len() as f64))
                .collect()
        },
    )
}

/// The account's secrets and image pull secrets as (name linked to the secret, use).
pub fn secret_rows(account: &Value) -> Vec<Vec<Cell>> {
    let namespace = text_at(account, &["metadata", "namespace"]);
    let row = |reference: &Value, usage: &str| {
        let name = text_at(reference, &["name"]);
        vec![
            Cell::text(&name).link(format!("/secrets/{namespace}/{name}")),
            Cell::text(usage),
        ]
    };
    array_at(account, &["secrets"])
        .iter()
        .map(|s| row(s, "Mountable"))
        .chain(
            array_at(account, &["imagePullSecrets"])
                .iter()
                .map(|s| row(s, "Image pull")),
        )
        .collect()
}

/// Whether pods of the account get its token mounted: the API server's default is yes.
pub fn automount_text(account: &Value) -> &'static str {
    match account
        .get("automountServiceAccountToken")
        .and_then(Value::as_bool)
    {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Yes (default)",
    }
}

/// Metadata, automount, secrets, bindings, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let account = object.value()?;
    let namespace = text_at(account, &["metadata", "namespace"]);
    let name = text_at(account, &["metadata", "name"]);
    let mut pairs = details::metadata(account, now_millis);
    pairs.push(kv("Automount token", automount_text(account)));
    let header = View::section(name.clone()).child(View::key_value_list(pairs));
    let secrets = View::section("Secrets").child(details::table_or_empty(
        &["Name", "Use"],
        secret_rows(account),
        "The account lists no secrets (tokens are issued on demand since Kubernetes 1.24).",
    ));
    Ok(View::stack()
        .child(header)
        .child(secrets)
        .child(bindings_section(cluster, &namespace, &name))
        .child(details::events_section(cluster, account, now_millis))
        .child(details::yaml_section(account, "service account")?)
        .build())
}

/// "Bindings": the role bindings of the account's namespace and the cluster role bindings that
/// name it, each linked with its role; the API's error in place when they cannot be listed.
fn bindings_section(cluster: &str, namespace: &str, name: &str) -> NodeBuilder {
    let section = View::section("Bindings");
    let lists = [
        (
            crate::binding_kind(),
            ListOptions::default().namespace(namespace),
            crate::BINDINGS_TABLE,
        ),
        (
            crate::cluster_binding_kind(),
            ListOptions::default(),
            crate::CLUSTER_BINDINGS_TABLE,
        ),
    ];
    let mut rows = Vec::new();
    for (kind, options, plural) in lists {
        let list = match cluster::list(cluster, &kind, &options) {
            Ok(list) => list,
            Err(e) => {
                return section.child(View::error(format!(
                    "Could not list the {plural} naming this account: {e}"
                )));
            }
        };
        for item in &list.items {
            let Ok(binding) = item.value() else { continue };
            if !crate::bindings::names_account(binding, namespace, name) {
                continue;
            }
            let binding_name = text_at(binding, &["metadata", "name"]);
            let route = match binding
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
            {
                Some(ns) => format!("/{plural}/{ns}/{binding_name}"),
                None => format!("/{plural}/{binding_name}"),
            };
            let (role, role_route) = crate::bindings::role(binding);
            rows.push(vec![
                Cell::text(format!("{}/{binding_name}", kind.kind)).link(route),
                Cell::text(role).link(role_route),
            ]);
        }
    }
    section.child(details::table_or_empty(
        &["Binding", "Role"],
        rows,
        "No role binding or cluster role binding names this account.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn secrets_and_pull_secrets_link_to_the_secrets() {
        let account = json!({"metadata": {"name": "ci", "namespace": "shop"},
            "secrets": [{"name": "ci-token"}], "imagePullSecrets": [{"name": "registry"}]});
        let rows = secret_rows(&account);
        let texts: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(|c| c.text.as_str()).collect())
            .collect();
        assert_eq!(
            texts,
            [["ci-token", "Mountable"], ["registry", "Image pull"]]
        );
        assert_eq!(rows[1][0].link.as_deref(), Some("/secrets/shop/registry"));
    }

    #[test]
    fn automount_defaults_to_yes() {
        assert_eq!(automount_text(&json!({})), "Yes (default)");
        assert_eq!(
            automount_text(&json!({"automountServiceAccountToken": false})),
            "No"
        );
    }
}
