//! A pod's log: container picker, follow, previous instance, search with highlights and
//! next/previous, wrap, download, clear. Lines live in a ring buffer ([`LogBuffer`]) and only
//! those under the viewport are in the DOM, so 100,000 lines scroll as smoothly as 100.

use dioxus::prelude::*;
use futures::StreamExt;

use super::js;
use super::pages::ErrorBox;
use super::{Stream, net};
use crate::logs::{LogBuffer, Search, segments, thousands, wrapped_window};
use crate::model::{ClientMessage, ServerMessage};
use crate::pod::Container;
use crate::window::{Window, window};

/// Height of one log row in pixels; the CSS (`.log-line`) uses the same number.
const LINE_HEIGHT: u32 = 18;
/// Lines rendered beyond the viewport on each side.
const OVERSCAN: usize = 20;
/// The scrolling element's id (one log viewer per page).
const SCROLL_ID: &str = "pod-log-scroll";
/// Horizontal padding of a line, in pixels, as in the CSS.
const LINE_PADDING: f64 = 20.0;

/// Where the log session is.
#[derive(Debug, Clone, PartialEq)]
enum Status {
    Connecting,
    Streaming,
    Ended,
    Failed(String),
}

/// The log viewer of one pod.
#[component]
pub fn LogViewer(
    cluster: String,
    namespace: String,
    pod: String,
    containers: Vec<Container>,
    initial: String,
) -> Element {
    let stream = use_context::<Stream>();
    let mut container = use_signal(|| initial.clone());
    let mut follow = use_signal(|| true);
    let mut previous = use_signal(|| false);
    let mut wrap = use_signal(|| false);
    let mut buffer = use_signal(LogBuffer::default);
    let mut search = use_signal(Search::default);
    let mut status = use_signal(|| Status::Connecting);
    let mut scroll_top = use_signal(|| 0.0_f64);
    let mut viewport = use_signal(|| net::window_height() * 0.6);
    let mut columns = use_signal(|| 120_u32);
    let mut at_bottom = use_signal(|| true);
    let mut restart = use_signal(|| 0_u64);
    let mut task = use_signal(|| None::<dioxus::core::Task>);

    // A new session whenever the container, follow or previous change (or on Reload): the
    // old one is cancelled, which drops its subscription and so unsubscribes.
    {
        let (cluster, namespace, pod) = (cluster.clone(), namespace.clone(), pod.clone());
        use_effect(move || {
            let (container, follow, previous) = (container(), follow(), previous());
            let _ = restart();
            if let Some(old) = task.peek().as_ref() {
                old.cancel();
            }
            buffer.write().clear();
            search.write().update(&buffer.peek());
            status.set(Status::Connecting);
            at_bottom.set(true);
            let (cluster, namespace, pod, stream) = (
                cluster.clone(),
                namespace.clone(),
                pod.clone(),
                stream.clone(),
            );
            let capacity = buffer.peek().capacity() as i64;
            let new = spawn(async move {
                let mut session = stream.open_session(|id| ClientMessage::SubscribeLogs {
                    id,
                    cluster,
                    namespace,
                    pod,
                    container: Some(container),
                    follow,
                    previous,
                    tail_lines: Some(capacity),
                });
                while let Some((message, _)) = session.receiver.next().await {
                    match message {
                        ServerMessage::LogLines { lines, .. } => {
                            buffer.write().push(lines);
                            search.write().update(&buffer.peek());
                            if *status.peek() != Status::Streaming {
                                status.set(Status::Streaming);
                            }
                        }
                        ServerMessage::Exit { .. } => {
                            status.set(Status::Ended);
                            break;
                        }
                        ServerMessage::Error { message, .. } => {
                            status.set(Status::Failed(message));
                            break;
                        }
                        _ => {}
                    }
                }
            });
            task.set(Some(new));
        });
    }

    // Stay at the bottom while the user is there: new lines scroll into view.
    use_effect(move || {
        let _ = buffer.read();
        let _ = wrap();
        if *at_bottom.peek()
            && let Some(el) = js::element(SCROLL_ID)
        {
            el.set_scroll_top(el.scroll_height());
        }
    });

    // The characters a wrapped row holds, from the viewer's width and font.
    use_effect(move || {
        if wrap()
            && let Some(el) = js::element(SCROLL_ID)
        {
            let width = f64::from(el.client_width()) - LINE_PADDING;
            let cols = (width / js::char_width(&el)).floor().max(1.0) as u32;
            if cols != *columns.peek() {
                columns.set(cols);
            }
        }
    });

    let starts = use_memo(move || wrap().then(|| buffer.read().wrapped_rows(columns())));

    // Scrolls so the line numbered `seq` is in the middle of the viewer.
    let mut reveal = move |seq: u64| {
        let Some(index) = buffer.peek().index_of(seq) else {
            return;
        };
        let row = match starts.peek().as_ref() {
            Some(starts) => starts[index],
            None => index as u64,
        };
        at_bottom.set(false);
        if let Some(el) = js::element(SCROLL_ID) {
            let y = row as f64 * f64::from(LINE_HEIGHT) - viewport() / 2.0;
            el.set_scroll_top(y.max(0.0) as i32);
        }
    };

    let buffer_ref = buffer.read();
    let total = buffer_ref.len();
    let win: Window = match starts.read().as_ref() {
        Some(starts) => wrapped_window(starts, scroll_top(), viewport(), LINE_HEIGHT, OVERSCAN),
        None => window(scroll_top(), viewport(), LINE_HEIGHT, total, OVERSCAN),
    };
    let search_ref = search.read();
    let query = search_ref.query().to_owned();
    let current_seq = search_ref.current().map(|(_, seq)| seq);
    let match_note = match (query.is_empty(), search_ref.current()) {
        (true, _) => String::new(),
        (false, None) => "No matches".into(),
        (false, Some((i, _))) => format!(
            "{} of {}",
            thousands(i as u64 + 1),
            thousands(search_ref.count() as u64)
        ),
    };
    let first_seq = buffer_ref.first_seq();
    let dropped = thousands(buffer_ref.dropped());
    let capacity = thousands(buffer_ref.capacity() as u64);
    let selected = containers.iter().find(|c| c.name == container());
    let has_previous = selected.is_some_and(|c| c.has_previous);
    let status_text = match status() {
        Status::Connecting => "Connecting…".to_owned(),
        Status::Streaming if follow() && !previous() => {
            format!("Following; {} lines", thousands(total as u64))
        }
        Status::Streaming => format!("{} lines", thousands(total as u64)),
        Status::Ended => format!("{} lines; the log stream ended", thousands(total as u64)),
        Status::Failed(_) => "Failed".to_owned(),
    };
    let file_name = format!(
        "{pod}-{}{}.txt",
        container(),
        if previous() { "-previous" } else { "" }
    );

    rsx! {
        div { class: "pod-tool logs",
            div { class: "tool-bar", role: "toolbar", aria_label: "Log options",
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
                label { class: "check",
                    input { r#type: "checkbox", checked: follow(), disabled: previous(),
                        onchange: move |e| follow.set(e.checked()) }
                    "Follow"
                }
                label { class: "check",
                    title: if has_previous { "The log of the last terminated instance of the container" } else { "The container has not restarted: there is no previous instance" },
                    input { r#type: "checkbox", checked: previous(), disabled: !has_previous && !previous(),
                        onchange: move |e| previous.set(e.checked()) }
                    "Previous"
                }
                label { class: "check",
                    input { r#type: "checkbox", checked: wrap(), onchange: move |e| {
                        wrap.set(e.checked());
                        scroll_top.set(0.0);
                    } }
                    "Wrap"
                }
                div { class: "search",
                    input {
                        class: "filter",
                        r#type: "search",
                        placeholder: "Search",
                        aria_label: "Search the log",
                        value: "{query}",
                        oninput: move |e| {
                            search.write().set_query(&e.value(), &buffer.peek());
                            let current = search.peek().current();
                            if let Some((_, seq)) = current { reveal(seq); }
                        },
                        onkeydown: move |e: KeyboardEvent| {
                            if e.key() == Key::Enter {
                                let seq = if e.modifiers().contains(Modifiers::SHIFT) { search.write().previous_match() } else { search.write().next_match() };
                                if let Some(seq) = seq { reveal(seq); }
                            }
                        },
                    }
                    span { class: "muted match-count", role: "status", aria_live: "polite", "{match_note}" }
                    button { class: "button icon-button", aria_label: "Previous match", title: "Previous match (Shift+Enter)",
                        disabled: search_ref.count() == 0,
                        onclick: move |_| { if let Some(seq) = search.write().previous_match() { reveal(seq); } },
                        "↑"
                    }
                    button { class: "button icon-button", aria_label: "Next match", title: "Next match (Enter)",
                        disabled: search_ref.count() == 0,
                        onclick: move |_| { if let Some(seq) = search.write().next_match() { reveal(seq); } },
                        "↓"
                    }
                }
                div { class: "spacer" }
                button { class: "button", disabled: total == 0,
                    onclick: move |_| js::download_text(&file_name, &buffer.peek().text()),
                    "Download"
                }
                button { class: "button",
                    onclick: move |_| {
                        buffer.write().clear();
                        search.write().update(&buffer.peek());
                        scroll_top.set(0.0);
                    },
                    "Clear"
                }
                if matches!(status(), Status::Ended | Status::Failed(_)) {
                    button { class: "button", onclick: move |_| restart += 1, "Reload" }
                }
            }
            if let Status::Failed(message) = status() { ErrorBox { message } }
            if buffer_ref.dropped() > 0 {
                div { class: "warning-box", role: "status",
                    "{dropped} older lines were dropped: the viewer keeps the last {capacity} lines. Download saves the lines shown."
                }
            }
            div {
                id: SCROLL_ID,
                class: if wrap() { "log-scroll wrap" } else { "log-scroll" },
                role: "log",
                aria_label: "Log of container {container}",
                tabindex: "0",
                "data-lines": "{total}",
                onscroll: move |e| {
                    let data = e.data();
                    let top = data.scroll_top();
                    let height = data.client_height() as f64;
                    scroll_top.set(top);
                    if height > 0.0 && (height - viewport()).abs() > 1.0 {
                        viewport.set(height);
                    }
                    let bottom = top + height >= data.scroll_height() as f64 - f64::from(LINE_HEIGHT) * 2.0;
                    if bottom != *at_bottom.peek() {
                        at_bottom.set(bottom);
                    }
                },
                div { class: "log-lines",
                    div { style: "height: {win.before}px", aria_hidden: "true" }
                    for i in win.rows.clone() {
                        {
                            let seq = first_seq + i as u64;
                            let text = buffer_ref.get(i).unwrap_or_default();
                            let current = current_seq == Some(seq);
                            rsx! {
                                div { key: "{seq}", class: if current { "log-line current-match" } else { "log-line" }, "data-seq": "{seq}",
                                    for (k, seg) in segments(text, &query).into_iter().enumerate() {
                                        if seg.matched {
                                            mark { key: "{k}", "{seg.text}" }
                                        } else {
                                            span { key: "{k}", "{seg.text}" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    div { style: "height: {win.after}px", aria_hidden: "true" }
                }
                if total == 0 && status() != Status::Connecting {
                    div { class: "empty-box", "No log lines." }
                }
            }
            div { class: "muted tool-status", role: "status", "{status_text}" }
        }
    }
}
