//! The notifications area: toasts saying what an action did, or Kubernetes' text when it
//! failed. Successes are `role=status` (read politely), failures `role=alert`.

use dioxus::core::spawn_forever;
use dioxus::prelude::*;
use futures::StreamExt;

use super::dialog::Dialog;
use super::net;
use super::stream::{LinkEvent, Stream};
use super::view::ViewTree;
use crate::model::View;

/// How long a success stays; failures stay until dismissed, since their text may be long.
const SUCCESS_MS: i32 = 6_000;

/// A plugin action's answer shown in a dialog: its title, the view, and the cluster's UI
/// path its links go under.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownView {
    title: String,
    view: View,
    prefix: String,
}

/// One toast.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    id: u64,
    ok: bool,
    text: String,
}

/// The tab's notifications; cheap to copy, shared through the context.
#[derive(Clone, Copy)]
pub struct Notifications {
    toasts: Signal<Vec<Toast>>,
    next: Signal<u64>,
    view: Signal<Option<ShownView>>,
}

impl Notifications {
    /// An empty area (provided once, by the app).
    pub fn new() -> Notifications {
        Notifications {
            toasts: Signal::new(Vec::new()),
            next: Signal::new(1),
            view: Signal::new(None),
        }
    }

    /// Shows a plugin action's view in a dialog (replacing one still open).
    pub fn show_view(mut self, title: String, view: View, prefix: String) {
        self.view.set(Some(ShownView {
            title,
            view,
            prefix,
        }));
    }

    /// Reports a success; it goes away by itself.
    pub fn success(mut self, text: impl Into<String>) {
        let id = self.push(true, text.into());
        // Not tied to the component reporting it: a dialog that closes must not keep its
        // toast up forever.
        spawn_forever(async move {
            net::sleep(SUCCESS_MS).await;
            self.dismiss(id);
        });
    }

    /// Reports a failure; it stays until dismissed.
    pub fn error(mut self, text: impl Into<String>) {
        self.push(false, text.into());
    }

    fn push(&mut self, ok: bool, text: String) -> u64 {
        let id = *self.next.peek();
        self.next.set(id + 1);
        self.toasts.write().push(Toast { id, ok, text });
        id
    }

    fn dismiss(mut self, id: u64) {
        self.toasts.write().retain(|t| t.id != id);
    }
}

/// The area, fixed at the bottom right of the page.
#[component]
pub fn Toasts() -> Element {
    let mut notifications = use_context::<Notifications>();
    let toasts = notifications.toasts.read().clone();
    let shown = notifications.view.read().clone();
    rsx! {
        if let Some(shown) = shown {
            Dialog { title: shown.title.clone(), wide: true, onclose: move |_| notifications.view.set(None),
                div { class: "action-view", ViewTree { tree: shown.view.clone(), prefix: shown.prefix.clone() } }
                div { class: "dialog-buttons",
                    button { class: "button primary", onclick: move |_| notifications.view.set(None), "Close" }
                }
            }
        }
        div { class: "toasts", aria_label: "Notifications",
            for t in toasts {
                div {
                    key: "{t.id}",
                    class: if t.ok { "toast ok" } else { "toast failed" },
                    role: if t.ok { "status" } else { "alert" },
                    span { class: "toast-text", "{t.text}" }
                    button {
                        class: "icon-button",
                        aria_label: "Dismiss",
                        title: "Dismiss",
                        onclick: move |_| notifications.dismiss(t.id),
                        "✕"
                    }
                }
            }
        }
    }
}

/// While the stream's socket is down: a banner saying so (the tables keep their last rows and
/// say they are stale); when it is back, a "Reconnected" notification (the tables have asked
/// for fresh snapshots by then, and keep their scroll position and selection).
#[component]
pub fn ConnectionBanner() -> Element {
    let notifications = use_context::<Notifications>();
    let stream = use_context::<Stream>();
    let mut lost = use_signal(|| None::<bool>);
    use_hook(move || {
        let mut events = stream.link_events();
        spawn(async move {
            while let Some(event) = events.next().await {
                match event {
                    LinkEvent::Lost { restarting } => lost.set(Some(restarting)),
                    LinkEvent::Reconnected => {
                        lost.set(None);
                        notifications
                            .success("Reconnected to the kernel: the tables are live again");
                    }
                }
            }
        })
    });
    match lost() {
        None => rsx! {},
        Some(restarting) => rsx! {
            div { class: "connection-banner", role: "status",
                if restarting {
                    "The kernel is restarting: reconnecting… The rows shown are as last received."
                } else {
                    "The connection to the kernel was lost: reconnecting… The rows shown are as last received."
                }
            }
        },
    }
}
