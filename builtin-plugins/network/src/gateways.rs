//! Gateway API classes and gateways: computed cells and details views (listeners, addresses,
//! the gateways of a class, the routes attached to a gateway).

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use headlamp_plugin_sdk::details::{self, array_at, kv, kv_link, str_at, text_at};

use crate::routes;

/// The computed columns of both tables, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    Accepted,
    Class,
    Addresses,
    Listeners,
    Programmed,
}

/// Cells of `columns` for each GatewayClass in `objects`.
pub(crate) fn class_rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "gateway class",
        columns,
        objects,
        |id| match id {
            "accepted" => Ok(Computed::Accepted),
            other => Err(format!(
                "the network plugin computes no column `{other}` of table `{}` (only `accepted`)",
                crate::GATEWAY_CLASSES_TABLE
            )),
        },
        |row: &Value, columns: &[Computed]| columns.iter().map(|c| cell(*c, row)).collect(),
    )
}

/// Cells of `columns` for each Gateway in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "gateway",
        columns,
        objects,
        |id| match id {
            "class" => Ok(Computed::Class),
            "addresses" => Ok(Computed::Addresses),
            "listeners" => Ok(Computed::Listeners),
            "programmed" => Ok(Computed::Programmed),
            other => Err(format!(
                "the network plugin computes no column `{other}` of table `{}` (only `class`, `addresses`, `listeners` and `programmed`)",
                crate::GATEWAYS_TABLE
            )),
        },
        |row: &Value, columns: &[Computed]| columns.iter().map(|c| cell(*c, row)).collect(),
    )
}

fn cell(column: Computed, object: &Value) -> Cell {
    match column {
        Computed::Accepted => condition_cell(object, "Accepted"),
        Computed::Programmed => condition_cell(object, "Programmed"),
        Computed::Class => {
            let class = text_at(object, &["spec", "gatewayClassName"]);
            Cell::text(class.clone()).link(crate::gateway_class_route(&class))
        }
        Computed::Addresses => Cell::text(addresses_text(object)),
        Computed::Listeners => Cell::text(listeners_text(object)),
    }
}

/// The status of condition `kind` in `status.conditions`: `True` green, `False` red, and
/// `Unknown` (also when the controller has not reported it yet) amber.
pub(crate) fn condition_cell(object: &Value, kind: &str) -> Cell {
    status_cell(array_at(object, &["status", "conditions"]), kind)
}

/// The status of condition `kind` among `conditions`, coloured as [`condition_cell`] does.
fn status_cell(conditions: &[Value], kind: &str) -> Cell {
    let status = condition_status(conditions, kind);
    let tone = match status {
        "True" => Tone::Success,
        "False" => Tone::Error,
        _ => Tone::Warning,
    };
    Cell::text(status).tone(tone)
}

/// `True`, `False` or `Unknown`: the status of condition `kind` in `conditions`.
pub(crate) fn condition_status<'v>(conditions: &'v [Value], kind: &str) -> &'v str {
    conditions
        .iter()
        .find(|c| str_at(c, &["type"]) == Some(kind))
        .and_then(|c| str_at(c, &["status"]))
        .unwrap_or("Unknown")
}

/// The addresses the controller assigned (`status.addresses`), else the requested ones.
pub fn addresses_text(gateway: &Value) -> String {
    let assigned = array_at(gateway, &["status", "addresses"]);
    let addresses = if assigned.is_empty() {
        array_at(gateway, &["spec", "addresses"])
    } else {
        assigned
    };
    addresses
        .iter()
        .filter_map(|a| str_at(a, &["value"]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `http:80/HTTP, https:443/HTTPS`: each listener's name, port and protocol.
pub fn listeners_text(gateway: &Value) -> String {
    array_at(gateway, &["spec", "listeners"])
        .iter()
        .map(|l| {
            format!(
                "{}:{}/{}",
                text_at(l, &["name"]),
                l.get("port").and_then(Value::as_i64).unwrap_or_default(),
                text_at(l, &["protocol"])
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row per listener: name, hostname, port, protocol, TLS, attached routes, programmed.
pub(crate) fn listener_rows(gateway: &Value) -> Vec<Vec<Cell>> {
    let statuses = array_at(gateway, &["status", "listeners"]);
    array_at(gateway, &["spec", "listeners"])
        .iter()
        .map(|listener| {
            let name = text_at(listener, &["name"]);
            let status = statuses
                .iter()
                .find(|s| str_at(s, &["name"]) == Some(&name));
            let attached = status
                .and_then(|s| s.get("attachedRoutes"))
                .and_then(Value::as_i64)
                .map_or_else(String::new, |n| n.to_string());
            let programmed = match status {
                Some(s) => status_cell(array_at(s, &["conditions"]), "Programmed"),
                None => Cell::text("Unknown").tone(Tone::Warning),
            };
            let tls = match listener.get("tls") {
                Some(tls) => {
                    let certificates: Vec<String> = array_at(tls, &["certificateRefs"])
                        .iter()
                        .map(|c| text_at(c, &["name"]))
                        .collect();
                    format!(
                        "{} ({})",
                        str_at(tls, &["mode"]).unwrap_or("Terminate"),
                        certificates.join(", ")
                    )
                }
                None => String::new(),
            };
            vec![
                Cell::text(name),
                Cell::text(str_at(listener, &["hostname"]).unwrap_or("*")),
                Cell::number(
                    listener
                        .get("port")
                        .and_then(Value::as_f64)
                        .unwrap_or_default(),
                ),
                Cell::text(text_at(listener, &["protocol"])),
                Cell::text(tls),
                Cell::text(attached),
                programmed,
            ]
        })
        .collect()
}

/// A class: controller, description, parameters, conditions, the gateways using it, events,
/// YAML.
pub(crate) fn class_view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let class = object.value()?;
    let name = text_at(class, &["metadata", "name"]);
    let parameters = match class.pointer("/spec/parametersRef") {
        Some(p) => format!("{}/{}", text_at(p, &["kind"]), text_at(p, &["name"])),
        None => String::new(),
    };
    let mut pairs = details::metadata(class, now_millis);
    pairs.extend([
        kv("Controller", text_at(class, &["spec", "controllerName"])),
        kv("Description", text_at(class, &["spec", "description"])),
        kv("Parameters", parameters),
    ]);
    let gateways = cluster::list(cluster, &crate::gateway_kind(), &ListOptions::default())
        .map_err(|e| format!("could not list the gateways of gateway class {name}: {e}"))?;
    let mut rows = Vec::new();
    for item in &gateways.items {
        let gateway = item.value()?;
        if str_at(gateway, &["spec", "gatewayClassName"]) != Some(name.as_str()) {
            continue;
        }
        let (namespace, gateway_name) = namespaced_name(gateway);
        rows.push(vec![
            Cell::text(gateway_name.clone()).link(crate::gateway_route(&namespace, &gateway_name)),
            Cell::text(namespace),
            Cell::text(addresses_text(gateway)),
            condition_cell(gateway, "Programmed"),
        ]);
    }
    Ok(View::stack()
        .child(View::section(name.clone()).child(View::key_value_list(pairs)))
        .child(details::conditions_section(class))
        .child(View::section("Gateways").child(details::table_or_empty(
            &["Name", "Namespace", "Addresses", "Programmed"],
            rows,
            "No gateway uses this class.",
        )))
        .child(details::events_section(cluster, class, now_millis))
        .child(details::yaml_section(class, "gateway class")?)
        .build())
}

/// A gateway: class (linked), addresses, listeners, conditions, attached routes, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let gateway = object.value()?;
    let (namespace, name) = namespaced_name(gateway);
    let class = text_at(gateway, &["spec", "gatewayClassName"]);
    let mut pairs = details::metadata(gateway, now_millis);
    pairs.extend([
        kv_link("Class", class.clone(), crate::gateway_class_route(&class)),
        kv("Addresses", addresses_text(gateway)),
    ]);
    let listeners = View::section("Listeners").child(details::table_or_empty(
        &[
            "Name",
            "Hostname",
            "Port",
            "Protocol",
            "TLS",
            "Attached Routes",
            "Programmed",
        ],
        listener_rows(gateway),
        "The gateway has no listeners.",
    ));
    Ok(View::stack()
        .child(View::section(name.clone()).child(View::key_value_list(pairs)))
        .child(listeners)
        .child(details::conditions_section(gateway))
        .child(routes::attached_section(cluster, &namespace, &name)?)
        .child(details::events_section(cluster, gateway, now_millis))
        .child(details::yaml_section(gateway, "gateway")?)
        .build())
}

/// The object's namespace and name.
pub(crate) fn namespaced_name(object: &Value) -> (String, String) {
    (
        text_at(object, &["metadata", "namespace"]),
        text_at(object, &["metadata", "name"]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn addresses_prefer_what_the_controller_assigned() {
        let requested = json!({"spec": {"addresses": [{"value": "10.0.0.9"}]}});
        assert_eq!(addresses_text(&requested), "10.0.0.9");
        let assigned = json!({"spec": {"addresses": [{"value": "10.0.0.9"}]},
            "status": {"addresses": [{"type": "IPAddress", "value": "172.18.0.200"}, {"type": "Hostname", "value": "gw.example"}]}});
        assert_eq!(addresses_text(&assigned), "172.18.0.200, gw.example");
    }

    #[test]
    fn a_condition_not_reported_yet_reads_unknown_in_amber() {
        let gateway = json!({"status": {"conditions": [{"type": "Accepted", "status": "True"}]}});
        let accepted = condition_cell(&gateway, "Accepted");
        assert_eq!(
            (accepted.text.as_str(), accepted.tone),
            ("True", Some(Tone::Success))
        );
        let programmed = condition_cell(&gateway, "Programmed");
        assert_eq!(
            (programmed.text.as_str(), programmed.tone),
            ("Unknown", Some(Tone::Warning))
        );
    }

    #[test]
    fn listeners_join_their_status_by_name() {
        let gateway = json!({"spec": {"listeners": [
                {"name": "http", "port": 80, "protocol": "HTTP"},
                {"name": "https", "port": 443, "protocol": "HTTPS", "hostname": "*.example.com",
                    "tls": {"certificateRefs": [{"name": "cert"}]}}]},
            "status": {"listeners": [{"name": "https", "attachedRoutes": 2,
                "conditions": [{"type": "Programmed", "status": "False"}]}]}});
        assert_eq!(listeners_text(&gateway), "http:80/HTTP, https:443/HTTPS");
        let rows = listener_rows(&gateway);
        let texts: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(|c| c.text.as_str()).collect())
            .collect();
        assert_eq!(texts[0], ["http", "*", "80", "HTTP", "", "", "Unknown"]);
        assert_eq!(
            texts[1],
            [
                "https",
                "*.example.com",
                "443",
                "HTTPS",
                "Terminate (cert)",
                "2",
                "False"
            ]
        );
    }
}
