//! A shell in a pod's container: xterm.js (vendored, see `ui/js/sessions.js`) bridged to the
//! stream's `exec`, `stdin` and `resize`. Container and shell can be picked; the status line
//! says when the session ends or the connection drops.

use std::cell::RefCell;
use std::rc::Rc;

use dioxus::prelude::*;
use futures::StreamExt;

use super::Stream;
use super::js::{self, Term, TermCallbacks};
use crate::model::{ClientMessage, ServerMessage};
use crate::pod::Container;

/// The terminal element's id (one terminal per page).
const TERMINAL_ID: &str = "pod-terminal";
/// Shells offered; the first is the default.
const SHELLS: &[&str] = &["sh", "bash"];

/// Where the exec session is.
#[derive(Debug, Clone, PartialEq)]
enum Status {
    Loading,
    Connecting,
    Connected,
    Exited(Option<i32>),
    Failed(String),
}

/// The emulator and what it calls back, shared by the component's closures.
#[derive(Default)]
struct Emulator {
    term: Option<Term>,
    _callbacks: Option<TermCallbacks>,
    /// The running session's id: where keystrokes and sizes go.
    session: Option<String>,
}

/// The terminal of one pod. `active` is false while its tab is hidden.
#[component]
pub fn PodTerminal(
    cluster: String,
    namespace: String,
    pod: String,
    containers: Vec<Container>,
    initial: String,
    active: bool,
) -> Element {
    let stream = use_context::<Stream>();
    let emulator = use_hook(|| Rc::new(RefCell::new(Emulator::default())));
    let mut container = use_signal(|| initial.clone());
    let mut shell = use_signal(|| SHELLS[0].to_owned());
    let mut status = use_signal(|| Status::Loading);
    let mut ready = use_signal(|| false);
    let mut mounted = use_signal(|| false);
    let mut restart = use_signal(|| 0_u64);
    let mut task = use_signal(|| None::<dioxus::core::Task>);

    // The emulator, once, after its element is on the page.
    {
        let (emulator, stream) = (emulator.clone(), stream.clone());
        let label = format!("Terminal of pod {pod}");
        let mut opening = use_signal(|| false);
        use_effect(move || {
            if !mounted() || *opening.peek() {
                return;
            }
            opening.set(true);
            let (emulator, stream, label) = (emulator.clone(), stream.clone(), label.clone());
            spawn(async move {
                let on_data = {
                    let (emulator, stream) = (emulator.clone(), stream.clone());
                    move |data: String| {
                        let id = emulator.borrow().session.clone();
                        if let Some(id) = id {
                            stream.send(&ClientMessage::Stdin { id, data });
                        }
                    }
                };
                let on_resize = {
                    let (emulator, stream) = (emulator.clone(), stream.clone());
                    move |cols: u16, rows: u16| {
                        let id = emulator.borrow().session.clone();
                        if let Some(id) = id {
                            stream.send(&ClientMessage::Resize { id, cols, rows });
                        }
                    }
                };
                match js::open_terminal(TERMINAL_ID, &label, on_data, on_resize).await {
                    Ok((term, callbacks)) => {
                        let mut e = emulator.borrow_mut();
                        e.term = Some(term);
                        e._callbacks = Some(callbacks);
                        drop(e);
                        ready.set(true);
                    }
                    Err(message) => status.set(Status::Failed(message)),
                }
            });
        });
    }
    {
        let emulator = emulator.clone();
        use_drop(move || {
            if let Some(term) = emulator.borrow_mut().term.take() {
                term.dispose();
            }
        });
    }

    // A session per (container, shell, Reconnect), once the emulator is there.
    {
        let (cluster, namespace, pod, emulator) = (
            cluster.clone(),
            namespace.clone(),
            pod.clone(),
            emulator.clone(),
        );
        use_effect(move || {
            let (container, shell) = (container(), shell());
            let _ = restart();
            if !ready() {
                return;
            }
            if let Some(old) = task.peek().as_ref() {
                old.cancel();
            }
            status.set(Status::Connecting);
            let (cluster, namespace, pod, stream, emulator) = (
                cluster.clone(),
                namespace.clone(),
                pod.clone(),
                stream.clone(),
                emulator.clone(),
            );
            let new = spawn(async move {
                let session = stream.open_session(|id| ClientMessage::Exec {
                    id,
                    cluster,
                    namespace,
                    pod,
                    container: Some(container),
                    command: vec![shell],
                    tty: true,
                });
                run_session(session, stream, emulator, status).await;
            });
            task.set(Some(new));
        });
    }

    // A tab shown again gets its size back and the keyboard.
    {
        let emulator = emulator.clone();
        use_effect(use_reactive!(|active| {
            if active && let Some(term) = emulator.borrow().term.as_ref() {
                term.fit();
                term.focus();
            }
        }));
    }

    let status_text = match status() {
        Status::Loading => "Loading the terminal…".to_owned(),
        Status::Connecting => format!("Connecting to {}…", container()),
        Status::Connected => format!("Connected to {} ({})", container(), shell()),
        Status::Exited(Some(code)) => {
            format!("The session ended: {} exited with code {code}", shell())
        }
        Status::Exited(None) => "The session ended".to_owned(),
        Status::Failed(message) => message,
    };
    let status_class = match status() {
        Status::Failed(_) => "tool-status error-text",
        Status::Exited(_) => "tool-status warning-text",
        _ => "tool-status muted",
    };
    let ended = matches!(status(), Status::Exited(_) | Status::Failed(_));

    rsx! {
        div { class: "pod-tool terminal",
            div { class: "tool-bar", role: "toolbar", aria_label: "Terminal options",
                label { class: "field",
                    span { "Container" }
                    select {
                        aria_label: "Container",
                        value: "{container}",
                        onchange: move |e| container.set(e.value()),
                        for c in containers.iter() {
                            option { key: "{c.name}", value: "{c.name}", selected: c.name == container(),
                                if c.init { "{c.name} (init)" } else { "{c.name}" }
                            }
                        }
                    }
                }
                label { class: "field",
                    span { "Shell" }
                    select {
                        aria_label: "Shell",
                        value: "{shell}",
                        onchange: move |e| shell.set(e.value()),
                        for s in SHELLS.iter() {
                            option { key: "{s}", value: "{s}", selected: *s == shell(), "{s}" }
                        }
                    }
                }
                div { class: "spacer" }
                button {
                    class: "button",
                    disabled: !ready(),
                    onclick: move |_| restart += 1,
                    if ended { "Reconnect" } else { "Restart" }
                }
            }
            div {
                id: TERMINAL_ID,
                class: "terminal-box",
                "data-status": if ended { "ended" } else { "" },
                onmounted: move |_| mounted.set(true),
            }
            div { class: "{status_class}", role: "status", aria_live: "polite", "{status_text}" }
        }
    }
}

/// Pumps one exec session: output into the emulator, the end into the status.
async fn run_session(
    mut session: super::stream::Subscription,
    stream: Stream,
    emulator: Rc<RefCell<Emulator>>,
    mut status: Signal<Status>,
) {
    // Keystrokes and sizes go to this session from now on; the screen starts clean.
    let size = {
        let mut e = emulator.borrow_mut();
        e.session = Some(session.id.clone());
        e.term.as_ref().map(|t| {
            t.clear();
            t.focus();
            (t.cols(), t.rows())
        })
    };
    if let Some((cols, rows)) = size {
        stream.send(&ClientMessage::Resize {
            id: session.id.clone(),
            cols,
            rows,
        });
    }
    let write = |text: &str| {
        if let Some(t) = emulator.borrow().term.as_ref() {
            t.write(text);
        }
    };
    while let Some((message, _)) = session.receiver.next().await {
        match message {
            ServerMessage::Terminal { data, .. } => {
                if *status.peek() != Status::Connected {
                    status.set(Status::Connected);
                }
                write(&data);
            }
            ServerMessage::Exit { code, .. } => {
                let note = match code {
                    Some(code) => {
                        format!("\r\n\x1b[2m[the session ended: exit code {code}]\x1b[0m\r\n")
                    }
                    None => "\r\n\x1b[2m[the session ended]\x1b[0m\r\n".to_owned(),
                };
                write(&note);
                status.set(Status::Exited(code));
                break;
            }
            ServerMessage::Error { message, .. } => {
                write(&format!("\r\n\x1b[31m{message}\x1b[0m\r\n"));
                status.set(Status::Failed(message));
                break;
            }
            _ => {}
        }
    }
    let mut e = emulator.borrow_mut();
    if e.session.as_deref() == Some(session.id.as_str()) {
        e.session = None;
    }
}
