//! IngressClasses: computed cells of the table and the details view.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use headlamp_plugin_sdk::details::{self, kv, str_at, text_at};

/// The annotation that makes a class the default for ingresses without one.
const DEFAULT_ANNOTATION: &str = "ingressclass.kubernetes.io/is-default-class";

/// Cells of `columns` for each class in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "ingress class",
        columns,
        objects,
        |id| match id {
            "default" => Ok(()),
            other => Err(format!(
                "the network plugin computes no column `{other}` of table `{}` (only `default`)",
                crate::INGRESS_CLASSES_TABLE
            )),
        },
        |row: &Value, columns: &[()]| {
            columns
                .iter()
                .map(|()| {
                    if is_default(row) {
                        Cell::text("Yes").tone(Tone::Success)
                    } else {
                        Cell::empty()
                    }
                })
                .collect()
        },
    )
}

/// Whether the class is marked default.
pub fn is_default(class: &Value) -> bool {
    str_at(class, &["metadata", "annotations", DEFAULT_ANNOTATION]) == Some("true")
}

/// Metadata, controller, default, parameters, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let class = object.value()?;
    let parameters = match class.pointer("/spec/parameters") {
        Some(p) => format!("{}/{}", text_at(p, &["kind"]), text_at(p, &["name"])),
        None => String::new(),
    };
    let mut pairs = details::metadata(class, now_millis);
    pairs.extend([
        kv("Controller", text_at(class, &["spec", "controller"])),
        kv("Default", if is_default(class) { "Yes" } else { "No" }),
        kv("Parameters", parameters),
    ]);
    Ok(View::stack()
        .child(
            View::section(text_at(class, &["metadata", "name"])).child(View::key_value_list(pairs)),
        )
        .child(details::events_section(cluster, class, now_millis))
        .child(details::yaml_section(class, "ingress class")?)
        .build())
}
