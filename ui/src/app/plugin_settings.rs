//! A plugin's settings form, generated from the schema the kernel serves
//! (`GET /api/v1/plugins/{name}/settings`): one input per setting, by its kind, saved with
//! `PUT`; the kernel's 400 (a value of the wrong type) is shown in place.

use std::collections::BTreeMap;

use dioxus::prelude::*;
use serde_json::Value;

use crate::plugin_admin::{SettingField, text_of, value_of};

use super::net;
use super::notify::Notifications;
use super::pages::ErrorBox;

/// The form of plugin `name`; read-only with `locked` (the reason) in an operator's kernel.
#[component]
pub fn PluginSettingsForm(name: String, locked: Option<String>) -> Element {
    let path = format!("/api/v1/plugins/{name}/settings");
    let mut form = {
        let path = path.clone();
        use_resource(move || {
            let path = path.clone();
            async move { net::get::<Vec<SettingField>>(&path).await }
        })
    };
    let mut draft = use_signal(BTreeMap::<String, Value>::new);
    let mut error = use_signal(|| None::<String>);
    let mut saving = use_signal(|| false);
    let notifications = use_context::<Notifications>();
    let fields = match form.read().clone() {
        None => return rsx! { p { class: "muted", "Loading settings…" } },
        Some(Err(e)) => return rsx! { ErrorBox { message: e } },
        Some(Ok(fields)) => fields,
    };
    if fields.is_empty() {
        return rsx! { p { class: "muted", "This plugin has no settings." } };
    }
    let read_only = locked.is_some();
    let save = {
        let path = path.clone();
        let name = name.clone();
        move |values: serde_json::Map<String, Value>| {
            let path = path.clone();
            let name = name.clone();
            saving.set(true);
            spawn(async move {
                let result: Result<Vec<SettingField>, String> =
                    net::send_checked("PUT", &path, Some(Value::Object(values))).await;
                match result {
                    Ok(_) => {
                        error.set(None);
                        draft.write().clear();
                        notifications.success(format!("Settings of {name} saved"));
                        form.restart();
                    }
                    Err(e) => {
                        notifications.error(format!("Settings of {name} not saved: {e}"));
                        error.set(Some(e));
                    }
                }
                saving.set(false);
            });
        }
    };
    let mut save_draft = save.clone();
    let mut reset_all = save.clone();
    let keys: Vec<String> = fields.iter().map(|f| f.key.clone()).collect();
    rsx! {
        form {
            class: "plugin-settings",
            aria_label: "Settings of {name}",
            onsubmit: move |event| {
                event.prevent_default();
                let values: serde_json::Map<String, Value> = draft.read().clone().into_iter().collect();
                save_draft(values);
            },
            if let Some(reason) = &locked { p { class: "muted", "{reason}" } }
            if let Some(e) = error() { ErrorBox { message: e } }
            for field in fields {
                div { key: "{field.key}", class: "setting-row",
                    label { r#for: "setting-{name}-{field.key}", "{field.label}" }
                    SettingInput { plugin: name.clone(), field: field.clone(), disabled: read_only, draft }
                    if !field.description.is_empty() { span { class: "muted setting-help", "{field.description}" } }
                }
            }
            if !read_only {
                div { class: "setting-buttons",
                    button { class: "button primary", r#type: "submit", disabled: saving() || draft.read().is_empty(), "Save" }
                    button {
                        class: "button",
                        r#type: "button",
                        disabled: saving(),
                        onclick: move |_| {
                            let values = keys.iter().map(|k| (k.clone(), Value::Null)).collect();
                            reset_all(values);
                        },
                        "Reset to defaults"
                    }
                }
            }
        }
    }
}

/// One input, by the setting's kind; edits go into `draft`.
#[component]
fn SettingInput(
    plugin: String,
    field: SettingField,
    disabled: bool,
    draft: Signal<BTreeMap<String, Value>>,
) -> Element {
    let id = format!("setting-{plugin}-{}", field.key);
    let current = draft
        .read()
        .get(&field.key)
        .cloned()
        .unwrap_or_else(|| field.value.clone());
    let key = field.key.clone();
    let kind = field.kind.clone();
    match field.kind.as_str() {
        "boolean" => rsx! {
            input {
                id: "{id}",
                r#type: "checkbox",
                disabled,
                checked: current.as_bool().unwrap_or(false),
                onchange: move |e| {
                    draft.write().insert(key.clone(), Value::Bool(e.checked()));
                },
            }
        },
        "choice" => rsx! {
            select {
                id: "{id}",
                class: "input",
                disabled,
                onchange: move |e| {
                    draft.write().insert(key.clone(), Value::String(e.value()));
                },
                for choice in field.choices.clone() {
                    option { key: "{choice}", value: "{choice}", selected: current.as_str() == Some(choice.as_str()), "{choice}" }
                }
            }
        },
        _ => rsx! {
            input {
                id: "{id}",
                class: "input",
                r#type: if field.kind == "number" { "number" } else { "text" },
                disabled,
                value: "{text_of(&current)}",
                oninput: move |e| {
                    draft.write().insert(key.clone(), value_of(&kind, &e.value()));
                },
            }
        },
    }
}
