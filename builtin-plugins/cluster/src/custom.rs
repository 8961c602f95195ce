//! The page of one custom object, whose kind is known only from its CRD: the CRD is read by
//! name from the route, then the object, shown as metadata, printer columns, a tree of its
//! spec and status, its events and YAML.

use headlamp_plugin_sdk::details::{self, kv, kv_link, str_at, text_at};
use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::crds;
use crate::page::{self, Events};

/// Nesting shown as sections before the rest is shown as JSON (deep trees read better so).
const MAX_DEPTH: usize = 6;

/// Renders the object the route parameters `crd`, `namespace` (`-` when cluster-scoped) and
/// `name` pick; without a `crd` (the route `/customresources`), the index of definitions.
pub(crate) fn page(ctx: &RenderContext, now_millis: u64) -> Result<View, String> {
    if ctx.param("crd").is_none() {
        return index(&ctx.cluster);
    }
    let param = |key: &str| {
        ctx.param(key).ok_or_else(|| {
            format!("the custom resource page needs the route parameter `{key}` (route /customresources/:crd/:namespace/:name)")
        })
    };
    let crd_name = param("crd")?;
    let name = param("name")?;
    let namespace = ctx.param("namespace").filter(|ns| *ns != "-");
    let crd = cluster::get(&ctx.cluster, &crds::crd_kind(), None, crd_name)
        .map_err(|e| format!("could not read the CustomResourceDefinition {crd_name}: {e}"))?;
    let crd = crd.value()?;
    let kind = crds::resource_kind(crd)?;
    let namespace = namespace.filter(|_| crds::namespaced(crd));
    let object = cluster::get(&ctx.cluster, &kind, namespace, name).map_err(|e| {
        let at = namespace.map(|ns| format!("{ns}/")).unwrap_or_default();
        format!("could not read {} {at}{name}: {e}", kind.kind)
    })?;
    view(object.value()?, crd, &ctx.cluster, now_millis)
}

/// Every CRD with its kind, group and scope, each linked to its details (and its instances).
fn index(cluster: &str) -> Result<View, String> {
    let list = cluster::list(cluster, &crds::crd_kind(), &ListOptions::default())
        .map_err(|e| format!("could not list the CustomResourceDefinitions: {e}"))?;
    let mut crds: Vec<&Value> = list.items.iter().filter_map(|o| o.value().ok()).collect();
    crds.sort_by_key(|c| {
        (
            str_at(c, &["spec", "group"]),
            str_at(c, &["spec", "names", "kind"]),
        )
    });
    let rows = crds
        .into_iter()
        .map(|crd| {
            let name = text_at(crd, &["metadata", "name"]);
            vec![
                Cell::text(text_at(crd, &["spec", "names", "kind"])).link(format!("/crds/{name}")),
                Cell::text(text_at(crd, &["spec", "group"])),
                Cell::text(text_at(crd, &["spec", "scope"])),
            ]
        })
        .collect();
    Ok(View::stack()
        .child(
            View::section("Custom resources").child(details::table_or_empty(
                &["Kind", "Group", "Scope"],
                rows,
                "The cluster defines no custom resources.",
            )),
        )
        .build())
}

/// The view of a custom object `object` defined by `crd`.
pub(crate) fn view(
    object: &Value,
    crd: &Value,
    cluster: &str,
    now_millis: u64,
) -> Result<View, String> {
    let crd_name = text_at(crd, &["metadata", "name"]);
    let mut extra = vec![
        kv("Kind", text_at(object, &["kind"])),
        kv("API version", text_at(object, &["apiVersion"])),
        kv_link("Definition", crd_name.clone(), format!("/crds/{crd_name}")),
    ];
    if let Some(version) = crds::preferred_version(crd) {
        extra.extend(
            details::array_at(version, &["additionalPrinterColumns"])
                .iter()
                .filter(|c| str_at(c, &["jsonPath"]) != Some(".metadata.creationTimestamp"))
                .map(|c| {
                    kv(
                        &text_at(c, &["name"]),
                        crds::printer_cell(object, c, now_millis).text,
                    )
                }),
        );
    }
    let mut parts = Vec::new();
    for key in ["spec", "status"] {
        let title = if key == "spec" { "Spec" } else { "Status" };
        if let Some(value) = object.get(key) {
            parts.push(View::section(title).children(tree(value, 0)));
        }
    }
    page::details_page(
        object,
        "custom resource",
        extra,
        parts,
        Events::From(cluster),
        now_millis,
    )
}

/// Scalars as one key-value list, nested objects and lists as sections; conditions as such.
pub fn tree(value: &Value, depth: usize) -> Vec<NodeBuilder> {
    match value {
        Value::Object(map) => {
            let mut scalars = Vec::new();
            let mut nested = Vec::new();
            for (key, child) in map {
                match child {
                    _ if is_scalar_or_list_of_scalars(child) => {
                        scalars.push(kv(key, scalar_text(child)))
                    }
                    Value::Array(items)
                        if key == "conditions" && items.iter().all(|c| c.get("type").is_some()) =>
                    {
                        nested.push(
                            View::section(key.clone())
                                .child(View::conditions(details::conditions_of(items))),
                        );
                    }
                    _ if depth >= MAX_DEPTH => nested.push(
                        View::section(key.clone()).child(View::code("json", child.to_string())),
                    ),
                    _ => nested.push(View::section(key.clone()).children(tree(child, depth + 1))),
                }
            }
            let mut out = Vec::new();
            if !scalars.is_empty() {
                out.push(View::key_value_list(scalars));
            }
            out.extend(nested);
            if out.is_empty() {
                out.push(View::empty("Empty."));
            }
            out
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                _ if is_scalar_or_list_of_scalars(item) => {
                    View::key_value_list([kv(&format!("[{i}]"), scalar_text(item))])
                }
                _ => View::section(format!("[{i}]")).children(tree(item, depth + 1)),
            })
            .collect(),
        scalar => vec![View::key_value_list([kv("Value", scalar_text(scalar))])],
    }
}

fn is_scalar_or_list_of_scalars(value: &Value) -> bool {
    match value {
        Value::Object(_) => false,
        Value::Array(items) => items.iter().all(|i| !i.is_object() && !i.is_array()),
        _ => true,
    }
}

/// Strings bare, lists comma-separated, other scalars as JSON.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn a_tree_lists_scalars_first_and_nests_objects_as_sections() {
        let spec = json!({"size": 3, "tags": ["a", "b"], "db": {"host": "pg", "port": 5432}});
        let view = View::stack().children(tree(&spec, 0)).build();
        let kvs: Vec<(String, String)> = view
            .nodes
            .iter()
            .filter_map(|n| match &n.kind {
                NodeKind::KeyValues(items) => Some(
                    items
                        .iter()
                        .map(|i| (i.key.clone(), i.value.clone()))
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(
            kvs,
            [
                ("size".to_owned(), "3".to_owned()),
                ("tags".to_owned(), "a, b".to_owned()),
                ("host".to_owned(), "pg".to_owned()),
                ("port".to_owned(), "5432".to_owned()),
            ]
        );
        assert!(view.find_section("db").is_some());
        assert_eq!(view.validate(), Ok(()));
    }

    #[test]
    fn conditions_in_a_status_are_shown_as_conditions() {
        let status = json!({"conditions": [{"type": "Ready", "status": "True"}]});
        let view = View::stack().children(tree(&status, 0)).build();
        assert!(
            view.nodes
                .iter()
                .any(|n| matches!(&n.kind, NodeKind::Conditions(c) if c[0].kind == "Ready"))
        );
    }
}
