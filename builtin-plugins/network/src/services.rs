//! Services: computed cells of the table and the details view (ports, selector, endpoints).

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use headlamp_plugin_sdk::details::{self, kv, str_at, text_at};

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    ExternalIp,
    Ports,
    Selector,
}

/// Cells of `columns` for each service in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    // Services are few per cluster; a JSON value per row keeps the code plain.
    headlamp_plugin_sdk::rows_by(
        "service",
        columns,
        objects,
        |id| match id {
            "external-ip" => Ok(Computed::ExternalIp),
            "ports" => Ok(Computed::Ports),
            "selector" => Ok(Computed::Selector),
            other => Err(format!(
                "the network plugin computes no column `{other}` of table `{}` (only `external-ip`, `ports` and `selector`)",
                crate::SERVICES_TABLE
            )),
        },
        |row: &Value, columns: &[Computed]| columns.iter().map(|c| cell(*c, row)).collect(),
    )
}

fn cell(column: Computed, service: &Value) -> Cell {
    match column {
        Computed::ExternalIp => Cell::text(external_ip(service)),
        Computed::Ports => Cell::text(ports_text(service)),
        Computed::Selector => Cell::text(details::pairs_text(service.pointer("/spec/selector"))),
    }
}

/// kubectl's EXTERNAL-IP: the external name of an ExternalName service; for a LoadBalancer the
/// balancer's addresses plus `spec.externalIPs`, or `<pending>` until it has one; otherwise
/// `spec.externalIPs`, or `<none>`.
pub fn external_ip(service: &Value) -> String {
    let spec_ips = details::strings_at(service, &["spec", "externalIPs"]);
    match str_at(service, &["spec", "type"]).unwrap_or("ClusterIP") {
        "ExternalName" => text_at(service, &["spec", "externalName"]),
        "LoadBalancer" => {
            let mut ips: Vec<&str> =
                details::array_at(service, &["status", "loadBalancer", "ingress"])
                    .iter()
                    .filter_map(|i| str_at(i, &["ip"]).or_else(|| str_at(i, &["hostname"])))
                    .collect();
            ips.extend(spec_ips);
            if ips.is_empty() {
                "<pending>".to_owned()
            } else {
                ips.join(",")
            }
        }
        _ if !spec_ips.is_empty() => spec_ips.join(","),
        _ => "<none>".to_owned(),
    }
}

/// `80/TCP, 443:31443/TCP`: kubectl's PORT(S), with the node port when there is one.
pub fn ports_text(service: &Value) -> String {
    details::array_at(service, &["spec", "ports"])
        .iter()
        .map(|p| {
            let port = p.get("port").and_then(Value::as_i64).unwrap_or_default();
            let protocol = str_at(p, &["protocol"]).unwrap_or("TCP");
            match p.get("nodePort").and_then(Value::as_i64) {
                Some(node) => format!("{port}:{node}/{protocol}"),
                None => format!("{port}/{protocol}"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A target port is a number or a named container port.
fn target_port(port: &Value) -> String {
    match port.get("targetPort") {
        Some(Value::String(name)) => name.clone(),
        Some(Value::Number(n)) => n.to_string(),
        // The API server defaults the target to the service port.
        _ => port.get("port").map(Value::to_string).unwrap_or_default(),
    }
}

/// Metadata, addresses, ports as a table, the selector, the endpoints, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let service = object.value()?;
    let name = text_at(service, &["metadata", "name"]);
    let namespace = text_at(service, &["metadata", "namespace"]);
    let mut pairs = details::metadata(service, now_millis);
    pairs.extend([
        kv(
            "Type",
            str_at(service, &["spec", "type"]).unwrap_or("ClusterIP"),
        ),
        kv("Cluster IP", text_at(service, &["spec", "clusterIP"])),
        kv("External IP", external_ip(service)),
        kv(
            "Session affinity",
            str_at(service, &["spec", "sessionAffinity"]).unwrap_or("None"),
        ),
        kv(
            "Selector",
            details::pairs_text(service.pointer("/spec/selector")),
        ),
    ]);
    let header = View::section(name.clone()).child(View::key_value_list(pairs));

    let ports: Vec<Vec<Cell>> = details::array_at(service, &["spec", "ports"])
        .iter()
        .map(|p| {
            vec![
                Cell::text(text_at(p, &["name"])),
                Cell::text(p.get("port").map(Value::to_string).unwrap_or_default()),
                Cell::text(target_port(p)),
                Cell::text(str_at(p, &["protocol"]).unwrap_or("TCP")),
                Cell::text(p.get("nodePort").map(Value::to_string).unwrap_or_default()),
            ]
        })
        .collect();
    let ports = View::section("Ports").child(details::table_or_empty(
        &["Name", "Port", "Target Port", "Protocol", "Node Port"],
        ports,
        "The service exposes no ports.",
    ));

    Ok(View::stack()
        .child(header)
        .child(ports)
        .child(endpoints_section(service, cluster, &namespace, &name)?)
        .child(details::events_section(cluster, service, now_millis))
        .child(details::yaml_section(service, "service")?)
        .build())
}

/// The ready and not-ready addresses of the service's Endpoints, each pod linked.
fn endpoints_section(
    service: &Value,
    cluster: &str,
    namespace: &str,
    name: &str,
) -> Result<NodeBuilder, String> {
    let section = View::section("Endpoints");
    if service
        .pointer("/spec/selector")
        .and_then(Value::as_object)
        .is_none_or(|s| s.is_empty())
    {
        // Without a selector nothing manages the endpoints: say so rather than look.
        return Ok(section.child(View::empty(
            "The service has no selector; its endpoints are managed outside Kubernetes.",
        )));
    }
    let endpoints = match cluster::get(cluster, &crate::endpoints_kind(), Some(namespace), name) {
        Ok(endpoints) => endpoints,
        Err(ClusterError::NotFound(_)) => {
            return Ok(section.child(View::empty(
                "No endpoints yet: no pod matches the selector.",
            )));
        }
        Err(e) => {
            return Err(format!(
                "could not read the endpoints of service {namespace}/{name}: {e}"
            ));
        }
    };
    let rows = crate::endpoints::address_rows(endpoints.value()?);
    Ok(section.child(details::table_or_empty(
        &crate::endpoints::ADDRESS_COLUMNS,
        rows,
        "No endpoints yet: no ready pod matches the selector.",
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn external_ip_follows_kubectl() {
        let lb = |status: Value| json!({"spec": {"type": "LoadBalancer"}, "status": status});
        assert_eq!(
            external_ip(&lb(
                json!({"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}, {"hostname": "lb.example.com"}]}})
            )),
            "1.2.3.4,lb.example.com"
        );
        assert_eq!(external_ip(&lb(json!({}))), "<pending>");
        assert_eq!(
            external_ip(
                &json!({"spec": {"type": "ExternalName", "externalName": "db.example.com"}})
            ),
            "db.example.com"
        );
        assert_eq!(
            external_ip(&json!({"spec": {"type": "ClusterIP"}})),
            "<none>"
        );
        assert_eq!(
            external_ip(&json!({"spec": {"type": "NodePort", "externalIPs": ["5.6.7.8"]}})),
            "5.6.7.8"
        );
    }

    #[test]
    fn ports_show_node_ports_and_protocols() {
        let svc = json!({"spec": {"ports": [
            {"port": 80, "protocol": "TCP", "nodePort": 31080},
            {"port": 53, "protocol": "UDP"},
            {"port": 8080}
        ]}});
        assert_eq!(ports_text(&svc), "80:31080/TCP, 53/UDP, 8080/TCP");
        assert_eq!(
            target_port(&json!({"port": 80, "targetPort": "http"})),
            "http"
        );
        assert_eq!(target_port(&json!({"port": 80})), "80");
    }
}
