//! EndpointSlices: computed cells of the table and the details view.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::endpoints::{ready_cell, target_cell};
use headlamp_plugin_sdk::details::{self, array_at, str_at, text_at};

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    Ports,
    Endpoints,
}

/// Cells of `columns` for each slice in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "endpoint slice",
        columns,
        objects,
        |id| match id {
            "ports" => Ok(Computed::Ports),
            "endpoints" => Ok(Computed::Endpoints),
            other => Err(format!(
                "the network plugin computes no column `{other}` of table `{}` (only `ports` and `endpoints`)",
                crate::SLICES_TABLE
            )),
        },
        |row: &Value, columns: &[Computed]| {
            columns
                .iter()
                .map(|c| match c {
                    Computed::Ports => Cell::text(ports_text(row)),
                    Computed::Endpoints => Cell::text(addresses_text(row)),
                })
                .collect()
        },
    )
}

/// kubectl's PORTS of a slice: the port numbers, `<unset>` for a port without one.
pub fn ports_text(slice: &Value) -> String {
    let ports: Vec<String> = array_at(slice, &["ports"])
        .iter()
        .map(|p| match p.get("port") {
            Some(port) if !port.is_null() => port.to_string(),
            _ => "<unset>".to_owned(),
        })
        .collect();
    if ports.is_empty() {
        "<unset>".to_owned()
    } else {
        ports.join(",")
    }
}

/// The addresses of every endpoint, `<unset>` when there are none.
pub fn addresses_text(slice: &Value) -> String {
    let addresses: Vec<&str> = array_at(slice, &["endpoints"])
        .iter()
        .flat_map(|e| array_at(e, &["addresses"]))
        .filter_map(Value::as_str)
        .collect();
    if addresses.is_empty() {
        "<unset>".to_owned()
    } else {
        addresses.join(",")
    }
}

/// Metadata, address type, the service (linked), endpoints as a table, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let slice = object.value()?;
    let namespace = text_at(slice, &["metadata", "namespace"]);
    let service = text_at(slice, &["metadata", "labels", "kubernetes.io/service-name"]);
    let mut pairs = details::metadata(slice, now_millis);
    pairs.extend([
        details::kv("Address type", text_at(slice, &["addressType"])),
        details::kv("Ports", ports_text(slice)),
        details::kv_link(
            "Service",
            service.clone(),
            crate::service_route(&namespace, &service),
        ),
    ]);
    let header =
        View::section(text_at(slice, &["metadata", "name"])).child(View::key_value_list(pairs));
    let rows: Vec<Vec<Cell>> = array_at(slice, &["endpoints"])
        .iter()
        .map(|e| {
            // An omitted `ready` means ready, per the EndpointSlice API.
            let ready = e
                .pointer("/conditions/ready")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            let addresses: Vec<&str> = array_at(e, &["addresses"])
                .iter()
                .filter_map(Value::as_str)
                .collect();
            vec![
                Cell::text(addresses.join(", ")),
                ready_cell(ready),
                Cell::text(str_at(e, &["nodeName"]).unwrap_or_default()),
                target_cell(e.get("targetRef")),
            ]
        })
        .collect();
    let endpoints = View::section("Endpoints").child(details::table_or_empty(
        &["Addresses", "Ready", "Node", "Target"],
        rows,
        "No endpoints.",
    ));
    Ok(View::stack()
        .child(header)
        .child(endpoints)
        .child(details::events_section(cluster, slice, now_millis))
        .child(details::yaml_section(slice, "endpoint slice")?)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn ports_and_addresses_follow_kubectl() {
        let slice = json!({"ports": [{"port": 80}, {"name": "x"}],
            "endpoints": [{"addresses": ["10.0.0.1"]}, {"addresses": ["10.0.0.2", "10.0.0.3"]}]});
        assert_eq!(ports_text(&slice), "80,<unset>");
        assert_eq!(addresses_text(&slice), "10.0.0.1,10.0.0.2,10.0.0.3");
        assert_eq!(addresses_text(&json!({})), "<unset>");
        assert_eq!(ports_text(&json!({})), "<unset>");
    }
}
