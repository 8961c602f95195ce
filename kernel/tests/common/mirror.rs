//! A client's copy of one live table, kept from the stream's messages, to compare with a
//! fresh list of the cluster after a fault.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams};
use kube_sim::SimHandle;
use serde_json::{Value, json};

use super::socket::{Socket, is, next_where, send};

/// What a client holds for one table subscription: rows by namespace/name.
#[derive(Default)]
pub struct Mirror {
    rows: BTreeMap<String, Value>,
    /// Every error message the subscription got, in order.
    pub errors: Vec<String>,
}

impl Mirror {
    fn key(object: &Value) -> String {
        format!(
            "{}/{}",
            object["namespace"].as_str().unwrap_or(""),
            object["name"].as_str().unwrap()
        )
    }

    /// Applies one stream message of the subscription.
    pub fn apply(&mut self, message: &Value) {
        match message["type"].as_str() {
            Some("table-snapshot") => {
                self.rows.clear();
                for row in message["rows"].as_array().unwrap() {
                    self.rows.insert(Self::key(&row["object"]), row.clone());
                }
            }
            Some("rows") => {
                for row in message["upserts"].as_array().unwrap() {
                    self.rows.insert(Self::key(&row["object"]), row.clone());
                }
                for gone in message["deletes"].as_array().unwrap() {
                    self.rows.remove(&Self::key(gone));
                }
            }
            Some("error") => self
                .errors
                .push(message["message"].as_str().unwrap_or_default().to_string()),
            _ => {}
        }
    }

    /// The rows' names (`namespace/name` for namespaced ones), sorted.
    pub fn names(&self) -> Vec<String> {
        self.rows
            .keys()
            .map(|k| k.trim_start_matches('/').to_string())
            .collect()
    }

    /// Whether a row named `name` is held.
    pub fn has(&self, name: &str) -> bool {
        self.names().iter().any(|n| n == name)
    }
}

/// Reads the subscription `ns`'s messages into `mirror` until `done` holds for it.
pub async fn follow_until(
    socket: &mut Socket,
    mirror: &mut Mirror,
    done: impl Fn(&Mirror) -> bool,
) {
    while !done(mirror) {
        let message = next_where(socket, "a table message", |m| m["id"] == "ns").await;
        mirror.apply(&message);
    }
}

/// The cluster's namespaces, listed now, sorted by name.
pub async fn fresh_namespaces(sim: &SimHandle) -> Vec<String> {
    let mut names: Vec<String> = Api::<Namespace>::all(sim.client())
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|n| n.metadata.name.unwrap())
        .collect();
    names.sort();
    names
}

/// Subscribes as `ns` to the namespaces of cluster `demo` and holds the first snapshot.
pub async fn subscribed(socket: &mut Socket) -> Mirror {
    send(
        socket,
        json!({"type": "subscribe-table", "id": "ns", "cluster": "demo", "table": "namespaces"}),
    )
    .await;
    let mut mirror = Mirror::default();
    mirror.apply(&next_where(socket, "the snapshot", is("table-snapshot", "ns")).await);
    mirror
}

/// A Namespace to create in the store.
pub fn new_namespace(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
}
