//! Reading the built-in plugins' tables and details views against kube-sim's demo world, as
//! JSON shaped for assertions: rows by object, sections by title, cells without sort keys.

use std::sync::Arc;

use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::details::{self, DetailsQuery};
use headlamp_kernel::host::PluginHost;
use headlamp_kernel::identity::Identity;
use headlamp_kernel::registry::MergedRegistry;
use headlamp_kernel::tables::{self, RowsQuery};
use kube_sim::{Sim, SimConfig, SimHandle};
use serde_json::{Map, Value};

use super::{builtin_plugins, test_limits};

/// The demo world without its churn, so that rows stay put while a test reads them.
pub async fn demo() -> (SimHandle, PluginHost) {
    let sim = Sim::start(SimConfig {
        churn: false,
        ..SimConfig::demo()
    })
    .await
    .unwrap();
    let clusters = ClusterRegistry::new();
    clusters.insert(Cluster::new(
        ClusterName::new("demo"),
        sim.client_for("admin"),
    ));
    let host = PluginHost::new(test_limits(), None, Arc::new(clusters)).unwrap();
    for plugin in builtin_plugins() {
        host.load(plugin).await.unwrap();
    }
    (sim, host)
}

/// A cell as `{"text", "link"?, "tone"?}`: what a user sees, without sort keys.
pub fn cell_json(cell: &Value) -> Value {
    let mut out = Map::new();
    out.insert("text".into(), cell["text"].clone());
    for key in ["link", "tone"] {
        if !cell[key].is_null() {
            out.insert(key.into(), cell[key].clone());
        }
    }
    Value::Object(out)
}

/// The rows of `table` in `namespace` (all when `None`) as `{object name: {column id: cell}}`,
/// without the age and last-schedule columns (the demo world is created at run time).
pub async fn rows(host: &PluginHost, table: &str, namespace: Option<&str>) -> Map<String, Value> {
    let registry = MergedRegistry::build(host);
    let query = RowsQuery {
        cluster: "demo".into(),
        namespace: namespace.map(str::to_owned),
        label_selector: None,
    };
    let rows = tables::rows(host, &Identity::Kernel, &registry, table, &query)
        .await
        .unwrap_or_else(|e| panic!("rows of {table}: {e}"));
    assert!(rows.errors.is_empty(), "{table}: {:?}", rows.errors);
    let mut out = Map::new();
    for row in &rows.rows {
        let cells = serde_json::to_value(&row.cells).unwrap();
        let mut by_column = Map::new();
        for (id, cell) in rows.columns.iter().zip(cells.as_array().unwrap()) {
            if id != "age" && id != "last-schedule" {
                by_column.insert(id.clone(), cell_json(cell));
            }
        }
        let key = match &row.object.namespace {
            Some(ns) => format!("{ns}/{}", row.object.name),
            None => row.object.name.clone(),
        };
        out.insert(key, Value::Object(by_column));
    }
    out
}

/// The text of `column` in the row of `object`.
pub fn text<'r>(rows: &'r Map<String, Value>, object: &str, column: &str) -> &'r str {
    rows.get(object)
        .unwrap_or_else(|| panic!("no row {object} in {:?}", rows.keys().collect::<Vec<_>>()))
        [column]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no column {column} in row {object}"))
}

/// A rendered details view as JSON nodes.
pub async fn view(host: &PluginHost, id: &str, namespace: Option<&str>, name: &str) -> Value {
    let query = DetailsQuery {
        cluster: "demo".into(),
        namespace: namespace.map(str::to_owned),
        name: name.into(),
    };
    let rendered = details::render(host, &Identity::Kernel, id, &query)
        .await
        .unwrap_or_else(|e| panic!("details view {id} of {name}: {e}"));
    serde_json::to_value(&rendered.view).unwrap()
}

/// The children of the first section titled `title`.
pub fn section<'v>(view: &'v Value, title: &str) -> Vec<&'v Value> {
    let nodes = view["nodes"].as_array().unwrap();
    let node = nodes
        .iter()
        .find(|n| n["kind"]["Section"] == title)
        .unwrap_or_else(|| panic!("no section {title:?} in {view}"));
    node["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &nodes[i.as_u64().unwrap() as usize])
        .collect()
}

/// The titles of the sections under the root.
pub fn section_titles(view: &Value) -> Vec<String> {
    let nodes = view["nodes"].as_array().unwrap();
    let root = &nodes[view["root"].as_u64().unwrap() as usize];
    root["children"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| nodes[i.as_u64().unwrap() as usize]["kind"]["Section"].as_str())
        .map(str::to_owned)
        .collect()
}

/// The key-values of section `title` as `{key: {"value", "link"?}}`.
pub fn key_values(view: &Value, title: &str) -> Map<String, Value> {
    let items = section(view, title)
        .into_iter()
        .find_map(|n| n["kind"]["KeyValues"].as_array())
        .unwrap_or_else(|| panic!("no key-values in section {title:?}"));
    items
        .iter()
        .map(|kv| {
            let mut v = Map::new();
            v.insert("value".into(), kv["value"].clone());
            if !kv["link"].is_null() {
                v.insert("link".into(), kv["link"].clone());
            }
            (kv["key"].as_str().unwrap().to_owned(), Value::Object(v))
        })
        .collect()
}

/// The table of section `title`: its columns and its rows of cells as [`cell_json`].
pub fn table(view: &Value, title: &str) -> (Vec<String>, Vec<Vec<Value>>) {
    let node = section(view, title)
        .into_iter()
        .find_map(|n| n["kind"].get("Table"))
        .unwrap_or_else(|| panic!("no table in section {title:?}: {view}"));
    let columns = node["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    let rows = node["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().iter().map(cell_json).collect())
        .collect();
    (columns, rows)
}

/// How many rows the table of section `title` has (0 without a table).
pub fn table_rows_in(view: &Value, title: &str) -> usize {
    section(view, title)
        .into_iter()
        .find_map(|n| n["kind"].get("Table"))
        .map_or(0, |t| t["rows"].as_array().unwrap().len())
}

/// The routes of the entries under sidebar group `group` of a registry answer, or `None` when
/// the sidebar has no such group.
pub fn sidebar_group_routes(registry: &Value, group: &str) -> Option<Vec<String>> {
    let entry = registry["sidebar"]
        .as_array()?
        .iter()
        .find(|e| e["id"] == group)?;
    Some(
        entry["children"]
            .as_array()?
            .iter()
            .map(|c| c["route"].as_str().unwrap_or_default().to_owned())
            .collect(),
    )
}

/// `GET /api/v1/registry` of the kernel at `kernel`, narrowed to `cluster` when given.
pub async fn registry_json(kernel: &str, cluster: Option<&str>) -> Value {
    let query = cluster.map_or_else(String::new, |c| format!("?cluster={c}"));
    reqwest::get(format!("{kernel}/api/v1/registry{query}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Asserts the sidebar has the top-level entries `ids`, in that order (others may stand
/// between them).
pub fn assert_sidebar_order(registry: &Value, ids: &[&str]) {
    let order: Vec<&str> = registry["sidebar"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    let at = |id: &str| {
        order
            .iter()
            .position(|o| *o == id)
            .unwrap_or_else(|| panic!("no sidebar entry {id}: {order:?}"))
    };
    assert!(ids.windows(2).all(|w| at(w[0]) < at(w[1])), "{order:?}");
}
