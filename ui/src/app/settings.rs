//! The settings page (theme, table density, a default namespace per cluster), kept in
//! `localStorage` and applied to `<html>` as `data-theme` and `data-density`, which the CSS
//! keys on.

use dioxus::prelude::*;

use super::Shared;
use crate::prefs::{Density, SETTINGS_KEY, Settings, Theme};

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The settings stored last time (or the defaults).
pub fn stored() -> Settings {
    let text = storage().and_then(|s| s.get_item(SETTINGS_KEY).ok().flatten());
    Settings::parse(text.as_deref())
}

fn store(settings: &Settings) {
    if let Some(s) = storage() {
        let _ = s.set_item(SETTINGS_KEY, &settings.to_json());
    }
}

/// Puts the theme and density on `<html>`.
fn apply(settings: &Settings) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", settings.theme.as_str());
        let _ = root.set_attribute("data-density", settings.density.as_str());
    }
}

/// Provides the settings to the app (a `Signal<Settings>` in the context) and applies them
/// whenever they change. Called once, by the app.
pub fn use_settings_provider() -> Signal<Settings> {
    let settings = use_context_provider(|| Signal::new(stored()));
    use_effect(move || apply(&settings.read()));
    settings
}

/// When the viewer enters a cluster that has a default namespace, the namespace filter is set
/// to it (the viewer can change it afterwards; it is set again on the next switch).
pub fn use_default_namespace(cluster: Option<String>) {
    let mut shared = use_context::<Shared>();
    let settings = use_context::<Signal<Settings>>();
    let mut last = use_signal(|| None::<String>);
    use_effect(use_reactive!(|cluster| {
        if *last.peek() == cluster {
            return;
        }
        last.set(cluster.clone());
        let Some(cluster) = cluster else { return };
        if let Some(ns) = settings.peek().default_namespace(&cluster) {
            let ns = ns.to_owned();
            if shared.namespace.peek().as_deref() != Some(ns.as_str()) {
                super::store_namespace(Some(&ns));
                shared.namespace.set(Some(ns));
            }
        }
    }));
}

/// `/settings`.
#[component]
pub fn SettingsPage() -> Element {
    let mut settings = use_context::<Signal<Settings>>();
    let shared = use_context::<Shared>();
    let current = settings.read().clone();
    let clusters: Vec<String> = match &*shared.clusters.read() {
        Some(Ok(list)) => list.iter().map(|c| c.name.clone()).collect(),
        _ => Vec::new(),
    };
    let mut update = move |change: &dyn Fn(&mut Settings)| {
        let mut s = settings.write();
        change(&mut s);
        store(&s);
    };
    rsx! {
        div { class: "page settings",
            h1 { "Settings" }
            p { class: "muted", "Kept in this browser (localStorage)." }
            fieldset { class: "setting",
                legend { "Theme" }
                for theme in Theme::ALL {
                    label { key: "{theme.as_str()}", class: "radio",
                        input {
                            r#type: "radio",
                            name: "theme",
                            value: theme.as_str(),
                            checked: current.theme == theme,
                            onchange: move |_| update(&|s| s.theme = theme),
                        }
                        "{theme.title()}"
                    }
                }
            }
            fieldset { class: "setting",
                legend { "Table density" }
                for density in Density::ALL {
                    label { key: "{density.as_str()}", class: "radio",
                        input {
                            r#type: "radio",
                            name: "density",
                            value: density.as_str(),
                            checked: current.density == density,
                            onchange: move |_| update(&|s| s.density = density),
                        }
                        "{density.title()}"
                    }
                }
            }
            fieldset { class: "setting",
                legend { "Default namespace per cluster" }
                p { class: "muted hint", "The namespace filter is set to it when you open the cluster. Empty: all namespaces." }
                if clusters.is_empty() {
                    p { class: "muted", "No clusters are configured." }
                }
                for cluster in clusters {
                    label { key: "{cluster}", class: "field-row",
                        span { class: "field-name", "{cluster}" }
                        input {
                            class: "filter",
                            r#type: "text",
                            "data-cluster": "{cluster}",
                            placeholder: "all namespaces",
                            value: current.default_namespace(&cluster).unwrap_or("").to_owned(),
                            onchange: {
                                let cluster = cluster.clone();
                                move |e: FormEvent| {
                                    let value = e.value().trim().to_owned();
                                    let cluster = cluster.clone();
                                    update(&move |s| {
                                        if value.is_empty() {
                                            s.default_namespaces.remove(&cluster);
                                        } else {
                                            s.default_namespaces.insert(cluster.clone(), value.clone());
                                        }
                                    });
                                }
                            },
                        }
                    }
                }
            }
        }
    }
}
