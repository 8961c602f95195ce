//! Mutating and validating webhook configurations: the webhook count of the tables and the
//! details view (each webhook's client, rules and failure policy).

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use headlamp_plugin_sdk::details::{self, array_at, int_at, str_at, strings_at, text_at};

/// The columns of the webhooks table.
pub const COLUMNS: [&str; 5] = ["Name", "Client", "Rules", "Failure Policy", "Side Effects"];

/// Cells of `columns` of `table` for each configuration in `objects`.
pub(crate) fn rows(
    table: &str,
    columns: &[String],
    objects: &[Object],
) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "webhook configuration",
        columns,
        objects,
        |id| match id {
            "webhooks" => Ok(()),
            other => Err(format!(
                "the config plugin computes no column `{other}` of table `{table}` (only `webhooks`)"
            )),
        },
        |row: &Value, columns: &[()]| {
            columns
                .iter()
                .map(|()| Cell::number(array_at(row, &["webhooks"]).len() as f64))
                .collect()
        },
    )
}

/// Where the API server sends a webhook's reviews: `namespace/name:port/path` of a service,
/// linked to its details, or the URL.
pub fn client(webhook: &Value) -> Cell {
    let config = webhook.get("clientConfig").unwrap_or(&Value::Null);
    if let Some(service) = config.get("service") {
        let namespace = text_at(service, &["namespace"]);
        let name = text_at(service, &["name"]);
        // The API server defaults the port to 443.
        let port = int_at(service, &["port"]).unwrap_or(443);
        let path = str_at(service, &["path"]).unwrap_or_default();
        return Cell::text(format!("{namespace}/{name}:{port}{path}"))
            .link(format!("/services/{namespace}/{name}"));
    }
    Cell::text(text_at(config, &["url"]))
}

/// `CREATE, UPDATE apps/v1 deployments; * core/v1 pods` (the core group written `core`).
pub fn rules_text(webhook: &Value) -> String {
    array_at(webhook, &["rules"])
        .iter()
        .map(|rule| {
            let groups: Vec<&str> = strings_at(rule, &["apiGroups"])
                .into_iter()
                .map(|g| if g.is_empty() { "core" } else { g })
                .collect();
            format!(
                "{} {}/{} {}",
                strings_at(rule, &["operations"]).join(", "),
                groups.join(","),
                strings_at(rule, &["apiVersions"]).join(","),
                strings_at(rule, &["resources"]).join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One row of the webhooks table.
pub fn webhook_row(webhook: &Value) -> Vec<Cell> {
    // The API server defaults the failure policy to Fail.
    let policy = str_at(webhook, &["failurePolicy"]).unwrap_or("Fail");
    vec![
        Cell::text(text_at(webhook, &["name"])),
        client(webhook),
        Cell::text(rules_text(webhook)),
        Cell::text(policy).tone(if policy == "Fail" {
            Tone::Warning
        } else {
            Tone::Neutral
        }),
        Cell::text(text_at(webhook, &["sideEffects"])),
    ]
}

/// Metadata, the webhooks table, events, YAML.
pub(crate) fn view(
    object: &Object,
    cluster: &str,
    now_millis: u64,
    what: &str,
) -> Result<View, String> {
    let config = object.value()?;
    let header = View::section(text_at(config, &["metadata", "name"]))
        .child(View::key_value_list(details::metadata(config, now_millis)));
    let rows = array_at(config, &["webhooks"])
        .iter()
        .map(webhook_row)
        .collect();
    let webhooks = View::section("Webhooks").child(details::table_or_empty(
        &COLUMNS,
        rows,
        &format!("The {what} has no webhooks."),
    ));
    Ok(View::stack()
        .child(header)
        .child(webhooks)
        .child(details::events_section(cluster, config, now_millis))
        .child(details::yaml_section(config, what)?)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn a_service_client_links_to_the_service_with_the_default_port() {
        let hook = json!({"clientConfig": {"service": {"namespace": "kube-system", "name": "injector", "path": "/inject"}}});
        let cell = client(&hook);
        assert_eq!(cell.text, "kube-system/injector:443/inject");
        assert_eq!(cell.link.as_deref(), Some("/services/kube-system/injector"));
    }

    #[test]
    fn a_url_client_is_shown_as_is() {
        let hook = json!({"clientConfig": {"url": "https://policy.example.com/validate"}});
        let cell = client(&hook);
        assert_eq!(cell.text, "https://policy.example.com/validate");
        assert_eq!(cell.link, None);
    }

    #[test]
    fn rules_name_operations_groups_versions_and_resources() {
        let hook = json!({"rules": [
            {"operations": ["CREATE", "UPDATE"], "apiGroups": ["apps"], "apiVersions": ["v1"], "resources": ["deployments"]},
            {"operations": ["*"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods", "pods/exec"]}
        ]});
        assert_eq!(
            rules_text(&hook),
            "CREATE, UPDATE apps/v1 deployments; * core/v1 pods, pods/exec"
        );
    }

    #[test]
    fn the_failure_policy_defaults_to_fail() {
        let row = webhook_row(&json!({"name": "a.example.com"}));
        assert_eq!(row[3].text, "Fail");
        assert_eq!(row[3].tone, Some(Tone::Warning));
    }
}
