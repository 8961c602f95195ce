//! Computed cells of the namespaces table.

use std::borrow::Cow;
use std::collections::BTreeMap;

use headlamp_plugin_sdk::prelude::*;
use serde::Deserialize;

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    Status,
    Labels,
}

/// Only the fields the cells need: serde skips the rest (managedFields and all) without
/// allocating, which keeps a row cheap.
#[derive(Deserialize)]
struct Row<'a> {
    #[serde(borrow, default)]
    metadata: RowMetadata<'a>,
    #[serde(borrow, default)]
    status: RowStatus<'a>,
}

#[derive(Deserialize, Default)]
struct RowMetadata<'a> {
    #[serde(borrow, default)]
    labels: BTreeMap<Cow<'a, str>, Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
struct RowStatus<'a> {
    #[serde(borrow, default)]
    phase: Option<Cow<'a, str>>,
}

/// Cells of `columns` for each namespace in `objects`.
pub(crate) fn namespace_rows(
    columns: &[String],
    objects: &[Object],
) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "namespace",
        columns,
        objects,
        |id| match id {
            "status" => Ok(Computed::Status),
            "labels" => Ok(Computed::Labels),
            other => Err(format!(
                "the cluster plugin computes no column `{other}` of table `namespaces` (only `status` and `labels`)"
            )),
        },
        |row: &Row, columns: &[Computed]| columns.iter().map(|c| cell(*c, row)).collect(),
    )
}

fn cell(column: Computed, row: &Row) -> Cell {
    match column {
        Computed::Status => status_cell(row.status.phase.as_deref()),
        Computed::Labels => Cell::text(labels_text(&row.metadata.labels)),
    }
}

/// The phase, coloured: Active is healthy, Terminating is on its way out.
pub(crate) fn status_cell(phase: Option<&str>) -> Cell {
    match phase {
        Some("Active") => Cell::text("Active").tone(Tone::Success),
        Some("Terminating") => Cell::text("Terminating").tone(Tone::Warning),
        Some(other) => Cell::text(other).tone(Tone::Neutral),
        None => Cell::text("Unknown").tone(Tone::Neutral),
    }
}

/// `k=v, k2=v2`; the map is already sorted by key.
fn labels_text(labels: &BTreeMap<Cow<'_, str>, Cow<'_, str>>) -> String {
    let mut out = String::new();
    for (i, (k, v)) in labels.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}
