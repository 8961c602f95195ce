//! A plugin's settings form as the UI draws it, and the check of values a user sends for it.
//!
//! The form comes from the plugin's registration (`setting` records of the WIT contract); a
//! value is accepted only if it fits the setting's type, so the plugin never reads a string
//! where it declared a number.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::host::exports::headlamp::plugin::plugin::{Setting, SettingType};

/// One field of the form: the declaration, the default, and what the plugin reads now.
#[derive(Debug, Clone, Serialize)]
pub struct SettingField {
    /// The key the plugin reads.
    pub key: String,
    /// The field's label.
    pub label: String,
    /// Help text.
    pub description: String,
    /// `text`, `number`, `boolean` or `choice`.
    pub kind: &'static str,
    /// The allowed values of a `choice`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// The default (the plugin's declared default, or its manifest's).
    pub default: Value,
    /// The user's value, or the default.
    pub value: Value,
    /// Whether the user set a value.
    pub customised: bool,
}

/// The form of a plugin whose declarations are `settings`, with the user's `values`.
/// `manifest_default` gives the `[settings]` default of `plugin.toml`, which wins over the
/// registration's (it is what the `setting` import answers).
pub fn form(
    settings: &[Setting],
    values: &BTreeMap<String, Value>,
    manifest_default: impl Fn(&str) -> Option<String>,
) -> Vec<SettingField> {
    settings
        .iter()
        .map(|s| {
            let default = manifest_default(&s.key)
                .or_else(|| Some(s.default_value.clone()))
                .and_then(|text| serde_json::from_str(&text).ok())
                .unwrap_or(Value::Null);
            let user = values.get(&s.key).cloned();
            let (kind, choices) = describe(&s.type_);
            SettingField {
                key: s.key.clone(),
                label: s.label.clone(),
                description: s.description.clone(),
                kind,
                choices,
                customised: user.is_some(),
                value: user.unwrap_or_else(|| default.clone()),
                default,
            }
        })
        .collect()
}

fn describe(kind: &SettingType) -> (&'static str, Vec<String>) {
    match kind {
        SettingType::Text => ("text", Vec::new()),
        SettingType::Number => ("number", Vec::new()),
        SettingType::Boolean => ("boolean", Vec::new()),
        SettingType::Choice(choices) => ("choice", choices.clone()),
    }
}

/// Checks `sent` (key -> value; `null` resets a key to its default) against `settings` and
/// returns the user's values after the change, on top of `current`.
pub fn apply(
    plugin: &str,
    settings: &[Setting],
    current: &BTreeMap<String, Value>,
    sent: &serde_json::Map<String, Value>,
) -> Result<BTreeMap<String, Value>, String> {
    let mut values = current.clone();
    // Keys the plugin no longer declares are dropped rather than kept forever.
    values.retain(|key, _| settings.iter().any(|s| &s.key == key));
    for (key, value) in sent {
        let Some(setting) = settings.iter().find(|s| &s.key == key) else {
            let known: Vec<&str> = settings.iter().map(|s| s.key.as_str()).collect();
            return Err(format!(
                "plugin {plugin} has no setting `{key}`: its settings are {}",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ));
        };
        if value.is_null() {
            values.remove(key);
            continue;
        }
        check(plugin, key, &setting.type_, value)?;
        values.insert(key.clone(), value.clone());
    }
    Ok(values)
}

fn check(plugin: &str, key: &str, kind: &SettingType, value: &Value) -> Result<(), String> {
    let fits = match kind {
        SettingType::Text => value.is_string(),
        SettingType::Number => value.is_number(),
        SettingType::Boolean => value.is_boolean(),
        SettingType::Choice(choices) => value
            .as_str()
            .is_some_and(|v| choices.iter().any(|c| c == v)),
    };
    if fits {
        return Ok(());
    }
    let expected = match kind {
        SettingType::Text => "a string".to_string(),
        SettingType::Number => "a number".to_string(),
        SettingType::Boolean => "a boolean (true or false)".to_string(),
        SettingType::Choice(choices) => format!("one of {}", choices.join(", ")),
    };
    Err(format!(
        "setting `{key}` of plugin {plugin} must be {expected}, not {value}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn setting(key: &str, kind: SettingType, default: Value) -> Setting {
        Setting {
            key: key.into(),
            label: key.into(),
            description: String::new(),
            type_: kind,
            default_value: default.to_string(),
        }
    }

    fn declared() -> Vec<Setting> {
        vec![
            setting("n", SettingType::Number, json!(1)),
            setting(
                "c",
                SettingType::Choice(vec!["a".into(), "b".into()]),
                json!("a"),
            ),
        ]
    }

    fn sent(value: Value) -> serde_json::Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn a_value_of_the_wrong_type_names_the_key_and_the_type() {
        let error =
            apply("p", &declared(), &BTreeMap::new(), &sent(json!({"n": "x"}))).unwrap_err();
        assert!(
            error.contains("`n`") && error.contains("a number"),
            "{error}"
        );
        let error =
            apply("p", &declared(), &BTreeMap::new(), &sent(json!({"c": "z"}))).unwrap_err();
        assert!(error.contains("one of a, b"), "{error}");
    }

    #[test]
    fn null_resets_a_value_and_unknown_keys_are_refused() {
        let current = BTreeMap::from([("n".to_string(), json!(5))]);
        let values = apply("p", &declared(), &current, &sent(json!({"n": null}))).unwrap();
        assert!(values.is_empty());
        let error = apply("p", &declared(), &current, &sent(json!({"q": 1}))).unwrap_err();
        assert!(error.contains("no setting `q`"), "{error}");
    }

    #[test]
    fn the_form_shows_the_user_value_over_the_default() {
        let values = BTreeMap::from([("n".to_string(), json!(7))]);
        let form = form(&declared(), &values, |_| None);
        assert_eq!(form[0].value, json!(7));
        assert!(form[0].customised);
        assert_eq!(form[1].value, json!("a"));
        assert_eq!(form[1].choices, vec!["a", "b"]);
    }
}
