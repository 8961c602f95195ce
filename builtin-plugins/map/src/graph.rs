//! The relation graph of a set of objects: owner references, services selecting pods,
//! ingresses routing to services, pods on nodes and mounting claims, claims bound to volumes.

use std::collections::{BTreeMap, HashMap};

use headlamp_plugin_sdk::details::{self, str_at, text_at};
use headlamp_plugin_sdk::serde_json::Value;
use headlamp_plugin_sdk::{GraphEdge, GraphVertex, Tone};

/// The id of an object's vertex: `Kind/namespace/name`, or `Kind/name` when cluster-scoped.
pub fn vertex_id(kind: &str, namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

/// The details route of an object when a built-in plugin shows its kind.
fn route(kind: &str, namespace: Option<&str>, name: &str) -> Option<String> {
    let plural = match kind {
        "Pod" => "pods",
        "Deployment" => "deployments",
        "Service" => "services",
        "Ingress" => "ingresses",
        "PersistentVolumeClaim" => "persistentvolumeclaims",
        "Node" => return Some(format!("/nodes/{name}")),
        "PersistentVolume" => return Some(format!("/persistentvolumes/{name}")),
        _ => return None,
    };
    namespace.map(|ns| format!("/{plural}/{ns}/{name}"))
}

/// A pod's tone by phase; other kinds have none.
fn tone(kind: &str, object: &Value) -> Option<Tone> {
    if kind != "Pod" {
        return None;
    }
    match str_at(object, &["status", "phase"]) {
        Some("Running" | "Succeeded") => Some(Tone::Success),
        Some("Pending") => Some(Tone::Warning),
        Some("Failed") => Some(Tone::Error),
        _ => Some(Tone::Neutral),
    }
}

/// Whether every `key: value` of `selector` is among `labels` (an empty selector selects
/// nothing, as a service without a selector does).
pub fn selects(selector: Option<&Value>, labels: Option<&Value>) -> bool {
    let Some(selector) = selector
        .and_then(Value::as_object)
        .filter(|s| !s.is_empty())
    else {
        return false;
    };
    selector
        .iter()
        .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

/// The graph under construction: vertices by id, edges without duplicates.
#[derive(Default)]
pub struct Graph {
    vertices: BTreeMap<String, GraphVertex>,
    edges: Vec<GraphEdge>,
}

impl Graph {
    /// Adds the vertex of `object` (its `kind` set), returning its id.
    pub fn add(&mut self, object: &Value) -> String {
        let kind = text_at(object, &["kind"]);
        let name = text_at(object, &["metadata", "name"]);
        let namespace = str_at(object, &["metadata", "namespace"]);
        let id = vertex_id(&kind, namespace, &name);
        self.vertices
            .entry(id.clone())
            .or_insert_with(|| GraphVertex {
                id: id.clone(),
                label: name.clone(),
                kind: kind.clone(),
                link: route(&kind, namespace, &name),
                tone: tone(&kind, object),
            });
        id
    }

    /// Adds an edge between two vertices that exist; edges to objects not shown are dropped.
    pub fn link(&mut self, source: &str, target: &str, label: &str) {
        let known = self.vertices.contains_key(source) && self.vertices.contains_key(target);
        let edge = GraphEdge {
            source: source.to_owned(),
            target: target.to_owned(),
            label: Some(label.to_owned()),
        };
        if known && !self.edges.contains(&edge) {
            self.edges.push(edge);
        }
    }

    /// The vertices (sorted by id) and edges (in the order found).
    pub fn finish(self) -> (Vec<GraphVertex>, Vec<GraphEdge>) {
        (self.vertices.into_values().collect(), self.edges)
    }
}

/// The graph of `objects` (each with `kind` set): every object a vertex, every relation
/// between two of them an edge.
pub fn build(objects: &[Value]) -> (Vec<GraphVertex>, Vec<GraphEdge>) {
    let mut graph = Graph::default();
    let mut by_uid: HashMap<&str, String> = HashMap::new();
    let ids: Vec<String> = objects.iter().map(|o| graph.add(o)).collect();
    for (object, id) in objects.iter().zip(&ids) {
        if let Some(uid) = str_at(object, &["metadata", "uid"]) {
            by_uid.insert(uid, id.clone());
        }
    }
    let of_kind = |kind: &'static str| {
        objects
            .iter()
            .zip(&ids)
            .filter(move |(o, _)| str_at(o, &["kind"]) == Some(kind))
    };
    for (object, id) in objects.iter().zip(&ids) {
        for owner in details::array_at(object, &["metadata", "ownerReferences"]) {
            if let Some(owner) = str_at(owner, &["uid"]).and_then(|uid| by_uid.get(uid)) {
                graph.link(owner, id, "owns");
            }
        }
    }
    for (pod, pod_id) in of_kind("Pod") {
        let namespace = str_at(pod, &["metadata", "namespace"]);
        if let Some(node) = str_at(pod, &["spec", "nodeName"]) {
            graph.link(pod_id, &vertex_id("Node", None, node), "runs on");
        }
        for volume in details::array_at(pod, &["spec", "volumes"]) {
            if let Some(claim) = str_at(volume, &["persistentVolumeClaim", "claimName"]) {
                let claim = vertex_id("PersistentVolumeClaim", namespace, claim);
                graph.link(pod_id, &claim, "mounts");
            }
        }
        for (service, service_id) in of_kind("Service") {
            let same_namespace = str_at(service, &["metadata", "namespace"]) == namespace;
            if same_namespace
                && selects(
                    service.pointer("/spec/selector"),
                    pod.pointer("/metadata/labels"),
                )
            {
                graph.link(service_id, pod_id, "selects");
            }
        }
    }
    for (ingress, ingress_id) in of_kind("Ingress") {
        let namespace = str_at(ingress, &["metadata", "namespace"]);
        let mut backends: Vec<&str> = details::array_at(ingress, &["spec", "rules"])
            .iter()
            .flat_map(|rule| details::array_at(rule, &["http", "paths"]))
            .filter_map(|path| str_at(path, &["backend", "service", "name"]))
            .collect();
        backends.extend(str_at(
            ingress,
            &["spec", "defaultBackend", "service", "name"],
        ));
        for service in backends {
            graph.link(
                ingress_id,
                &vertex_id("Service", namespace, service),
                "routes to",
            );
        }
    }
    for (claim, claim_id) in of_kind("PersistentVolumeClaim") {
        if let Some(volume) = str_at(claim, &["spec", "volumeName"]) {
            graph.link(
                claim_id,
                &vertex_id("PersistentVolume", None, volume),
                "bound to",
            );
        }
    }
    graph.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    fn edges(objects: &[Value]) -> Vec<(String, String, String)> {
        build(objects)
            .1
            .into_iter()
            .map(|e| (e.source, e.target, e.label.unwrap_or_default()))
            .collect()
    }

    fn edge(source: &str, target: &str, label: &str) -> (String, String, String) {
        (source.to_owned(), target.to_owned(), label.to_owned())
    }

    #[test]
    fn owners_own_what_references_them_by_uid() {
        let rs = json!({"kind": "ReplicaSet", "metadata": {"name": "web-1", "namespace": "a", "uid": "u-rs"}});
        let pod = json!({"kind": "Pod", "metadata": {"name": "web-1-x", "namespace": "a",
                         "ownerReferences": [{"uid": "u-rs", "kind": "ReplicaSet", "name": "web-1"}]}});
        assert_eq!(
            edges(&[rs, pod]),
            [edge("ReplicaSet/a/web-1", "Pod/a/web-1-x", "owns")]
        );
    }

    #[test]
    fn a_service_selects_the_pods_whose_labels_match_in_its_namespace() {
        let svc = json!({"kind": "Service", "metadata": {"name": "web", "namespace": "a"}, "spec": {"selector": {"app": "web"}}});
        let hit = json!({"kind": "Pod", "metadata": {"name": "p1", "namespace": "a", "labels": {"app": "web", "x": "1"}}});
        let miss = json!({"kind": "Pod", "metadata": {"name": "p2", "namespace": "a", "labels": {"app": "db"}}});
        let other_ns = json!({"kind": "Pod", "metadata": {"name": "p3", "namespace": "b", "labels": {"app": "web"}}});
        assert_eq!(
            edges(&[svc, hit, miss, other_ns]),
            [edge("Service/a/web", "Pod/a/p1", "selects")]
        );
    }

    #[test]
    fn ingress_pod_node_claim_and_volume_edges_join_what_is_shown() {
        let objects = [
            json!({"kind": "Ingress", "metadata": {"name": "in", "namespace": "a"}, "spec": {"rules": [
                {"http": {"paths": [{"backend": {"service": {"name": "web"}}}, {"backend": {"service": {"name": "gone"}}}]}}]}}),
            json!({"kind": "Service", "metadata": {"name": "web", "namespace": "a"}}),
            json!({"kind": "Pod", "metadata": {"name": "p", "namespace": "a"}, "spec": {"nodeName": "n1",
                   "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]}, "status": {"phase": "Pending"}}),
            json!({"kind": "Node", "metadata": {"name": "n1"}}),
            json!({"kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "a"}, "spec": {"volumeName": "pv1"}}),
            json!({"kind": "PersistentVolume", "metadata": {"name": "pv1"}}),
        ];
        assert_eq!(
            edges(&objects),
            [
                edge("Pod/a/p", "Node/n1", "runs on"),
                edge("Pod/a/p", "PersistentVolumeClaim/a/data", "mounts"),
                edge("Ingress/a/in", "Service/a/web", "routes to"),
                edge(
                    "PersistentVolumeClaim/a/data",
                    "PersistentVolume/pv1",
                    "bound to"
                ),
            ]
        );
        let (vertices, _) = build(&objects);
        let pod = vertices.iter().find(|v| v.id == "Pod/a/p").unwrap();
        assert_eq!(pod.tone, Some(Tone::Warning));
        assert_eq!(pod.link.as_deref(), Some("/pods/a/p"));
    }
}
