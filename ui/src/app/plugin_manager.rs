//! The Plugins page's catalog: Artifact Hub's Headlamp plugins searched through the kernel
//! (`GET /api/v1/catalog?q=`), each with its versions and whether it runs here, and Install /
//! Update / Remove buttons; every outcome is a toast, and a change refreshes the page and the
//! sidebar.

use dioxus::prelude::*;
use serde_json::{Value, json};

use super::net;
use super::notify::Notifications;
use super::pages::ErrorBox;
use crate::plugin_admin::{CatalogAction, CatalogEntry, offers};

/// The catalog section; `locked` (the reason) hides every button in an operator's kernel;
/// `on_change` runs after a successful install, update or removal.
#[component]
pub fn Catalog(locked: Option<String>, on_change: EventHandler<()>) -> Element {
    let mut query = use_signal(String::new);
    let mut searched = use_signal(|| None::<String>);
    let mut results = use_resource(move || async move {
        match searched() {
            None => None,
            Some(q) => Some(
                net::get::<Vec<CatalogEntry>>(&format!(
                    "/api/v1/catalog?q={}",
                    js_sys::encode_uri_component(&q)
                ))
                .await,
            ),
        }
    });
    rsx! {
        section { class: "catalog", aria_label: "Catalog",
            h2 { "Catalog" }
            p { class: "muted", "Headlamp plugins published on Artifact Hub." }
            if let Some(reason) = &locked {
                p { class: "muted", "{reason}" }
            }
            form {
                class: "catalog-search",
                role: "search",
                onsubmit: move |event| {
                    event.prevent_default();
                    searched.set(Some(query()));
                },
                input {
                    class: "input",
                    r#type: "search",
                    aria_label: "Search the catalog",
                    placeholder: "Search plugins",
                    value: "{query}",
                    oninput: move |e| query.set(e.value()),
                }
                button { class: "button", r#type: "submit", "Search" }
            }
            match results.read().clone() {
                None | Some(None) => rsx! {},
                Some(Some(Err(e))) => rsx! { ErrorBox { message: e } },
                Some(Some(Ok(list))) if list.is_empty() => rsx! { p { class: "muted", "No plugin matches." } },
                Some(Some(Ok(list))) => rsx! {
                    table { class: "simple", role: "table", aria_label: "Catalog results",
                        thead { tr { th { "Package" } th { "Version" } th { "Runs here" } th { "Installed" } th {} } }
                        tbody {
                            for entry in list {
                                CatalogRow {
                                    key: "{entry.package}",
                                    entry: entry.clone(),
                                    locked: locked.is_some(),
                                    on_change: move |()| {
                                        results.restart();
                                        on_change.call(());
                                    },
                                }
                            }
                        }
                    }
                },
            }
        }
    }
}

/// One package: its version picker, compatibility and buttons.
#[component]
fn CatalogRow(entry: CatalogEntry, locked: bool, on_change: EventHandler<()>) -> Element {
    let mut chosen = use_signal(|| entry.latest.clone());
    let mut busy = use_signal(|| false);
    let notifications = use_context::<Notifications>();
    let compatibility = entry.compatibility.clone();
    let buttons = if locked {
        Vec::new()
    } else {
        offers(&entry, &chosen())
    };
    let run = {
        let entry = entry.clone();
        move |action: CatalogAction| {
            let entry = entry.clone();
            let version = chosen();
            busy.set(true);
            spawn(async move {
                let (verb, result): (&str, Result<Value, String>) =
                    match (&action, &entry.installed) {
                        (CatalogAction::Remove, Some(installed)) => (
                            "removed",
                            net::send_checked(
                                "DELETE",
                                &format!("/api/v1/catalog/installed/{}", installed.plugin),
                                None,
                            )
                            .await,
                        ),
                        (CatalogAction::Update, Some(installed)) => (
                            "updated",
                            net::send_checked(
                                "POST",
                                "/api/v1/catalog/update",
                                Some(json!({"name": installed.plugin, "version": version})),
                            )
                            .await,
                        ),
                        _ => (
                            "installed",
                            net::send_checked(
                                "POST",
                                "/api/v1/catalog/install",
                                Some(json!({"package": entry.package, "version": version})),
                            )
                            .await,
                        ),
                    };
                busy.set(false);
                match result {
                    Ok(_) => {
                        notifications.success(format!("{} {verb}", entry.package));
                        on_change.call(());
                    }
                    Err(e) => notifications.error(format!("{} was not {verb}: {e}", entry.package)),
                }
            });
        }
    };
    rsx! {
        tr {
            td {
                strong { "{entry.package}" }
                br {}
                span { class: "muted", "{entry.description}" }
            }
            td {
                select {
                    class: "input",
                    aria_label: "Version of {entry.package}",
                    onchange: move |e| chosen.set(e.value()),
                    for version in entry.versions.clone() {
                        option { key: "{version}", value: "{version}", selected: version == chosen(), "{version}" }
                    }
                }
            }
            td {
                if compatibility.compatible {
                    span { class: "badge tone-success", "Compatible" }
                } else {
                    span { class: "badge tone-error", title: compatibility.reason.clone().unwrap_or_default(), "Incompatible" }
                    " "
                    span { class: "muted", {compatibility.reason.clone().unwrap_or_default()} }
                }
            }
            td {
                match &entry.installed {
                    Some(i) => rsx! { "{i.version}" },
                    None => rsx! { span { class: "muted", "—" } },
                }
            }
            td {
                for action in buttons {
                    button {
                        key: "{action:?}",
                        class: if action == CatalogAction::Remove { "button danger" } else { "button primary" },
                        disabled: busy(),
                        onclick: {
                            let mut run = run.clone();
                            move |_| run(action)
                        },
                        match action {
                            CatalogAction::Install => "Install",
                            CatalogAction::Update => "Update",
                            CatalogAction::Remove => "Remove",
                        }
                    }
                }
            }
        }
    }
}
