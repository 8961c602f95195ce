//! A client that stops reading never holds up the others, and when it reads again it is
//! resynced with a fresh snapshot instead of the kernel queueing without bound for it.
//!
//! Its queues are made small here (8 buffered watch changes, 4 queued messages) so a few
//! hundred changes overflow them; the defaults are larger but bounded the same way.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::serve::ListenerExt;
use common::socket::*;
use common::*;
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::host::PluginHost;
use headlamp_kernel::stream::{self, StreamState};
use headlamp_kernel::watch::WatchHub;
use kube_sim::{Sim, SimConfig};

use serde_json::{Value, json};
use tokio::net::TcpSocket;

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
