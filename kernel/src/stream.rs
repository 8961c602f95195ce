//! The one WebSocket, `GET /api/v1/stream`: every live table of a browser tab, multiplexed.
//!
//! Each subscription is a task that reads its shared watch, coalesces changes for
//! [`COALESCE`] and computes cells only for the objects that changed. Everything a socket
//! sends goes through one bounded outbox: a client that reads too slowly stalls its own
//! subscriptions, whose watch subscriptions then fall behind and are resynced — memory stays
//! bounded and other sockets are never blocked.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::access::{AccessCache, Offer, fill_row_actions};
use crate::cluster::{ClusterName, Gvk};
use crate::csrf::origin_allowed;
use crate::host::{PluginHost, RowsContext};
use crate::identity::{AuthMode, Identity, Viewer};
use crate::registry::{MergedRegistry, TableSpec};
use crate::table_snapshots::SnapshotCache;
use crate::table_window::{SortSpec, WindowSpec, WindowedRows};
use crate::tables::{self, ObjectKey, Row, TableError};
use crate::watch::{ObjectRef, Objects, Subscription, Update, WatchHub, WatchKey};

/// How long changes are collected before one `rows` message is sent.
pub const COALESCE: Duration = Duration::from_millis(16);

/// Messages queued per socket before its subscriptions wait for the client.
pub const OUTBOX: usize = 256;

/// Subscriptions one socket may hold at once; each is a task and possibly a watch.
pub const MAX_SUBSCRIPTIONS: usize = 256;

/// What the stream needs: plugins to compute cells, the watch hub, and who may connect.
#[derive(Clone)]
pub struct StreamState {
    /// The plugin host (and through it, the clusters).
    pub host: Arc<PluginHost>,
    /// The shared watches.
    pub hub: Arc<WatchHub>,
    /// Whether a socket must carry a viewer's token.
    pub auth: AuthMode,
    /// Origins besides the kernel's own whose pages may open the socket.
    pub allowed_origins: Arc<[String]>,
    /// Messages queued for one socket before its subscriptions wait (and, if the client
    /// stays slow, fall behind the watch and are resynced): the bound on a slow client's memory.
    pub outbox: usize,
    /// Can-i answers for rows' actions, shared with the REST API.
    pub access: Arc<AccessCache>,
    /// Snapshots computed once and shared by the subscribers of the same table and watch.
    pub snapshots: Arc<SnapshotCache>,
}

impl StreamState {
    /// A stream over `host`'s clusters with a hub of its own, in local mode.
    pub fn new(host: Arc<PluginHost>) -> Self {
        let hub = Arc::new(WatchHub::new(host.clusters().clone()));
        Self {
            host,
            hub,
            auth: AuthMode::Local,
            allowed_origins: Arc::from([]),
            outbox: OUTBOX,
            access: Arc::new(AccessCache::default()),
            snapshots: Arc::default(),
        }
    }
}

/// The route `GET /api/v1/stream`.
pub fn router(state: StreamState) -> Router {
    Router::new()
        .route("/api/v1/stream", get(upgrade))
        .with_state(state)
}

/// A message from the client.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ClientMessage {
    /// Live rows of a table.
    SubscribeTable {
        /// The client's name for this subscription, unique on the socket.
        id: String,
        /// The cluster.
        cluster: String,
        /// The table's id, as in the registry.
        table: String,
        /// One namespace, or all.
        #[serde(default)]
        namespace: Option<String>,
        /// A label selector such as `app=web`.
        #[serde(default, rename = "labelSelector")]
        label_selector: Option<String>,
        /// Several namespaces (instead of `namespace`): one cluster-wide watch, filtered.
        #[serde(default)]
        namespaces: Option<Vec<String>>,
        /// Order of a windowed table.
        #[serde(default)]
        sort: Option<SortSpec>,
        /// Only these rows: the answer is `table-window` messages instead of a snapshot and
        /// row deltas ([`crate::table_window`]).
        #[serde(default)]
        window: Option<WindowSpec>,
    },
    /// Moves the window of a windowed table, or sorts it differently.
    SetWindow {
        /// The table subscription.
        id: String,
        /// The rows now shown.
        window: WindowSpec,
        /// The order; absent keeps the current one.
        #[serde(default)]
        sort: Option<SortSpec>,
    },
    /// Ends a subscription (or a logs/exec/port-forward session).
    Unsubscribe {
        /// The subscription's id.
        id: String,
    },
    /// A details view, rendered again when what it shows changes ([`crate::live_view`]).
    SubscribeView(crate::live_view::ViewRequest),
    /// Follows a container's log ([`crate::sessions`]).
    SubscribeLogs(crate::sessions::LogsRequest),
    /// Runs a command in a container.
    Exec(crate::sessions::ExecRequest),
    /// Input for an exec session.
    Stdin(crate::sessions::StdinInput),
    /// A new terminal size for an exec session.
    Resize(crate::sessions::ResizeInput),
    /// Forwards a local port to a pod's port.
    PortForward(crate::sessions::PortForwardRequest),
}

/// A message to the client.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ServerMessage {
    /// Every row of a subscription; replaces whatever the client had for it.
    TableSnapshot {
        /// The subscription.
        id: String,
        /// Column ids, in order.
        columns: Vec<String>,
        /// One row per object.
        rows: Vec<Row>,
        /// Plugins whose cells are missing, and why.
        errors: Vec<String>,
        /// Set when this replaces an earlier snapshot because changes were dropped.
        resync: bool,
    },
    /// Rows that changed since the last message of the subscription.
    Rows {
        /// The subscription.
        id: String,
        /// New or changed rows.
        upserts: Vec<Row>,
        /// Objects that are gone.
        deletes: Vec<ObjectKey>,
    },
    /// The rows a windowed table shows now, sorted, and how many there are in all.
    TableWindow {
        /// The subscription.
        id: String,
        /// Column ids, in order.
        columns: Vec<String>,
        /// Rows in the table.
        total: usize,
        /// Index of the first row of `rows`.
        offset: usize,
        /// The window's rows, replacing what the client showed.
        rows: Vec<Row>,
    },
    /// A details view tree, first and after every change that altered it.
    View {
        /// The subscription.
        id: String,
        /// The whole tree; it replaces the previous one.
        view: crate::host::View,
    },
    /// Something failed; `id` names the subscription when it is about one.
    Error {
        /// The subscription, if any.
        id: Option<String>,
        /// What failed and what to do.
        message: String,
    },
}

impl ServerMessage {
    pub(crate) fn error(id: Option<&str>, message: impl Into<String>) -> Self {
        ServerMessage::Error {
            id: id.map(str::to_string),
            message: message.into(),
        }
    }

    pub(crate) fn to_text(&self) -> String {
        serde_json::to_string(self).expect("server messages always serialise")
    }
}

async fn upgrade(
    State(state): State<StreamState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&headers, &state.allowed_origins) {
        let origin = headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("?");
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"error": format!(
                "a page from {origin} may not open this kernel's stream: open the UI from the \
                 kernel's own address, or start the kernel with --allowed-origin {origin}"
            )})),
        )
            .into_response();
    }
    let identity = match Viewer::from_headers(&headers, state.auth) {
        Ok(Viewer(identity)) => identity,
        Err(missing) => return missing.into_response(),
    };
    ws.on_upgrade(move |socket| serve(socket, state, identity))
}

/// Aborts a subscription's task when its entry is dropped: on unsubscribe, on replacement
/// and when the socket closes.
struct Task(JoinHandle<()>);

impl Drop for Task {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn serve(socket: WebSocket, state: StreamState, identity: Identity) {
    let (mut sink, mut incoming) = socket.split();
    let (outbox, mut outgoing) = mpsc::channel::<String>(state.outbox);
    let mut writer = Task(tokio::spawn(async move {
        loop {
            tokio::select! {
                text = outgoing.recv() => match text {
                    Some(text) => {
                        if sink.send(Message::Text(text.into())).await.is_err() {
                            break;
                        }
                    }
                    None => break,
                },
                () = crate::lifecycle::shutdown_begun() => {
                    // 1012 tells the UI to reconnect (to another replica, or to this one
                    // once it is back) instead of reporting a broken connection.
                    let close = CloseFrame {
                        code: crate::lifecycle::CLOSE_SERVICE_RESTART,
                        reason: "the kernel is restarting: reconnect".into(),
                    };
                    let _ = sink.send(Message::Close(Some(close))).await;
                    break;
                }
            }
        }
    }));
    let mut subscriptions: HashMap<String, Task> = HashMap::new();
    // How `set-window` reaches a table subscription's task.
    let mut windows: HashMap<String, mpsc::Sender<TableControl>> = HashMap::new();
    let mut sessions = crate::sessions::Sessions::new(
        state.host.clusters().clone(),
        identity.clone(),
        state.auth,
        outbox.clone(),
    );
    loop {
        let message = tokio::select! {
            message = incoming.next() => match message {
                Some(Ok(message)) => message,
                _ => break,
            },
            () = crate::lifecycle::shutdown_begun() => break,
        };
        let text = match message {
            Message::Text(text) => text,
            Message::Close(_) => break,
            Message::Binary(_) => {
                let reply = ServerMessage::error(
                    None,
                    "binary messages are not understood: send JSON text messages",
                );
                let _ = outbox.send(reply.to_text()).await;
                continue;
            }
            Message::Ping(_) | Message::Pong(_) => continue,
        };
        match serde_json::from_str::<ClientMessage>(text.as_str()) {
            Ok(ClientMessage::SubscribeTable {
                id,
                cluster,
                table,
                namespace,
                label_selector,
                namespaces,
                sort,
                window,
            }) => {
                // Subscriptions that failed to open have ended; their ids are free again.
                subscriptions.retain(|_, task| !task.0.is_finished());
                windows.retain(|_, control| !control.is_closed());
                if subscriptions.len() >= MAX_SUBSCRIPTIONS && !subscriptions.contains_key(&id) {
                    let reply = ServerMessage::error(
                        Some(&id),
                        format!(
                            "this socket already has {MAX_SUBSCRIPTIONS} subscriptions: unsubscribe some first"
                        ),
                    );
                    let _ = outbox.send(reply.to_text()).await;
                    continue;
                }
                if subscriptions.contains_key(&id) || sessions.contains(&id) {
                    let reply = ServerMessage::error(
                        Some(&id),
                        format!(
                            "subscription id {id:?} is in use on this socket: unsubscribe it first or pick another id"
                        ),
                    );
                    let _ = outbox.send(reply.to_text()).await;
                    continue;
                }
                let request = TableRequest {
                    id: id.clone(),
                    cluster,
                    table,
                    namespace,
                    label_selector,
                    namespaces,
                    sort,
                    window,
                    identity: identity.clone(),
                };
                let (control, controls) = mpsc::channel(8);
                let task =
                    tokio::spawn(run_table(state.clone(), request, outbox.clone(), controls));
                windows.insert(id.clone(), control);
                subscriptions.insert(id, Task(task));
            }
            Ok(ClientMessage::SubscribeView(request)) => {
                subscriptions.retain(|_, task| !task.0.is_finished());
                let id = request.id.clone();
                let refusal = if subscriptions.len() >= MAX_SUBSCRIPTIONS {
                    Some(format!(
                        "this socket already has {MAX_SUBSCRIPTIONS} subscriptions: unsubscribe some first"
                    ))
                } else if subscriptions.contains_key(&id) || sessions.contains(&id) {
                    Some(format!(
                        "subscription id {id:?} is in use on this socket: unsubscribe it first or pick another id"
                    ))
                } else {
                    None
                };
                if let Some(refusal) = refusal {
                    let _ = outbox
                        .send(ServerMessage::error(Some(&id), refusal).to_text())
                        .await;
                    continue;
                }
                let task = tokio::spawn(crate::live_view::run(
                    state.clone(),
                    request,
                    identity.clone(),
                    outbox.clone(),
                ));
                subscriptions.insert(id, Task(task));
            }
            Ok(ClientMessage::SetWindow { id, window, sort }) => {
                let delivered = match windows.get(&id) {
                    Some(control) => control.send(TableControl { window, sort }).await.is_ok(),
                    None => false,
                };
                if !delivered {
                    let reply = ServerMessage::error(
                        Some(&id),
                        format!(
                            "no table subscription {id:?} on this socket to move the window of"
                        ),
                    );
                    let _ = outbox.send(reply.to_text()).await;
                }
            }
            Ok(ClientMessage::Unsubscribe { id }) => {
                windows.remove(&id);
                if subscriptions.remove(&id).is_none() && !sessions.end(&id) {
                    let reply = ServerMessage::error(
                        Some(&id),
                        format!("no subscription {id:?} on this socket to unsubscribe"),
                    );
                    let _ = outbox.send(reply.to_text()).await;
                }
            }
            Ok(ClientMessage::SubscribeLogs(r)) => {
                let open = crate::sessions::SessionRequest::Logs(r);
                sessions
                    .open(open, |id| subscriptions.contains_key(id))
                    .await;
            }
            Ok(ClientMessage::Exec(r)) => {
                let open = crate::sessions::SessionRequest::Exec(r);
                sessions
                    .open(open, |id| subscriptions.contains_key(id))
                    .await;
            }
            Ok(ClientMessage::PortForward(r)) => {
                let open = crate::sessions::SessionRequest::PortForward(r);
                sessions
                    .open(open, |id| subscriptions.contains_key(id))
                    .await;
            }
            Ok(ClientMessage::Stdin(input)) => sessions.stdin(input).await,
            Ok(ClientMessage::Resize(input)) => sessions.resize(input).await,
            Err(error) => {
                let id = serde_json::from_str::<Value>(text.as_str())
                    .ok()
                    .and_then(|v| v["id"].as_str().map(str::to_string));
                let reply = ServerMessage::error(
                    id.as_deref(),
                    format!("message not understood: {error}; see docs/api.md, \"The stream\""),
                );
                let _ = outbox.send(reply.to_text()).await;
            }
        }
    }
    // Dropping the tasks drops their watch subscriptions; the hub stops unused watches.
    drop(subscriptions);
    drop(sessions);
    if crate::lifecycle::shutting_down() {
        // Let the writer send its close frame before the task is aborted; bounded, so that
        // a client that stopped reading cannot hold the shutdown.
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut writer.0).await;
    }
    drop(writer);
}

/// A `subscribe-table` request.
struct TableRequest {
    id: String,
    cluster: String,
    table: String,
    namespace: Option<String>,
    label_selector: Option<String>,
    namespaces: Option<Vec<String>>,
    sort: Option<SortSpec>,
    window: Option<WindowSpec>,
    identity: Identity,
}

/// A `set-window` for a running table subscription.
struct TableControl {
    window: WindowSpec,
    sort: Option<SortSpec>,
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

async fn run_table(
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
    loop {
        let message = tokio::select! {
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

    #[test]
    fn a_subscribe_message_reads_its_optional_filters() {
        let message: ClientMessage = serde_json::from_value(json!({
            "type": "subscribe-table", "id": "t1", "cluster": "demo", "table": "pods",
            "namespace": "shop", "labelSelector": "app=web"
        }))
        .unwrap();
        assert_eq!(
            message,
            ClientMessage::SubscribeTable {
                id: "t1".into(),
                cluster: "demo".into(),
                table: "pods".into(),
                namespace: Some("shop".into()),
                label_selector: Some("app=web".into()),
                namespaces: None,
                sort: None,
                window: None,
            }
        );
        let bare: ClientMessage = serde_json::from_value(
            json!({"type": "subscribe-table", "id": "t2", "cluster": "demo", "table": "pods"}),
        )
        .unwrap();
        assert!(matches!(
            bare,
            ClientMessage::SubscribeTable {
                namespace: None,
                ..
            }
        ));
    }

    #[test]
    fn a_misspelt_field_or_unknown_type_is_refused() {
        let misspelt = json!({"type": "subscribe-table", "id": "t1", "cluster": "demo",
                              "table": "pods", "labelselector": "app=web"});
        assert!(serde_json::from_value::<ClientMessage>(misspelt).is_err());
        let unknown = json!({"type": "subscribe-everything", "id": "t1"});
        assert!(serde_json::from_value::<ClientMessage>(unknown).is_err());
    }

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
    fn server_messages_are_tagged_with_their_kebab_case_type() {
        let rows = ServerMessage::Rows {
            id: "t1".into(),
            upserts: Vec::new(),
            deletes: vec![ObjectKey::of(
                &json!({"metadata": {"name": "a", "uid": "u"}}),
            )],
        };
        let value: Value = serde_json::from_str(&rows.to_text()).unwrap();
        assert_eq!(value["type"], "rows");
        assert_eq!(value["deletes"][0]["name"], "a");
        let error: Value =
            serde_json::from_str(&ServerMessage::error(None, "x").to_text()).unwrap();
        assert_eq!(error, json!({"type": "error", "id": null, "message": "x"}));
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
