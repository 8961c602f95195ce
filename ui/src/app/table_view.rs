//! A live resource table: subscribes over the stream, applies the snapshot and row deltas,
//! sorts, filters, and renders only the rows under the viewport.

use std::rc::Rc;

use dioxus::prelude::*;
use futures::StreamExt;

use super::pages::ErrorBox;
use super::{Shared, Stream, net};
use crate::format::{age_of, labels};
use crate::model::{Cell, CellFormat, Column, Row, ServerMessage, TableSpec};
use crate::routes::{cluster_path, fill};
use crate::table::{Sort, TableState};
use crate::window::window;

/// Height of one row in pixels; the CSS (`.tr`) uses the same number.
pub const ROW_HEIGHT: u32 = 33;
/// Rows rendered beyond the viewport on each side, so fast scrolling does not show blanks.
const OVERSCAN: usize = 12;

/// A plugin's resource table, live. Remount it (a new `key`) to change cluster, table or
/// namespace: the subscription belongs to the component's life.
#[component]
pub fn ResourceTable(cluster: String, spec: TableSpec, namespace: Option<String>) -> Element {
    let shared = use_context::<Shared>();
    let stream = use_context::<Stream>();
    let mut state = use_signal(TableState::default);
    let mut error = use_signal(|| None::<String>);
    let mut sort = use_signal(|| {
        spec.default_sort.as_ref().map(|s| Sort {
            column: s.column.clone(),
            descending: s.descending,
        })
    });
    let mut filter = use_signal(String::new);
    let mut snapshot_arrived = use_signal(|| None::<f64>);
    let mut snapshot_ms = use_signal(|| 0.0_f64);
    let mut scroll_top = use_signal(|| 0.0);
    let mut viewport = use_signal(net::window_height);
    {
        let (cluster, table, namespace) = (cluster.clone(), spec.id.clone(), namespace.clone());
        use_hook(move || {
            // Spawned in this component's scope: unmounting drops the task, and with it the
            // subscription, which unsubscribes.
            spawn(async move {
                let mut subscription = stream.subscribe_table(&cluster, &table, namespace);
                while let Some((message, arrived)) = subscription.receiver.next().await {
                    match message {
                        ServerMessage::TableSnapshot {
                            columns,
                            rows,
                            errors,
                            ..
                        } => {
                            state.write().snapshot(columns, rows, errors);
                            snapshot_arrived.set(Some(arrived));
                            error.set(None);
                        }
                        ServerMessage::Rows {
                            upserts, deletes, ..
                        } => {
                            state.write().apply(upserts, &deletes);
                            error.set(None);
                        }
                        ServerMessage::Error { message, .. } => error.set(Some(message)),
                        // Session events never carry a table subscription's id.
                        _ => {}
                    }
                }
            })
        });
    }
    let order = use_memo(move || state.read().order(sort.read().as_ref(), &filter.read()));
    // How long the last snapshot took from its frame's arrival to rows in the DOM (parse,
    // apply, sort, render): effects run after the render that showed it. Exposed on the table
    // as `data-snapshot-ms` for the browser tests and for anyone looking at the DOM.
    use_effect(move || {
        let _ = order.read();
        let arrived = *snapshot_arrived.peek();
        if let Some(arrived) = arrived {
            snapshot_ms.set(net::perf_now() - arrived);
            snapshot_arrived.set(None);
        }
    });

    let columns: Vec<Column> = spec
        .resolved_columns
        .iter()
        .filter(|c| !c.hidden)
        .cloned()
        .collect();
    let state_ref = state.read();
    // Where each shown column's cells are in the rows (the stream names its columns).
    let positions: Vec<Option<usize>> = columns
        .iter()
        .map(|c| state_ref.columns.iter().position(|id| *id == c.id))
        .collect();
    let order_ref = order.read();
    let total = order_ref.len();
    let win = window(scroll_top(), viewport(), ROW_HEIGHT, total, OVERSCAN);
    let template = grid_template(&columns);
    let layout = Rc::new(RowLayout {
        cells: columns
            .iter()
            .zip(&positions)
            .map(|(c, p)| (c.id.clone(), c.format, *p))
            .collect(),
        template: template.clone(),
        cluster: cluster.clone(),
        details_route: spec.details_route.clone(),
    });
    let now = *shared.now.read();
    let current_sort = sort.read().clone();
    let namespace_note = match (&namespace, spec.namespaced) {
        (Some(ns), true) => format!(" in namespace {ns}"),
        _ => String::new(),
    };
    let count = if state_ref.loaded {
        if filter.read().is_empty() {
            format!("{} {}", state_ref.len(), plural(state_ref.len(), "item"))
        } else {
            format!("{total} of {}", state_ref.len())
        }
    } else if error.read().is_some() {
        "not loaded".into()
    } else {
        "loading…".into()
    };

    rsx! {
        div { class: "page table-page",
            div { class: "toolbar",
                h1 { "{spec.title}" }
                span { class: "muted count", "{count}{namespace_note}" }
                div { class: "spacer" }
                input {
                    class: "filter",
                    r#type: "search",
                    placeholder: "Filter",
                    aria_label: "Filter rows",
                    value: "{filter}",
                    oninput: move |e| {
                        filter.set(e.value());
                        scroll_top.set(0.0);
                    },
                }
            }
            if let Some(e) = error() { ErrorBox { message: e } }
            for e in state_ref.errors.iter() {
                div { class: "warning-box", role: "status", "{e}" }
            }
            div {
                class: "table-scroll",
                role: "table",
                aria_label: "{spec.title}",
                aria_rowcount: "{total + 1}",
                "data-snapshot-ms": "{snapshot_ms:.0}",
                onscroll: move |e| {
                    scroll_top.set(e.data().scroll_top());
                    let h = e.data().client_height() as f64;
                    if h > 0.0 && (h - viewport()).abs() > 1.0 {
                        viewport.set(h);
                    }
                },
                div { class: "thead", role: "rowgroup",
                    div { class: "tr head", role: "row", style: "grid-template-columns: {template}",
                        for c in columns.iter() {
                            {
                                let active = current_sort.as_ref().filter(|s| s.column == c.id);
                                let arrow = match active { Some(s) if s.descending => " ▼", Some(_) => " ▲", None => "" };
                                let aria = match active { Some(s) if s.descending => "descending", Some(_) => "ascending", None => "none" };
                                let id = c.id.clone();
                                rsx! {
                                    div {
                                        key: "{c.id}",
                                        class: if c.format == CellFormat::Number { "th num" } else { "th" },
                                        role: "columnheader",
                                        aria_sort: "{aria}",
                                        tabindex: "0",
                                        onclick: move |_| {
                                            let next = Sort::toggled(sort.peek().as_ref(), &id);
                                            sort.set(Some(next));
                                        },
                                        onkeydown: {
                                            let id = c.id.clone();
                                            move |e: KeyboardEvent| {
                                                if e.key() == Key::Enter {
                                                    let next = Sort::toggled(sort.peek().as_ref(), &id);
                                                    sort.set(Some(next));
                                                }
                                            }
                                        },
                                        "{c.title}{arrow}"
                                    }
                                }
                            }
                        }
                    }
                }
                div { class: "tbody", role: "rowgroup",
                    div { style: "height: {win.before}px", aria_hidden: "true" }
                    for i in win.rows.clone() {
                        {
                            let row = &state_ref.rows()[order_ref[i]];
                            let key = if row.object.uid.is_empty() { format!("{:?}/{}", row.object.namespace, row.object.name) } else { row.object.uid.clone() };
                            rsx! { TableRow { key: "{key}", row: row.clone(), index: i, layout: layout.clone(), now } }
                        }
                    }
                    div { style: "height: {win.after}px", aria_hidden: "true" }
                    if state_ref.loaded && total == 0 {
                        div { class: "empty-box",
                            if state_ref.is_empty() { "No {spec.title.to_lowercase()}{namespace_note}." } else { "No rows match the filter." }
                        }
                    }
                }
            }
        }
    }
}

/// What every row of a table shares: which cells to show and how, where rows lead.
#[derive(Debug, Clone, PartialEq)]
pub struct RowLayout {
    /// Shown columns: id, format, and the position of their cell in a row (none: missing).
    cells: Vec<(String, CellFormat, Option<usize>)>,
    /// CSS grid columns.
    template: String,
    /// The cluster, for links.
    cluster: String,
    /// The table's details route.
    details_route: Option<String>,
}

/// One row. A component of its own so that, while scrolling, rows that stay in view are not
/// rendered again (their props are equal); only the rows entering the window are.
#[component]
fn TableRow(row: Row, index: usize, layout: Rc<RowLayout>, now: f64) -> Element {
    let target = layout.details_route.as_ref().map(|r| {
        cluster_path(
            &layout.cluster,
            &fill(r, row.object.namespace.as_deref(), &row.object.name),
        )
    });
    rsx! {
        div {
            class: if target.is_some() { "tr clickable" } else { "tr" },
            role: "row",
            aria_rowindex: "{index + 2}",
            style: "grid-template-columns: {layout.template}",
            "data-name": "{row.object.name}",
            onclick: {
                let target = target.clone();
                move |_| if let Some(t) = target.clone() { navigator().push(t); }
            },
            for (n, (id, format, position)) in layout.cells.iter().enumerate() {
                {
                    let cell = position.and_then(|p| row.cells.get(p));
                    rsx! {
                        div {
                            key: "{id}",
                            class: if *format == CellFormat::Number { "td num" } else { "td" },
                            role: "cell",
                            if n == 0 && target.is_some() {
                                Link {
                                    to: target.clone().unwrap_or_default(),
                                    onclick: move |e: MouseEvent| e.stop_propagation(),
                                    {cell.map(|c| c.text.clone()).unwrap_or_else(|| row.object.name.clone())}
                                }
                            } else if let Some(cell) = cell {
                                CellView { cell: cell.clone(), format: *format, cluster: layout.cluster.clone(), now }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.into()
    } else {
        format!("{word}s")
    }
}

/// Column widths: the first (the name) gets more room; numbers and ages are narrow.
fn grid_template(columns: &[Column]) -> String {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| match (i, c.format) {
            (0, _) => "minmax(200px, 2.2fr)",
            (_, CellFormat::Age) => "minmax(60px, 0.5fr)",
            (_, CellFormat::Number) => "minmax(60px, 0.6fr)",
            (_, CellFormat::Labels) => "minmax(160px, 2fr)",
            _ => "minmax(90px, 1fr)",
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One cell: a toned badge, an age, label chips, a link, or text.
#[component]
pub fn CellView(cell: Cell, format: CellFormat, cluster: String, now: f64) -> Element {
    let text = match format {
        CellFormat::Age => age_of(&cell.text, cell.sort, now),
        _ => cell.text.clone(),
    };
    let title = match format {
        CellFormat::Age => cell.text.clone(),
        _ => String::new(),
    };
    if format == CellFormat::Labels {
        let all = labels(&cell.text);
        let shown: Vec<String> = all.iter().take(3).map(|s| s.to_string()).collect();
        let more = all.len().saturating_sub(3);
        return rsx! {
            span { class: "chips", title: "{cell.text}",
                for l in shown { span { class: "chip", "{l}" } }
                if more > 0 { span { class: "chip more", "+{more}" } }
            }
        };
    }
    let body = match cell.tone {
        Some(tone) if !text.is_empty() => {
            rsx! { span { class: "badge {tone.class()}", title: "{text}", "{text}" } }
        }
        _ => rsx! { span { title: "{title}", "{text}" } },
    };
    match cell.link {
        Some(link) => rsx! {
            Link { to: cluster_path(&cluster, &link), onclick: move |e: MouseEvent| e.stop_propagation(), {body} }
        },
        None => body,
    }
}
