//! Port-forwards to a pod: one row per port its containers declare, each started and stopped
//! on its own; a running one shows the local URL the kernel listens on.

use dioxus::prelude::*;
use futures::StreamExt;

use super::Stream;
use crate::model::{ClientMessage, ServerMessage};
use crate::pod::ContainerPort;

/// Where one forward is.
#[derive(Debug, Clone, PartialEq)]
enum Status {
    Stopped,
    Starting,
    Ready(String),
    Failed(String),
}

/// The port-forwards of one pod.
#[component]
pub fn PortForwards(
    cluster: String,
    namespace: String,
    pod: String,
    ports: Vec<ContainerPort>,
) -> Element {
    rsx! {
        div { class: "pod-tool port-forward",
            if ports.is_empty() {
                div { class: "empty-box", "The containers of this pod declare no ports to forward." }
            } else {
                p { class: "muted",
                    "Forwarding listens on a loopback port of the kernel's machine: it works when the kernel runs on your machine (local mode). A shared (web mode) kernel refuses it; use kubectl port-forward there."
                }
                table { class: "simple", aria_label: "Container ports",
                    thead { tr { th { "Container" } th { "Port" } th { "Protocol" } th { "Local address" } th { span { class: "sr-only", "Action" } } } }
                    tbody {
                        for p in ports.iter() {
                            ForwardRow {
                                key: "{p.container}/{p.port}/{p.protocol}",
                                cluster: cluster.clone(),
                                namespace: namespace.clone(),
                                pod: pod.clone(),
                                port: p.clone(),
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One port and its forward.
#[component]
fn ForwardRow(cluster: String, namespace: String, pod: String, port: ContainerPort) -> Element {
    let stream = use_context::<Stream>();
    let mut status = use_signal(|| Status::Stopped);
    let mut task = use_signal(|| None::<dioxus::core::Task>);
    let number = port.port;
    let label = match &port.name {
        Some(name) => format!("{number} ({name})"),
        None => number.to_string(),
    };
    let tcp = port.protocol.eq_ignore_ascii_case("TCP");
    let start = move |_| {
        let (cluster, namespace, pod, stream) = (
            cluster.clone(),
            namespace.clone(),
            pod.clone(),
            stream.clone(),
        );
        status.set(Status::Starting);
        let new = spawn(async move {
            let mut session = stream.open_session(|id| ClientMessage::PortForward {
                id,
                cluster,
                namespace,
                pod,
                port: number,
            });
            // The session runs while this task holds it; Stop cancels the task.
            while let Some((message, _)) = session.receiver.next().await {
                match message {
                    ServerMessage::PortForwardReady { url, .. } => status.set(Status::Ready(url)),
                    ServerMessage::Error { message, .. } => {
                        status.set(Status::Failed(message));
                        break;
                    }
                    ServerMessage::Exit { .. } => {
                        status.set(Status::Failed("the port-forward ended".into()));
                        break;
                    }
                    _ => {}
                }
            }
        });
        task.set(Some(new));
    };
    let stop = move |_| {
        if let Some(t) = task.write().take() {
            t.cancel();
        }
        status.set(Status::Stopped);
    };
    let running = matches!(status(), Status::Starting | Status::Ready(_));
    rsx! {
        tr { "data-port": "{number}",
            td { "{port.container}" }
            td { "{label}" }
            td { "{port.protocol}" }
            td { class: "wrap", role: "status", aria_live: "polite",
                match status() {
                    Status::Stopped => rsx! { span { class: "muted", "Not forwarded" } },
                    Status::Starting => rsx! { span { class: "muted", "Starting…" } },
                    Status::Ready(url) => rsx! { a { class: "forward-url", href: "{url}", target: "_blank", rel: "noopener noreferrer", "{url}" } },
                    Status::Failed(message) => rsx! { span { class: "error-text forward-error", "{message}" } },
                }
            }
            td {
                if running {
                    button { class: "button", aria_label: "Stop forwarding port {number}", onclick: stop, "Stop" }
                } else {
                    button { class: "button", disabled: !tcp,
                        title: if tcp { "" } else { "Only TCP ports can be forwarded" },
                        aria_label: "Forward port {number}", onclick: start, "Start" }
                }
            }
        }
    }
}
