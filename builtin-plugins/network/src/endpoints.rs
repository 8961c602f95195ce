//! Endpoints: computed cells of the table and the details view.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use headlamp_plugin_sdk::details::{self, array_at, str_at, text_at};

/// The columns of an address table (here and in a service's details).
pub(crate) const ADDRESS_COLUMNS: [&str; 5] = ["Address", "Ready", "Node", "Target", "Ports"];

/// Cells of `columns` for each Endpoints object in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "endpoints",
        columns,
        objects,
        |id| match id {
            "endpoints" => Ok(()),
            other => Err(format!(
                "the network plugin computes no column `{other}` of table `{}` (only `endpoints`)",
                crate::ENDPOINTS_TABLE
            )),
        },
        |row: &Value, columns: &[()]| {
            columns
                .iter()
                .map(|()| Cell::text(endpoints_text(row)))
                .collect()
        },
    )
}

/// kubectl's ENDPOINTS: `ip:port` for each ready address and port; `<none>` when empty.
pub fn endpoints_text(endpoints: &Value) -> String {
    let mut out = Vec::new();
    for subset in array_at(endpoints, &["subsets"]) {
        let ports: Vec<String> = array_at(subset, &["ports"])
            .iter()
            .map(|p| p.get("port").map(Value::to_string).unwrap_or_default())
            .collect();
        for address in array_at(subset, &["addresses"]) {
            let ip = text_at(address, &["ip"]);
            if ports.is_empty() {
                out.push(ip);
            } else {
                out.extend(ports.iter().map(|p| format!("{ip}:{p}")));
            }
        }
    }
    if out.is_empty() {
        "<none>".to_owned()
    } else {
        out.join(", ")
    }
}

/// One row per address (ready and not ready): address, ready, node, target (pods linked),
/// ports.
pub(crate) fn address_rows(endpoints: &Value) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for subset in array_at(endpoints, &["subsets"]) {
        let ports = array_at(subset, &["ports"])
            .iter()
            .map(|p| {
                let port = p.get("port").map(Value::to_string).unwrap_or_default();
                let protocol = str_at(p, &["protocol"]).unwrap_or("TCP");
                match str_at(p, &["name"]).filter(|n| !n.is_empty()) {
                    Some(name) => format!("{name}:{port}/{protocol}"),
                    None => format!("{port}/{protocol}"),
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        for (key, ready) in [("addresses", true), ("notReadyAddresses", false)] {
            for address in array_at(subset, &[key]) {
                rows.push(vec![
                    Cell::text(text_at(address, &["ip"])),
                    ready_cell(ready),
                    Cell::text(text_at(address, &["nodeName"])),
                    target_cell(address.get("targetRef")),
                    Cell::text(ports.clone()),
                ]);
            }
        }
    }
    rows
}

/// Yes in green, No in amber.
pub(crate) fn ready_cell(ready: bool) -> Cell {
    if ready {
        Cell::text("Yes").tone(Tone::Success)
    } else {
        Cell::text("No").tone(Tone::Warning)
    }
}

/// `Pod/web-1`, linked to the pod's details when the target is a pod.
pub(crate) fn target_cell(target: Option<&Value>) -> Cell {
    let Some(target) = target else {
        return Cell::empty();
    };
    let kind = text_at(target, &["kind"]);
    let name = text_at(target, &["name"]);
    let cell = Cell::text(format!("{kind}/{name}"));
    match (kind.as_str(), str_at(target, &["namespace"])) {
        ("Pod", Some(ns)) => cell.link(format!("/pods/{ns}/{name}")),
        _ => cell,
    }
}

/// Metadata, the addresses as a table, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let endpoints = object.value()?;
    let header = View::section(text_at(endpoints, &["metadata", "name"])).child(
        View::key_value_list(details::metadata(endpoints, now_millis)),
    );
    let addresses = View::section("Addresses").child(details::table_or_empty(
        &ADDRESS_COLUMNS,
        address_rows(endpoints),
        "No addresses.",
    ));
    Ok(View::stack()
        .child(header)
        .child(addresses)
        .child(details::events_section(cluster, endpoints, now_millis))
        .child(details::yaml_section(endpoints, "endpoints")?)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn endpoints_text_pairs_every_address_with_every_port() {
        let ep = json!({"subsets": [{"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}],
            "notReadyAddresses": [{"ip": "10.0.0.9"}], "ports": [{"port": 80}, {"port": 443}]}]});
        assert_eq!(
            endpoints_text(&ep),
            "10.0.0.1:80, 10.0.0.1:443, 10.0.0.2:80, 10.0.0.2:443"
        );
        assert_eq!(endpoints_text(&json!({"subsets": []})), "<none>");
    }

    #[test]
    fn address_rows_include_not_ready_addresses_and_link_pods() {
        let ep = json!({"subsets": [{"addresses": [{"ip": "10.0.0.1", "nodeName": "n1",
            "targetRef": {"kind": "Pod", "name": "web-1", "namespace": "shop"}}],
            "notReadyAddresses": [{"ip": "10.0.0.9"}], "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}]});
        let rows = address_rows(&ep);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][3].text, "Pod/web-1");
        assert_eq!(rows[0][3].link.as_deref(), Some("/pods/shop/web-1"));
        assert_eq!(rows[0][4].text, "http:80/TCP");
        assert_eq!(
            (rows[1][1].text.as_str(), rows[1][1].tone),
            ("No", Some(Tone::Warning))
        );
    }
}
