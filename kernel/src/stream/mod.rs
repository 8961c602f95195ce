//! The one WebSocket, `GET /api/v1/stream`: every live table of a browser tab, multiplexed.
//!
//! Each subscription is a task that reads its shared watch, coalesces changes for
//! [`COALESCE`] and computes cells only for the objects that changed. Everything a socket
//! sends goes through one bounded outbox: a client that reads too slowly stalls its own
//! subscriptions, whose watch subscriptions then fall behind and are resynced — memory stays
//! bounded and other sockets are never blocked.

use std::collections::HashMap;
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

use crate::access::AccessCache;
use crate::csrf::origin_allowed;
use crate::host::PluginHost;
use crate::identity::{AuthMode, Identity, Viewer};
use crate::table_snapshots::SnapshotCache;
use crate::table_window::{SortSpec, WindowSpec};
use crate::tables::{ObjectKey, Row};
use crate::watch::WatchHub;

mod table;

use table::{TableControl, TableRequest, run_table};

/// How long changes are collected before one `rows` message is sent.
pub const COALESCE: Duration = Duration::from_millis(16);

/// Messages queued per socket before its subscriptions wait for the client.
pub const OUTBOX: usize = 256;

/// Subscriptions one socket may hold at once; each is a task and possibly a watch.
pub const MAX_SUBSCRIPTIONS: usize = 256;

/// The largest message a client may send. Subscriptions and window moves take a few hundred
/// bytes and terminal input a paste at most; a bigger one is answered with an error and the
/// socket closed with 1009.
pub const MAX_CLIENT_MESSAGE: usize = 1 << 20;

/// The largest frame read. A frame up to this size is read whole, so the client reliably gets
/// the error and the close frame; a bigger one is refused from its header, unread, and the
/// client may see only a reset connection. Either way at most this much is held per socket.
const MAX_CLIENT_FRAME: usize = 2 * MAX_CLIENT_MESSAGE;

/// Close codes (RFC 6455): the message was too big, or the frames broke the protocol.
const CLOSE_TOO_BIG: u16 = 1009;
const CLOSE_PROTOCOL_ERROR: u16 = 1002;

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
    /// Plugins were enabled, disabled, installed, removed or reloaded: fetch
    /// `/api/v1/registry` again for the new sidebar and routes.
    RegistryChanged,
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
    ws.max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_FRAME)
        .on_upgrade(move |socket| serve(socket, state, identity))
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
    // Set when the kernel gives up on the socket: the writer sends it once the queue is empty.
    let (close, mut closing) = tokio::sync::oneshot::channel::<CloseFrame>();
    let mut writer = Task(tokio::spawn(async move {
        loop {
            tokio::select! {
                text = outgoing.recv() => match text {
                    Some(text) => {
                        if sink.send(Message::Text(text.into())).await.is_err() {
                            break;
                        }
                    }
                    None => {
                        if let Ok(frame) = closing.try_recv() {
                            let _ = sink.send(Message::Close(Some(frame))).await;
                        }
                        break;
                    }
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
    // Why the kernel stopped reading the socket, when the client broke the rules.
    let mut refusal = None;
    let mut plugin_changes = state.host.watch_changes();
    plugin_changes.mark_unchanged();
    loop {
        let message = tokio::select! {
            Ok(()) = plugin_changes.changed() => {
                let _ = outbox.send(ServerMessage::RegistryChanged.to_text()).await;
                continue;
            }
            message = incoming.next() => match message {
                Some(Ok(message)) => message,
                Some(Err(error)) => {
                    refusal = Some(read_refusal(&error.to_string()));
                    break;
                }
                None => break,
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
    if let Some((frame, message)) = refusal {
        // Say why before closing; the writer ends once the last sender (this one) is gone.
        let _ = outbox
            .send(ServerMessage::error(None, message).to_text())
            .await;
        let _ = close.send(frame);
        drop(outbox);
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut writer.0).await;
    } else if crate::lifecycle::shutting_down() {
        // Let the writer send its close frame before the task is aborted; bounded, so that
        // a client that stopped reading cannot hold the shutdown.
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut writer.0).await;
    }
    drop(writer);
}

/// The close frame and error message for a socket whose next message could not be read.
fn read_refusal(error: &str) -> (CloseFrame, String) {
    // tungstenite says "Space limit exceeded: Message too long: N > M" for an oversized message.
    let too_big = error.contains("Space limit") || error.contains("too long");
    let (code, reason, message) = if too_big {
        (
            CLOSE_TOO_BIG,
            "message too large",
            format!(
                "message too large ({error}): the kernel reads messages of at most {} KiB; \
                 send smaller ones",
                MAX_CLIENT_MESSAGE >> 10
            ),
        )
    } else {
        (
            CLOSE_PROTOCOL_ERROR,
            "protocol error",
            format!("the socket's frames could not be read ({error}): reconnect"),
        )
    };
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    (frame, message)
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
}
