//! pods/portforward over WebSocket (the channel protocol kube-rs speaks): each port gets a data
//! and an error channel; behind every port sits a tiny HTTP responder, or an echo for other bytes.

use crate::error::{ApiError, ApiResult};
use crate::server::Query;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;

/// Ports from `ports=80,8080` or repeated `ports=` parameters.
fn ports(q: &Query) -> ApiResult<Vec<u16>> {
    let mut out = vec![];
    for v in q.all("ports") {
        for p in v.split(',').filter(|p| !p.is_empty()) {
            out.push(p.trim().parse().map_err(|_| {
                ApiError::bad_request(format!("invalid port {p:?}: must be 1-65535"))
            })?);
        }
    }
    if out.is_empty() {
        return Err(ApiError::bad_request(
            "portforward needs at least one port: ?ports=8080",
        ));
    }
    Ok(out)
}

/// What the fake container answers on a port once it has seen `input`; None while waiting for more.
pub fn respond(pod: &str, port: u16, input: &[u8]) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(input);
    let is_http = [
        "GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "PATCH ", "OPTIONS ",
    ]
    .iter()
    .any(|m| text.starts_with(m));
    if !is_http {
        return Some(input.to_vec()); // an echo server for anything that is not HTTP
    }
    if !text.contains("\r\n\r\n") {
        return None;
    }
    let path = text.split_whitespace().nth(1).unwrap_or("/");
    let body = format!("kube-sim: pod {pod} port {port} path {path}\n");
    Some(
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
            .into_bytes(),
    )
}

/// Accepts the upgrade and serves the requested ports until every HTTP exchange is done or the client leaves.
pub fn serve(ws: WebSocketUpgrade, pod: String, q: &Query) -> ApiResult<Response> {
    let ports = ports(q)?;
    Ok(ws
        .protocols(["v5.channel.k8s.io", "v4.channel.k8s.io"])
        .on_upgrade(move |socket| run(socket, pod, ports)))
}

async fn run(mut ws: WebSocket, pod: String, ports: Vec<u16>) {
    for (i, port) in ports.iter().enumerate() {
        for ch in [2 * i as u8, 2 * i as u8 + 1] {
            let [lo, hi] = port.to_le_bytes();
            if ws
                .send(Message::Binary(vec![ch, lo, hi].into()))
                .await
                .is_err()
            {
                return;
            }
        }
    }
    let mut buffers = vec![Vec::new(); ports.len()];
    let mut answered = vec![false; ports.len()];
    while let Some(Ok(msg)) = ws.recv().await {
        let data = match msg {
            Message::Binary(b) => b.to_vec(),
            Message::Close(_) => return,
            _ => continue,
        };
        let Some((&ch, payload)) = data.split_first() else {
            continue;
        };
        let idx = ch as usize / 2;
        if ch % 2 == 1 || idx >= ports.len() || payload.is_empty() {
            continue;
        }
        buffers[idx].extend_from_slice(payload);
        if let Some(reply) = respond(&pod, ports[idx], &buffers[idx]) {
            let is_http = reply.starts_with(b"HTTP/1.1");
            buffers[idx].clear();
            let mut frame = vec![ch];
            frame.extend_from_slice(&reply);
            if ws.send(Message::Binary(frame.into())).await.is_err() {
                return;
            }
            answered[idx] |= is_http;
        }
        if answered.iter().all(|a| *a) {
            // "Connection: close": closing the socket is how the client sees EOF on its streams.
            let _ = ws
                .send(Message::Close(Some(CloseFrame {
                    code: 1000,
                    reason: "".into(),
                })))
                .await;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_requests_get_a_response_and_other_bytes_an_echo() {
        assert_eq!(respond("p", 80, b"GET / HTTP/1.1\r\nHost: x\r\n"), None);
        let r = String::from_utf8(respond("p", 80, b"GET /a HTTP/1.1\r\n\r\n").unwrap()).unwrap();
        assert!(
            r.starts_with("HTTP/1.1 200 OK") && r.ends_with("kube-sim: pod p port 80 path /a\n")
        );
        assert_eq!(respond("p", 5432, b"ping"), Some(b"ping".to_vec()));
    }
}
