//! ConfigMaps: the data count of the table and the details view (each key's value as code).

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::{Map, Value};

use headlamp_plugin_sdk::details::{self, text_at};

/// Cells of `columns` for each config map in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "config map",
        columns,
        objects,
        |id| match id {
            "data" => Ok(()),
            other => Err(format!(
                "the config plugin computes no column `{other}` of table `{}` (only `data`)",
                crate::CONFIGMAPS_TABLE
            )),
        },
        |row: &Value, columns: &[()]| {
            columns
                .iter()
                .map(|()| {
                    let count = data_count(row);
                    Cell::number(count as f64)
                })
                .collect()
        },
    )
}

/// kubectl's DATA: the keys of `data` and `binaryData` together.
pub fn data_count(configmap: &Value) -> usize {
    ["data", "binaryData"]
        .iter()
        .map(|field| entries(configmap, field).len())
        .sum()
}

/// The entries of the string map `field`, by key.
fn entries<'v>(configmap: &'v Value, field: &str) -> Vec<(&'v String, &'v Value)> {
    let mut entries: Vec<(&String, &Value)> = configmap
        .get(field)
        .and_then(Value::as_object)
        .map(Map::iter)
        .into_iter()
        .flatten()
        .collect();
    entries.sort_by_key(|(k, _)| k.as_str());
    entries
}

/// The language of a key's code block, from its extension (plain text when unknown).
pub fn language(key: &str) -> &'static str {
    match key.rsplit_once('.').map(|(_, ext)| ext) {
        Some("yaml" | "yml") => "yaml",
        Some("json") => "json",
        Some("toml") => "toml",
        Some("sh") => "shell",
        Some("xml") => "xml",
        Some("properties" | "ini" | "cfg") => "ini",
        _ => "text",
    }
}

/// Metadata, each data key as a code block, binary keys by size, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let configmap = object.value()?;
    let header = View::section(text_at(configmap, &["metadata", "name"])).child(
        View::key_value_list(details::metadata(configmap, now_millis)),
    );
    let mut data = View::section("Data");
    if data_count(configmap) == 0 {
        data = data.child(View::empty("The config map holds no data."));
    }
    for (key, value) in entries(configmap, "data") {
        data = data.child(View::section(key.clone()).child(View::code(
            language(key),
            value.as_str().unwrap_or_default(),
        )));
    }
    for (key, value) in entries(configmap, "binaryData") {
        let size = crate::secrets::decoded_len(value.as_str().unwrap_or_default());
        let text = match size {
            Some(n) => format!("Binary data, {n} bytes."),
            None => "Binary data that is not valid base64.".to_owned(),
        };
        data = data.child(View::section(key.clone()).child(View::text(text)));
    }
    Ok(View::stack()
        .child(header)
        .child(data)
        .child(details::events_section(cluster, configmap, now_millis))
        .child(details::yaml_section(configmap, "config map")?)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn data_count_adds_binary_keys() {
        let cm = json!({"data": {"a": "1", "b": "2"}, "binaryData": {"c": "AAE="}});
        assert_eq!(data_count(&cm), 3);
        assert_eq!(data_count(&json!({})), 0);
    }

    #[test]
    fn language_follows_the_extension() {
        assert_eq!(language("app.yaml"), "yaml");
        assert_eq!(language("settings.json"), "json");
        assert_eq!(language("app.properties"), "ini");
        assert_eq!(language("nginx.conf"), "text");
        assert_eq!(language("FEATURE_FLAGS"), "text");
    }
}
