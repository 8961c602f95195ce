//! A WebSocket client of the kernel's stream, for tests.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A client's end of `/api/v1/stream`.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Every wait in these tests is bounded by this.
pub const WAIT: Duration = Duration::from_secs(15);

/// Connects to the stream at `url` (ws://...).
pub async fn connect(url: &str) -> Socket {
    let (socket, _) = timeout(WAIT, tokio_tungstenite::connect_async(url))
        .await
        .expect("connecting to the stream timed out")
        .unwrap();
    socket
}

/// Sends one JSON message.
pub async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

/// The next JSON message for which `wanted` holds, skipping others.
pub async fn next_where(socket: &mut Socket, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    let wait = async {
        loop {
            let message = socket
                .next()
                .await
                .expect("the server closed the stream")
                .unwrap();
            if let Message::Text(text) = message {
                let value: Value = serde_json::from_str(text.as_str()).unwrap();
                if wanted(&value) {
                    return value;
                }
            }
        }
    };
    timeout(WAIT, wait)
        .await
        .unwrap_or_else(|_| panic!("no {what} within {WAIT:?}"))
}

/// Matches server messages of type `kind` for subscription `id`.
pub fn is(kind: &'static str, id: &'static str) -> impl Fn(&Value) -> bool {
    move |m| m["type"] == kind && m["id"] == id
}
