//! The app bar's global search over the names of loaded objects: every live table registers
//! its rows here, and keeps them here (a copy) after it is left, so the search finds what the
//! viewer has seen in this tab, in every selected cluster, without asking the kernel. Ranking
//! is in [`crate::search`].
//!
//! ARIA combobox pattern: the input is a `combobox` controlling a `listbox` of `option`s;
//! arrows move the active option (`aria-activedescendant`), Enter opens it, Escape closes the
//! list. `/` or Ctrl+K (⌘K) focuses the search from anywhere.

use std::cell::RefCell;
use std::rc::Rc;

use dioxus::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::routes::{cluster_path, fill};
use crate::search::{SearchItem, is_shortcut, rank, search, step};
use crate::table::TableState;

/// Results shown at most.
const LIMIT: usize = 12;
/// Tables kept after they were left (the oldest copy goes first).
const KEPT: usize = 24;
/// The input's element id (the shortcut focuses it).
const INPUT_ID: &str = "global-search";

/// Where one table's rows come from: its live state while shown, a copy afterwards.
struct Source {
    id: u64,
    key: String,
    kind: String,
    details_route: Option<String>,
    live: Option<Signal<TableState>>,
    kept: Vec<SearchItem>,
}

impl Source {
    /// The items of this source that match `query` at all.
    fn matching(&self, query: &str, out: &mut Vec<SearchItem>) {
        if let Some(state) = self.live {
            if let Ok(state) = state.try_peek() {
                for (i, row) in state.rows().iter().enumerate() {
                    if rank(query, &row.object.name).is_some() {
                        out.push(self.item(&state, i));
                    }
                }
            }
            return;
        }
        out.extend(
            self.kept
                .iter()
                .filter(|item| rank(query, &item.name).is_some())
                .cloned(),
        );
    }

    fn item(&self, state: &TableState, position: usize) -> SearchItem {
        let row = &state.rows()[position];
        let cluster = state.cluster_of(position).to_owned();
        let path = self.details_route.as_ref().map(|r| {
            cluster_path(
                &cluster,
                &fill(r, row.object.namespace.as_deref(), &row.object.name),
            )
        });
        SearchItem {
            name: row.object.name.clone(),
            namespace: row.object.namespace.clone(),
            kind: self.kind.clone(),
            cluster,
            path,
        }
    }
}

/// The objects the search can find; provided once by the app, fed by the live tables.
#[derive(Clone, Default)]
pub struct SearchIndex {
    sources: Rc<RefCell<Vec<Source>>>,
    next: Rc<RefCell<u64>>,
}

impl SearchIndex {
    /// Adds a live table's rows (replacing what was kept of the same table); returns the id
    /// to [`keep`](Self::keep) it with when the table goes.
    pub fn register(
        &self,
        key: String,
        kind: String,
        details_route: Option<String>,
        state: Signal<TableState>,
    ) -> u64 {
        let id = {
            let mut next = self.next.borrow_mut();
            *next += 1;
            *next
        };
        let mut sources = self.sources.borrow_mut();
        sources.retain(|s| s.key != key);
        sources.push(Source {
            id,
            key,
            kind,
            details_route,
            live: Some(state),
            kept: Vec::new(),
        });
        id
    }

    /// The table `id` is going: keeps a copy of its rows (its state is about to be dropped).
    pub fn keep(&self, id: u64) {
        let mut sources = self.sources.borrow_mut();
        if let Some(source) = sources.iter_mut().find(|s| s.id == id)
            && let Some(state) = source.live.take()
            && let Ok(state) = state.try_peek()
        {
            source.kept = (0..state.len()).map(|i| source.item(&state, i)).collect();
        }
        let kept = sources.iter().filter(|s| s.live.is_none()).count();
        if kept > KEPT
            && let Some(oldest) = sources.iter().position(|s| s.live.is_none())
        {
            sources.remove(oldest);
        }
    }

    /// The best matches of `query`, best first.
    pub fn search(&self, query: &str) -> Vec<SearchItem> {
        let mut candidates = Vec::new();
        for source in self.sources.borrow().iter() {
            source.matching(query, &mut candidates);
        }
        search(&candidates, query, LIMIT)
            .into_iter()
            .cloned()
            .collect()
    }
}

/// Registers a live table's rows with the search for as long as the table is shown.
pub fn use_searchable(
    key: String,
    kind: String,
    details_route: Option<String>,
    state: Signal<TableState>,
) {
    let index = use_context::<SearchIndex>();
    let id = use_hook({
        let index = index.clone();
        move || index.register(key, kind, details_route, state)
    });
    use_drop(move || index.keep(id));
}

/// Focuses the search on `/` (outside fields) and Ctrl+K / ⌘K. The listener is on the
/// document, since a key pressed with nothing focused never reaches the app's elements; the
/// frame lives as long as the page, so the listener does too.
fn install_shortcut() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let listener =
        Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
            let typing = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .is_some_and(|el| {
                    let tag = el.tag_name().to_lowercase();
                    tag == "input"
                        || tag == "textarea"
                        || tag == "select"
                        || el.closest(".xterm").ok().flatten().is_some()
                });
            if is_shortcut(&e.key(), e.ctrl_key() || e.meta_key(), typing) {
                e.prevent_default();
                super::dialog::focus_id(INPUT_ID);
            }
        });
    let _ = document.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
    listener.forget();
}

/// The search box and its results.
#[component]
pub fn GlobalSearch() -> Element {
    let index = use_context::<SearchIndex>();
    let mut query = use_signal(String::new);
    let mut results = use_signal(Vec::<SearchItem>::new);
    let mut active = use_signal(|| None::<usize>);
    let mut open = use_signal(|| false);
    use_hook(install_shortcut);
    let mut choose = move |item: SearchItem| {
        if let Some(path) = item.path {
            open.set(false);
            query.set(String::new());
            results.set(Vec::new());
            navigator().push(path);
        }
    };
    let shown = results.read().clone();
    let expanded = open() && !query.read().trim().is_empty();
    let active_id = active()
        .filter(|_| expanded)
        .map(|i| format!("search-option-{i}"))
        .unwrap_or_default();
    rsx! {
        div { class: "global-search",
            input {
                id: INPUT_ID,
                class: "search-input",
                r#type: "search",
                role: "combobox",
                aria_label: "Search loaded objects",
                aria_autocomplete: "list",
                aria_expanded: "{expanded}",
                aria_controls: "search-results",
                aria_activedescendant: "{active_id}",
                autocomplete: "off",
                placeholder: "Search  ( / )",
                value: "{query}",
                oninput: {
                    let index = index.clone();
                    move |e: FormEvent| {
                        let text = e.value();
                        results.set(index.search(&text));
                        active.set(None);
                        open.set(true);
                        query.set(text);
                    }
                },
                onfocus: move |_| open.set(true),
                // A click on a result comes first (its mousedown keeps the focus here).
                onblur: move |_| open.set(false),
                onkeydown: move |e: KeyboardEvent| {
                    let len = results.peek().len();
                    match e.key() {
                        Key::ArrowDown | Key::ArrowUp => {
                            e.prevent_default();
                            open.set(true);
                            let current = *active.peek();
                            active.set(step(current, len, e.key() == Key::ArrowDown));
                        }
                        Key::Enter => {
                            let i = active.peek().unwrap_or(0);
                            let item = results.peek().get(i).cloned();
                            if let Some(item) = item {
                                choose(item);
                            }
                        }
                        Key::Escape => {
                            if *open.peek() && !query.peek().is_empty() {
                                open.set(false);
                            } else {
                                query.set(String::new());
                                results.set(Vec::new());
                            }
                            active.set(None);
                        }
                        _ => {}
                    }
                },
            }
            if expanded {
                ul { id: "search-results", class: "popover search-results", role: "listbox", aria_label: "Objects found",
                    if shown.is_empty() {
                        li { class: "muted search-empty", role: "presentation",
                            "No loaded object matches. The search covers the tables opened in this tab."
                        }
                    }
                    for (i, item) in shown.into_iter().enumerate() {
                        li {
                            key: "{item.cluster}/{item.kind}/{item.namespace:?}/{item.name}",
                            id: "search-option-{i}",
                            class: if active() == Some(i) { "search-option active" } else { "search-option" },
                            role: "option",
                            aria_selected: "{active() == Some(i)}",
                            aria_disabled: if item.path.is_none() { "true" } else { "false" },
                            "data-name": "{item.name}",
                            "data-cluster": "{item.cluster}",
                            onmousedown: move |e: MouseEvent| e.prevent_default(),
                            onclick: {
                                let item = item.clone();
                                move |_| choose(item.clone())
                            },
                            span { class: "search-name", "{item.name}" }
                            span { class: "search-meta",
                                span { class: "badge tone-info", "{item.kind}" }
                                if let Some(ns) = &item.namespace { span { class: "muted", " {ns}" } }
                                span { class: "badge tone-neutral cluster-badge", "{item.cluster}" }
                            }
                        }
                    }
                }
            }
        }
    }
}
