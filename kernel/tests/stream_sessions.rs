//! Logs, exec and port-forward on the one WebSocket, against kube-sim started in-process.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::test_limits;
use futures::{SinkExt, StreamExt};
use headlamp_kernel::api::{self, AppState};
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::host::PluginHost;
use headlamp_kernel::identity::AuthMode;
use kube_sim::{Sim, SimConfig, SimHandle};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Every wait in these tests is bounded by this.
const WAIT: Duration = Duration::from_secs(15);

/// kube-sim (demo world) behind the kernel's API; returns the stream's URL.
async fn serve(auth: AuthMode) -> (SimHandle, String) {
    let sim = Sim::start(SimConfig {
        churn: false,
        log_interval: Duration::from_millis(100),
        ..SimConfig::demo()
    })
    .await
    .unwrap();
    let clusters = ClusterRegistry::new();
    clusters.insert(
        Cluster::from_config(ClusterName::new("demo"), sim.config_for("admin").unwrap()).unwrap(),
    );
    let host = PluginHost::new(test_limits(), None, Arc::new(clusters)).unwrap();
    let state = AppState {
        auth,
        ..AppState::local(Arc::new(host))
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/api/v1/stream", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, api::router(state)).await.unwrap() });
    (sim, url)
}

async fn connect(url: &str, token: Option<&str>) -> Socket {
    let mut request = url.into_client_request().unwrap();
    if let Some(token) = token {
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    let (socket, _) = timeout(WAIT, tokio_tungstenite::connect_async(request))
        .await
        .expect("connecting to the stream timed out")
        .unwrap();
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

/// The next JSON message of session `id`.
async fn next(socket: &mut Socket, id: &str) -> Value {
    let wait = async {
        loop {
            let message = socket
                .next()
                .await
                .expect("the server closed the stream")
                .unwrap();
            if let Message::Text(text) = message {
                let value: Value = serde_json::from_str(text.as_str()).unwrap();
                if value["id"] == id {
                    return value;
                }
            }
        }
    };
    timeout(WAIT, wait)
        .await
        .unwrap_or_else(|_| panic!("no message for {id} within {WAIT:?}"))
}

/// Terminal output of session `id` until its `exit`; returns (output, exit code).
async fn output_until_exit(socket: &mut Socket, id: &str) -> (String, Value) {
    let mut output = String::new();
    loop {
        let message = next(socket, id).await;
        match message["type"].as_str().unwrap() {
            "terminal" => output.push_str(message["data"].as_str().unwrap()),
            "exit" => return (output, message["code"].clone()),
            other => panic!("unexpected {other}: {message}"),
        }
    }
}

fn exec(id: &str, command: &[&str], tty: bool) -> Value {
    json!({"type": "exec", "id": id, "cluster": "demo", "namespace": "shop",
           "pod": "postgres-0", "command": command, "tty": tty})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_a_log_streams_new_lines_until_unsubscribed() {
    let (_sim, url) = serve(AuthMode::Local).await;
    let mut socket = connect(&url, None).await;
    send(
        &mut socket,
        json!({"type": "subscribe-logs", "id": "l1", "cluster": "demo", "namespace": "shop",
               "pod": "postgres-0", "follow": true, "tailLines": 1}),
    )
    .await;
    let first = next(&mut socket, "l1").await;
    assert_eq!(first["type"], "log-lines", "{first}");
    assert_eq!(first["lines"].as_array().unwrap().len(), 1, "{first}");
    // Only following delivers more: the sim writes a line every 100 ms.
    let second = next(&mut socket, "l1").await;
    assert_eq!(second["type"], "log-lines", "{second}");
    assert!(!second["lines"][0].as_str().unwrap().is_empty());
    send(&mut socket, json!({"type": "unsubscribe", "id": "l1"})).await;
    // The id is free again once the session ended.
    send(
        &mut socket,
        json!({"type": "subscribe-logs", "id": "l1", "cluster": "demo", "namespace": "shop",
               "pod": "postgres-0", "tail-lines": 2}),
    )
    .await;
    // Without `follow` the log ends, and the client is told so.
    let mut lines = 0;
    loop {
        let message = next(&mut socket, "l1").await;
        match message["type"].as_str().unwrap() {
            "log-lines" => lines += message["lines"].as_array().unwrap().len(),
            "exit" => {
                assert_eq!(message["code"], Value::Null, "{message}");
                break;
            }
            other => panic!("unexpected {other}: {message}"),
        }
    }
    assert!(lines >= 1, "{lines} lines");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_of_an_unknown_pod_is_an_error_naming_it() {
    let (_sim, url) = serve(AuthMode::Local).await;
    let mut socket = connect(&url, None).await;
    send(
        &mut socket,
        json!({"type": "subscribe-logs", "id": "l", "cluster": "demo", "namespace": "shop",
               "pod": "nope"}),
    )
    .await;
    let error = next(&mut socket, "l").await;
    assert_eq!(error["type"], "error", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("nope"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_sends_the_output_and_the_exit_code() {
    let (_sim, url) = serve(AuthMode::Local).await;
    let mut socket = connect(&url, None).await;
    send(&mut socket, exec("e1", &["echo", "hi"], false)).await;
    assert_eq!(
        output_until_exit(&mut socket, "e1").await,
        ("hi\n".to_string(), json!(0))
    );
    send(&mut socket, exec("e2", &["false"], false)).await;
    assert_eq!(output_until_exit(&mut socket, "e2").await.1, json!(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interactive_shell_takes_stdin_and_resizes() {
    let (_sim, url) = serve(AuthMode::Local).await;
    let mut socket = connect(&url, None).await;
    send(&mut socket, exec("sh", &["sh"], true)).await;
    send(
        &mut socket,
        json!({"type": "resize", "id": "sh", "cols": 120, "rows": 40}),
    )
    .await;
    send(
        &mut socket,
        json!({"type": "stdin", "id": "sh", "data": "echo hello\r"}),
    )
    .await;
    send(
        &mut socket,
        json!({"type": "stdin", "id": "sh", "data": "exit 3\r"}),
    )
    .await;
    let (output, code) = output_until_exit(&mut socket, "sh").await;
    assert!(output.contains("hello\r\n"), "{output:?}");
    assert_eq!(code, json!(3));
    send(
        &mut socket,
        json!({"type": "stdin", "id": "sh", "data": "late\r"}),
    )
    .await;
    let error = next(&mut socket, "sh").await;
    assert_eq!(error["type"], "error", "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_runs_as_the_viewer_so_rbac_refuses_a_read_only_one() {
    let (sim, url) = serve(AuthMode::Token).await;
    let mut viewer = connect(&url, sim.token("viewer")).await;
    send(&mut viewer, exec("e", &["echo", "hi"], false)).await;
    let refused = next(&mut viewer, "e").await;
    assert_eq!(refused["type"], "error", "{refused}");
    let text = refused["message"].as_str().unwrap();
    assert!(
        text.contains("forbidden") || text.contains("Forbidden"),
        "{text}"
    );
    let mut admin = connect(&url, sim.token("admin")).await;
    send(&mut admin, exec("e", &["echo", "hi"], false)).await;
    assert_eq!(output_until_exit(&mut admin, "e").await.0, "hi\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn port_forward_serves_the_pods_port_on_a_local_url() {
    let (_sim, url) = serve(AuthMode::Local).await;
    let mut socket = connect(&url, None).await;
    send(
        &mut socket,
        json!({"type": "port-forward", "id": "pf", "cluster": "demo", "namespace": "shop",
               "pod": "postgres-0", "port": 5432}),
    )
    .await;
    let ready = next(&mut socket, "pf").await;
    assert_eq!(ready["type"], "port-forward-ready", "{ready}");
    let local = ready["url"].as_str().unwrap().to_string();
    // Two requests: each local connection gets its own forwarding connection.
    for path in ["/one", "/two"] {
        let body = timeout(WAIT, async {
            reqwest::get(format!("{local}{path}"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        })
        .await
        .expect("the forwarded port did not answer");
        assert_eq!(
            body,
            format!("kube-sim: pod postgres-0 port 5432 path {path}\n")
        );
    }
    send(&mut socket, json!({"type": "unsubscribe", "id": "pf"})).await;
    // Ending the session closes the local port.
    let mut closed = false;
    for _ in 0..50 {
        if TcpStream::connect(local.trim_start_matches("http://"))
            .await
            .is_err()
        {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        closed,
        "{local} still accepts connections after unsubscribe"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn port_forward_is_refused_in_web_mode() {
    let (sim, url) = serve(AuthMode::Token).await;
    let mut socket = connect(&url, sim.token("admin")).await;
    send(
        &mut socket,
        json!({"type": "port-forward", "id": "pf", "cluster": "demo", "namespace": "shop",
               "pod": "postgres-0", "port": 5432}),
    )
    .await;
    let refused = next(&mut socket, "pf").await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("kubectl port-forward"),
        "{refused}"
    );
}
