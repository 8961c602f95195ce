//! A live resource table: subscribes over the stream, applies the snapshot and row deltas,
//! sorts, filters, and renders only the rows under the viewport.

use std::collections::HashSet;
use std::rc::Rc;

use dioxus::prelude::*;
use futures::StreamExt;

use super::actions::{ActionDialogs, Pending};
use super::menu::Anchor;
use super::pages::ErrorBox;
use super::table_tools::{
    ColumnMenu, DeleteSelected, LabelFilter, RowActionsMenu, RowMenu, stored_columns,
};
use super::{Shared, Stream, net};
use crate::actions::Target;
use crate::format::{age_of, labels};
use crate::model::{Cell, CellFormat, Column, Gvk, Row, ServerMessage, TableSpec};
use crate::prefs::Settings;
use crate::routes::{cluster_path, fill};
use crate::table::{RowKey, Sort, TableState};
use crate::window::window;

/// Rows rendered beyond the viewport on each side, so fast scrolling does not show blanks.
const OVERSCAN: usize = 12;

/// A plugin's resource table, live, for one cluster or several at once (then rows are merged,
/// with a Cluster column, each from its own cluster's subscription). Remount it (a new `key`)
/// to change clusters, table or namespace: the subscriptions belong to the component's life.
/// The label filter changes the subscriptions in place.
#[component]
pub fn ResourceTable(clusters: Vec<String>, spec: TableSpec, namespace: Option<String>) -> Element {
    let shared = use_context::<Shared>();
    let stream = use_context::<Stream>();
    let settings = use_context::<Signal<Settings>>();
    let mut state = use_signal(TableState::default);
    // Per cluster: why its rows are missing or stale (a subscription's `error`).
    let mut errors = use_signal(Vec::<(String, String)>::new);
    let mut sort = use_signal(|| {
        spec.default_sort.as_ref().map(|s| Sort {
            column: s.column.clone(),
            descending: s.descending,
        })
    });
    let mut filter = use_signal(String::new);
    let label_selector = use_signal(|| None::<String>);
    let choices = use_signal(|| stored_columns(&spec.id));
    let mut selected = use_signal(HashSet::<RowKey>::new);
    let menu = use_signal(|| None::<RowMenu>);
    let pending = use_signal(|| None::<Pending>);
    let mut snapshot_arrived = use_signal(|| None::<f64>);
    let mut snapshot_ms = use_signal(|| 0.0_f64);
    let mut scroll_top = use_signal(|| 0.0);
    let mut viewport = use_signal(net::window_height);
    {
        let (clusters, table, namespace) = (clusters.clone(), spec.id.clone(), namespace.clone());
        // Restarted when the label selector changes: the old task is dropped, and with it its
        // subscriptions, which unsubscribe; unmounting does the same.
        use_resource(move || {
            let selector = label_selector();
            let (clusters, table, namespace) = (clusters.clone(), table.clone(), namespace.clone());
            let stream = stream.clone();
            async move {
                let mut subscriptions: Vec<_> = clusters
                    .iter()
                    .map(|c| stream.subscribe_table(c, &table, namespace.clone(), selector.clone()))
                    .collect();
                // One cluster's messages touch only its rows and its error.
                let mut merged = futures::stream::select_all(
                    subscriptions
                        .iter_mut()
                        .enumerate()
                        .map(|(i, s)| (&mut s.receiver).map(move |m| (i, m))),
                );
                let mut set_error = move |cluster: &str, message: Option<String>| {
                    let had = errors.peek().iter().any(|(c, _)| c == cluster);
                    if message.is_none() && !had {
                        return;
                    }
                    let mut all = errors.write();
                    all.retain(|(c, _)| c != cluster);
                    if let Some(m) = message {
                        all.push((cluster.to_owned(), m));
                    }
                };
                while let Some((i, (message, arrived))) = merged.next().await {
                    let cluster = clusters[i].as_str();
                    match message {
                        ServerMessage::TableSnapshot {
                            columns,
                            rows,
                            errors,
                            ..
                        } => {
                            state.write().snapshot_in(cluster, columns, rows, errors);
                            snapshot_arrived.set(Some(arrived));
                            set_error(cluster, None);
                        }
                        ServerMessage::Rows {
                            upserts, deletes, ..
                        } => {
                            state.write().apply_in(cluster, upserts, &deletes);
                            set_error(cluster, None);
                        }
                        ServerMessage::Error { message, .. } => set_error(cluster, Some(message)),
                        // Session events never carry a table subscription's id.
                        _ => {}
                    }
                }
            }
        });
    }
    let several = clusters.len() > 1;
    super::search::use_searchable(
        format!(
            "{}/{}/{}",
            clusters.join("+"),
            spec.id,
            namespace.clone().unwrap_or_default()
        ),
        spec.kind.kind.clone(),
        spec.details_route.clone(),
        state,
    );
    let order = use_memo(move || state.read().order(sort.read().as_ref(), &filter.read()));
    // Which extra columns the rows need: a checkbox when some row may be deleted, a menu when
    // some row has any action (a read-only viewer gets neither).
    let abilities = use_memo(move || {
        let state = state.read();
        let rows = state.rows();
        (
            rows.iter().any(|r| r.actions.iter().any(|a| a == "delete")),
            rows.iter().any(|r| !r.actions.is_empty()),
        )
    });
    // "Select all" ticks the rows shown (after filtering) that may be deleted. A memo, so that
    // scrolling (which renders again) does not walk every row.
    let deletable_shown = use_memo(move || {
        let state = state.read();
        let keys: Vec<RowKey> = order
            .read()
            .iter()
            .filter(|&&i| state.rows()[i].actions.iter().any(|a| a == "delete"))
            .map(|&i| state.key_at(i))
            .collect();
        Rc::new(keys)
    });
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

    let columns: Vec<Column> = choices.read().visible(&spec.resolved_columns);
    let row_height = settings.read().density.row_height();
    let state_ref = state.read();
    // Where each shown column's cells are in the rows (the stream names its columns).
    let positions: Vec<Option<usize>> = columns
        .iter()
        .map(|c| state_ref.columns.iter().position(|id| *id == c.id))
        .collect();
    let order_ref = order.read();
    let total = order_ref.len();
    let win = window(scroll_top(), viewport(), row_height, total, OVERSCAN);
    let (select, menus) = abilities();
    let template = grid_template(&columns, several, menus);
    let layout = Rc::new(RowLayout {
        cells: columns
            .iter()
            .zip(&positions)
            .map(|(c, p)| (c.id.clone(), c.format, *p))
            .collect(),
        template: template.clone(),
        several,
        details_route: spec.details_route.clone(),
        kind: spec.kind.clone(),
        select,
        menus,
        selection: selected,
        menu,
    });
    let now = *shared.now.read();
    let current_sort = sort.read().clone();
    let mut namespace_note = match (&namespace, spec.namespaced) {
        (Some(ns), true) => format!(" in namespace {ns}"),
        _ => String::new(),
    };
    if several {
        namespace_note.push_str(&format!(" in {} clusters", clusters.len()));
    }
    let narrowed = !filter.read().is_empty() || label_selector.read().is_some();
    let count = if state_ref.loaded {
        if filter.read().is_empty() {
            format!("{} {}", state_ref.len(), plural(state_ref.len(), "item"))
        } else {
            format!("{total} of {}", state_ref.len())
        }
    } else if !errors.read().is_empty() {
        "not loaded".into()
    } else {
        "loading…".into()
    };
    // The selection, without rows that have gone since they were ticked.
    let chosen: HashSet<RowKey> = selected
        .read()
        .iter()
        .filter(|(c, ns, name)| state_ref.get_in(c, ns.as_deref(), name).is_some())
        .cloned()
        .collect();
    let deletable_shown = deletable_shown.read().clone();
    let all_ticked = !deletable_shown.is_empty()
        && chosen.len() >= deletable_shown.len()
        && deletable_shown.iter().all(|k| chosen.contains(k));

    rsx! {
        div { class: "page table-page",
            div { class: "toolbar",
                h1 { "{spec.title}" }
                span { class: "muted count", "{count}{namespace_note}" }
                div { class: "spacer" }
                DeleteSelected { kind: spec.kind.clone(), title: spec.title.clone(), selected, keys: chosen.iter().cloned().collect::<Vec<_>>() }
                LabelFilter { applied: label_selector }
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
                ColumnMenu { table: spec.id.clone(), columns: spec.resolved_columns.clone(), choices }
            }
            for (c, e) in errors.read().iter() {
                if several {
                    div { class: "error-box", role: "alert", "data-cluster": "{c}",
                        strong { "{c}: " }
                        "{e}"
                    }
                } else {
                    ErrorBox { message: e.clone() }
                }
            }
            for e in state_ref.errors().iter() {
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
                        for (n, c) in columns.iter().enumerate() {
                            {
                                let active = current_sort.as_ref().filter(|s| s.column == c.id);
                                let deletable_shown = deletable_shown.clone();
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
                                        // The selection checkbox sits in the name column, so
                                        // the columns stay those of the plugin.
                                        if n == 0 && select {
                                            input {
                                                class: "select",
                                                r#type: "checkbox",
                                                aria_label: "Select all shown rows",
                                                checked: all_ticked,
                                                onclick: move |e| {
                                                    e.stop_propagation();
                                                    let mut set = selected.write();
                                                    if all_ticked {
                                                        for k in deletable_shown.iter() { set.remove(k); }
                                                    } else {
                                                        set.extend(deletable_shown.iter().cloned());
                                                    }
                                                },
                                                onkeydown: move |e| e.stop_propagation(),
                                            }
                                        }
                                        "{c.title}{arrow}"
                                    }
                                }
                            }
                        }
                        if several {
                            div { class: "th", role: "columnheader", "Cluster" }
                        }
                        if menus {
                            div { class: "th", role: "columnheader", span { class: "sr-only", "Actions" } }
                        }
                    }
                }
                div { class: "tbody", role: "rowgroup",
                    div { style: "height: {win.before}px", aria_hidden: "true" }
                    for i in win.rows.clone() {
                        {
                            let position = order_ref[i];
                            let row = &state_ref.rows()[position];
                            let row_cluster = state_ref.cluster_of(position).to_owned();
                            let key = if row.object.uid.is_empty() { format!("{row_cluster}/{:?}/{}", row.object.namespace, row.object.name) } else { format!("{row_cluster}/{}", row.object.uid) };
                            let ticked = select && chosen.contains(&state_ref.key_at(position));
                            rsx! { TableRow { key: "{key}", row: row.clone(), cluster: row_cluster, index: i, layout: layout.clone(), now, selected: ticked } }
                        }
                    }
                    div { style: "height: {win.after}px", aria_hidden: "true" }
                    if state_ref.loaded && total == 0 {
                        div { class: "empty-box",
                            if state_ref.is_empty() && !narrowed { "No {spec.title.to_lowercase()}{namespace_note}." } else if state_ref.is_empty() { "No {spec.title.to_lowercase()} match the labels." } else { "No rows match the filter." }
                        }
                    }
                }
            }
            RowActionsMenu { plural: spec.plural.clone(), menu, pending }
            // Rows follow the cluster live: nothing to refresh after an action.
            ActionDialogs { open: pending, done: move |_| {} }
        }
    }
}

/// What every row of a table shares: which cells to show and how, where rows lead, and the
/// selection and menu state the checkbox and actions button use.
#[derive(Debug, Clone, PartialEq)]
pub struct RowLayout {
    /// Shown columns: id, format, and the position of their cell in a row (none: missing).
    cells: Vec<(String, CellFormat, Option<usize>)>,
    /// CSS grid columns.
    template: String,
    /// Whether rows come from several clusters (a Cluster column after the plugin's).
    several: bool,
    /// The table's details route.
    details_route: Option<String>,
    /// The rows' kind, for actions.
    kind: Gvk,
    /// Whether rows have a selection checkbox.
    select: bool,
    /// Whether rows have an actions button.
    menus: bool,
    /// The ticked rows.
    selection: Signal<HashSet<RowKey>>,
    /// The open row menu.
    menu: Signal<Option<RowMenu>>,
}

/// One row. A component of its own so that, while scrolling, rows that stay in view are not
/// rendered again (their props are equal); only the rows entering the window are.
#[component]
fn TableRow(
    row: Row,
    cluster: String,
    index: usize,
    layout: Rc<RowLayout>,
    now: f64,
    selected: bool,
) -> Element {
    // A row leads to its own cluster, also in a merged table.
    let target = layout.details_route.as_ref().map(|r| {
        cluster_path(
            &cluster,
            &fill(r, row.object.namespace.as_deref(), &row.object.name),
        )
    });
    let key: RowKey = (
        cluster.clone(),
        row.object.namespace.clone(),
        row.object.name.clone(),
    );
    let deletable = row.actions.iter().any(|a| a == "delete");
    let button_id = format!(
        "row-actions-{}{}",
        if layout.several {
            format!("{cluster}-")
        } else {
            String::new()
        },
        if row.object.uid.is_empty() {
            format!(
                "{}-{}",
                row.object.namespace.as_deref().unwrap_or("-"),
                row.object.name
            )
        } else {
            row.object.uid.clone()
        }
    );
    let mut selection = layout.selection;
    let mut menu = layout.menu;
    rsx! {
        div {
            class: if target.is_some() { "tr clickable" } else { "tr" },
            role: "row",
            aria_rowindex: "{index + 2}",
            style: "grid-template-columns: {layout.template}",
            "data-name": "{row.object.name}",
            "data-cluster": "{cluster}",
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
                            if n == 0 && layout.select {
                                input {
                                    class: "select",
                                    r#type: "checkbox",
                                    aria_label: "Select {row.object.name}",
                                    disabled: !deletable,
                                    title: if deletable { "Select for deleting" } else { "You may not delete this object" },
                                    checked: selected,
                                    onclick: {
                                        let key = key.clone();
                                        move |e: MouseEvent| {
                                            e.stop_propagation();
                                            let mut set = selection.write();
                                            if !set.remove(&key) { set.insert(key.clone()); }
                                        }
                                    },
                                }
                            }
                            if n == 0 && target.is_some() {
                                Link {
                                    to: target.clone().unwrap_or_default(),
                                    onclick: move |e: MouseEvent| e.stop_propagation(),
                                    {cell.map(|c| c.text.clone()).unwrap_or_else(|| row.object.name.clone())}
                                }
                            } else if let Some(cell) = cell {
                                CellView { cell: cell.clone(), format: *format, cluster: cluster.clone(), now }
                            }
                        }
                    }
                }
            }
            if layout.several {
                div { class: "td", role: "cell",
                    span { class: "badge tone-neutral cluster-badge", "{cluster}" }
                }
            }
            if layout.menus {
                div { class: "td actions", role: "cell",
                    if !row.actions.is_empty() {
                        button {
                            id: "{button_id}",
                            class: "icon-button row-actions",
                            aria_label: "Actions of {row.object.name}",
                            title: "Actions",
                            aria_haspopup: "menu",
                            onclick: {
                                let (actions, object) = (row.actions.clone(), row.object.clone());
                                let kind = layout.kind.clone();
                                let button_id = button_id.clone();
                                let cluster = cluster.clone();
                                move |e: MouseEvent| {
                                    e.stop_propagation();
                                    menu.set(Some(RowMenu {
                                        cluster: cluster.clone(),
                                        target: Target { kind: kind.clone(), namespace: object.namespace.clone(), name: object.name.clone() },
                                        actions: actions.clone(),
                                        anchor: Anchor::of(&button_id),
                                    }));
                                }
                            },
                            "⋮"
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

/// Column widths: the first (the name) gets more room; numbers and ages are narrow; the
/// actions column is fixed.
fn grid_template(columns: &[Column], several: bool, menus: bool) -> String {
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
        // The Cluster column of a merged table, before the actions.
        .chain(several.then_some("minmax(90px, 0.8fr)"))
        .chain(menus.then_some("44px"))
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
