//! PersistentVolumeClaims: computed cells of the table and the details view.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::modes;
use headlamp_plugin_sdk::details::{self, kv, kv_link, str_at, strings_at};

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    Status,
    Volume,
    AccessModes,
    StorageClass,
}

/// Cells of `columns` for each claim in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    // Claims are few per cluster; a JSON value per row keeps the code plain.
    headlamp_plugin_sdk::rows_by(
        "persistent volume claim",
        columns,
        objects,
        |id| match id {
            "status" => Ok(Computed::Status),
            "volume" => Ok(Computed::Volume),
            "access-modes" => Ok(Computed::AccessModes),
            "storage-class" => Ok(Computed::StorageClass),
            other => Err(format!(
                "the storage plugin computes no column `{other}` of table `{}` (only `status`, `volume`, `access-modes` and `storage-class`)",
                crate::CLAIMS_TABLE
            )),
        },
        |row: &Value, columns: &[Computed]| columns.iter().map(|c| cell(*c, row)).collect(),
    )
}

fn cell(column: Computed, claim: &Value) -> Cell {
    match column {
        Computed::Status => modes::phase_cell(str_at(claim, &["status", "phase"])),
        Computed::Volume => {
            modes::link_cell(str_at(claim, &["spec", "volumeName"]), modes::volume_route)
        }
        Computed::AccessModes => Cell::text(access_modes(claim)),
        Computed::StorageClass => modes::link_cell(storage_class(claim), modes::class_route),
    }
}

/// The modes the bound volume grants (`status`), else the ones asked for (`spec`).
fn access_modes(claim: &Value) -> String {
    let granted = strings_at(claim, &["status", "accessModes"]);
    if granted.is_empty() {
        modes::access_modes_text(strings_at(claim, &["spec", "accessModes"]))
    } else {
        modes::access_modes_text(granted)
    }
}

/// `spec.storageClassName`, or the beta annotation older claims carry.
fn storage_class(claim: &Value) -> Option<&str> {
    str_at(claim, &["spec", "storageClassName"]).or_else(|| {
        str_at(
            claim,
            &[
                "metadata",
                "annotations",
                "volume.beta.kubernetes.io/storage-class",
            ],
        )
    })
}

/// Metadata, status, capacity (granted and requested), modes, class and volume (linked), events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let claim = object.value()?;
    let status = modes::phase_cell(str_at(claim, &["status", "phase"]));
    let mut pairs = details::metadata(claim, now_millis);
    let volume = details::text_at(claim, &["spec", "volumeName"]);
    let class = storage_class(claim).unwrap_or_default().to_owned();
    pairs.extend([
        kv("Status", status.text.clone()),
        kv(
            "Capacity",
            details::text_at(claim, &["status", "capacity", "storage"]),
        ),
        kv(
            "Requested",
            details::text_at(claim, &["spec", "resources", "requests", "storage"]),
        ),
        kv("Access modes", access_modes(claim)),
        kv(
            "Volume mode",
            str_at(claim, &["spec", "volumeMode"]).unwrap_or("Filesystem"),
        ),
        kv_link("Storage class", class.clone(), modes::class_route(&class)),
        kv_link("Volume", volume.clone(), modes::volume_route(&volume)),
    ]);
    let header = View::section(details::text_at(claim, &["metadata", "name"]))
        .child(View::badge(
            status.text,
            status.tone.unwrap_or(Tone::Neutral),
        ))
        .child(View::key_value_list(pairs));
    Ok(View::stack()
        .child(header)
        .child(details::events_section(cluster, claim, now_millis))
        .child(details::yaml_section(claim, "persistent volume claim")?)
        .build())
}
