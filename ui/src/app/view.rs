//! Draws a plugin's view tree: every node kind of the WIT contract (`wit/types.wit`).
//!
//! The tree arrives flattened (nodes with children by index); [`ViewNode`] renders one node
//! and recurses into its children. Links are plugin routes, put under the current cluster.

use dioxus::prelude::*;

use super::Shared;
use super::actions::{Done, Pending, start};
use super::object_actions::PageActions;
use super::table_view::CellView;
use crate::actions::{Target, view_button_action, view_button_state};
use crate::chart::{chart, graph};
use crate::format::{age_of, parse_rfc3339};
use crate::model::{CellFormat, NodeKind, Tone, View};

/// The object a details page's view is about, so its `action-button`s can run on it: the
/// WIT node names only an action (of the plugin that rendered the view). Provided by the
/// details page; views elsewhere (plugin pages, dialogs) have none and their buttons are off.
#[derive(Clone, PartialEq)]
pub struct ViewObject {
    /// Cluster name.
    pub cluster: String,
    /// The object.
    pub target: Target,
    /// The kind's resource name (scale and edit read the object through the proxy).
    pub plural: Option<String>,
    /// The plugin that renders the view: a bare action id is one of its actions.
    pub plugin: String,
    /// Called after an action ran (the page refreshes, or leaves after a delete).
    pub done: EventHandler<Done>,
}

/// Deepest nesting drawn: the kernel validates trees (no cycles), this guards the renderer.
const MAX_DEPTH: u8 = 32;

/// A whole view tree. `prefix` is the cluster's UI path that plugin routes go under.
#[component]
pub fn ViewTree(tree: View, prefix: String) -> Element {
    let root = tree.root;
    rsx! { div { class: "view", ViewNode { tree, index: root, prefix, depth: 0 } } }
}

fn link_to(prefix: &str, route: &str) -> String {
    format!(
        "{}/{}",
        prefix.trim_end_matches('/'),
        route.trim_start_matches('/')
    )
}

#[component]
fn ViewNode(tree: View, index: u32, prefix: String, depth: u8) -> Element {
    let shared = use_context::<Shared>();
    // Only a details page provides these (None elsewhere).
    let object = try_use_context::<Option<ViewObject>>().flatten();
    let page = try_use_context::<PageActions>();
    let Some(node) = tree.node(index).cloned() else {
        return rsx! { div { class: "error-box", "The view refers to a node {index} it does not have." } };
    };
    if depth > MAX_DEPTH {
        return rsx! { div { class: "error-box", "The view nests deeper than {MAX_DEPTH} levels; the rest is not shown." } };
    }
    let children = rsx! {
        for (i, child) in node.children.iter().enumerate() {
            ViewNode { key: "{i}-{child}", tree: tree.clone(), index: *child, prefix: prefix.clone(), depth: depth + 1 }
        }
    };
    let now = *shared.now.read();
    match node.kind {
        NodeKind::Stack => rsx! { div { class: "stack", {children} } },
        NodeKind::Section(title) => rsx! {
            section { class: "section", aria_label: "{title}",
                h2 { class: "section-title", "{title}" }
                div { class: "section-body", {children} }
            }
        },
        NodeKind::Text(text) => rsx! { p { class: "text", "{text}" } },
        NodeKind::KeyValues(items) => rsx! {
            dl { class: "kv",
                for (i, kv) in items.into_iter().enumerate() {
                    div { key: "{i}", class: "kv-row",
                        dt { "{kv.key}" }
                        dd {
                            match kv.link {
                                Some(l) => rsx! { Link { to: link_to(&prefix, &l), "{kv.value}" } },
                                None => rsx! { span { title: "{kv.value}", {display_value(&kv.value, now)} } },
                            }
                        }
                    }
                }
            }
        },
        NodeKind::Badge((label, tone)) => {
            rsx! { span { class: "badge {tone.class()}", "{label}" } }
        }
        NodeKind::Link((label, route)) => {
            rsx! { Link { class: "view-link", to: link_to(&prefix, &route), "{label}" } }
        }
        NodeKind::Table(table) => {
            let cluster = prefix
                .trim_start_matches("/c/")
                .trim_end_matches('/')
                .to_owned();
            rsx! {
                div { class: "inner-table",
                    table { class: "simple", role: "table",
                        thead { tr { for (i, c) in table.columns.iter().enumerate() { th { key: "{i}", "{c}" } } } }
                        tbody {
                            for (r, row) in table.rows.into_iter().enumerate() {
                                tr { key: "{r}",
                                    for (i, cell) in row.into_iter().enumerate() {
                                        td { key: "{i}", CellView { cell, format: CellFormat::Text, cluster: cluster.clone(), now } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        NodeKind::Conditions(conditions) => rsx! {
            div { class: "inner-table",
                table { class: "simple conditions", role: "table", aria_label: "Conditions",
                    thead { tr { th { "Condition" } th { "Status" } th { "Reason" } th { "Message" } th { "Last transition" } } }
                    tbody {
                        for (i, c) in conditions.into_iter().enumerate() {
                            tr { key: "{i}",
                                td { "{c.kind}" }
                                td { span { class: "badge {condition_tone(&c.kind, &c.status).class()}", "{c.status}" } }
                                td { {c.reason.clone().unwrap_or_default()} }
                                td { class: "wrap", {c.message.clone().unwrap_or_default()} }
                                td { title: c.last_transition.clone().unwrap_or_default(),
                                    {c.last_transition.as_deref().map(|t| age_of(t, None, now) + " ago").unwrap_or_default()}
                                }
                            }
                        }
                    }
                }
            }
        },
        NodeKind::Chart((kind, title, data, max)) => rsx! {
            figure { class: "chart-box",
                figcaption { "{title}" }
                div { dangerous_inner_html: chart(kind, &title, &data, max) }
            }
        },
        NodeKind::Code((language, text)) => rsx! {
            div { class: "code-box",
                div { class: "code-head", span { class: "muted", "{language}" } }
                pre { class: "code", "data-language": "{language}", code { "{text}" } }
            }
        },
        NodeKind::Graph((vertices, edges)) => rsx! {
            div { class: "graph-box", dangerous_inner_html: graph(&vertices, &edges, prefix.trim_end_matches('/')) }
        },
        NodeKind::Empty(message) => rsx! { div { class: "empty-box", "{message}" } },
        NodeKind::Error(message) => rsx! { div { class: "error-box", role: "alert", "{message}" } },
        NodeKind::ActionButton((label, action)) => match (object, page) {
            (Some(object), Some(page)) => {
                let registry = match &*shared.registry.read() {
                    Some(Ok(r)) => r.clone(),
                    _ => Default::default(),
                };
                let id = view_button_action(&object.plugin, &action);
                let state = view_button_state(&id, page.row_actions.read().as_deref(), &registry);
                let why = state.clone().err().unwrap_or_default();
                rsx! {
                    button {
                        class: "button view-action",
                        "data-action": "{id}",
                        disabled: state.is_err(),
                        title: "{why}",
                        onclick: move |_| {
                            let pending = Pending {
                                cluster: object.cluster.clone(),
                                target: object.target.clone(),
                                plural: object.plural.clone(),
                                action: id.clone(),
                                return_focus: None,
                            };
                            start(page.open, pending, &registry, Some(object.done));
                        },
                        "{label}"
                    }
                }
            }
            _ => rsx! {
                button {
                    class: "button view-action",
                    disabled: true,
                    title: "This view is not about one object, so its action {action} has nothing to run on",
                    "{label}"
                }
            },
        },
    }
}

/// Timestamps in key-value lists read better as ages ("3d ago"); the full time is the tooltip.
fn display_value(value: &str, now: f64) -> String {
    match parse_rfc3339(value) {
        Some(then) => format!("{} ago", crate::format::age(now - then)),
        None => value.to_owned(),
    }
}

/// Most conditions are good when `True`; a few (pressure, `ReplicaFailure`) are good when
/// `False`.
fn condition_tone(kind: &str, status: &str) -> Tone {
    let inverted = kind.ends_with("Pressure")
        || kind == "ReplicaFailure"
        || kind == "NetworkUnavailable"
        || kind == "Failed";
    match (status, inverted) {
        ("True", false) | ("False", true) => Tone::Success,
        ("Unknown", _) => Tone::Warning,
        _ => Tone::Error,
    }
}
