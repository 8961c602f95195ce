//! Discovery documents: /version, /api, /apis, and the per-group-version resource lists.

use crate::registry::Registry;
use serde_json::{Value, json};

/// The /version document.
pub fn version() -> Value {
    json!({
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-kube-sim", "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc",
        "platform": "linux/amd64"
    })
}

/// The /api document (core group versions).
pub fn core_versions(server: &str) -> Value {
    json!({
        "kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server}]
    })
}

fn group_doc(name: &str, versions: &[String]) -> Value {
    let vs: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{name}/{v}"), "version": v}))
        .collect();
    json!({"name": name, "versions": vs, "preferredVersion": vs[0]})
}

/// The /apis document: every non-core group.
pub fn group_list(reg: &Registry) -> Value {
    let groups: Vec<Value> = reg
        .groups()
        .iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, vs)| group_doc(g, vs))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// The /apis/{group} document, if the group is served.
pub fn group(reg: &Registry, name: &str) -> Option<Value> {
    reg.groups().iter().find(|(g, _)| g == name).map(|(g, vs)| {
        let mut d = group_doc(g, vs);
        d["kind"] = json!("APIGroup");
        d["apiVersion"] = json!("v1");
        d
    })
}

/// The APIResourceList for one group-version, subresources included, if it is served.
pub fn resource_list(reg: &Registry, group: &str, version: &str) -> Option<Value> {
    let defs: Vec<_> = reg
        .all()
        .into_iter()
        .filter(|d| d.group == group && d.version == version)
        .collect();
    if defs.is_empty() {
        return None;
    }
    let mut resources = vec![];
    for d in &defs {
        let mut r = json!({
            "name": d.plural, "singularName": d.singular, "namespaced": d.namespaced, "kind": d.kind, "verbs": d.verbs,
        });
        if !d.short_names.is_empty() {
            r["shortNames"] = json!(d.short_names);
        }
        if !d.categories.is_empty() {
            r["categories"] = json!(d.categories);
        }
        resources.push(r);
        for sub in &d.subresources {
            let (kind, verbs, gv): (&str, Vec<&str>, Option<(&str, &str)>) = match sub.as_str() {
                "status" => (&d.kind, vec!["get", "patch", "update"], None),
                "scale" => (
                    "Scale",
                    vec!["get", "patch", "update"],
                    Some(("autoscaling", "v1")),
                ),
                "log" => ("Pod", vec!["get"], None),
                "exec" | "portforward" | "attach" | "proxy" => {
                    ("PodExecOptions", vec!["create", "get"], None)
                }
                "eviction" => ("Eviction", vec!["create"], Some(("policy", "v1"))),
                "token" => (
                    "TokenRequest",
                    vec!["create"],
                    Some(("authentication.k8s.io", "v1")),
                ),
                _ => (&d.kind, vec!["get", "patch", "update"], None),
            };
            let mut s = json!({"name": format!("{}/{sub}", d.plural), "singularName": "", "namespaced": d.namespaced, "kind": kind, "verbs": verbs});
            if let Some((g, v)) = gv {
                s["group"] = json!(g);
                s["version"] = json!(v);
            }
            resources.push(s);
        }
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
    )
}

/// The Accept/Content-Type of aggregated discovery (apidiscovery.k8s.io/v2).
pub const AGGREGATED_V2: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// Whether an Accept header asks for aggregated discovery v2 (kubectl 1.30+ and newer clients do).
pub fn wants_aggregated(accept: &str) -> bool {
    accept.split(',').any(|media| {
        let params: Vec<String> = media.split(';').map(|p| p.trim().to_string()).collect();
        let has = |want: &str| params.iter().any(|p| p == want);
        has("g=apidiscovery.k8s.io") && has("v=v2") && has("as=APIGroupDiscoveryList")
    })
}

/// Aggregated discovery: every group (core only for /api, all others for /apis) with resources inline.
pub fn aggregated(reg: &Registry, core: bool) -> Value {
    let defs = reg.all();
    let items: Vec<Value> = reg
        .groups()
        .into_iter()
        .filter(|(g, _)| g.is_empty() == core)
        .map(|(g, versions)| {
            let versions: Vec<Value> = versions
                .iter()
                .map(|v| {
                    let resources: Vec<Value> = defs
                        .iter()
                        .filter(|d| d.group == g && &d.version == v)
                        .map(|d| {
                            let subs: Vec<Value> = d
                                .subresources
                                .iter()
                                .map(|sub| {
                                    let (g2, v2, kind, verbs): (&str, &str, &str, Vec<&str>) = match sub.as_str() {
                                        "scale" => ("autoscaling", "v1", "Scale", vec!["get", "patch", "update"]),
                                        "status" => (&d.group, &d.version, &d.kind, vec!["get", "patch", "update"]),
                                        "log" => ("", "v1", "Pod", vec!["get"]),
                                        "eviction" => ("policy", "v1", "Eviction", vec!["create"]),
                                        "token" => ("authentication.k8s.io", "v1", "TokenRequest", vec!["create"]),
                                        "finalize" => (&d.group, &d.version, &d.kind, vec!["update"]),
                                        _ => ("", "v1", "PodExecOptions", vec!["create", "get"]),
                                    };
                                    json!({"subresource": sub, "responseKind": {"group": g2, "version": v2, "kind": kind}, "verbs": verbs})
                                })
                                .collect();
                            let mut r = json!({
                                "resource": d.plural,
                                "responseKind": {"group": d.group, "version": d.version, "kind": d.kind},
                                "scope": if d.namespaced { "Namespaced" } else { "Cluster" },
                                "singularResource": d.singular,
                                "verbs": d.verbs,
                            });
                            if !d.short_names.is_empty() {
                                r["shortNames"] = json!(d.short_names);
                            }
                            if !d.categories.is_empty() {
                                r["categories"] = json!(d.categories);
                            }
                            if !subs.is_empty() {
                                r["subresources"] = json!(subs);
                            }
                            r
                        })
                        .collect();
                    json!({"version": v, "resources": resources, "freshness": "Current"})
                })
                .collect();
            json!({"metadata": {"name": g, "creationTimestamp": null}, "versions": versions})
        })
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items})
}
