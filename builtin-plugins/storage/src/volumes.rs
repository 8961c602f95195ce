//! PersistentVolumes: computed cells of the table and the details view.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::modes;
use headlamp_plugin_sdk::details::{self, kv, kv_link, str_at, strings_at};

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    AccessModes,
    ReclaimPolicy,
    Status,
    Claim,
    StorageClass,
}

/// Cells of `columns` for each volume in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "persistent volume",
        columns,
        objects,
        |id| match id {
            "access-modes" => Ok(Computed::AccessModes),
            "reclaim-policy" => Ok(Computed::ReclaimPolicy),
            "status" => Ok(Computed::Status),
            "claim" => Ok(Computed::Claim),
            "storage-class" => Ok(Computed::StorageClass),
            other => Err(format!(
                "the storage plugin computes no column `{other}` of table `{}` (only `access-modes`, `reclaim-policy`, `status`, `claim` and `storage-class`)",
                crate::VOLUMES_TABLE
            )),
        },
        |row: &Value, columns: &[Computed]| columns.iter().map(|c| cell(*c, row)).collect(),
    )
}

fn cell(column: Computed, volume: &Value) -> Cell {
    match column {
        Computed::AccessModes => Cell::text(modes::access_modes_text(strings_at(
            volume,
            &["spec", "accessModes"],
        ))),
        Computed::ReclaimPolicy => Cell::text(reclaim_policy(volume)),
        Computed::Status => modes::phase_cell(str_at(volume, &["status", "phase"])),
        Computed::Claim => claim_cell(volume),
        Computed::StorageClass => modes::link_cell(
            str_at(volume, &["spec", "storageClassName"]),
            modes::class_route,
        ),
    }
}

/// Dynamically provisioned volumes default to Delete; the API server fills it for the rest.
fn reclaim_policy(volume: &Value) -> &str {
    str_at(volume, &["spec", "persistentVolumeReclaimPolicy"]).unwrap_or("Delete")
}

/// `namespace/name` of the claim bound to the volume, if any.
pub(crate) fn claim_of(volume: &Value) -> Option<(&str, &str)> {
    let namespace = str_at(volume, &["spec", "claimRef", "namespace"])?;
    let name = str_at(volume, &["spec", "claimRef", "name"])?;
    Some((namespace, name))
}

/// `shop/data-0` linking to the claim's details.
fn claim_cell(volume: &Value) -> Cell {
    match claim_of(volume) {
        Some((ns, name)) => Cell::text(format!("{ns}/{name}")).link(modes::claim_route(ns, name)),
        None => Cell::empty(),
    }
}

/// Which volume plugin backs the volume (`hostPath /data/x`, `csi ebs.csi.aws.com`).
fn source(volume: &Value) -> String {
    let spec = volume.get("spec").and_then(Value::as_object);
    let known = [
        ("csi", "driver"),
        ("hostPath", "path"),
        ("local", "path"),
        ("nfs", "path"),
    ];
    for (key, detail) in known {
        if let Some(s) = spec.and_then(|s| s.get(key)) {
            return format!("{key} {}", details::text_at(s, &[detail]));
        }
    }
    // Any other in-tree source: its key is the best name we have.
    let skip = [
        "accessModes",
        "capacity",
        "claimRef",
        "mountOptions",
        "nodeAffinity",
        "persistentVolumeReclaimPolicy",
        "storageClassName",
        "volumeMode",
        "volumeAttributesClassName",
    ];
    spec.into_iter()
        .flat_map(|s| s.keys())
        .find(|k| !skip.contains(&k.as_str()))
        .cloned()
        .unwrap_or_default()
}

/// Metadata, capacity, modes, policy, status, source, claim and class (linked), events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let volume = object.value()?;
    let status = modes::phase_cell(str_at(volume, &["status", "phase"]));
    let class = details::text_at(volume, &["spec", "storageClassName"]);
    let (claim, claim_route) = match claim_of(volume) {
        Some((ns, name)) => (format!("{ns}/{name}"), modes::claim_route(ns, name)),
        None => (String::new(), String::new()),
    };
    let mut pairs = details::metadata(volume, now_millis);
    pairs.extend([
        kv("Status", status.text.clone()),
        kv(
            "Capacity",
            details::text_at(volume, &["spec", "capacity", "storage"]),
        ),
        kv(
            "Access modes",
            modes::access_modes_text(strings_at(volume, &["spec", "accessModes"])),
        ),
        kv("Reclaim policy", reclaim_policy(volume)),
        kv(
            "Volume mode",
            str_at(volume, &["spec", "volumeMode"]).unwrap_or("Filesystem"),
        ),
        kv("Source", source(volume)),
        kv_link("Claim", claim, claim_route),
        kv_link("Storage class", class.clone(), modes::class_route(&class)),
    ]);
    let header = View::section(details::text_at(volume, &["metadata", "name"]))
        .child(View::badge(
            status.text,
            status.tone.unwrap_or(Tone::Neutral),
        ))
        .child(View::key_value_list(pairs));
    Ok(View::stack()
        .child(header)
        .child(details::events_section(cluster, volume, now_millis))
        .child(details::yaml_section(volume, "persistent volume")?)
        .build())
}
