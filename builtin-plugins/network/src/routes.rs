//! Gateway API routes (HTTPRoute, GRPCRoute): computed cells and details views (parents
//! linked to gateways, rules with their matches and backends linked to services, the status
//! each parent reports). Both kinds share a shape; only a match reads differently.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use headlamp_plugin_sdk::details::{self, array_at, kv, str_at, text_at};

use crate::gateways::{condition_status, namespaced_name};

/// Which route kind a table or view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RouteKind {
    /// `HTTPRoute`: path, header, query and method matches.
    Http,
    /// `GRPCRoute`: service/method and header matches.
    Grpc,
}

impl RouteKind {
    fn noun(self) -> &'static str {
        match self {
            RouteKind::Http => "HTTP route",
            RouteKind::Grpc => "gRPC route",
        }
    }

    fn table(self) -> &'static str {
        match self {
            RouteKind::Http => crate::HTTP_ROUTES_TABLE,
            RouteKind::Grpc => crate::GRPC_ROUTES_TABLE,
        }
    }
}

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    Hostnames,
    Parents,
    Rules,
    Accepted,
}

/// Cells of `columns` for each route of `kind` in `objects`.
pub(crate) fn rows(
    kind: RouteKind,
    columns: &[String],
    objects: &[Object],
) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        kind.noun(),
        columns,
        objects,
        |id| match id {
            "hostnames" => Ok(Computed::Hostnames),
            "parents" => Ok(Computed::Parents),
            "rules" => Ok(Computed::Rules),
            "accepted" => Ok(Computed::Accepted),
            other => Err(format!(
                "the network plugin computes no column `{other}` of table `{}` (only `hostnames`, `parents`, `rules` and `accepted`)",
                kind.table()
            )),
        },
        |row: &Value, columns: &[Computed]| columns.iter().map(|c| cell(*c, row)).collect(),
    )
}

fn cell(column: Computed, route: &Value) -> Cell {
    match column {
        Computed::Hostnames => Cell::text(hostnames_text(route)),
        Computed::Parents => {
            let parents = parents(route);
            let text = parents
                .iter()
                .map(Parent::label)
                .collect::<Vec<_>>()
                .join(", ");
            // A cell links one place: the first gateway, which is nearly always the only one.
            match parents.iter().find(|p| p.is_gateway()) {
                Some(first) => Cell::text(text).link(first.route()),
                None => Cell::text(text),
            }
        }
        Computed::Rules => {
            let n = array_at(route, &["spec", "rules"]).len();
            Cell::number(n as f64)
        }
        Computed::Accepted => accepted_cell(route),
    }
}

/// `www.example.com, example.com`, or `*` when the route matches every hostname.
pub fn hostnames_text(route: &Value) -> String {
    let hostnames = details::strings_at(route, &["spec", "hostnames"]);
    if hostnames.is_empty() {
        "*".to_owned()
    } else {
        hostnames.join(", ")
    }
}

/// Whether every parent accepted the route: `True` only when all did, `False` when one
/// refused, `Unknown` before any controller reported.
fn accepted_cell(route: &Value) -> Cell {
    let statuses = array_at(route, &["status", "parents"]);
    if statuses.is_empty() {
        return Cell::text("Unknown").tone(Tone::Warning);
    }
    let refused = statuses
        .iter()
        .any(|p| condition_status(array_at(p, &["conditions"]), "Accepted") == "False");
    let all = statuses
        .iter()
        .all(|p| condition_status(array_at(p, &["conditions"]), "Accepted") == "True");
    match (refused, all) {
        (true, _) => Cell::text("False").tone(Tone::Error),
        (false, true) => Cell::text("True").tone(Tone::Success),
        (false, false) => Cell::text("Unknown").tone(Tone::Warning),
    }
}

/// A `parentRef`, its defaults filled in as the Gateway API defines them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parent {
    kind: String,
    namespace: String,
    name: String,
    section: Option<String>,
    port: Option<i64>,
}

impl Parent {
    fn from_ref(reference: &Value, route_namespace: &str) -> Self {
        Self {
            kind: str_at(reference, &["kind"]).unwrap_or("Gateway").to_owned(),
            namespace: str_at(reference, &["namespace"])
                .unwrap_or(route_namespace)
                .to_owned(),
            name: text_at(reference, &["name"]),
            section: str_at(reference, &["sectionName"]).map(str::to_owned),
            port: reference.get("port").and_then(Value::as_i64),
        }
    }

    fn is_gateway(&self) -> bool {
        self.kind == "Gateway"
    }

    fn route(&self) -> String {
        crate::gateway_route(&self.namespace, &self.name)
    }

    /// `shop/shop-gateway` or `shop/shop-gateway:https` (a listener); other kinds are prefixed.
    fn label(&self) -> String {
        let mut label = format!("{}/{}", self.namespace, self.name);
        if !self.is_gateway() {
            label = format!("{}:{label}", self.kind);
        }
        if let Some(section) = &self.section {
            label = format!("{label}:{section}");
        }
        label
    }

    fn cell(&self) -> Cell {
        if self.is_gateway() {
            Cell::text(self.label()).link(self.route())
        } else {
            Cell::text(self.label())
        }
    }
}

/// The route's parents (`spec.parentRefs`).
pub(crate) fn parents(route: &Value) -> Vec<Parent> {
    let namespace = text_at(route, &["metadata", "namespace"]);
    array_at(route, &["spec", "parentRefs"])
        .iter()
        .map(|r| Parent::from_ref(r, &namespace))
        .collect()
}

/// `PathPrefix /api`, `header x-canary=true`, `GET`: one rule match as words.
fn http_match_text(m: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(path) = m.get("path") {
        parts.push(format!(
            "{} {}",
            str_at(path, &["type"]).unwrap_or("PathPrefix"),
            str_at(path, &["value"]).unwrap_or("/")
        ));
    }
    if let Some(method) = str_at(m, &["method"]) {
        parts.push(method.to_owned());
    }
    parts.extend(pairs(m, "headers").map(|p| format!("header {p}")));
    parts.extend(pairs(m, "queryParams").map(|p| format!("query {p}")));
    parts.join(", ")
}

/// `shop.Checkout/PlaceOrder` (either side may be `*`), plus header matches.
fn grpc_match_text(m: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(method) = m.get("method") {
        parts.push(format!(
            "{}/{}",
            str_at(method, &["service"]).unwrap_or("*"),
            str_at(method, &["method"]).unwrap_or("*")
        ));
    }
    parts.extend(pairs(m, "headers").map(|p| format!("header {p}")));
    parts.join(", ")
}

/// `name=value` (or `name~value` for a regular expression) of a match's headers or params.
fn pairs<'v>(m: &'v Value, field: &str) -> impl Iterator<Item = String> + 'v {
    array_at(m, &[field]).iter().map(|h| {
        let op = if str_at(h, &["type"]) == Some("RegularExpression") {
            "~"
        } else {
            "="
        };
        format!("{}{op}{}", text_at(h, &["name"]), text_at(h, &["value"]))
    })
}

/// What a rule matches: its matches joined by ` or `; every request when it has none.
fn matches_text(kind: RouteKind, rule: &Value) -> String {
    let matches = array_at(rule, &["matches"]);
    if matches.is_empty() {
        return match kind {
            RouteKind::Http => "PathPrefix /".to_owned(),
            RouteKind::Grpc => "*/*".to_owned(),
        };
    }
    matches
        .iter()
        .map(|m| match kind {
            RouteKind::Http => http_match_text(m),
            RouteKind::Grpc => grpc_match_text(m),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// One row per backend of each rule: rule number, matches, backend (services linked), weight,
/// filters. A rule without backends still gets a row, since its filters (a redirect) answer.
pub(crate) fn rule_rows(kind: RouteKind, route: &Value) -> Vec<Vec<Cell>> {
    let namespace = text_at(route, &["metadata", "namespace"]);
    let mut rows = Vec::new();
    for (i, rule) in array_at(route, &["spec", "rules"]).iter().enumerate() {
        let number = Cell::number((i + 1) as f64);
        let matches = matches_text(kind, rule);
        let filters = array_at(rule, &["filters"])
            .iter()
            .map(|f| text_at(f, &["type"]))
            .collect::<Vec<_>>()
            .join(", ");
        let backends = array_at(rule, &["backendRefs"]);
        if backends.is_empty() {
            rows.push(vec![
                number,
                Cell::text(matches),
                Cell::text("(none)"),
                Cell::empty(),
                Cell::text(filters),
            ]);
            continue;
        }
        for backend in backends {
            rows.push(vec![
                number.clone(),
                Cell::text(matches.clone()),
                backend_cell(backend, &namespace),
                Cell::text(
                    backend
                        .get("weight")
                        .and_then(Value::as_i64)
                        .map_or_else(String::new, |w| w.to_string()),
                ),
                Cell::text(filters.clone()),
            ]);
        }
    }
    rows
}

/// `checkout:8080`, linked to the service; `Kind/name` for a backend of another kind.
fn backend_cell(backend: &Value, route_namespace: &str) -> Cell {
    let name = text_at(backend, &["name"]);
    let namespace = str_at(backend, &["namespace"]).unwrap_or(route_namespace);
    let group = str_at(backend, &["group"]).unwrap_or("");
    let kind = str_at(backend, &["kind"]).unwrap_or("Service");
    let port = backend
        .get("port")
        .and_then(Value::as_i64)
        .map_or_else(String::new, |p| format!(":{p}"));
    let shown_namespace = if namespace == route_namespace {
        String::new()
    } else {
        format!("{namespace}/")
    };
    if group.is_empty() && kind == "Service" {
        Cell::text(format!("{shown_namespace}{name}{port}"))
            .link(crate::service_route(namespace, &name))
    } else {
        Cell::text(format!("{kind}/{shown_namespace}{name}{port}"))
    }
}

/// A route: hostnames, parents (linked), rules, each parent's status, events, YAML.
pub(crate) fn view(
    kind: RouteKind,
    object: &Object,
    cluster: &str,
    now_millis: u64,
) -> Result<View, String> {
    let route = object.value()?;
    let name = text_at(route, &["metadata", "name"]);
    let mut pairs = details::metadata(route, now_millis);
    pairs.push(kv("Hostnames", hostnames_text(route)));
    let parent_rows: Vec<Vec<Cell>> = parents(route)
        .iter()
        .map(|p| {
            vec![
                p.cell(),
                Cell::text(p.section.clone().unwrap_or_default()),
                Cell::text(p.port.map_or_else(String::new, |n| n.to_string())),
            ]
        })
        .collect();
    let mut view = View::stack()
        .child(View::section(name).child(View::key_value_list(pairs)))
        .child(View::section("Parents").child(details::table_or_empty(
            &["Parent", "Section", "Port"],
            parent_rows,
            "The route names no parent, so no gateway serves it.",
        )))
        .child(View::section("Rules").child(details::table_or_empty(
            &["Rule", "Matches", "Backend", "Weight", "Filters"],
            rule_rows(kind, route),
            "The route has no rules.",
        )));
    let namespace = text_at(route, &["metadata", "namespace"]);
    let statuses = array_at(route, &["status", "parents"]);
    if statuses.is_empty() {
        view = view.child(View::section("Status").child(View::empty(
            "No gateway controller has reported on this route yet.",
        )));
    }
    for status in statuses {
        let parent = status
            .get("parentRef")
            .map(|r| Parent::from_ref(r, &namespace).label())
            .unwrap_or_default();
        let controller = text_at(status, &["controllerName"]);
        view = view.child(
            View::section(format!("Status from {parent}"))
                .child(View::key_value_list(vec![kv("Controller", controller)]))
                .child(View::conditions(details::conditions_of(array_at(
                    status,
                    &["conditions"],
                )))),
        );
    }
    Ok(view
        .child(details::events_section(cluster, route, now_millis))
        .child(details::yaml_section(route, kind.noun())?)
        .build())
}

/// "Routes": the HTTP and gRPC routes in any namespace whose parents name gateway
/// `namespace/name`, with whether the gateway's controller accepted each.
pub(crate) fn attached_section(
    cluster: &str,
    namespace: &str,
    name: &str,
) -> Result<NodeBuilder, String> {
    let mut rows = Vec::new();
    for (kind, gvk, label) in [
        (RouteKind::Http, crate::http_route_kind(), "HTTPRoute"),
        (RouteKind::Grpc, crate::grpc_route_kind(), "GRPCRoute"),
    ] {
        let list = cluster::list(cluster, &gvk, &ListOptions::default()).map_err(|e| {
            format!(
                "could not list the {}s attached to gateway {namespace}/{name}: {e}",
                kind.noun()
            )
        })?;
        for item in &list.items {
            let route = item.value()?;
            let attached = parents(route)
                .iter()
                .any(|p| p.is_gateway() && p.namespace == namespace && p.name == name);
            if !attached {
                continue;
            }
            let (route_namespace, route_name) = namespaced_name(route);
            let link = match kind {
                RouteKind::Http => crate::http_route_route(&route_namespace, &route_name),
                RouteKind::Grpc => crate::grpc_route_route(&route_namespace, &route_name),
            };
            rows.push(vec![
                Cell::text(label),
                Cell::text(route_name).link(link),
                Cell::text(route_namespace),
                Cell::text(hostnames_text(route)),
                accepted_cell(route),
            ]);
        }
    }
    Ok(View::section("Routes").child(details::table_or_empty(
        &["Kind", "Name", "Namespace", "Hostnames", "Accepted"],
        rows,
        "No route is attached to this gateway.",
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    fn texts(rows: &[Vec<Cell>]) -> Vec<Vec<&str>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn parents_default_to_a_gateway_in_the_routes_namespace() {
        let route = json!({"metadata": {"namespace": "shop"}, "spec": {"parentRefs": [
            {"name": "gw", "sectionName": "https"},
            {"name": "mesh", "kind": "Service", "namespace": "infra"}]}});
        let labels: Vec<String> = parents(&route).iter().map(Parent::label).collect();
        assert_eq!(labels, ["shop/gw:https", "Service:infra/mesh"]);
        assert_eq!(parents(&route)[0].route(), "/gateways/shop/gw");
    }

    #[test]
    fn http_rules_give_a_row_per_backend_with_their_matches() {
        let route = json!({"metadata": {"namespace": "shop"}, "spec": {"rules": [
            {"matches": [{"path": {"type": "Exact", "value": "/login"}, "method": "POST"},
                         {"path": {"value": "/api"}, "headers": [{"name": "x-v", "value": "2"}]}],
             "backendRefs": [{"name": "auth", "port": 80, "weight": 9}, {"name": "auth-next", "namespace": "next", "port": 80, "weight": 1}]},
            {"filters": [{"type": "RequestRedirect"}]}]}});
        let rows = rule_rows(RouteKind::Http, &route);
        assert_eq!(
            texts(&rows),
            [
                vec![
                    "1",
                    "Exact /login, POST or PathPrefix /api, header x-v=2",
                    "auth:80",
                    "9",
                    ""
                ],
                vec![
                    "1",
                    "Exact /login, POST or PathPrefix /api, header x-v=2",
                    "next/auth-next:80",
                    "1",
                    ""
                ],
                vec!["2", "PathPrefix /", "(none)", "", "RequestRedirect"],
            ]
        );
        assert_eq!(rows[0][2].link.as_deref(), Some("/services/shop/auth"));
        assert_eq!(rows[1][2].link.as_deref(), Some("/services/next/auth-next"));
    }

    #[test]
    fn grpc_matches_read_service_slash_method() {
        let route = json!({"metadata": {"namespace": "shop"}, "spec": {"rules": [
            {"matches": [{"method": {"service": "shop.Checkout"}}], "backendRefs": [{"name": "checkout", "port": 8080}]}]}});
        assert_eq!(
            texts(&rule_rows(RouteKind::Grpc, &route))[0][1],
            "shop.Checkout/*"
        );
    }

    #[test]
    fn accepted_is_true_only_when_every_parent_accepted() {
        let ok = json!({"type": "Accepted", "status": "True"});
        let refused = json!({"type": "Accepted", "status": "False"});
        let both = json!({"status": {"parents": [{"conditions": [ok]}, {"conditions": [ok]}]}});
        let one_refused =
            json!({"status": {"parents": [{"conditions": [ok]}, {"conditions": [refused]}]}});
        assert_eq!(accepted_cell(&both).text, "True");
        assert_eq!(accepted_cell(&one_refused).text, "False");
        assert_eq!(accepted_cell(&json!({})).text, "Unknown");
    }

    #[test]
    fn a_route_without_hostnames_matches_every_host() {
        assert_eq!(hostnames_text(&json!({"spec": {}})), "*");
    }
}
