//! kube-sim's demo world behind a host with every built-in plugin, and readers of what the
//! plugins answer (rows as `{object: {column: cell}}`, views as sections, key-values, tables).
//! Included with `#[path]` by the tests that use it, next to `mod common;`.

use std::sync::Arc;
use std::time::Duration;

use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::host::{Limits, PluginHost, RenderContext, Slot};
use headlamp_kernel::identity::Identity;
use headlamp_kernel::registry::MergedRegistry;
use headlamp_kernel::tables::{self, RowsQuery};
use kube_sim::{Sim, SimConfig, SimHandle};
use serde_json::{Map, Value};

use crate::common::{builtin_plugins, test_limits};
// The view and row readers are the same as for the other built-ins' tests.
pub use crate::common::plugin_views::{cell_json, section, section_titles, table, text, view};

/// A host whose cluster `demo` is `sim` (as its admin), with every built-in plugin loaded.
///
/// Calls get seconds rather than the fault tests' 200 ms: these tests check what views show,
/// and the budget is wall-clock time, which a loaded test machine stretches.
pub async fn host_for(sim: &SimHandle) -> PluginHost {
    let clusters = ClusterRegistry::new();
    clusters.insert(Cluster::new(
        ClusterName::new("demo"),
        sim.client_for("admin"),
    ));
    let limits = Limits {
        call_deadline: Duration::from_secs(5),
        ..test_limits()
    };
    let host = PluginHost::new(limits, None, Arc::new(clusters)).unwrap();
    for plugin in builtin_plugins() {
        host.load(plugin).await.unwrap();
    }
    host
}

/// The demo world without its churn, so that rows stay put while a test reads them.
pub async fn demo() -> (SimHandle, PluginHost) {
    let sim = Sim::start(SimConfig {
        churn: false,
        ..SimConfig::demo()
    })
    .await
    .unwrap();
    let host = host_for(&sim).await;
    (sim, host)
}

/// The rows of `table` in `namespace` (all when `None`) as `{object: {column id: cell}}`
/// (cells with their sort keys), keyed `namespace/name` or `name`.
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
        let by_column: Map<String, Value> = rows
            .columns
            .iter()
            .cloned()
            .zip(cells.as_array().unwrap().iter().cloned())
            .collect();
        let key = match &row.object.namespace {
            Some(ns) => format!("{ns}/{}", row.object.name),
            None => row.object.name.clone(),
        };
        out.insert(key, Value::Object(by_column));
    }
    out
}

/// The page slot `slot` of plugin `plugin` rendered with route parameters `params`.
pub async fn page(
    host: &PluginHost,
    plugin: &str,
    slot: &str,
    namespace: Option<&str>,
    params: &[(&str, &str)],
) -> Result<Value, String> {
    let plugin = host
        .plugin(plugin)
        .unwrap_or_else(|| panic!("plugin {plugin} is not loaded"));
    let context = RenderContext {
        cluster: "demo".into(),
        object: None,
        namespace: namespace.map(str::to_owned),
        params: params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    };
    plugin
        .render(&Identity::Kernel, &Slot::Page(slot.into()), &context)
        .await
        .map(|view| serde_json::to_value(&view).unwrap())
        .map_err(|e| e.to_string())
}

/// The key-values of section `title` as `{key: value}`.
pub fn key_values(view: &Value, title: &str) -> Map<String, Value> {
    let items = section(view, title)
        .into_iter()
        .find_map(|n| n["kind"]["KeyValues"].as_array())
        .unwrap_or_else(|| panic!("no key-values in section {title:?}"));
    items
        .iter()
        .map(|kv| (kv["key"].as_str().unwrap().to_owned(), kv["value"].clone()))
        .collect()
}

/// The link of key `key` in the key-values of section `title`.
pub fn key_link(view: &Value, title: &str, key: &str) -> Option<String> {
    section(view, title)
        .into_iter()
        .find_map(|n| n["kind"]["KeyValues"].as_array())
        .and_then(|items| items.iter().find(|kv| kv["key"] == key))
        .and_then(|kv| kv["link"].as_str().map(str::to_owned))
}

/// Every node of kind `kind` (such as `Chart`) in the view, in order.
pub fn nodes_of<'v>(view: &'v Value, kind: &str) -> Vec<&'v Value> {
    view["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["kind"].get(kind))
        .collect()
}
