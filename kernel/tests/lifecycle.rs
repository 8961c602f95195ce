//! `/readyz`, the start gate, and the shutdown that closes the stream's WebSockets with 1012.
//!
//! One test, in its own binary: the shutdown signal is process-wide (like the SIGTERM that
//! raises it), so nothing else may run in this process once it is given.

mod common;

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use common::*;
use futures::StreamExt;
use headlamp_kernel::lifecycle::{self, CLOSE_SERVICE_RESTART, Readiness};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn get_status(url: &str) -> (u16, String) {
    let answer = reqwest::get(url).await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.text().await.unwrap())
}

#[tokio::test]
async fn ready_after_loading_and_websockets_closed_with_1012_on_shutdown() {
    install_crypto();
    // Before the plugins are loaded: the probe says why, the API is held.
    let readiness = Readiness::waiting_for(["plugins are loading"]);
    let app = Router::new()
        .route("/api/v1/thing", get(|| async { "thing" }))
        .merge(lifecycle::router(readiness.clone()));
    let url = serve(lifecycle::gate(app, readiness.clone())).await;
    let (status, body) = get_status(&format!("{url}/readyz")).await;
    assert_eq!(status, 503);
    assert!(body.contains("plugins are loading"), "{body}");
    let (status, body) = get_status(&format!("{url}/api/v1/thing")).await;
    assert_eq!(status, 503);
    assert!(body.contains("not ready"), "{body}");

    // Loaded: both answer.
    readiness.done("plugins are loading");
    assert_eq!(
        get_status(&format!("{url}/readyz")).await,
        (200, "ok".into())
    );
    assert_eq!(
        get_status(&format!("{url}/api/v1/thing")).await,
        (200, "thing".into())
    );

    // A viewer's stream, then the shutdown.
    let kernel = serve_kernel(host()).await;
    let ws = format!("{}/api/v1/stream", kernel.replacen("http", "ws", 1));
    let mut socket = socket::connect(&ws).await;
    lifecycle::begin_shutdown();
    let close = timeout(Duration::from_secs(10), async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => break frame,
                Some(Ok(_)) => continue,
                other => panic!("the stream ended without a close frame: {other:?}"),
            }
        }
    })
    .await
    .expect("no close frame within 10 s of the shutdown");
    let frame = close.expect("the close frame has a code");
    assert_eq!(frame.code, CloseCode::from(CLOSE_SERVICE_RESTART));
    assert!(frame.reason.contains("reconnect"), "{}", frame.reason);

    // A stopping kernel is not ready, so the load balancer drains it; requests already
    // routed to it are still served.
    let (status, body) = get_status(&format!("{url}/readyz")).await;
    assert_eq!(status, 503);
    assert!(body.contains("shutting down"), "{body}");
    assert_eq!(get_status(&format!("{url}/api/v1/thing")).await.0, 200);
}
