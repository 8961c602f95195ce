//! StorageClasses: computed cells of the table and the details view (with its volumes).

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::modes;
use headlamp_plugin_sdk::details::{self, kv, str_at};

/// The annotation that makes a class the default for claims without one.
const DEFAULT_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";
/// The annotation older clusters used for the same.
const BETA_DEFAULT_ANNOTATION: &str = "storageclass.beta.kubernetes.io/is-default-class";

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    ReclaimPolicy,
    BindingMode,
    Default,
}

/// Cells of `columns` for each class in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "storage class",
        columns,
        objects,
        |id| match id {
            "reclaim-policy" => Ok(Computed::ReclaimPolicy),
            "binding-mode" => Ok(Computed::BindingMode),
            "default" => Ok(Computed::Default),
            other => Err(format!(
                "the storage plugin computes no column `{other}` of table `{}` (only `reclaim-policy`, `binding-mode` and `default`)",
                crate::CLASSES_TABLE
            )),
        },
        |row: &Value, columns: &[Computed]| columns.iter().map(|c| cell(*c, row)).collect(),
    )
}

fn cell(column: Computed, class: &Value) -> Cell {
    match column {
        Computed::ReclaimPolicy => Cell::text(reclaim_policy(class)),
        Computed::BindingMode => Cell::text(binding_mode(class)),
        Computed::Default => {
            if is_default(class) {
                Cell::text("Yes").tone(Tone::Success)
            } else {
                Cell::empty()
            }
        }
    }
}

/// The API server defaults an omitted policy to Delete.
fn reclaim_policy(class: &Value) -> &str {
    str_at(class, &["reclaimPolicy"]).unwrap_or("Delete")
}

/// The API server defaults an omitted binding mode to Immediate.
fn binding_mode(class: &Value) -> &str {
    str_at(class, &["volumeBindingMode"]).unwrap_or("Immediate")
}

/// Whether the class is marked default (GA or beta annotation), as kubectl reads it.
pub fn is_default(class: &Value) -> bool {
    [DEFAULT_ANNOTATION, BETA_DEFAULT_ANNOTATION]
        .iter()
        .any(|a| str_at(class, &["metadata", "annotations", a]) == Some("true"))
}

/// Metadata, provisioner, policies, parameters, the volumes of the class (linked), events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let class = object.value()?;
    let name = details::text_at(class, &["metadata", "name"]);
    let mut pairs = details::metadata(class, now_millis);
    let expansion = class
        .get("allowVolumeExpansion")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    pairs.extend([
        kv("Provisioner", details::text_at(class, &["provisioner"])),
        kv("Reclaim policy", reclaim_policy(class)),
        kv("Binding mode", binding_mode(class)),
        kv("Default", if is_default(class) { "Yes" } else { "No" }),
        kv("Volume expansion", if expansion { "Allowed" } else { "No" }),
        kv("Parameters", details::pairs_text(class.get("parameters"))),
    ]);
    let header = View::section(name.clone()).child(View::key_value_list(pairs));
    Ok(View::stack()
        .child(header)
        .child(volumes_section(cluster, &name)?)
        .child(details::events_section(cluster, class, now_millis))
        .child(details::yaml_section(class, "storage class")?)
        .build())
}

/// The volumes provisioned from class `name`, each linked, with its claim linked too.
fn volumes_section(cluster: &str, name: &str) -> Result<NodeBuilder, String> {
    let kind = crate::volume_kind();
    // Volumes carry no label for their class, so list them all and filter here.
    let list = cluster::list(cluster, &kind, &ListOptions::default()).map_err(|e| {
        format!("could not list the persistent volumes of storage class {name}: {e}")
    })?;
    let mut rows = Vec::new();
    for item in &list.items {
        let volume = item.value()?;
        if str_at(volume, &["spec", "storageClassName"]) != Some(name) {
            continue;
        }
        let claim = match crate::volumes::claim_of(volume) {
            Some((ns, claim)) => {
                Cell::text(format!("{ns}/{claim}")).link(modes::claim_route(ns, claim))
            }
            None => Cell::empty(),
        };
        rows.push(vec![
            modes::link_cell(str_at(volume, &["metadata", "name"]), modes::volume_route),
            Cell::text(details::text_at(volume, &["spec", "capacity", "storage"])),
            modes::phase_cell(str_at(volume, &["status", "phase"])),
            claim,
        ]);
    }
    Ok(
        View::section("Persistent volumes").child(details::table_or_empty(
            &["Name", "Capacity", "Status", "Claim"],
            rows,
            "No persistent volumes use this storage class.",
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn default_is_read_from_either_annotation() {
        let ga = json!({"metadata": {"annotations": {DEFAULT_ANNOTATION: "true"}}});
        let beta = json!({"metadata": {"annotations": {BETA_DEFAULT_ANNOTATION: "true"}}});
        let off = json!({"metadata": {"annotations": {DEFAULT_ANNOTATION: "false"}}});
        assert!(is_default(&ga));
        assert!(is_default(&beta));
        assert!(!is_default(&off));
        assert!(!is_default(&json!({"metadata": {}})));
    }

    #[test]
    fn omitted_policies_take_the_api_defaults() {
        let bare = json!({"provisioner": "x"});
        assert_eq!(reclaim_policy(&bare), "Delete");
        assert_eq!(binding_mode(&bare), "Immediate");
        let set = json!({"reclaimPolicy": "Retain", "volumeBindingMode": "WaitForFirstConsumer"});
        assert_eq!(reclaim_policy(&set), "Retain");
        assert_eq!(binding_mode(&set), "WaitForFirstConsumer");
    }
}
