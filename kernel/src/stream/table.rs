//! Table subscriptions on the stream: a shared watch read, changes coalesced, cells computed
//! only for what changed; snapshots computed once and shared; windowed tables sorted and cut
//! to what the client shows.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{COALESCE, ServerMessage, StreamState};
use crate::access::{AccessCache, Offer, fill_row_actions};
use crate::cluster::{ClusterName, Gvk};
use crate::host::{PluginHost, RowsContext};
use crate::identity::Identity;
use crate::registry::{MergedRegistry, TableSpec};
use crate::table_window::{SortSpec, WindowSpec, WindowedRows};
use crate::tables::{self, ObjectKey, Row, TableError};
use crate::watch::{ObjectRef, Objects, Subscription, Update, WatchKey};

/// A `subscribe-table` request.
pub(super) struct TableRequest {
    pub(super) id: String,
    pub(super) cluster: String,
    pub(super) table: String,
    pub(super) namespace: Option<String>,
    pub(super) label_selector: Option<String>,
    pub(super) namespaces: Option<Vec<String>>,
    pub(super) sort: Option<SortSpec>,
    pub(super) window: Option<WindowSpec>,
    pub(super) identity: Identity,
}

/// A `set-window` for a running table subscription.
pub(super) struct TableControl {
    pub(super) window: WindowSpec,
    pub(super) sort: Option<SortSpec>,
}

/// A table subscription that is running.
struct LiveTable {
    id: String,
    spec: TableSpec,
    context: RowsContext,
    subscription: Subscription,
    /// Can-i answers for the rows' actions.
    access: Arc<AccessCache>,
    /// The actions rows may offer, before the viewer's can-i answers.
    offers: Vec<Offer>,
    /// The namespaces shown, when several share one cluster-wide watch.
    namespaces: Option<Vec<String>>,
    /// Every row and the client's window, for a windowed subscription.
    window: Option<WindowedRows>,
}

impl LiveTable {
    /// Whether `object` belongs in this table (the namespaces filter).
    fn shows(&self, object: &Value) -> bool {
        self.namespaces.as_ref().is_none_or(|wanted| {
            let namespace = object["metadata"]["namespace"].as_str().unwrap_or_default();
            wanted.iter().any(|n| n == namespace)
        })
    }

    /// The column ids, in order.
    fn columns(&self) -> Vec<String> {
        self.spec
            .resolved
            .iter()
            .map(|c| c.column.id.clone())
            .collect()
    }

    /// The `table-window` message of what the client shows now.
    fn window_message(&self, view: crate::table_window::WindowView) -> String {
        ServerMessage::TableWindow {
            id: self.id.clone(),
            columns: self.columns(),
            total: view.total,
            offset: view.offset,
            rows: view.rows,
        }
        .to_text()
    }
}

async fn open_table(state: &StreamState, request: TableRequest) -> Result<LiveTable, String> {
    let registry = MergedRegistry::build(&state.host);
    let spec = registry
        .table(&request.table)
        .cloned()
        .ok_or_else(|| TableError::UnknownTable(request.table.clone()).to_string())?;
    tables::check_list_permission(&state.host, &spec).map_err(|e| e.to_string())?;
    // Several namespaces share one cluster-wide watch and are filtered here; one is a watch of
    // its own like `namespace`.
    let (namespace, namespaces) = match request.namespaces {
        Some(list) if list.len() > 1 && spec.table.namespaced => (None, Some(list)),
        Some(list) if list.len() == 1 => (list.into_iter().next(), None),
        _ => (request.namespace, None),
    };
    let namespace = namespace.filter(|_| spec.table.namespaced);
    let window = match request.window {
        Some(window) => {
            let columns: Vec<String> = spec.resolved.iter().map(|c| c.column.id.clone()).collect();
            Some(WindowedRows::new(&columns, request.sort.as_ref(), window)?)
        }
        None if request.sort.is_some() => {
            return Err("`sort` applies to a windowed table: send `window` too (e.g. {\"offset\": 0, \"limit\": 100})".into());
        }
        None => None,
    };
    let key = WatchKey::new(
        ClusterName::new(request.cluster.clone()),
        Gvk::from(spec.table.kind.clone()),
    )
    .in_namespace(namespace.clone())
    .with_labels(request.label_selector)
    .as_identity(request.identity);
    let subscription = state.hub.subscribe(key).await.map_err(|e| e.to_string())?;
    Ok(LiveTable {
        id: request.id,
        context: RowsContext {
            table: spec.table.id.clone(),
            cluster: request.cluster,
            namespace: subscription.key().namespace.clone(),
        },
        offers: Offer::for_table(
            &registry,
            &spec.table.id,
            &Gvk::from(spec.table.kind.clone()),
        ),
        spec,
        subscription,
        access: state.access.clone(),
        namespaces,
        window,
    })
}

/// A change waiting for the next flush.
#[derive(Debug)]
enum Pending {
    Upsert(Arc<Value>),
    Delete(Arc<Value>),
}

/// Changes collected between flushes: one per object, the latest winning, so a burst of
/// changes to one object costs one row. The deadline is set by the first change and not
/// pushed back by later ones, so a steady stream of changes is still flushed every
/// [`COALESCE`].
#[derive(Debug, Default)]
struct Coalescer {
    changes: BTreeMap<ObjectRef, Pending>,
    flush_at: Option<Instant>,
    last_flush: Option<Instant>,
}

impl Coalescer {
    fn push(&mut self, change: Pending) {
        let object = match &change {
            Pending::Upsert(o) | Pending::Delete(o) => o,
        };
        self.changes.insert(ObjectRef::of(object), change);
        let last_flush = self.last_flush;
        self.flush_at.get_or_insert_with(|| {
            // Leading edge: a change after a quiet spell goes out at once; only changes that
            // follow a flush closely wait, so a burst costs one message per COALESCE.
            let now = Instant::now();
            match last_flush {
                Some(at) if at + COALESCE > now => at + COALESCE,
                _ => now,
            }
        });
    }

    fn clear(&mut self) {
        self.changes.clear();
        self.flush_at = None;
    }

    /// When the collected changes are due; `None` while there are none.
    fn deadline(&self) -> Option<Instant> {
        self.flush_at
    }

    /// The collected changes as objects to compute rows for and keys of deleted objects.
    fn take(&mut self) -> (Vec<Value>, Vec<ObjectKey>) {
        self.flush_at = None;
        self.last_flush = Some(Instant::now());
        let mut upserted = Vec::new();
        let mut deletes = Vec::new();
        for change in std::mem::take(&mut self.changes).into_values() {
            match change {
                Pending::Upsert(object) => upserted.push(Value::clone(&object)),
                Pending::Delete(object) => deletes.push(ObjectKey::of(&object)),
            }
        }
        (upserted, deletes)
    }
}

pub(super) async fn run_table(
    state: StreamState,
    request: TableRequest,
    outbox: mpsc::Sender<String>,
    mut controls: mpsc::Receiver<TableControl>,
) {
    let id = request.id.clone();
    let mut live = match open_table(&state, request).await {
        Ok(live) => live,
        Err(message) => {
            let _ = outbox
                .send(ServerMessage::error(Some(&id), message).to_text())
                .await;
            return;
        }
    };
    let mut pending = Coalescer::default();
    let mut plugin_changes = state.host.watch_changes();
    plugin_changes.mark_unchanged();
    loop {
        let message = tokio::select! {
            Ok(()) = plugin_changes.changed() => {
                if state.host.plugin(live.spec.plugin.as_str()).is_some() {
                    None
                } else {
                    // The table's plugin was disabled or removed: end rather than go stale.
                    let ended = ServerMessage::error(
                        Some(&live.id),
                        format!(
                            "plugin {} was disabled or removed, so table {} has ended: enable or install the plugin again",
                            live.spec.plugin, live.spec.table.id
                        ),
                    );
                    let _ = outbox.send(ended.to_text()).await;
                    return;
                }
            }
            update = live.subscription.next() => match update {
                None => {
                    let stopped = ServerMessage::error(
                        Some(&live.id),
                        "the watch behind this table stopped: subscribe again",
                    );
                    let _ = outbox.send(stopped.to_text()).await;
                    return;
                }
                Some(Update::Snapshot { objects, resync }) => {
                    // A snapshot supersedes whatever was waiting.
                    pending.clear();
                    if live.window.is_some() {
                        window_snapshot(&state, &mut live, &objects).await
                    } else {
                        Some(snapshot(&state, &live, &objects, resync).await)
                    }
                }
                Some(Update::Upsert(object)) => {
                    if live.shows(&object) {
                        pending.push(Pending::Upsert(object));
                    }
                    None
                }
                Some(Update::Delete(object)) => {
                    if live.shows(&object) {
                        pending.push(Pending::Delete(object));
                    }
                    None
                }
                Some(Update::Error(message)) => {
                    Some(ServerMessage::error(Some(&live.id), message.to_string()).to_text())
                }
            },
            // Disabled while nothing waits; the deadline is then never polled.
            () = tokio::time::sleep_until(pending.deadline().unwrap_or_else(Instant::now)), if pending.deadline().is_some() => {
                let (upserted, deletes) = pending.take();
                let (rows, errors) = changed_rows(&state.host, &live, upserted, deletes).await;
                for error in errors {
                    if outbox.send(ServerMessage::error(Some(&live.id), error).to_text()).await.is_err() {
                        return;
                    }
                }
                match (&mut live.window, rows) {
                    (Some(window), ServerMessage::Rows { upserts, deletes, .. }) => {
                        window.apply(upserts, &deletes);
                        let view = window.changed_view();
                        view.map(|view| live.window_message(view))
                    }
                    (_, rows) => Some(rows.to_text()),
                }
            }
            Some(control) = controls.recv() => set_window(&mut live, control),
        };
        if let Some(message) = message
            && outbox.send(message).await.is_err()
        {
            return;
        }
    }
}

/// Every row of a windowed table computed afresh, and the client's window of them.
async fn window_snapshot(
    state: &StreamState,
    live: &mut LiveTable,
    objects: &Objects,
) -> Option<String> {
    let values = objects
        .iter()
        .filter(|o| live.shows(o))
        .map(|o| Value::clone(o))
        .collect();
    let identity = live.subscription.key().identity.clone();
    match tables::compute(&state.host, &identity, &live.spec, &live.context, values).await {
        Ok(mut table) => {
            with_actions(&state.host, live, &mut table.rows).await;
            let window = live.window.as_mut()?;
            window.replace(table.rows);
            let view = window.view();
            window.changed_view();
            Some(live.window_message(view))
        }
        Err(error) => Some(ServerMessage::error(Some(&live.id), error.to_string()).to_text()),
    }
}

/// A `set-window`: the new window (and order), answered with what it shows.
fn set_window(live: &mut LiveTable, control: TableControl) -> Option<String> {
    let columns = live.columns();
    let Some(window) = live.window.as_mut() else {
        return Some(
            ServerMessage::error(
                Some(&live.id),
                "this table was subscribed without a window: subscribe again with `window`",
            )
            .to_text(),
        );
    };
    let moved = window
        .set_window(control.window)
        .and_then(|()| match &control.sort {
            Some(sort) => window.set_sort(&columns, Some(sort)),
            None => Ok(()),
        });
    match moved {
        Ok(()) => {
            let view = window.view();
            window.changed_view();
            Some(live.window_message(view))
        }
        Err(error) => Some(ServerMessage::error(Some(&live.id), error).to_text()),
    }
}

/// The `table-snapshot` message for `objects`: computed once per set of objects and shared
/// with every other subscriber of the same table and watch ([`SnapshotCache`]).
async fn snapshot(
    state: &StreamState,
    live: &LiveTable,
    objects: &Objects,
    resync: bool,
) -> String {
    // Subscribers filtering several namespaces out of one watch see other rows.
    let table = match &live.namespaces {
        None => live.spec.table.id.clone(),
        Some(namespaces) => format!("{} in {}", live.spec.table.id, namespaces.join(",")),
    };
    let body = state
        .snapshots
        .get_or_compute(&table, live.subscription.key(), objects, || async {
            let values = objects
                .iter()
                .filter(|o| live.shows(o))
                .map(|o| Value::clone(o))
                .collect();
            let identity = &live.subscription.key().identity;
            let mut table =
                tables::compute(&state.host, identity, &live.spec, &live.context, values)
                    .await
                    .map_err(|e| e.to_string())?;
            with_actions(&state.host, live, &mut table.rows).await;
            Ok(snapshot_body(table.columns, table.rows, table.errors))
        })
        .await;
    match body.as_ref() {
        Ok(body) => snapshot_text(&live.id, resync, body),
        Err(error) => ServerMessage::error(Some(&live.id), error.clone()).to_text(),
    }
}

/// The members of a `table-snapshot` message every subscriber shares.
fn snapshot_body(columns: Vec<String>, rows: Vec<Row>, errors: Vec<String>) -> String {
    #[derive(Serialize)]
    struct Body {
        columns: Vec<String>,
        rows: Vec<Row>,
        errors: Vec<String>,
    }
    let text = serde_json::to_string(&Body {
        columns,
        rows,
        errors,
    })
    .expect("rows serialise");
    // Without the braces, so each subscriber's id and resync flag can be put around it.
    text[1..text.len() - 1].to_string()
}

/// A `table-snapshot` message (the same JSON as [`ServerMessage::TableSnapshot`]) around a
/// shared body.
fn snapshot_text(id: &str, resync: bool, body: &str) -> String {
    let id = serde_json::to_string(id).expect("a string serialises");
    format!("{{\"type\":\"table-snapshot\",\"id\":{id},\"resync\":{resync},{body}}}")
}

/// Sets the actions the subscriber may do on each row (can-i answers are cached, so a row
/// update usually asks the API server nothing).
async fn with_actions(host: &PluginHost, live: &LiveTable, rows: &mut [Row]) {
    let gvk = Gvk::from(live.spec.table.kind.clone());
    let identity = &live.subscription.key().identity;
    fill_row_actions(
        &live.access,
        host,
        identity,
        &live.context.cluster,
        &gvk,
        &live.offers,
        rows,
    )
    .await;
}

/// Cells are computed only for the objects that changed, in one batch per flush.
async fn changed_rows(
    host: &PluginHost,
    live: &LiveTable,
    upserted: Vec<Value>,
    deletes: Vec<ObjectKey>,
) -> (ServerMessage, Vec<String>) {
    let (upserts, errors) = if upserted.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        match tables::compute(
            host,
            &live.subscription.key().identity,
            &live.spec,
            &live.context,
            upserted,
        )
        .await
        {
            Ok(mut table) => {
                with_actions(host, live, &mut table.rows).await;
                (table.rows, table.errors)
            }
            Err(error) => (Vec::new(), vec![error.to_string()]),
        }
    };
    let rows = ServerMessage::Rows {
        id: live.id.clone(),
        upserts,
        deletes,
    };
    (rows, errors)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(name: &str, rv: &str) -> Arc<Value> {
        Arc::new(json!({"metadata": {"name": name, "uid": name, "resourceVersion": rv}}))
    }

    #[tokio::test]
    async fn a_burst_of_changes_to_one_object_is_flushed_as_its_latest_state() {
        let mut pending = Coalescer::default();
        assert!(pending.deadline().is_none());
        pending.push(Pending::Upsert(object("a", "1")));
        let deadline = pending.deadline().unwrap();
        assert!(deadline <= Instant::now(), "after a quiet spell, at once");
        pending.push(Pending::Upsert(object("a", "2")));
        pending.push(Pending::Upsert(object("b", "1")));
        pending.push(Pending::Delete(object("b", "1")));
        // Later changes do not push the flush back.
        assert_eq!(pending.deadline(), Some(deadline));
        let (upserted, deletes) = pending.take();
        assert_eq!(upserted.len(), 1);
        assert_eq!(upserted[0]["metadata"]["resourceVersion"], "2");
        assert_eq!(deletes.len(), 1);
        assert_eq!(deletes[0].name, "b");
        assert!(pending.deadline().is_none());
        assert_eq!(pending.take(), (Vec::new(), Vec::new()));
    }

    #[tokio::test]
    async fn a_change_right_after_a_flush_waits_for_the_coalescing_window() {
        let mut pending = Coalescer::default();
        pending.push(Pending::Upsert(object("a", "1")));
        pending.take();
        let flushed = Instant::now();
        pending.push(Pending::Upsert(object("a", "2")));
        let deadline = pending.deadline().unwrap();
        assert!(deadline > flushed && deadline <= flushed + COALESCE);
    }

    #[tokio::test]
    async fn a_snapshot_discards_the_changes_waiting_to_be_flushed() {
        let mut pending = Coalescer::default();
        pending.push(Pending::Upsert(object("a", "1")));
        pending.clear();
        assert!(pending.deadline().is_none());
        assert!(pending.take().0.is_empty());
    }

    #[test]
    fn a_shared_snapshot_reads_exactly_like_a_table_snapshot_message() {
        let rows = vec![Row {
            object: ObjectKey {
                namespace: Some("shop".into()),
                name: "web".into(),
                uid: None,
                resource_version: None,
            },
            cells: Vec::new(),
            actions: Vec::new(),
        }];
        let shared = snapshot_text(
            "t\"1",
            true,
            &snapshot_body(vec!["name".into()], rows.clone(), vec!["e".into()]),
        );
        let message = ServerMessage::TableSnapshot {
            id: "t\"1".into(),
            columns: vec!["name".into()],
            rows,
            errors: vec!["e".into()],
            resync: true,
        };
        let shared: Value = serde_json::from_str(&shared).unwrap();
        let expected: Value = serde_json::from_str(&message.to_text()).unwrap();
        assert_eq!(shared, expected);
    }
}
