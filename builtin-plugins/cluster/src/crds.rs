//! CustomResourceDefinitions: the table's cells, and the details view with the versions, the
//! printer columns and the instances (a table built from those printer columns).

use headlamp_plugin_sdk::details::{self, kv, str_at, text_at};
use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::jsonpath;
use crate::page::{self, Events};

/// CustomResourceDefinitions.
pub fn crd_kind() -> Gvk {
    Gvk::new("apiextensions.k8s.io", "v1", "CustomResourceDefinition")
}

/// The version objects are read in: the storage version, else the first served one.
pub fn preferred_version(crd: &Value) -> Option<&Value> {
    let versions = details::array_at(crd, &["spec", "versions"]);
    versions
        .iter()
        .find(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        .or_else(|| {
            versions
                .iter()
                .find(|v| v.get("served").and_then(Value::as_bool) == Some(true))
        })
}

/// The kind of the CRD's objects, in its preferred version.
pub fn resource_kind(crd: &Value) -> Result<Gvk, String> {
    let name = text_at(crd, &["metadata", "name"]);
    let version = preferred_version(crd)
        .and_then(|v| str_at(v, &["name"]))
        .ok_or_else(|| format!("CRD {name} serves no version, so its objects cannot be read"))?;
    Ok(Gvk::new(
        str_at(crd, &["spec", "group"]).unwrap_or_default(),
        version,
        str_at(crd, &["spec", "names", "kind"]).unwrap_or_default(),
    ))
}

/// Whether the CRD's objects live in namespaces.
pub fn namespaced(crd: &Value) -> bool {
    str_at(crd, &["spec", "scope"]) != Some("Cluster")
}

/// The route of a custom object's page; `-` stands for the namespace of a cluster-scoped one.
pub fn object_route(crd: &str, namespace: Option<&str>, name: &str) -> String {
    format!("/customresources/{crd}/{}/{name}", namespace.unwrap_or("-"))
}

/// `v1, v1beta1`: the names of the versions, in the CRD's order.
fn versions_text(crd: &Value) -> String {
    details::array_at(crd, &["spec", "versions"])
        .iter()
        .filter_map(|v| str_at(v, &["name"]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Cells of `columns` (only `versions` is computed) for each CRD in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "custom resource definition",
        columns,
        objects,
        |id| match id {
            "versions" => Ok(()),
            other => Err(format!(
                "the cluster plugin computes no column `{other}` of table `{}` (only `versions`)",
                crate::CRDS_TABLE
            )),
        },
        |crd: &Value, columns: &[()]| {
            columns
                .iter()
                .map(|()| Cell::text(versions_text(crd)))
                .collect()
        },
    )
}

/// The printer columns of the preferred version.
fn printer_columns(crd: &Value) -> &[Value] {
    preferred_version(crd)
        .map(|v| details::array_at(v, &["additionalPrinterColumns"]))
        .unwrap_or_default()
}

/// A printer column's cell: dates as ages, like kubectl.
pub fn printer_cell(object: &Value, column: &Value, now_millis: u64) -> Cell {
    let path = str_at(column, &["jsonPath"]).unwrap_or_default();
    let value = jsonpath::eval(object, path);
    let text = jsonpath::text(value);
    match str_at(column, &["type"]) {
        Some("date") => Cell::text(format::age(&text, now_millis).unwrap_or(text)),
        Some("integer" | "number") => match value.and_then(Value::as_f64) {
            Some(n) => Cell::text(text).sort(n),
            None => Cell::text(text),
        },
        _ => Cell::text(text),
    }
}

/// Names, scope and group; versions, printer columns, instances, conditions, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let crd = object.value()?;
    let names = |key: &str| text_at(crd, &["spec", "names", key]);
    let list = |key: &str| details::strings_at(crd, &["spec", "names", key]).join(", ");
    let extra = vec![
        kv("Group", text_at(crd, &["spec", "group"])),
        kv("Kind", names("kind")),
        kv("Plural", names("plural")),
        kv("Singular", names("singular")),
        kv("List kind", names("listKind")),
        kv("Short names", list("shortNames")),
        kv("Categories", list("categories")),
        kv("Scope", text_at(crd, &["spec", "scope"])),
    ];
    let parts = vec![
        versions_section(crd),
        printer_columns_section(crd),
        instances_section(crd, cluster, now_millis),
        details::conditions_section(crd),
    ];
    page::details_page(
        crd,
        "custom resource definition",
        extra,
        parts,
        Events::From(cluster),
        now_millis,
    )
}

fn versions_section(crd: &Value) -> NodeBuilder {
    let rows = details::array_at(crd, &["spec", "versions"])
        .iter()
        .map(|v| {
            vec![
                Cell::text(text_at(v, &["name"])),
                Cell::text(page::flag(v.get("served"))),
                Cell::text(page::flag(v.get("storage"))),
                Cell::text(page::flag(v.get("deprecated"))),
            ]
        })
        .collect();
    View::section("Versions").child(details::table_or_empty(
        &["Name", "Served", "Storage", "Deprecated"],
        rows,
        "The CRD declares no versions.",
    ))
}

fn printer_columns_section(crd: &Value) -> NodeBuilder {
    let rows = printer_columns(crd)
        .iter()
        .map(|c| {
            vec![
                Cell::text(text_at(c, &["name"])),
                Cell::text(text_at(c, &["type"])),
                Cell::text(text_at(c, &["jsonPath"])),
                Cell::text(text_at(c, &["description"])),
            ]
        })
        .collect();
    View::section("Printer columns").child(details::table_or_empty(
        &["Name", "Type", "JSONPath", "Description"],
        rows,
        "No additional printer columns: instances show name and age.",
    ))
}

/// The CRD's objects, one row each with the printer columns, each linked to its page.
fn instances_section(crd: &Value, cluster: &str, now_millis: u64) -> NodeBuilder {
    let section = View::section("Instances");
    let crd_name = text_at(crd, &["metadata", "name"]);
    let kind = match resource_kind(crd) {
        Ok(kind) => kind,
        Err(e) => return section.child(View::error(e)),
    };
    let items = match cluster::list(cluster, &kind, &ListOptions::default()) {
        Ok(list) => list.items,
        Err(e) => {
            return section.child(View::error(format!(
                "Could not list the {} objects: {e}",
                kind.kind
            )));
        }
    };
    let namespaced = namespaced(crd);
    let printer = printer_columns(crd);
    let mut columns = vec!["Name".to_owned()];
    if namespaced {
        columns.push("Namespace".to_owned());
    }
    columns.extend(printer.iter().map(|c| text_at(c, &["name"])));
    let mut objects: Vec<&Value> = items.iter().filter_map(|o| o.value().ok()).collect();
    objects.sort_by_key(|o| {
        (
            str_at(o, &["metadata", "namespace"]),
            str_at(o, &["metadata", "name"]),
        )
    });
    let rows: Vec<Vec<Cell>> = objects
        .into_iter()
        .map(|o| {
            let name = text_at(o, &["metadata", "name"]);
            let ns = str_at(o, &["metadata", "namespace"]);
            let mut cells = vec![Cell::text(name.clone()).link(object_route(&crd_name, ns, &name))];
            if namespaced {
                cells.push(Cell::text(ns.unwrap_or_default()));
            }
            cells.extend(printer.iter().map(|c| printer_cell(o, c, now_millis)));
            cells
        })
        .collect();
    if rows.is_empty() {
        return section.child(View::empty(format!("There are no {} objects.", kind.kind)));
    }
    section.child(View::table(columns, rows))
}
