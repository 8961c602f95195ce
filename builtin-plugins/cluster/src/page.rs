//! The layout every details view of this plugin shares, and the routes of built-in views.

use headlamp_plugin_sdk::details::{self, str_at};
use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

/// Whether a details page lists the events recorded for its object.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Events<'c> {
    /// Lists them from this cluster.
    From(&'c str),
    /// Shows none (an Event has no events of its own).
    Without,
}

/// A details page: the object's name heading its metadata and `extra` key-values, then `parts`
/// (the kind's own sections), then its events, then its YAML (`what` names the kind in errors).
pub(crate) fn details_page(
    object: &Value,
    what: &str,
    extra: Vec<KeyValue>,
    parts: Vec<NodeBuilder>,
    events: Events<'_>,
    now_millis: u64,
) -> Result<View, String> {
    let name = str_at(object, &["metadata", "name"]).unwrap_or(what);
    let mut pairs = details::metadata(object, now_millis);
    pairs.extend(extra);
    let mut view = View::stack()
        .child(View::section(name).child(View::key_value_list(pairs)))
        .children(parts);
    if let Events::From(cluster) = events {
        view = view.child(details::events_section(cluster, object, now_millis));
    }
    Ok(view.child(details::yaml_section(object, what)?).build())
}

/// `true`/`false` of an optional JSON boolean, `false` when absent (the API's default).
pub(crate) fn flag(value: Option<&Value>) -> &'static str {
    if value.and_then(Value::as_bool).unwrap_or(false) {
        "true"
    } else {
        "false"
    }
}

/// The details route of an object of `kind` (in API group `group`) when a built-in plugin
/// shows that kind; `None` for kinds without a built-in view (no link beats a dead one).
pub fn object_route(
    group: &str,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
) -> Option<String> {
    let plural = match (group, kind) {
        ("", "Pod") => "pods",
        ("apps", "Deployment") => "deployments",
        ("", "Service") => "services",
        ("", "Endpoints") => "endpoints",
        ("discovery.k8s.io", "EndpointSlice") => "endpointslices",
        ("networking.k8s.io", "Ingress") => "ingresses",
        ("networking.k8s.io", "NetworkPolicy") => "networkpolicies",
        ("", "PersistentVolumeClaim") => "persistentvolumeclaims",
        ("coordination.k8s.io", "Lease") => "leases",
        ("", "Event") => "events",
        ("", "Namespace") => return Some(format!("/namespaces/{name}")),
        ("", "Node") => return Some(format!("/nodes/{name}")),
        ("", "PersistentVolume") => return Some(format!("/persistentvolumes/{name}")),
        ("storage.k8s.io", "StorageClass") => return Some(format!("/storageclasses/{name}")),
        ("networking.k8s.io", "IngressClass") => return Some(format!("/ingressclasses/{name}")),
        ("scheduling.k8s.io", "PriorityClass") => return Some(format!("/priorityclasses/{name}")),
        ("node.k8s.io", "RuntimeClass") => return Some(format!("/runtimeclasses/{name}")),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => {
            return Some(format!("/crds/{name}"));
        }
        _ => return None,
    };
    Some(format!("/{plural}/{}/{name}", namespace?))
}

/// The API group of an `apiVersion` (`apps/v1` -> `apps`, `v1` -> the core group).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_exist_only_for_kinds_with_a_built_in_view() {
        assert_eq!(
            object_route("", "Pod", Some("shop"), "web").as_deref(),
            Some("/pods/shop/web")
        );
        assert_eq!(
            object_route("", "Node", None, "node-1").as_deref(),
            Some("/nodes/node-1")
        );
        assert_eq!(
            object_route("apps", "StatefulSet", Some("shop"), "db"),
            None
        );
        assert_eq!(object_route("", "Pod", None, "web"), None);
        assert_eq!(group_of("apps/v1"), "apps");
        assert_eq!(group_of("v1"), "");
    }
}
