//! Ingresses: computed cells of the table and the details view (rules with linked backends).

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use headlamp_plugin_sdk::details::{self, array_at, kv, kv_link, str_at, text_at};

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    Class,
    Hosts,
    Address,
    Ports,
}

/// Cells of `columns` for each ingress in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "ingress",
        columns,
        objects,
        |id| match id {
            "class" => Ok(Computed::Class),
            "hosts" => Ok(Computed::Hosts),
            "address" => Ok(Computed::Address),
            "ports" => Ok(Computed::Ports),
            other => Err(format!(
                "the network plugin computes no column `{other}` of table `{}` (only `class`, `hosts`, `address` and `ports`)",
                crate::INGRESSES_TABLE
            )),
        },
        |row: &Value, columns: &[Computed]| columns.iter().map(|c| cell(*c, row)).collect(),
    )
}

fn cell(column: Computed, ingress: &Value) -> Cell {
    match column {
        Computed::Class => match class(ingress) {
            Some(class) => Cell::text(class).link(crate::ingress_class_route(class)),
            None => Cell::text("<none>"),
        },
        Computed::Hosts => Cell::text(hosts_text(ingress)),
        Computed::Address => Cell::text(address_text(ingress)),
        Computed::Ports => Cell::text(ports_text(ingress)),
    }
}

/// `spec.ingressClassName`, or the annotation that preceded it.
pub fn class(ingress: &Value) -> Option<&str> {
    str_at(ingress, &["spec", "ingressClassName"]).or_else(|| {
        str_at(
            ingress,
            &["metadata", "annotations", "kubernetes.io/ingress.class"],
        )
    })
}

/// kubectl's HOSTS: the hosts of the rules, `*` for a rule without one.
pub fn hosts_text(ingress: &Value) -> String {
    let hosts: Vec<&str> = array_at(ingress, &["spec", "rules"])
        .iter()
        .map(|r| str_at(r, &["host"]).unwrap_or("*"))
        .collect();
    if hosts.is_empty() {
        "*".to_owned()
    } else {
        hosts.join(",")
    }
}

/// The load balancer's IPs or hostnames.
pub fn address_text(ingress: &Value) -> String {
    array_at(ingress, &["status", "loadBalancer", "ingress"])
        .iter()
        .filter_map(|i| str_at(i, &["ip"]).or_else(|| str_at(i, &["hostname"])))
        .collect::<Vec<_>>()
        .join(",")
}

/// kubectl's PORTS: `80`, and `80, 443` when the ingress terminates TLS.
pub fn ports_text(ingress: &Value) -> String {
    if array_at(ingress, &["spec", "tls"]).is_empty() {
        "80".to_owned()
    } else {
        "80, 443".to_owned()
    }
}

/// `name:80` or `name:http` of a service backend, or `Kind/name` of a resource backend.
fn backend_cell(backend: Option<&Value>, namespace: &str) -> Cell {
    let Some(backend) = backend else {
        return Cell::empty();
    };
    if let Some(service) = backend.get("service") {
        let name = text_at(service, &["name"]);
        let port = match service.get("port") {
            Some(p) => str_at(p, &["name"])
                .map(str::to_owned)
                .or_else(|| p.get("number").map(Value::to_string))
                .unwrap_or_default(),
            None => String::new(),
        };
        return Cell::text(format!("{name}:{port}")).link(crate::service_route(namespace, &name));
    }
    match backend.get("resource") {
        Some(r) => Cell::text(format!(
            "{}/{}",
            text_at(r, &["kind"]),
            text_at(r, &["name"])
        )),
        None => Cell::empty(),
    }
}

/// One row per path: host, path, path type, backend (services linked); the default backend
/// first when there is one.
pub(crate) fn rule_rows(ingress: &Value) -> Vec<Vec<Cell>> {
    let namespace = text_at(ingress, &["metadata", "namespace"]);
    let mut rows = Vec::new();
    if let Some(default) = ingress.pointer("/spec/defaultBackend") {
        rows.push(vec![
            Cell::text("*"),
            Cell::text("(default)"),
            Cell::empty(),
            backend_cell(Some(default), &namespace),
        ]);
    }
    for rule in array_at(ingress, &["spec", "rules"]) {
        let host = str_at(rule, &["host"]).unwrap_or("*");
        for path in array_at(rule, &["http", "paths"]) {
            rows.push(vec![
                Cell::text(host),
                Cell::text(str_at(path, &["path"]).unwrap_or("/")),
                Cell::text(text_at(path, &["pathType"])),
                backend_cell(path.get("backend"), &namespace),
            ]);
        }
    }
    rows
}

/// Metadata, class (linked), address, TLS, the rules as a table, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let ingress = object.value()?;
    let class_name = class(ingress).unwrap_or_default().to_owned();
    let tls = array_at(ingress, &["spec", "tls"])
        .iter()
        .map(|t| {
            let hosts: Vec<&str> = details::strings_at(t, &["hosts"]);
            format!("{} ({})", text_at(t, &["secretName"]), hosts.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut pairs = details::metadata(ingress, now_millis);
    pairs.extend([
        kv_link(
            "Class",
            class_name.clone(),
            crate::ingress_class_route(&class_name),
        ),
        kv("Address", address_text(ingress)),
        kv("Ports", ports_text(ingress)),
        kv("TLS", tls),
    ]);
    let header =
        View::section(text_at(ingress, &["metadata", "name"])).child(View::key_value_list(pairs));
    let rules = View::section("Rules").child(details::table_or_empty(
        &["Host", "Path", "Path Type", "Backend"],
        rule_rows(ingress),
        "The ingress has no rules.",
    ));
    Ok(View::stack()
        .child(header)
        .child(rules)
        .child(details::events_section(cluster, ingress, now_millis))
        .child(details::yaml_section(ingress, "ingress")?)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn class_hosts_and_ports_follow_kubectl() {
        let ing = json!({"metadata": {"annotations": {"kubernetes.io/ingress.class": "traefik"}},
            "spec": {"rules": [{"host": "a.example.com"}, {"http": {}}], "tls": [{"hosts": ["a.example.com"]}]}});
        assert_eq!(class(&ing), Some("traefik"));
        assert_eq!(hosts_text(&ing), "a.example.com,*");
        assert_eq!(ports_text(&ing), "80, 443");
        assert_eq!(ports_text(&json!({"spec": {}})), "80");
        assert_eq!(class(&json!({"spec": {}})), None);
    }

    #[test]
    fn rules_link_service_backends() {
        let ing = json!({"metadata": {"namespace": "shop"}, "spec": {
        "defaultBackend": {"resource": {"kind": "StorageBucket", "name": "static"}},
        "rules": [{"host": "a", "http": {"paths": [
            {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"name": "http"}}}}
        ]}}]}});
        let rows = rule_rows(&ing);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][3].text, "StorageBucket/static");
        assert_eq!(rows[0][3].link, None);
        assert_eq!(rows[1][3].text, "api:http");
        assert_eq!(rows[1][3].link.as_deref(), Some("/services/shop/api"));
    }
}
