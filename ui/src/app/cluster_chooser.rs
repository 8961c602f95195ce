//! The app bar's cluster chooser: a checkbox list, so that several clusters can be shown at
//! once (tables then merge their rows). The selection lives in the URL (`/c/a+b/...`, see
//! [`crate::routes`]), so it survives reloads and deep links.

use dioxus::prelude::*;

use super::Shared;
use crate::routes::{Screen, cluster_path, clusters_segment, toggle_cluster};

/// The path that shows `clusters` on the current page's plugin route (or the clusters' home).
fn path_for(clusters: &[String], current_path: &str) -> String {
    let route = match Screen::parse(current_path) {
        Screen::Cluster { route, .. } => route,
        _ => "/".into(),
    };
    cluster_path(&clusters_segment(clusters), &route)
}

/// The chooser: a button naming the selected clusters that opens a list of every cluster
/// with a checkbox (tick several to merge them) and an "only" button (switch to that one).
#[component]
pub fn ClusterChooser(selection: Vec<String>, path: String) -> Element {
    let shared = use_context::<Shared>();
    let mut open = use_signal(|| false);
    let list = match shared.clusters.read().clone() {
        None => return rsx! { span { class: "muted", "Loading clusters…" } },
        Some(Err(e)) => {
            return rsx! { span { class: "badge tone-error", title: "{e}", "Clusters unavailable" } };
        }
        Some(Ok(list)) => list,
    };
    if list.is_empty() {
        return rsx! { span { class: "badge tone-warning", "No clusters configured" } };
    }
    let known: Vec<String> = list.iter().map(|c| c.name.clone()).collect();
    // Clusters in the URL that the kernel does not know stay visible as chosen.
    let unknown: Vec<String> = selection
        .iter()
        .filter(|c| !known.contains(c))
        .cloned()
        .collect();
    let unreachable: Vec<String> = list
        .iter()
        .filter(|c| c.error.is_some() && selection.contains(&c.name))
        .map(|c| c.name.clone())
        .collect();
    let summary = if selection.is_empty() {
        "Choose a cluster".to_owned()
    } else {
        selection.join(" + ")
    };
    let close = move |_| open.set(false);
    rsx! {
        div { class: "chooser cluster-chooser",
            button {
                id: "cluster-chooser-button",
                class: "chooser-button",
                aria_haspopup: "true",
                aria_expanded: "{open}",
                aria_controls: "cluster-chooser-panel",
                aria_label: "Clusters: {summary}",
                title: "Choose one or several clusters",
                onclick: move |_| open.toggle(),
                span { class: "chooser-label", if selection.len() > 1 { "Clusters" } else { "Cluster" } }
                strong { "{summary}" }
                span { aria_hidden: "true", " ▾" }
            }
            if open() {
                div { class: "popover-backdrop", onclick: close }
                div {
                    id: "cluster-chooser-panel",
                    class: "popover cluster-panel",
                    role: "group",
                    aria_label: "Clusters shown",
                    onkeydown: move |e: KeyboardEvent| {
                        if e.key() == Key::Escape {
                            open.set(false);
                            super::dialog::focus_id("cluster-chooser-button");
                        }
                    },
                    p { class: "muted small", "Tick several clusters to see their resources together." }
                    for c in list.iter().map(|c| (c.name.clone(), c.error.clone())).chain(unknown.iter().map(|u| (u.clone(), Some("not known to the kernel".to_owned())))) {
                        {
                            let (name, error) = c;
                            let ticked = selection.contains(&name);
                            let toggled = path_for(&toggle_cluster(&selection, &name, &known), &path);
                            let only = path_for(std::slice::from_ref(&name), &path);
                            rsx! {
                                div { key: "{name}", class: "cluster-option",
                                    label {
                                        input {
                                            r#type: "checkbox",
                                            "data-cluster": "{name}",
                                            checked: ticked,
                                            // The last ticked cluster cannot be unticked.
                                            disabled: ticked && selection.len() == 1,
                                            onchange: move |_| {
                                                navigator().push(toggled.clone());
                                            },
                                        }
                                        " {name}"
                                        if let Some(e) = error.clone() {
                                            span { class: "badge tone-error", title: "{e}", "unreachable" }
                                        }
                                    }
                                    button {
                                        class: "link-button",
                                        aria_label: "Show only {name}",
                                        onclick: move |_| {
                                            open.set(false);
                                            navigator().push(only.clone());
                                        },
                                        "only"
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if !unreachable.is_empty() {
            span { class: "badge tone-error", title: "{unreachable.join(\", \")}", "unreachable" }
        }
    }
}
