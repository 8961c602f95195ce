//! Example plugin: a "Restarts" column added to another plugin's Pods table.
//!
//! The plugin owns no table: it contributes an [`ExtraColumn`] to the table `pods` and computes
//! its cells in `rows`. The kernel hands it the Pod objects it already watches, so the plugin
//! needs no permissions.

use headlamp_plugin_sdk::ExtraColumn;
use headlamp_plugin_sdk::k8s_openapi::api::core::v1::Pod;
use headlamp_plugin_sdk::prelude::*;

/// The table the column is added to (the Pods table of the workloads plugin).
pub const PODS_TABLE: &str = "pods";
/// The column's id: prefixed with the plugin's name, because the Pods table's owner has a
/// `restarts` column of its own and a second column with its id would be dropped.
pub const COLUMN: &str = "pod-restarts-total";

/// The plugin.
pub struct PodRestartsPlugin;

impl Plugin for PodRestartsPlugin {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        Ok(Registration::new().extra_column(
            ExtraColumn::new(
                PODS_TABLE,
                Column::computed(COLUMN, "Restarts (all containers)"),
            )
            .after("status"),
        ))
    }

    fn rows(
        &self,
        ctx: &RowsContext,
        columns: &[String],
        objects: &[Object],
    ) -> Result<Vec<Vec<Cell>>, String> {
        if ctx.table != PODS_TABLE {
            return Err(format!(
                "this plugin adds a column to `{PODS_TABLE}` only, not `{}`",
                ctx.table
            ));
        }
        objects
            .iter()
            .map(|object| {
                let pod: Pod = object.parse().map_err(|e| e.to_string())?;
                let restarts: i32 = pod
                    .status
                    .and_then(|s| s.container_statuses)
                    .unwrap_or_default()
                    .iter()
                    .map(|c| c.restart_count)
                    .sum();
                Ok(columns.iter().map(|_| restarts_cell(restarts)).collect())
            })
            .collect()
    }
}

/// A number, warning-coloured once a container restarted.
fn restarts_cell(restarts: i32) -> Cell {
    let cell = Cell::number(f64::from(restarts));
    if restarts > 0 {
        cell.tone(Tone::Warning)
    } else {
        cell
    }
}

headlamp_plugin_sdk::export_plugin!(PodRestartsPlugin);
