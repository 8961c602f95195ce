//! Rows of a resource table: the kernel lists the objects, evaluates declarative columns
//! itself and asks each providing plugin for its computed cells in batches.
//!
//! A plugin that fails does not take the table down: its cells come back empty and the
//! failure is reported beside the rows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::access::{AccessCache, Offer, fill_row_actions};
use crate::cluster::{ClusterError, Gvk, ListOptions};
use crate::columns::{ColumnPath, PathError};
use crate::host::exports::headlamp::plugin::plugin::ColumnSource;
use crate::host::headlamp::plugin::types::Tone;
use crate::host::{Cell, PluginCallError, PluginHost, RowsContext};
use crate::identity::Identity;
use crate::manifest::PluginId;
use crate::registry::{MergedRegistry, TableSpec};

/// Objects handed to a plugin per `rows` call. Small enough that one call stays far inside
/// the per-call deadline even for big objects on a busy machine (the deadline is wall time),
/// large enough that the call overhead (about a microsecond) does not matter.
pub const ROWS_BATCH: usize = 100;

/// Which rows are wanted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowsQuery {
    /// The cluster to list from.
    pub cluster: String,
    /// One namespace, or all when absent.
    #[serde(default)]
    pub namespace: Option<String>,
    /// A label selector such as `app=web`.
    #[serde(default, rename = "labelSelector")]
    pub label_selector: Option<String>,
}

/// Which object a row shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectKey {
    /// Namespace, for namespaced kinds.
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// UID.
    pub uid: Option<String>,
    /// resourceVersion, so the UI can tell a stale row.
    #[serde(rename = "resourceVersion")]
    pub resource_version: Option<String>,
}

impl ObjectKey {
    /// The key of an object as the API server returns it.
    pub fn of(object: &Value) -> Self {
        let meta = &object["metadata"];
        let text = |key: &str| meta[key].as_str().map(str::to_string);
        ObjectKey {
            namespace: text("namespace"),
            name: text("name").unwrap_or_default(),
            uid: text("uid"),
            resource_version: text("resourceVersion"),
        }
    }
}

/// One row: the object and one cell per column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The object.
    pub object: ObjectKey,
    /// Cells in column order.
    pub cells: Vec<Cell>,
    /// The generic actions (`delete`, `scale`, ...) the viewer may do on the object, as
    /// SelfSubjectAccessReviews answer; see [`crate::access::fill_row_actions`].
    pub actions: Vec<String>,
}

/// The answer to a rows request.
#[derive(Debug, Clone, Serialize)]
pub struct TableRows {
    /// The table's id.
    pub table: String,
    /// Column ids, in order.
    pub columns: Vec<String>,
    /// One row per object.
    pub rows: Vec<Row>,
    /// Plugins whose cells are missing, and why.
    pub errors: Vec<String>,
}

/// Why no rows could be produced at all.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// No plugin registers the table.
    #[error("no plugin registers a table {0:?}: see GET /api/v1/registry for the tables there are")]
    UnknownTable(String),
    /// The table's plugin may not list its own kind.
    #[error("{0}")]
    NotPermitted(String),
    /// A declarative column's path is broken.
    #[error("table {table}: {error}")]
    BadPath {
        /// The table.
        table: String,
        /// The path problem.
        error: PathError,
    },
    /// Listing failed.
    #[error("listing {what} in cluster {cluster} failed: {error}")]
    Cluster {
        /// What was listed.
        what: String,
        /// Where.
        cluster: String,
        /// What the cluster said.
        error: ClusterError,
    },
}

/// [`rows`], each with the actions `identity` may do on it (can-i answers cached in `access`).
pub async fn rows_with_actions(
    host: &PluginHost,
    access: &AccessCache,
    identity: &Identity,
    registry: &MergedRegistry,
    table_id: &str,
    query: &RowsQuery,
) -> Result<TableRows, TableError> {
    let mut table = rows(host, identity, registry, table_id, query).await?;
    if let Some(spec) = registry.table(table_id) {
        let gvk = Gvk::from(spec.table.kind.clone());
        let offers = Offer::for_table(registry, table_id, &gvk);
        fill_row_actions(
            access,
            host,
            identity,
            &query.cluster,
            &gvk,
            &offers,
            &mut table.rows,
        )
        .await;
    }
    Ok(table)
}

/// Lists the table's objects as `identity` and computes every row (without actions).
pub async fn rows(
    host: &PluginHost,
    identity: &Identity,
    registry: &MergedRegistry,
    table_id: &str,
    query: &RowsQuery,
) -> Result<TableRows, TableError> {
    let spec = registry
        .table(table_id)
        .ok_or_else(|| TableError::UnknownTable(table_id.to_string()))?;
    check_list_permission(host, spec)?;
    let gvk = Gvk::from(spec.table.kind.clone());
    let cluster = host
        .clusters()
        .get_as(&query.cluster, identity)
        .map_err(|error| TableError::Cluster {
            what: spec.table.plural.clone(),
            cluster: query.cluster.clone(),
            error,
        })?;
    let options = ListOptions {
        namespace: query.namespace.clone().filter(|_| spec.table.namespaced),
        label_selector: query.label_selector.clone(),
        ..ListOptions::default()
    };
    let objects = cluster
        .list_all(&gvk, &options)
        .await
        .map_err(|error| TableError::Cluster {
            what: spec.table.plural.clone(),
            cluster: query.cluster.clone(),
            error,
        })?;
    let context = RowsContext {
        table: spec.table.id.clone(),
        cluster: query.cluster.clone(),
        namespace: options.namespace,
    };
    compute(host, identity, spec, &context, objects).await
}

/// Computes the rows of `spec` for objects already listed from `context.cluster`; plugins
/// computing cells call the cluster as `identity`.
pub async fn compute(
    host: &PluginHost,
    identity: &Identity,
    spec: &TableSpec,
    context: &RowsContext,
    objects: Vec<Value>,
) -> Result<TableRows, TableError> {
    let columns = &spec.resolved;
    let mut rows: Vec<Row> = objects
        .iter()
        .map(|o| Row {
            object: ObjectKey::of(o),
            cells: Vec::with_capacity(columns.len()),
            actions: Vec::new(),
        })
        .collect();
    // Declarative columns first, natively; computed ones are placeholders until filled.
    let mut computed: BTreeMap<PluginId, Vec<(usize, String)>> = BTreeMap::new();
    let mut paths = Vec::with_capacity(columns.len());
    for (index, resolved) in columns.iter().enumerate() {
        paths.push(match &resolved.column.source {
            ColumnSource::JsonPath(path) => Some(
                ColumnPath::parse(path, resolved.column.format).map_err(|error| {
                    TableError::BadPath {
                        table: spec.table.id.clone(),
                        error,
                    }
                })?,
            ),
            ColumnSource::Computed => {
                computed
                    .entry(resolved.plugin.clone())
                    .or_default()
                    .push((index, resolved.column.id.clone()));
                None
            }
        });
    }
    for (row, object) in rows.iter_mut().zip(&objects) {
        for path in &paths {
            row.cells.push(match path {
                Some(path) => path.cell(object),
                None => empty_cell(),
            });
        }
    }
    let mut errors = Vec::new();
    if !computed.is_empty() && !objects.is_empty() {
        let texts: Vec<String> = objects.iter().map(Value::to_string).collect();
        for (plugin_id, wanted) in computed {
            if let Err(e) = fill_computed(
                host, identity, context, &plugin_id, &wanted, &texts, &mut rows,
            )
            .await
            {
                errors.push(e.to_string());
            }
        }
    }
    Ok(TableRows {
        table: spec.table.id.clone(),
        columns: columns.iter().map(|c| c.column.id.clone()).collect(),
        rows,
        errors,
    })
}

/// Asks one plugin for its computed columns, batch by batch, and writes them into the rows.
async fn fill_computed(
    host: &PluginHost,
    identity: &Identity,
    context: &RowsContext,
    plugin_id: &PluginId,
    wanted: &[(usize, String)],
    objects: &[String],
    rows: &mut [Row],
) -> Result<(), PluginCallError> {
    let Some(plugin) = host.plugin(plugin_id.as_str()) else {
        return Ok(());
    };
    let column_ids: Vec<String> = wanted.iter().map(|(_, id)| id.clone()).collect();
    for (batch, chunk) in objects.chunks(ROWS_BATCH).enumerate() {
        let cells = plugin.rows(identity, context, &column_ids, chunk).await?;
        for (offset, row_cells) in cells.into_iter().enumerate() {
            let row = &mut rows[batch * ROWS_BATCH + offset];
            for ((index, _), cell) in wanted.iter().zip(row_cells) {
                row.cells[*index] = cell;
            }
        }
    }
    Ok(())
}

/// The table's objects are handed to its plugin, so the plugin must be allowed to list them.
pub fn check_list_permission(host: &PluginHost, spec: &TableSpec) -> Result<(), TableError> {
    let Some(plugin) = host.plugin(spec.plugin.as_str()) else {
        return Ok(());
    };
    plugin
        .check_permission("list", &spec.table.kind.group, &spec.table.plural)
        .map_err(|refusal| TableError::NotPermitted(format!("table {}: {refusal}", spec.table.id)))
}

fn empty_cell() -> Cell {
    Cell {
        text: String::new(),
        sort: None,
        tone: Some(Tone::Neutral),
        link: None,
    }
}
