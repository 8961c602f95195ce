//! What a live table offers beside its rows: the column menu (choices kept per table in
//! `localStorage`), the label filter, the row action menu, and deleting the selected rows.

use std::collections::HashSet;

use dioxus::prelude::*;

use super::actions::{ConfirmDialog, Pending, start, use_notifications};
use super::dialog::unique_id;
use super::menu::{Anchor, Menu};
use super::{Shared, action_api};
use crate::actions::{ActionRequest, Target, is_dangerous, label, sorted};
use crate::model::{Column, Gvk, Registry};
use crate::prefs::{ColumnChoices, columns_key};
use crate::selector;
use crate::table::RowKey;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The column choices stored for a table.
pub fn stored_columns(table: &str) -> ColumnChoices {
    let stored = storage().and_then(|s| s.get_item(&columns_key(table)).ok().flatten());
    ColumnChoices::parse(stored.as_deref())
}

fn store_columns(table: &str, choices: &ColumnChoices) {
    if let Some(s) = storage() {
        let _ = s.set_item(&columns_key(table), &choices.to_json());
    }
}

/// The "Columns" button and its menu of checkable columns (the first, the name, stays).
#[component]
pub fn ColumnMenu(table: String, columns: Vec<Column>, choices: Signal<ColumnChoices>) -> Element {
    let mut open = use_signal(|| None::<Anchor>);
    let button_id = use_hook(|| unique_id("columns-button"));
    let menu_id = use_hook(|| unique_id("columns-menu"));
    rsx! {
        button {
            id: "{button_id}",
            class: "button columns-button",
            aria_haspopup: "menu",
            aria_expanded: if open().is_some() { "true" } else { "false" },
            aria_controls: "{menu_id}",
            onclick: {
                let button_id = button_id.clone();
                move |_| {
                    if open.peek().is_some() { open.set(None) } else { open.set(Some(Anchor::of(&button_id))) }
                }
            },
            "Columns"
        }
        if let Some(anchor) = open() {
            Menu { id: menu_id.clone(), label: "Columns", anchor, onclose: move |_| open.set(None),
                for c in columns.iter().skip(1) {
                    {
                        let shown = choices.read().shows(c);
                        let (id, table) = (c.id.clone(), table.clone());
                        rsx! {
                            button {
                                key: "{c.id}",
                                class: "menu-item",
                                role: "menuitemcheckbox",
                                aria_checked: if shown { "true" } else { "false" },
                                "data-column": "{c.id}",
                                onclick: move |_| {
                                    let mut all = choices.write();
                                    all.set(&id, !shown);
                                    store_columns(&table, &all);
                                },
                                span { class: "check", aria_hidden: "true", if shown { "✓" } else { "" } }
                                "{c.title}"
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The label filter: checked while typing, applied (re-subscribing with `labelSelector`) on
/// Enter or when the field loses focus.
#[component]
pub fn LabelFilter(applied: Signal<Option<String>>) -> Element {
    let mut text = use_signal(|| applied.peek().clone().unwrap_or_default());
    let mut problem = use_signal(|| None::<String>);
    let error_id = use_hook(|| unique_id("labels-error"));
    let mut apply = move || match selector::check(&text.peek()) {
        Ok(selector) => {
            problem.set(None);
            if *applied.peek() != selector {
                applied.set(selector);
            }
        }
        Err(e) => problem.set(Some(e)),
    };
    rsx! {
        div { class: "label-filter",
            input {
                // Not `.filter`: that is the text filter, which the browser tests look up by class.
                class: if problem().is_some() { "label-input invalid" } else { "label-input" },
                r#type: "search",
                placeholder: "Labels: app=web,tier!=db",
                aria_label: "Filter by labels",
                aria_invalid: if problem().is_some() { "true" } else { "false" },
                aria_describedby: "{error_id}",
                value: "{text}",
                oninput: move |e| {
                    text.set(e.value());
                    problem.set(selector::check(&e.value()).err());
                    // Clearing the field clears the filter at once.
                    if e.value().trim().is_empty() && applied.peek().is_some() {
                        applied.set(None);
                    }
                },
                onchange: move |_| apply(),
                onkeydown: move |e: KeyboardEvent| if e.key() == Key::Enter { apply() },
            }
            div { id: "{error_id}", class: "field-error", role: "status",
                {problem().unwrap_or_default()}
            }
        }
    }
}

/// An open row menu: the row's object, its actions, and where the menu sits.
#[derive(Debug, Clone, PartialEq)]
pub struct RowMenu {
    /// The row's cluster (a merged table has rows of several).
    pub cluster: String,
    /// The object.
    pub target: Target,
    /// Actions the row allows.
    pub actions: Vec<String>,
    /// Where it opens.
    pub anchor: Anchor,
}

/// The menu of the row whose "Actions" button was pressed.
#[component]
pub fn RowActionsMenu(
    plural: String,
    menu: Signal<Option<RowMenu>>,
    pending: Signal<Option<Pending>>,
) -> Element {
    let shared = use_context::<Shared>();
    let Some(open) = menu() else {
        return rsx! {};
    };
    let registry = match &*shared.registry.read() {
        Some(Ok(r)) => r.clone(),
        _ => Registry::default(),
    };
    let menu_id = format!("{}-menu", open.anchor.button);
    rsx! {
        Menu { id: menu_id, label: format!("Actions of {}", open.target.name), anchor: open.anchor.clone(), onclose: move |_| menu.set(None),
            for action in sorted(&open.actions) {
                button {
                    key: "{action}",
                    class: if is_dangerous(&action) { "menu-item danger" } else { "menu-item" },
                    role: "menuitem",
                    "data-action": "{action}",
                    onclick: {
                        let p = Pending {
                            cluster: open.cluster.clone(),
                            target: open.target.clone(),
                            plural: Some(plural.clone()),
                            action: action.clone(),
                            return_focus: Some(open.anchor.button.clone()),
                        };
                        let registry = registry.clone();
                        move |_| {
                            menu.set(None);
                            // Back to the row's button; a dialog, if the action opens one,
                            // takes the focus from there and gives it back on closing.
                            if let Some(button) = &p.return_focus {
                                super::dialog::focus_id(button);
                            }
                            start(pending, p.clone(), &registry, None);
                        }
                    },
                    {label(&action, &registry)}
                }
            }
        }
    }
}

/// "Delete selected": asks, then deletes every selected row's object as the viewer, and
/// reports how many went and what Kubernetes said about the others.
#[component]
pub fn DeleteSelected(
    kind: Gvk,
    title: String,
    selected: Signal<HashSet<RowKey>>,
    keys: Vec<RowKey>,
) -> Element {
    let mut asking = use_signal(|| false);
    let mut running = use_signal(|| false);
    let count = keys.len();
    if count == 0 {
        return rsx! {};
    }
    let several = keys.iter().any(|(c, _, _)| *c != keys[0].0);
    // Each object is deleted in its own cluster.
    let targets: Vec<(String, Target)> = keys
        .iter()
        .map(|(cluster, namespace, name)| {
            let target = Target {
                kind: kind.clone(),
                namespace: namespace.clone(),
                name: name.clone(),
            };
            (cluster.clone(), target)
        })
        .collect();
    let mut names: Vec<String> = targets
        .iter()
        .map(|(c, t)| match several {
            true => format!("{} ({c})", t.describe()),
            false => t.describe(),
        })
        .collect();
    names.sort();
    let shown = names.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
    let more = names.len().saturating_sub(8);
    let question = if more > 0 {
        format!(
            "Delete {count} {}: {shown} and {more} more? This cannot be undone.",
            title.to_lowercase()
        )
    } else {
        format!(
            "Delete {count} {}: {shown}? This cannot be undone.",
            title.to_lowercase()
        )
    };
    rsx! {
        button {
            class: "button danger delete-selected",
            disabled: running(),
            onclick: move |_| asking.set(true),
            "Delete selected ({count})"
        }
        if asking() {
            ConfirmDialog {
                title: format!("Delete {count} {}", title.to_lowercase()),
                question,
                confirm: "Delete",
                danger: true,
                oncancel: move |_| asking.set(false),
                onconfirm: move |_| {
                    asking.set(false);
                    running.set(true);
                    let notifications = use_notifications();
                    let targets = targets.clone();
                    spawn(async move {
                        let runs = targets.iter().map(|(cluster, target)| {
                            let request = ActionRequest { cluster: cluster.clone(), action: "delete".into(), target: Some(target.clone()), params: None };
                            async move { (cluster.clone(), target.clone(), action_api::run(&request).await) }
                        });
                        let results = futures::future::join_all(runs).await;
                        let mut deleted = 0;
                        for (cluster, target, result) in results {
                            match result {
                                Ok(_) => {
                                    deleted += 1;
                                    selected.write().remove(&(cluster, target.namespace.clone(), target.name.clone()));
                                }
                                Err(failure) => notifications.error(failure.text()),
                            }
                        }
                        if deleted > 0 {
                            notifications.success(format!("Deleted {deleted} of {}", targets.len()));
                        }
                        running.set(false);
                    });
                },
            }
        }
    }
}
