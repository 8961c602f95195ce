//! NetworkPolicies: computed cells of the table and the details view (ingress and egress rules).

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use headlamp_plugin_sdk::details::{self, array_at, kv, str_at, text_at};

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    PodSelector,
    PolicyTypes,
}

/// Cells of `columns` for each policy in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "network policy",
        columns,
        objects,
        |id| match id {
            "pod-selector" => Ok(Computed::PodSelector),
            "policy-types" => Ok(Computed::PolicyTypes),
            other => Err(format!(
                "the network plugin computes no column `{other}` of table `{}` (only `pod-selector` and `policy-types`)",
                crate::POLICIES_TABLE
            )),
        },
        |row: &Value, columns: &[Computed]| {
            columns
                .iter()
                .map(|c| match c {
                    Computed::PodSelector => Cell::text(pod_selector_text(row)),
                    Computed::PolicyTypes => Cell::text(policy_types(row).join(", ")),
                })
                .collect()
        },
    )
}

/// `app=web, tier in (a, b)` of a label selector; empty selects every pod.
pub fn selector_text(selector: Option<&Value>) -> String {
    let Some(selector) = selector else {
        return String::new();
    };
    let mut parts = Vec::new();
    let labels = details::pairs_text(selector.get("matchLabels"));
    if !labels.is_empty() {
        parts.push(labels);
    }
    for e in array_at(selector, &["matchExpressions"]) {
        let key = text_at(e, &["key"]);
        let values = details::strings_at(e, &["values"]).join(", ");
        parts.push(match str_at(e, &["operator"]).unwrap_or_default() {
            "In" => format!("{key} in ({values})"),
            "NotIn" => format!("{key} notin ({values})"),
            "Exists" => key,
            "DoesNotExist" => format!("!{key}"),
            other => format!("{key} {other} ({values})"),
        });
    }
    parts.join(", ")
}

/// The pod selector; an empty one is shown as every pod of the namespace.
fn pod_selector_text(policy: &Value) -> String {
    let text = selector_text(policy.pointer("/spec/podSelector"));
    if text.is_empty() {
        "<all pods>".to_owned()
    } else {
        text
    }
}

/// `spec.policyTypes`, or what the API server infers: Ingress always, Egress when there are
/// egress rules.
pub fn policy_types(policy: &Value) -> Vec<String> {
    let given = details::strings_at(policy, &["spec", "policyTypes"]);
    if !given.is_empty() {
        return given.into_iter().map(str::to_owned).collect();
    }
    let mut types = vec!["Ingress".to_owned()];
    if policy.pointer("/spec/egress").is_some() {
        types.push("Egress".to_owned());
    }
    types
}

/// One peer: pods, namespaces or an IP block.
fn peer_text(peer: &Value) -> String {
    if let Some(block) = peer.get("ipBlock") {
        let except = details::strings_at(block, &["except"]);
        let cidr = text_at(block, &["cidr"]);
        return if except.is_empty() {
            format!("ipBlock {cidr}")
        } else {
            format!("ipBlock {cidr} except {}", except.join(", "))
        };
    }
    let pods = peer.get("podSelector").map(|s| selector_text(Some(s)));
    let namespaces = peer
        .get("namespaceSelector")
        .map(|s| selector_text(Some(s)));
    let all = |s: String| if s.is_empty() { "all".to_owned() } else { s };
    match (namespaces, pods) {
        (Some(ns), Some(pods)) => format!("namespaces {} / pods {}", all(ns), all(pods)),
        (Some(ns), None) => format!("namespaces {}", all(ns)),
        (None, Some(pods)) => format!("pods {}", all(pods)),
        (None, None) => String::new(),
    }
}

/// `5432/TCP, 8000-9000/TCP`; every port when none are listed.
fn ports_text(rule: &Value) -> String {
    let ports: Vec<String> = array_at(rule, &["ports"])
        .iter()
        .map(|p| {
            let protocol = str_at(p, &["protocol"]).unwrap_or("TCP");
            let port = match p.get("port") {
                Some(Value::String(name)) => name.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => "all".to_owned(),
            };
            match p.get("endPort").and_then(Value::as_i64) {
                Some(end) => format!("{port}-{end}/{protocol}"),
                None => format!("{port}/{protocol}"),
            }
        })
        .collect();
    if ports.is_empty() {
        "all".to_owned()
    } else {
        ports.join(", ")
    }
}

/// One row per rule of `direction` (`ingress` peers are `from`, `egress` peers `to`).
pub(crate) fn rule_rows(policy: &Value, direction: &str) -> Vec<Vec<Cell>> {
    let peers_key = if direction == "ingress" { "from" } else { "to" };
    array_at(policy, &["spec", direction])
        .iter()
        .map(|rule| {
            let peers: Vec<String> = array_at(rule, &[peers_key]).iter().map(peer_text).collect();
            let peers = if peers.is_empty() {
                "anywhere".to_owned()
            } else {
                peers.join("; ")
            };
            vec![Cell::text(peers), Cell::text(ports_text(rule))]
        })
        .collect()
}

/// Metadata, pod selector, policy types, ingress and egress rules as tables, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let policy = object.value()?;
    let types = policy_types(policy);
    let mut pairs = details::metadata(policy, now_millis);
    pairs.extend([
        kv("Pod selector", pod_selector_text(policy)),
        kv("Policy types", types.join(", ")),
    ]);
    let mut view = View::stack().child(
        View::section(text_at(policy, &["metadata", "name"])).child(View::key_value_list(pairs)),
    );
    for (direction, title, peers) in [("ingress", "Ingress", "From"), ("egress", "Egress", "To")] {
        if !types.iter().any(|t| t == title) {
            continue;
        }
        // A policy type without rules denies all traffic in that direction.
        let empty = format!(
            "No {direction} rules: all {direction} traffic of the selected pods is denied."
        );
        view = view.child(
            View::section(format!("{title} rules")).child(details::table_or_empty(
                &[peers, "Ports"],
                rule_rows(policy, direction),
                &empty,
            )),
        );
    }
    Ok(view
        .child(details::events_section(cluster, policy, now_millis))
        .child(details::yaml_section(policy, "network policy")?)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn selectors_read_labels_and_expressions() {
        let s = json!({"matchLabels": {"app": "web"}, "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["a", "b"]}, {"key": "legacy", "operator": "DoesNotExist"}]});
        assert_eq!(selector_text(Some(&s)), "app=web, tier in (a, b), !legacy");
        assert_eq!(
            pod_selector_text(&json!({"spec": {"podSelector": {}}})),
            "<all pods>"
        );
    }

    #[test]
    fn policy_types_are_inferred_when_omitted() {
        assert_eq!(policy_types(&json!({"spec": {}})), ["Ingress"]);
        assert_eq!(
            policy_types(&json!({"spec": {"egress": []}})),
            ["Ingress", "Egress"]
        );
        assert_eq!(
            policy_types(&json!({"spec": {"policyTypes": ["Egress"]}})),
            ["Egress"]
        );
    }

    #[test]
    fn rules_show_peers_and_ports() {
        let p = json!({"spec": {"egress": [
            {"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}},
                    {"namespaceSelector": {"matchLabels": {"team": "ops"}}, "podSelector": {}}],
             "ports": [{"protocol": "TCP", "port": 8000, "endPort": 9000}]},
            {}]}});
        let rows = rule_rows(&p, "egress");
        assert_eq!(
            rows[0][0].text,
            "ipBlock 10.0.0.0/8 except 10.1.0.0/16; namespaces team=ops / pods all"
        );
        assert_eq!(rows[0][1].text, "8000-9000/TCP");
        assert_eq!(
            (rows[1][0].text.as_str(), rows[1][1].text.as_str()),
            ("anywhere", "all")
        );
    }
}
