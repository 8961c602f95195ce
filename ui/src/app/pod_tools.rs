//! The tabs a Pod's details page gets besides the plugin's view, as Headlamp has them: Logs,
//! Terminal, Port forward. The UI adds them for any object whose kind is Pod; what they need
//! (containers, ports, restarts) comes from the pod object read through the kernel's proxy.
//!
//! A tab's panel is mounted the first time it is opened and then only hidden, so a running
//! shell or log stream survives looking at another tab.

use dioxus::prelude::*;

use super::log_viewer::LogViewer;
use super::net;
use super::pages::ErrorBox;
use super::port_forward::PortForwards;
use super::terminal::PodTerminal;
use crate::pod::{containers, default_container, ports};

/// The tabs, in order: id and label.
const TABS: [(&str, &str); 4] = [
    ("details", "Details"),
    ("logs", "Logs"),
    ("terminal", "Terminal"),
    ("port-forward", "Port forward"),
];

/// A Pod's details (`children`, the plugin's view) and its tools, as tabs.
#[component]
pub fn PodTabs(cluster: String, namespace: String, name: String, children: Element) -> Element {
    let mut active = use_signal(|| 0_usize);
    let mut opened = use_signal(|| [true, false, false, false]);
    let pod = {
        let path = format!("/clusters/{cluster}/api/v1/namespaces/{namespace}/pods/{name}");
        use_resource(move || {
            let path = path.clone();
            async move { net::get::<serde_json::Value>(&path).await }
        })
    };
    let mut select = move |i: usize| {
        active.set(i);
        if !opened.peek()[i] {
            opened.write()[i] = true;
        }
        if let Some(tab) = super::js::element(&format!("pod-tab-{}", TABS[i].0))
            && let Ok(tab) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(tab)
        {
            let _ = tab.focus();
        }
    };
    let current = active();
    let pod_value = pod.read().clone();
    let tools = match &pod_value {
        None => Err(None),
        Some(Err(e)) => Err(Some(format!(
            "The pod could not be read, so its containers are unknown: {e}"
        ))),
        Some(Ok(object)) => Ok((containers(object), ports(object))),
    };
    rsx! {
        div { class: "pod-tabs",
            div { class: "tabs", role: "tablist", aria_label: "Pod views",
                for (i, (id, label)) in TABS.iter().enumerate() {
                    button {
                        key: "{id}",
                        id: "pod-tab-{id}",
                        class: if i == current { "tab active" } else { "tab" },
                        role: "tab",
                        r#type: "button",
                        aria_selected: if i == current { "true" } else { "false" },
                        aria_controls: "pod-panel-{id}",
                        tabindex: if i == current { "0" } else { "-1" },
                        onclick: move |_| select(i),
                        onkeydown: move |e: KeyboardEvent| {
                            let n = TABS.len();
                            let to = match e.key() {
                                Key::ArrowRight => Some((i + 1) % n),
                                Key::ArrowLeft => Some((i + n - 1) % n),
                                Key::Home => Some(0),
                                Key::End => Some(n - 1),
                                _ => None,
                            };
                            if let Some(to) = to {
                                e.prevent_default();
                                select(to);
                            }
                        },
                        "{label}"
                    }
                }
            }
            for (i, (id, _)) in TABS.iter().enumerate() {
                if opened()[i] {
                    div {
                        key: "{id}",
                        id: "pod-panel-{id}",
                        class: "tab-panel",
                        role: "tabpanel",
                        aria_labelledby: "pod-tab-{id}",
                        tabindex: "0",
                        hidden: i != current,
                        {
                            match (i, &tools) {
                                (0, _) => children.clone(),
                                (_, Err(None)) => rsx! { p { class: "muted", "Loading the pod…" } },
                                (_, Err(Some(e))) => rsx! { ErrorBox { message: e.clone() } },
                                (_, Ok((containers, _))) if i != 3 && containers.is_empty() => rsx! {
                                    div { class: "empty-box", "The pod declares no containers." }
                                },
                                (1, Ok((containers, _))) => rsx! {
                                    LogViewer {
                                        cluster: cluster.clone(), namespace: namespace.clone(), pod: name.clone(),
                                        containers: containers.clone(),
                                        initial: default_container(containers).map(|c| c.name.clone()).unwrap_or_default(),
                                    }
                                },
                                (2, Ok((containers, _))) => rsx! {
                                    PodTerminal {
                                        cluster: cluster.clone(), namespace: namespace.clone(), pod: name.clone(),
                                        containers: containers.clone(),
                                        initial: default_container(containers).map(|c| c.name.clone()).unwrap_or_default(),
                                        active: current == 2,
                                    }
                                },
                                (_, Ok((_, ports))) => rsx! {
                                    PortForwards { cluster: cluster.clone(), namespace: namespace.clone(), pod: name.clone(), ports: ports.clone() }
                                },
                            }
                        }
                    }
                }
            }
        }
    }
}
