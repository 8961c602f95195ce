//! Clients of `/api/v1/stream` misbehave; the kernel stays healthy and bounded.
//!
//! - A client that stops reading never holds up the others, and when it reads again it is
//!   resynced with a fresh snapshot instead of the kernel queueing without bound for it. Its
//!   queues are made small here (8 buffered watch changes, 4 queued messages) so a few hundred
//!   changes overflow them; the defaults are larger but bounded the same way.
//! - 200 clients that connect, subscribe and drop at random leave no watch behind.
//! - Oversized, binary and out-of-order messages are each answered with an error.
//!   (Malformed JSON and unknown message types: `live_tables.rs`,
//!   `a_malformed_message_gets_an_error_and_the_socket_keeps_working`.)

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::ListenerExt;
use common::socket::*;
use common::*;
use futures::{SinkExt, StreamExt};
use headlamp_kernel::api::AppState;
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::host::PluginHost;
use headlamp_kernel::stream::{self, StreamState};
use headlamp_kernel::watch::WatchHub;
use kube_sim::{Sim, SimConfig, SimHandle};
use serde_json::{Value, json};
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Message;

/// Namespaces created while the slow client does not read, in batches far enough apart that
/// each becomes its own message.
const CREATED: usize = 600;
const BATCH: usize = 10;
/// Bytes the OS buffers for the kernel's side of each connection.
const SEND_BUFFER: usize = 8 * 1024;

/// A socket whose receive buffer is as small as the OS allows, so the kernel's writes to it
/// stall almost at once when it stops reading.
async fn tiny_buffer_client(url: &str) -> Socket {
    let address: std::net::SocketAddr = url
        .trim_start_matches("ws://")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let tcp = TcpSocket::new_v4().unwrap();
    tcp.set_recv_buffer_size(1024).unwrap();
    let stream = tcp.connect(address).await.unwrap();
    let (socket, _) =
        tokio_tungstenite::client_async(url, tokio_tungstenite::MaybeTlsStream::Plain(stream))
            .await
            .unwrap();
    socket
}

fn names_in(message: &Value, field: &str) -> Vec<String> {
    message[field]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| r["object"]["name"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_client_that_stops_reading_is_resynced_and_never_holds_up_the_others() {
    let sim = Sim::start(SimConfig {
        churn: false,
        ..SimConfig::demo()
    })
    .await
    .unwrap();
    let clusters = ClusterRegistry::new();
    clusters.insert(Cluster::new(
        ClusterName::new("demo"),
        sim.client_for("admin"),
    ));
    let clusters = Arc::new(clusters);
    let host = PluginHost::new(test_limits(), None, clusters.clone()).unwrap();
    host.load(source(cluster_plugin())).await.unwrap();
    let state = StreamState {
        hub: Arc::new(WatchHub::with_capacity(clusters, 8)),
        outbox: 4,
        ..StreamState::new(Arc::new(host))
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/api/v1/stream", listener.local_addr().unwrap());
    // A fixed, small send buffer per connection (the OS would otherwise grow it to megabytes),
    // so the kernel feels a stalled reader after a few messages, as it would over a slow link.
    let listener = listener.tap_io(|tcp| {
        socket2::SockRef::from(&*tcp)
            .set_send_buffer_size(SEND_BUFFER)
            .unwrap();
    });
    tokio::spawn(async move { axum::serve(listener, stream::router(state)).await.unwrap() });

    let subscribe =
        json!({"type": "subscribe-table", "id": "ns", "cluster": "demo", "table": "namespaces"});
    let mut slow = tiny_buffer_client(&url).await;
    send(&mut slow, subscribe.clone()).await;
    next_where(
        &mut slow,
        "the slow client's snapshot",
        is("table-snapshot", "ns"),
    )
    .await;
    let mut reader = connect(&url).await;
    send(&mut reader, subscribe).await;
    next_where(
        &mut reader,
        "the reader's snapshot",
        is("table-snapshot", "ns"),
    )
    .await;

    // The slow client reads nothing from here on, while the reader keeps up.
    let store = sim.store();
    let namespaces = store.def("", "namespaces");
    let wanted: BTreeSet<String> = (0..CREATED).map(|i| format!("burst-{i:04}")).collect();
    let names: Vec<&String> = wanted.iter().collect();
    for batch in names.chunks(BATCH) {
        for name in batch {
            store
                .create(
                    &namespaces,
                    "",
                    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}),
                )
                .unwrap();
        }
        tokio::time::sleep(stream::COALESCE * 2).await;
    }
    let mut seen = BTreeSet::new();
    while !wanted.is_subset(&seen) {
        let message = next_where(&mut reader, "the reader's rows", |m| m["id"] == "ns").await;
        seen.extend(names_in(&message, "upserts"));
        seen.extend(names_in(&message, "rows"));
    }

    // Now the slow client reads: somewhere in what it gets is a resync snapshot, and in the
    // end it holds every namespace.
    let mut resynced = false;
    let mut held = BTreeSet::new();
    while !wanted.is_subset(&held) {
        let message =
            next_where(&mut slow, "the slow client's messages", |m| m["id"] == "ns").await;
        if message["type"] == "table-snapshot" {
            resynced |= message["resync"] == true;
            held = names_in(&message, "rows").into_iter().collect();
        } else {
            held.extend(names_in(&message, "upserts"));
        }
    }
    assert!(resynced, "the slow client was never resynced");
}

/// The demo cluster without churn, and the kernel's API (with the cluster plugin) over it.
async fn demo_kernel() -> (SimHandle, String) {
    let sim = Sim::start(SimConfig {
        churn: false,
        ..SimConfig::demo()
    })
    .await
    .unwrap();
    let clusters = ClusterRegistry::new();
    clusters.insert(Cluster::new(
        ClusterName::new("demo"),
        sim.client_for("admin"),
    ));
    let host = PluginHost::new(test_limits(), None, Arc::new(clusters)).unwrap();
    host.load(source(cluster_plugin())).await.unwrap();
    let kernel = serve_app(AppState::local(Arc::new(host))).await;
    let stream = format!("{}/api/v1/stream", kernel.replace("http", "ws"));
    (sim, stream)
}

/// Polls `done` until it holds; the bound is generous, it only keeps a hang from lasting.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    let wait = async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(WAIT, wait)
        .await
        .unwrap_or_else(|_| panic!("{what} did not happen within {WAIT:?}"));
}

/// A small deterministic generator (xorshift), so a failing run can be replayed.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides
    }
}

/// Label selectors of the namespaces table: each is a watch of its own (`None`: every one).
const SELECTORS: [Option<&str>; 3] = [
    None,
    Some("kubernetes.io/metadata.name=shop"),
    Some("kubernetes.io/metadata.name!=shop"),
];

/// One client's life: subscribes to a few views of the namespaces, reads a little or not at all, unsubscribes
/// some, and leaves by closing politely or by dropping the connection.
async fn random_client(url: String, seed: u64) {
    let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut socket = connect(&url).await;
    let subscriptions = 1 + dice.roll(3);
    for n in 0..subscriptions {
        let selector = SELECTORS[dice.roll(SELECTORS.len() as u64) as usize];
        let id = format!("s{n}");
        send(
            &mut socket,
            json!({"type": "subscribe-table", "id": id, "cluster": "demo", "table": "namespaces",
                   "labelSelector": selector}),
        )
        .await;
        if dice.roll(2) == 0 {
            let _ = tokio::time::timeout(WAIT, socket.next()).await;
        }
        if dice.roll(3) == 0 {
            send(&mut socket, json!({"type": "unsubscribe", "id": id})).await;
        }
    }
    if dice.roll(2) == 0 {
        let _ = socket.close(None).await;
    }
    // Else the socket is just dropped: the connection ends without a close frame.
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_clients_that_subscribe_and_drop_at_random_release_every_watch() {
    const CLIENTS: u64 = 200;
    let (sim, url) = demo_kernel().await;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|seed| tokio::spawn(random_client(url.clone(), seed)))
        .collect();
    for client in clients {
        client.await.unwrap();
    }
    let store = sim.store();
    assert!(store.watch_stats().started > 0, "no client got a watch");
    eventually("the release of every watch", || {
        store.watch_stats().open == 0
    })
    .await;

    // And the kernel still serves: a new client gets its snapshot.
    let mut socket = connect(&url).await;
    send(
        &mut socket,
        json!({"type": "subscribe-table", "id": "ns", "cluster": "demo", "table": "namespaces"}),
    )
    .await;
    let snapshot = next_where(&mut socket, "the snapshot", is("table-snapshot", "ns")).await;
    assert!(!snapshot["rows"].as_array().unwrap().is_empty());
}

/// The next error message on `socket` for subscription `id` (`None`: not about one).
async fn error_for(socket: &mut Socket, id: Option<&str>) -> String {
    let wanted = id.map_or(Value::Null, |id| json!(id));
    let error = next_where(socket, "the error", |m| {
        m["type"] == "error" && m["id"] == wanted
    })
    .await;
    error["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_oversized_message_is_refused_with_an_error_and_a_1009_close() {
    let (_sim, url) = demo_kernel().await;
    let mut socket = connect(&url).await;
    let padding = "x".repeat(headlamp_kernel::stream::MAX_CLIENT_MESSAGE + 1);
    let huge = json!({"type": "unsubscribe", "id": padding}).to_string();
    // The kernel may close before the whole message is written; that is the point.
    let _ = socket.send(Message::Text(huge.into())).await;
    let error = error_for(&mut socket, None).await;
    assert!(error.contains("message too large"), "{error}");
    let close = tokio::time::timeout(WAIT, async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    })
    .await
    .expect("no close frame");
    assert_eq!(close.map(|f| u16::from(f.code)), Some(1009));

    // Other clients are not affected.
    let mut other = connect(&url).await;
    send(
        &mut other,
        json!({"type": "subscribe-table", "id": "ns", "cluster": "demo", "table": "namespaces"}),
    )
    .await;
    next_where(&mut other, "the snapshot", is("table-snapshot", "ns")).await;
}

#[tokio::test]
async fn a_binary_message_is_answered_with_an_error() {
    let (_sim, url) = demo_kernel().await;
    let mut socket = connect(&url).await;
    socket
        .send(Message::Binary(vec![0, 159, 146, 150].into()))
        .await
        .unwrap();
    let error = error_for(&mut socket, None).await;
    assert!(error.contains("JSON text"), "{error}");
}

#[tokio::test]
async fn unsubscribing_before_subscribing_is_answered_with_an_error_naming_the_id() {
    let (_sim, url) = demo_kernel().await;
    let mut socket = connect(&url).await;
    send(&mut socket, json!({"type": "unsubscribe", "id": "early"})).await;
    let error = error_for(&mut socket, Some("early")).await;
    assert!(error.contains("no subscription"), "{error}");
}

#[tokio::test]
async fn moving_the_window_of_an_unknown_subscription_is_answered_with_an_error() {
    let (_sim, url) = demo_kernel().await;
    let mut socket = connect(&url).await;
    send(
        &mut socket,
        json!({"type": "set-window", "id": "ghost", "window": {"offset": 0, "limit": 10}}),
    )
    .await;
    let error = error_for(&mut socket, Some("ghost")).await;
    assert!(error.contains("no table subscription"), "{error}");
}

#[tokio::test]
async fn input_for_an_exec_session_that_never_started_is_answered_with_an_error() {
    let (_sim, url) = demo_kernel().await;
    let mut socket = connect(&url).await;
    send(
        &mut socket,
        json!({"type": "stdin", "id": "term", "data": "ls\n"}),
    )
    .await;
    let error = error_for(&mut socket, Some("term")).await;
    assert!(error.contains("no exec session"), "{error}");
    send(
        &mut socket,
        json!({"type": "resize", "id": "term", "cols": 80, "rows": 24}),
    )
    .await;
    let error = error_for(&mut socket, Some("term")).await;
    assert!(error.contains("no exec session"), "{error}");
}

#[tokio::test]
async fn a_flood_of_bad_messages_is_answered_one_error_each_and_the_socket_keeps_serving() {
    const BAD: usize = 500;
    let (_sim, url) = demo_kernel().await;
    let mut socket = connect(&url).await;
    for n in 0..BAD {
        let bad = match n % 3 {
            0 => "{not json".to_string(),
            1 => json!({"type": "subscribe-everything", "id": n.to_string()}).to_string(),
            _ => json!({"type": "unsubscribe", "id": n.to_string()}).to_string(),
        };
        socket.send(Message::Text(bad.into())).await.unwrap();
    }
    for _ in 0..BAD {
        next_where(&mut socket, "an error", |m| m["type"] == "error").await;
    }
    send(
        &mut socket,
        json!({"type": "subscribe-table", "id": "ns", "cluster": "demo", "table": "namespaces"}),
    )
    .await;
    next_where(&mut socket, "the snapshot", is("table-snapshot", "ns")).await;
}
