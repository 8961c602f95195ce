//! The actions of a details page's object, as header buttons.
//!
//! Which actions the viewer may run comes with the object's row in its table (the kernel's
//! can-i answers), so the page subscribes to the table of the object's kind in its namespace
//! (sharing the kernel's watch with any open table) and follows that row live. Plugin actions
//! placed in the details header of the kind are added; the kernel checks those when run.

use dioxus::prelude::*;
use futures::StreamExt;

use super::actions::{ActionButtons, ActionDialogs, Done, Pending};
use super::{Shared, Stream};
use crate::actions::Target;
use crate::model::{Registry, RouteTarget, ServerMessage};
use crate::routes::cluster_path;
use crate::table::TableState;

/// What a details page's view needs to run its `action-button`s on the page's object: the
/// same pending-dialog and live row actions as the header buttons. Provided by the page.
#[derive(Clone, Copy)]
pub struct PageActions {
    /// The dialog of the action being started.
    pub open: Signal<Option<Pending>>,
    /// The object's actions from its live row (none until it arrived).
    pub row_actions: Signal<Option<Vec<String>>>,
}

/// The header actions of the object shown by details view `view`. `refresh` is called after
/// an action ran, so the page shows its effect without waiting for the next refresh.
#[component]
pub fn ObjectActions(
    cluster: String,
    view: String,
    namespace: Option<String>,
    name: String,
    refresh: EventHandler<()>,
) -> Element {
    let shared = use_context::<Shared>();
    let stream = use_context::<Stream>();
    let PageActions {
        open,
        mut row_actions,
    } = use_context::<PageActions>();
    // Details pages are drawn once the registry is loaded; without it there is nothing to offer.
    let registry = match &*shared.registry.read() {
        Some(Ok(r)) => r.clone(),
        _ => Registry::default(),
    };
    let kind = registry.details_view(&view).map(|v| v.kind.clone());
    let table = kind
        .as_ref()
        .and_then(|k| registry.table_of_kind(k))
        .cloned();
    {
        let (cluster, namespace, name) = (cluster.clone(), namespace.clone(), name.clone());
        let table_id = table.as_ref().map(|t| t.id.clone());
        use_hook(move || {
            spawn(async move {
                let Some(table_id) = table_id else { return };
                let mut subscription =
                    stream.subscribe_table(&cluster, &table_id, namespace.clone(), None);
                let mut state = TableState::default();
                while let Some((message, _)) = subscription.receiver.next().await {
                    match message {
                        ServerMessage::TableSnapshot {
                            columns,
                            rows,
                            errors,
                            ..
                        } => state.snapshot(columns, rows, errors),
                        ServerMessage::Rows {
                            upserts, deletes, ..
                        } => state.apply(upserts, &deletes),
                        _ => continue,
                    }
                    let actions = state
                        .get(namespace.as_deref(), &name)
                        .map(|r| r.actions.clone());
                    if *row_actions.peek() != actions {
                        row_actions.set(actions);
                    }
                }
            })
        });
    }
    let (Some(kind), Some(table)) = (kind, table) else {
        return rsx! {};
    };
    // Whether the object's row (and with it the viewer's actions) has arrived; the browser
    // tests wait for it before checking that a button is absent.
    let loaded = row_actions.read().is_some();
    let mut actions = row_actions().unwrap_or_default();
    for a in registry
        .actions
        .iter()
        .filter(|a| a.details_header().as_ref() == Some(&kind))
    {
        let id = a.qualified_id();
        if !actions.contains(&id) {
            actions.push(id);
        }
    }
    // After a delete the object is gone: go back to its table.
    let list_route = registry
        .routes
        .iter()
        .find(|r| r.target == RouteTarget::Table(table.id.clone()))
        .map(|r| cluster_path(&cluster, &r.path));
    let done = after_action(list_route, refresh);
    let target = Target {
        kind,
        namespace: namespace.clone(),
        name: name.clone(),
    };
    rsx! {
        div { class: "object-actions", "data-loaded": "{loaded}",
            ActionButtons { cluster: cluster.clone(), target, plural: Some(table.plural.clone()), actions, open, done }
        }
        ActionDialogs { open, done }
    }
}

/// What a details page does after one of its object's actions ran: back to the kind's table
/// after a delete (the object is gone), else show the action's effect at once.
pub fn after_action(list_route: Option<String>, refresh: EventHandler<()>) -> EventHandler<Done> {
    EventHandler::new(move |d: Done| {
        if d.ok
            && d.action == "delete"
            && let Some(route) = list_route.clone()
        {
            navigator().push(route);
        } else {
            refresh.call(());
        }
    })
}
