//! Watch: streams ADDED/MODIFIED/DELETED/BOOKMARK/ERROR events as JSON lines.

use crate::error::ApiError;
use crate::registry::ResourceDef;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::store::{EventType, Store};
use crate::table;
use bytes::Bytes;
use futures::Stream;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// Parameters of one watch request.
#[derive(Debug, Clone, Default)]
pub struct WatchParams {
    /// Namespace filter (None = all namespaces).
    pub namespace: Option<String>,
    /// Start after this resourceVersion; None or 0 starts with the current state as ADDED events.
    pub resource_version: Option<u64>,
    /// sendInitialEvents=true: current state first, then a bookmark marking the end.
    pub send_initial_events: bool,
    /// allowWatchBookmarks=true.
    pub bookmarks: bool,
    /// Bookmark period.
    pub bookmark_interval: Duration,
    /// timeoutSeconds.
    pub timeout: Option<Duration>,
    /// labelSelector.
    pub labels: LabelSelector,
    /// fieldSelector.
    pub fields: FieldSelector,
    /// Some(includeObject) when the client asked for Table output.
    pub table: Option<String>,
}

struct Emitter {
    tx: mpsc::Sender<Bytes>,
    def: ResourceDef,
    table: Option<String>,
    first_row: bool,
}

impl Emitter {
    async fn send(&mut self, kind: &str, object: &Value) -> bool {
        let table;
        let object = match (&self.table, kind) {
            (Some(include), "ADDED" | "MODIFIED" | "DELETED") => {
                table = table::table(
                    &self.def,
                    std::slice::from_ref(object),
                    include,
                    self.first_row,
                );
                self.first_row = false;
                &table
            }
            _ => object,
        };
        // Written by hand so fan-out serializes the shared object without copying it.
        let mut line = format!("{{\"type\":\"{kind}\",\"object\":").into_bytes();
        if serde_json::to_writer(&mut line, object).is_err() {
            return false;
        }
        line.extend_from_slice(b"}\n");
        self.tx.send(Bytes::from(line)).await.is_ok()
    }

    async fn bookmark(&mut self, rv: u64, initial_end: bool) -> bool {
        let mut meta = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let obj =
            json!({"kind": self.def.kind, "apiVersion": self.def.api_version(), "metadata": meta});
        self.send("BOOKMARK", &obj).await
    }
}

/// Starts a watch and returns the body stream; the producing task ends when the client goes away.
pub fn watch(
    store: Store,
    def: ResourceDef,
    p: WatchParams,
) -> impl Stream<Item = Result<Bytes, Infallible>> {
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    let mut disconnect = store.watch_disconnects();
    let mut stall = store.watch_stalls();
    tokio::spawn(async move {
        let _open = store.open_watch();
        let closed = tx.clone();
        // Biased: a disconnect asked for wins over events already waiting, as a dropped
        // connection would lose them.
        let stalled = tokio::select! {
            biased;
            _ = disconnect.recv() => false,
            _ = stall.recv() => true,
            _ = closed.closed() => false,
            _ = run(store.clone(), def, p, tx) => false,
        };
        if stalled {
            // The producer is gone but the body stays open: the client sees a live connection
            // that never sends another byte, until it gives up and hangs up.
            closed.closed().await;
        }
    });
    futures::stream::unfold(
        rx,
        |mut rx| async move { rx.recv().await.map(|b| (Ok(b), rx)) },
    )
}

async fn run(store: Store, def: ResourceDef, p: WatchParams, tx: mpsc::Sender<Bytes>) {
    let mut em = Emitter {
        tx,
        def: def.clone(),
        table: p.table.clone(),
        first_row: true,
    };
    let key = def.key();
    store.count_watch(false);
    let wanted = |o: &Value| p.labels.matches(o) && p.fields.matches(o);
    let in_ns = |ns: &str| {
        p.namespace
            .as_deref()
            .is_none_or(|want| !def.namespaced || want == ns)
    };
    let start = p
        .resource_version
        .filter(|rv| *rv > 0 && !p.send_initial_events);
    // With a selector, objects move in and out of the watched set: like the real server, an
    // object that stops matching is reported as DELETED and one that starts matching as ADDED.
    let filtered = !p.labels.is_empty() || !p.fields.is_empty();
    let mut members: HashSet<(String, String)> = if filtered {
        store
            .list(&def, p.namespace.as_deref())
            .0
            .iter()
            .filter(|o| wanted(o))
            .map(pos)
            .collect()
    } else {
        HashSet::new()
    };
    let (mut last_rv, mut rx) = match start {
        Some(rv) => match store.subscribe_from(&key, rv) {
            Ok((past, rx)) => {
                for ev in past {
                    if in_ns(&ev.namespace)
                        && wanted(&ev.object)
                        && !em.send(ev.kind.as_str(), &ev.object).await
                    {
                        return;
                    }
                }
                (store.current_rv().max(rv), rx)
            }
            Err(e) => {
                store.count_watch(true);
                em.send("ERROR", &e.status()).await;
                return;
            }
        },
        None => {
            let (items, rv, rx) = store.snapshot_and_subscribe(&def, p.namespace.as_deref());
            for o in items.into_iter().filter(|o| wanted(o)) {
                if filtered {
                    members.insert(pos(&o));
                }
                if !em.send("ADDED", &o).await {
                    return;
                }
            }
            if p.send_initial_events && !em.bookmark(rv, true).await {
                return;
            }
            (rv, rx)
        }
    };
    let deadline = p.timeout.map(|t| tokio::time::Instant::now() + t);
    let mut tick = tokio::time::interval(p.bookmark_interval.max(Duration::from_millis(10)));
    tick.tick().await;
    loop {
        let timeout = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            ev = rx.recv() => match ev {
                Ok(ev) => {
                    if ev.key != key || ev.rv <= last_rv || !in_ns(&ev.namespace) {
                        continue;
                    }
                    last_rv = ev.rv;
                    let kind = classify(ev.kind, &ev.object, filtered, wanted(&ev.object), &mut members);
                    if let Some(kind) = kind
                        && !em.send(kind, &ev.object).await
                    {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // This watcher fell behind the fan-out buffer; like the real server, make it re-list.
                    em.send("ERROR", &ApiError::gone(format!("too old resource version: {last_rv}")).status()).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = tick.tick(), if p.bookmarks => {
                if !em.bookmark(last_rv, false).await {
                    return;
                }
            }
            _ = timeout => return,
        }
    }
}

fn pos(o: &Value) -> (String, String) {
    let m = &o["metadata"];
    (
        m["namespace"].as_str().unwrap_or("").to_string(),
        m["name"].as_str().unwrap_or("").to_string(),
    )
}

/// The event type a watcher should see, if any, given whether the object matches its selectors.
fn classify(
    kind: EventType,
    obj: &Value,
    filtered: bool,
    matches: bool,
    members: &mut HashSet<(String, String)>,
) -> Option<&'static str> {
    if !filtered {
        return Some(kind.as_str());
    }
    let key = pos(obj);
    match kind {
        EventType::Deleted => (members.remove(&key) || matches).then_some("DELETED"),
        EventType::Added if matches => {
            members.insert(key);
            Some("ADDED")
        }
        _ if matches => Some(if members.insert(key) {
            "ADDED"
        } else {
            "MODIFIED"
        }),
        _ => members.remove(&key).then_some("DELETED"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selector_transitions_become_added_and_deleted() {
        let o = json!({"metadata": {"namespace": "d", "name": "a"}});
        let mut m = HashSet::new();
        assert_eq!(classify(EventType::Modified, &o, true, false, &mut m), None);
        assert_eq!(
            classify(EventType::Modified, &o, true, true, &mut m),
            Some("ADDED")
        );
        assert_eq!(
            classify(EventType::Modified, &o, true, true, &mut m),
            Some("MODIFIED")
        );
        assert_eq!(
            classify(EventType::Modified, &o, true, false, &mut m),
            Some("DELETED")
        );
        assert_eq!(
            classify(EventType::Modified, &o, false, false, &mut m),
            Some("MODIFIED")
        );
    }
}
