//! The real `headlamp` binary in its own process (so its RSS is its own), and the WebSocket
//! clients that talk to it like the browser's.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A browser-like connection to `/api/v1/stream`.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The cluster name kube-sim's kubeconfig gives its admin context.
pub const CLUSTER: &str = "kube-sim";

/// The kernel binary, stopped when dropped.
pub struct Kernel {
    child: Child,
    /// Where it serves, without a trailing slash.
    pub url: String,
}

impl Drop for Kernel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Kernel {
    /// Starts `headlamp` on a free port with `kubeconfig`, and waits until it serves.
    pub fn start(kubeconfig: &std::path::Path, scratch: &std::path::Path) -> Kernel {
        let mut child = Command::new(env!("CARGO_BIN_EXE_headlamp"))
            .arg("--listen=127.0.0.1:0")
            .arg(format!("--kubeconfig={}", kubeconfig.display()))
            .arg(format!("--cache-dir={}", scratch.join("cache").display()))
            .arg(format!("--config-dir={}", scratch.join("config").display()))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting the headlamp binary");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("headlamp exited before serving")
                .unwrap();
            if let Some(rest) = line.strip_prefix("headlamp is serving on ") {
                break rest.trim_end_matches('/').to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Kernel { child, url }
    }

    /// The kernel's resident memory in MB (10^6 bytes, the unit of DESIGN.md's target).
    pub fn rss_mb(&self) -> f64 {
        let path = format!("/proc/{}/status", self.child.id());
        let status = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {path} (the bench needs Linux /proc): {e}"));
        let kib = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .unwrap_or_else(|| panic!("{path} has no VmRSS line"));
        kib * 1024.0 / 1e6
    }

    /// A new stream socket.
    pub async fn socket(&self) -> Socket {
        let url = format!("{}/api/v1/stream", self.url.replace("http://", "ws://"));
        tokio_tungstenite::connect_async(url).await.unwrap().0
    }
}

/// Subscribes the socket to the pods of kube-sim's load namespace.
pub async fn subscribe(socket: &mut Socket) {
    let message = json!({"type": "subscribe-table", "id": "pods", "cluster": CLUSTER,
                         "table": "pods", "namespace": kube_sim::load::NAMESPACE});
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

/// The next message of the subscription, parsed, and its size in bytes.
pub async fn next_sized(socket: &mut Socket) -> (Value, usize) {
    loop {
        match socket.next().await.expect("the kernel closed the stream") {
            Ok(Message::Text(text)) => {
                let value: Value = serde_json::from_str(text.as_str()).unwrap();
                if value["type"] == "error" {
                    panic!("the kernel answered an error: {value}");
                }
                return (value, text.len());
            }
            Ok(_) => continue,
            Err(e) => panic!("the stream failed: {e}"),
        }
    }
}

/// The next message of the subscription, parsed.
pub async fn next(socket: &mut Socket) -> Value {
    next_sized(socket).await.0
}

/// Waits for the subscription's snapshot; its number of rows and its size in bytes.
pub async fn snapshot(socket: &mut Socket) -> (usize, usize) {
    loop {
        let (message, bytes) = next_sized(socket).await;
        if message["type"] == "table-snapshot" {
            return (message["rows"].as_array().unwrap().len(), bytes);
        }
    }
}

/// Waits for a rows message carrying `pod`.
pub async fn row_of(socket: &mut Socket, pod: &str) {
    loop {
        let message = next(socket).await;
        let carries = message["upserts"]
            .as_array()
            .is_some_and(|rows| rows.iter().any(|r| r["object"]["name"] == pod));
        if carries {
            return;
        }
    }
}
