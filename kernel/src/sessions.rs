//! Logs, exec and port-forward sessions multiplexed on the one WebSocket (`/api/v1/stream`).
//!
//! Each session is a task named by the client's `id` (the same id space as table
//! subscriptions) and runs as the socket's viewer: the cluster is reached with the viewer's
//! token, so the API server's RBAC decides whether `pods/log`, `pods/exec` or
//! `pods/portforward` is allowed. `unsubscribe` (or closing the socket) ends a session.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::{AsyncBufReadExt, SinkExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::api::{Api, AttachParams, LogParams, TerminalSize};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::cluster::{ClusterError, ClusterRegistry};
use crate::identity::{AuthMode, Identity};

/// Sessions one socket may run at once; each holds a connection to an API server.
pub const MAX_SESSIONS: usize = 32;

/// How long log lines are collected before one `log-lines` message is sent.
const LOG_BATCH: Duration = Duration::from_millis(16);

/// Most lines in one `log-lines` message.
const LOG_BATCH_LINES: usize = 1000;

/// How long output that already arrived is still read after an exec connection failed.
const DRAIN: Duration = Duration::from_millis(200);

/// Keystrokes and resizes queued for one exec session before the socket waits.
const INPUT_QUEUE: usize = 64;

/// `subscribe-logs`: a container's log, followed or not.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsRequest {
    /// The client's name for this session, unique on the socket.
    pub id: String,
    /// The cluster.
    pub cluster: String,
    /// The pod's namespace.
    pub namespace: String,
    /// The pod.
    pub pod: String,
    /// The container; the pod's only one when absent.
    #[serde(default)]
    pub container: Option<String>,
    /// Keep the stream open for new lines.
    #[serde(default)]
    pub follow: bool,
    /// The previous (crashed) instance's log.
    #[serde(default)]
    pub previous: bool,
    /// Only the last N lines.
    #[serde(default, rename = "tailLines", alias = "tail-lines")]
    pub tail_lines: Option<i64>,
}

/// `exec`: a command in a container, with a terminal when `tty` is set.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecRequest {
    /// The client's name for this session, unique on the socket.
    pub id: String,
    /// The cluster.
    pub cluster: String,
    /// The pod's namespace.
    pub namespace: String,
    /// The pod.
    pub pod: String,
    /// The container; the pod's only one when absent.
    #[serde(default)]
    pub container: Option<String>,
    /// The command and its arguments, such as `["sh"]`.
    pub command: Vec<String>,
    /// Allocate a terminal (stderr is then merged into stdout, and `resize` works).
    #[serde(default)]
    pub tty: bool,
}

/// `stdin`: input for an exec session.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StdinInput {
    /// The exec session.
    pub id: String,
    /// The bytes typed, as text.
    pub data: String,
}

/// `resize`: the terminal of an exec session changed size.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResizeInput {
    /// The exec session.
    pub id: String,
    /// Columns.
    pub cols: u16,
    /// Rows.
    pub rows: u16,
}

/// `port-forward`: a local port of the kernel's host that reaches a pod's port.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortForwardRequest {
    /// The client's name for this session, unique on the socket.
    pub id: String,
    /// The cluster.
    pub cluster: String,
    /// The pod's namespace.
    pub namespace: String,
    /// The pod.
    pub pod: String,
    /// The pod's port.
    pub port: u16,
}

/// What a session sends the client. Same framing as the stream's other messages: one JSON
/// text frame with a `type`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum SessionEvent {
    /// Lines of a log, oldest first, without their line breaks.
    LogLines {
        /// The session.
        id: String,
        /// The lines.
        lines: Vec<String>,
    },
    /// Output of an exec session.
    Terminal {
        /// The session.
        id: String,
        /// `stdout` or `stderr` (with a tty, everything is `stdout`).
        stream: &'static str,
        /// The bytes, as text (UTF-8; a character split across reads is kept whole).
        data: String,
    },
    /// A session ended: an exec's command exited (`code`), or a log stream ended
    /// (`code: null`).
    Exit {
        /// The session.
        id: String,
        /// The command's exit code; null for a log stream.
        code: Option<i32>,
    },
    /// A port-forward listens: connections to `url` reach the pod's port.
    PortForwardReady {
        /// The session.
        id: String,
        /// `http://127.0.0.1:PORT` on the kernel's host.
        url: String,
    },
    /// Something failed (as the stream's `error`).
    Error {
        /// The session.
        id: Option<String>,
        /// What failed and what to do.
        message: String,
    },
}

impl SessionEvent {
    fn error(id: &str, message: impl Into<String>) -> Self {
        SessionEvent::Error {
            id: Some(id.to_string()),
            message: message.into(),
        }
    }

    fn to_text(&self) -> String {
        serde_json::to_string(self).expect("session events always serialise")
    }
}

/// A request that opens a session.
#[derive(Debug, Clone)]
pub enum SessionRequest {
    /// `subscribe-logs`.
    Logs(LogsRequest),
    /// `exec`.
    Exec(ExecRequest),
    /// `port-forward`.
    PortForward(PortForwardRequest),
}

impl SessionRequest {
    /// The client's id for the session.
    pub fn id(&self) -> &str {
        match self {
            SessionRequest::Logs(r) => &r.id,
            SessionRequest::Exec(r) => &r.id,
            SessionRequest::PortForward(r) => &r.id,
        }
    }
}

/// Input for a running exec session.
#[derive(Debug)]
enum Input {
    Stdin(String),
    Resize(u16, u16),
}

/// A running session; dropping it ends the session.
struct Running {
    task: JoinHandle<()>,
    input: Option<mpsc::Sender<Input>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The sessions of one socket.
pub struct Sessions {
    clusters: Arc<ClusterRegistry>,
    identity: Identity,
    auth: AuthMode,
    outbox: mpsc::Sender<String>,
    running: HashMap<String, Running>,
}

impl Sessions {
    /// No sessions yet; events go to `outbox` (the socket's bounded queue).
    pub fn new(
        clusters: Arc<ClusterRegistry>,
        identity: Identity,
        auth: AuthMode,
        outbox: mpsc::Sender<String>,
    ) -> Self {
        Self {
            clusters,
            identity,
            auth,
            outbox,
            running: HashMap::new(),
        }
    }

    /// Whether a running session has this id.
    pub fn contains(&mut self, id: &str) -> bool {
        self.running.retain(|_, s| !s.task.is_finished());
        self.running.contains_key(id)
    }

    /// Ends a session; whether there was one.
    pub fn end(&mut self, id: &str) -> bool {
        self.running.remove(id).is_some()
    }

    async fn reply(&self, event: SessionEvent) {
        let _ = self.outbox.send(event.to_text()).await;
    }

    /// Opens a session unless its id is taken (by a session, or a table subscription as
    /// `id_taken` says) or the socket has [`MAX_SESSIONS`].
    pub async fn open(&mut self, request: SessionRequest, id_taken: impl Fn(&str) -> bool) {
        let id = request.id().to_string();
        if self.contains(&id) || id_taken(&id) {
            let message = format!(
                "id {id:?} is in use on this socket: unsubscribe it first or pick another id"
            );
            return self.reply(SessionEvent::error(&id, message)).await;
        }
        if self.running.len() >= MAX_SESSIONS {
            let message = format!(
                "this socket already runs {MAX_SESSIONS} logs/exec/port-forward sessions: end some first"
            );
            return self.reply(SessionEvent::error(&id, message)).await;
        }
        if matches!(request, SessionRequest::PortForward(_)) && self.auth == AuthMode::Token {
            // The listening port has no authentication of its own: anyone on the kernel's
            // host could use it with the viewer's rights.
            let message = "port-forward over the stream is only offered in local (desktop) mode; \
                           use `kubectl port-forward` through the proxy (/clusters/CLUSTER) instead";
            return self.reply(SessionEvent::error(&id, message)).await;
        }
        let out = Outbox {
            id: id.clone(),
            queue: self.outbox.clone(),
        };
        let (task, input) = match request {
            SessionRequest::Logs(r) => {
                let api = match self.pods(&r.cluster, &r.namespace) {
                    Ok(api) => api,
                    Err(e) => return self.reply(SessionEvent::error(&id, e.to_string())).await,
                };
                (tokio::spawn(run_logs(api, r, out)), None)
            }
            SessionRequest::Exec(r) => {
                let api = match self.pods(&r.cluster, &r.namespace) {
                    Ok(api) => api,
                    Err(e) => return self.reply(SessionEvent::error(&id, e.to_string())).await,
                };
                let (tx, rx) = mpsc::channel(INPUT_QUEUE);
                (tokio::spawn(run_exec(api, r, rx, out)), Some(tx))
            }
            SessionRequest::PortForward(r) => {
                let api = match self.pods(&r.cluster, &r.namespace) {
                    Ok(api) => api,
                    Err(e) => return self.reply(SessionEvent::error(&id, e.to_string())).await,
                };
                (tokio::spawn(run_port_forward(api, r, out)), None)
            }
        };
        self.running.insert(id, Running { task, input });
    }

    /// `stdin`: passes text to an exec session.
    pub async fn stdin(&mut self, input: StdinInput) {
        self.send_input(&input.id, Input::Stdin(input.data)).await;
    }

    /// `resize`: passes a terminal size to an exec session.
    pub async fn resize(&mut self, input: ResizeInput) {
        self.send_input(&input.id, Input::Resize(input.cols, input.rows))
            .await;
    }

    async fn send_input(&mut self, id: &str, input: Input) {
        let sender = self
            .running
            .get(id)
            .and_then(|s| s.input.clone())
            .filter(|tx| !tx.is_closed());
        let Some(sender) = sender else {
            let message = format!("no exec session {id:?} runs on this socket to send input to");
            return self.reply(SessionEvent::error(id, message)).await;
        };
        // Waiting here is back-pressure: a client typing faster than the pod reads waits.
        if sender.send(input).await.is_err() {
            let message = format!("exec session {id:?} has ended: its input was not delivered");
            self.reply(SessionEvent::error(id, message)).await;
        }
    }

    fn pods(&self, cluster: &str, namespace: &str) -> Result<Api<Pod>, ClusterError> {
        let cluster = self.clusters.get_as(cluster, &self.identity)?;
        Ok(Api::namespaced(cluster.client().clone(), namespace))
    }
}

/// Where one session's events go.
struct Outbox {
    id: String,
    queue: mpsc::Sender<String>,
}

impl Outbox {
    /// Queues an event; false once the socket is gone.
    async fn send(&self, event: SessionEvent) -> bool {
        self.queue.send(event.to_text()).await.is_ok()
    }

    async fn error(&self, message: impl Into<String>) -> bool {
        self.send(SessionEvent::error(&self.id, message)).await
    }
}

/// Why a session's cluster call failed, with what to do.
fn cluster_failure(what: &str, pod: &str, error: kube::Error) -> String {
    let text = ClusterError::from(error).to_string();
    format!("{what} of pod {pod} failed: {text}")
}

async fn run_logs(api: Api<Pod>, request: LogsRequest, out: Outbox) {
    let params = LogParams {
        container: request.container.clone(),
        follow: request.follow,
        previous: request.previous,
        tail_lines: request.tail_lines,
        ..LogParams::default()
    };
    let reader = match api.log_stream(&request.pod, &params).await {
        Ok(reader) => reader,
        Err(e) => {
            out.error(cluster_failure("reading the log", &request.pod, e))
                .await;
            return;
        }
    };
    let mut lines = std::pin::pin!(reader.lines());
    let mut batch = Vec::new();
    loop {
        // The first line of a batch waits as long as it takes; the rest only LOG_BATCH, so a
        // burst becomes one message and a trickle is still sent at once.
        let next = if batch.is_empty() {
            Some(lines.next().await)
        } else {
            tokio::time::timeout(LOG_BATCH, lines.next()).await.ok()
        };
        match next {
            Some(Some(Ok(line))) => {
                batch.push(line);
                if batch.len() < LOG_BATCH_LINES {
                    continue;
                }
            }
            Some(Some(Err(e))) => {
                flush_lines(&out, &mut batch).await;
                out.error(format!(
                    "the log of pod {} broke off: {e}; subscribe again to resume",
                    request.pod
                ))
                .await;
                return;
            }
            Some(None) => {
                flush_lines(&out, &mut batch).await;
                out.send(SessionEvent::Exit {
                    id: out.id.clone(),
                    code: None,
                })
                .await;
                return;
            }
            None => {}
        }
        if !flush_lines(&out, &mut batch).await {
            return;
        }
    }
}

async fn flush_lines(out: &Outbox, batch: &mut Vec<String>) -> bool {
    if batch.is_empty() {
        return true;
    }
    let lines = std::mem::take(batch);
    out.send(SessionEvent::LogLines {
        id: out.id.clone(),
        lines,
    })
    .await
}

async fn run_exec(
    api: Api<Pod>,
    request: ExecRequest,
    mut input: mpsc::Receiver<Input>,
    out: Outbox,
) {
    let params = AttachParams {
        container: request.container.clone(),
        stdin: true,
        stdout: true,
        stderr: !request.tty,
        tty: request.tty,
        ..AttachParams::default()
    };
    let mut process = match api
        .exec(&request.pod, request.command.clone(), &params)
        .await
    {
        Ok(process) => process,
        Err(e) => {
            out.error(cluster_failure("exec", &request.pod, e)).await;
            return;
        }
    };
    let status = process.take_status();
    let mut stdin = process.stdin();
    let mut resize = process.terminal_size();
    let stdout = process.stdout().map(|r| pump(r, "stdout", &out));
    let stderr = process.stderr().map(|r| pump(r, "stderr", &out));
    let output = async {
        match (stdout, stderr) {
            (Some(a), Some(b)) => {
                tokio::join!(a, b);
            }
            (Some(a), None) | (None, Some(a)) => a.await,
            (None, None) => {}
        }
    };
    // Owns the input queue, so dropping it closes the queue.
    let mut feed = Box::pin(async move {
        while let Some(message) = input.recv().await {
            match message {
                Input::Stdin(data) => {
                    let Some(writer) = stdin.as_mut() else {
                        continue;
                    };
                    if writer.write_all(data.as_bytes()).await.is_err() {
                        break;
                    }
                }
                Input::Resize(cols, rows) => {
                    if let Some(sizes) = resize.as_mut() {
                        let size = TerminalSize {
                            width: cols,
                            height: rows,
                        };
                        if sizes.send(size).await.is_err() {
                            resize = None;
                        }
                    }
                }
            }
        }
        // The socket dropped the session: keep waiting for output until the process ends.
        std::future::pending::<()>().await;
    });
    // kube's connection task: when it fails (the connection was reset, say) it leaves the
    // output pipes open, so output alone would wait forever.
    let connection = process.join();
    tokio::pin!(output, connection);
    // Output ends when the process does; input is fed until then.
    let failed = tokio::select! {
        () = &mut output => None,
        () = &mut feed => None,
        ended = &mut connection => match ended {
            // The connection ended normally, and closed the output pipes: read them to the end.
            Ok(()) => {
                (&mut output).await;
                None
            }
            Err(error) => Some(error),
        },
    };
    if let Some(error) = failed {
        // What already arrived is still worth showing; then say why the session ended.
        let _ = tokio::time::timeout(DRAIN, &mut output).await;
        out.error(format!(
            "the exec session in pod {} broke off: {error}; run the command again",
            request.pod
        ))
        .await;
    }
    let code = match status {
        Some(status) => exit_code(status.await.as_ref()),
        None => None,
    };
    // Closed before `exit` is sent, so input the client sends after seeing `exit` is
    // answered with an error instead of vanishing.
    drop(feed);
    out.send(SessionEvent::Exit {
        id: out.id.clone(),
        code,
    })
    .await;
}

/// Copies one output stream of a process to the client as `terminal` messages.
async fn pump(mut reader: impl tokio::io::AsyncRead + Unpin, stream: &'static str, out: &Outbox) {
    let mut buffer = vec![0u8; 16 * 1024];
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let n = match reader.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        pending.extend_from_slice(&buffer[..n]);
        let data = take_utf8(&mut pending);
        if !data.is_empty()
            && !out
                .send(SessionEvent::Terminal {
                    id: out.id.clone(),
                    stream,
                    data,
                })
                .await
        {
            return;
        }
    }
    if !pending.is_empty() {
        let data = String::from_utf8_lossy(&pending).into_owned();
        out.send(SessionEvent::Terminal {
            id: out.id.clone(),
            stream,
            data,
        })
        .await;
    }
}

/// The longest valid UTF-8 text at the start of `pending`, removed from it. A character cut
/// at the end stays for the next read; bytes that can never be UTF-8 become U+FFFD.
fn take_utf8(pending: &mut Vec<u8>) -> String {
    let cut = match std::str::from_utf8(pending) {
        Ok(_) => pending.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => {
            let text = String::from_utf8_lossy(pending).into_owned();
            pending.clear();
            return text;
        }
    };
    let rest = pending.split_off(cut);
    String::from_utf8(std::mem::replace(pending, rest)).expect("checked above")
}

/// The exit code a remote command's final `Status` carries (Kubernetes puts a non-zero code in
/// `details.causes[reason=ExitCode].message`).
fn exit_code(status: Option<&Status>) -> Option<i32> {
    let status = status?;
    if status.status.as_deref() == Some("Success") {
        return Some(0);
    }
    status
        .details
        .as_ref()?
        .causes
        .as_ref()?
        .iter()
        .find(|c| c.reason.as_deref() == Some("ExitCode"))
        .and_then(|c| c.message.as_deref()?.parse().ok())
}

async fn run_port_forward(api: Api<Pod>, request: PortForwardRequest, out: Outbox) {
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(e) => {
            out.error(format!("cannot open a local port to forward from: {e}"))
                .await;
            return;
        }
    };
    let url = match listener.local_addr() {
        Ok(address) => format!("http://{address}"),
        Err(e) => {
            out.error(format!("cannot open a local port to forward from: {e}"))
                .await;
            return;
        }
    };
    // Check once that the viewer may forward, so a refusal is reported before "ready".
    let probe = match api.portforward(&request.pod, &[request.port]).await {
        Ok(forwarder) => forwarder,
        Err(e) => {
            out.error(cluster_failure("port-forward", &request.pod, e))
                .await;
            return;
        }
    };
    let mut first = Some(Forwarding(probe));
    if !out
        .send(SessionEvent::PortForwardReady {
            id: out.id.clone(),
            url,
        })
        .await
    {
        return;
    }
    // Each local connection gets its own forwarding connection to the API server, like
    // `kubectl port-forward` does; they end with the session.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let Ok((mut socket, _)) = accepted else {
            continue;
        };
        let forwarder = match first.take() {
            Some(forwarder) => forwarder,
            None => match api.portforward(&request.pod, &[request.port]).await {
                Ok(forwarder) => Forwarding(forwarder),
                Err(e) => {
                    out.error(cluster_failure("port-forward", &request.pod, e))
                        .await;
                    continue;
                }
            },
        };
        let port = request.port;
        connections.spawn(async move {
            let mut forwarder = forwarder;
            let Some(mut upstream) = forwarder.0.take_stream(port) else {
                return;
            };
            let _ = tokio::io::copy_bidirectional(&mut socket, &mut upstream).await;
        });
    }
}

/// A forwarding connection to the API server, closed when dropped (kube leaves its task
/// running otherwise, until the server hangs up).
struct Forwarding(kube::api::Portforwarder);

impl Drop for Forwarding {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_split_across_reads_is_kept_whole() {
        let mut pending = "hé".as_bytes()[..2].to_vec();
        assert_eq!(take_utf8(&mut pending), "h");
        pending.extend_from_slice(&"é".as_bytes()[1..]);
        assert_eq!(take_utf8(&mut pending), "é");
        assert!(pending.is_empty());
    }

    #[test]
    fn bytes_that_are_never_utf8_become_replacement_characters() {
        let mut pending = vec![b'a', 0xff, b'b'];
        assert_eq!(take_utf8(&mut pending), "a\u{fffd}b");
    }

    #[test]
    fn the_exit_code_comes_from_the_status_causes() {
        let failed: Status = serde_json::from_value(serde_json::json!({
            "status": "Failure", "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": "3"}]}
        }))
        .unwrap();
        assert_eq!(exit_code(Some(&failed)), Some(3));
        let ok: Status = serde_json::from_value(serde_json::json!({"status": "Success"})).unwrap();
        assert_eq!(exit_code(Some(&ok)), Some(0));
        assert_eq!(exit_code(None), None);
    }

    #[test]
    fn tail_lines_is_accepted_in_both_spellings() {
        for field in ["tailLines", "tail-lines"] {
            let request: LogsRequest = serde_json::from_value(serde_json::json!({
                "id": "l", "cluster": "c", "namespace": "n", "pod": "p", field: 5
            }))
            .unwrap();
            assert_eq!(request.tail_lines, Some(5));
        }
    }
}
