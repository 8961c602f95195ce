//! One running watch, shared by its subscribers, and one subscriber's view of it.

use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use kube::api::{Api, DynamicObject};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use serde_json::Value;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use super::cache::{Change, ObjectCache, Objects};
use super::key::WatchKey;
use crate::cluster::Resource;

/// What the watch task and the subscribers share. The cache is changed and the change is
/// broadcast under one lock, so a snapshot plus a receiver taken under it never miss or
/// repeat a change.
struct WatchState {
    cache: Mutex<ObjectCache>,
    sender: broadcast::Sender<Change>,
}

impl WatchState {
    fn snapshot_and_subscribe(&self) -> (Option<Objects>, broadcast::Receiver<Change>) {
        let mut cache = self.cache.lock().expect("watch cache");
        (cache.snapshot(), self.sender.subscribe())
    }

    fn publish(&self, update: impl FnOnce(&mut ObjectCache) -> Vec<Change>) {
        let mut cache = self.cache.lock().expect("watch cache");
        for change in update(&mut cache) {
            // No receiver is not an error: the hub drops the watch when the last one leaves.
            let _ = self.sender.send(change);
        }
    }
}

/// A running list-then-watch of one [`WatchKey`]: kube's watcher resumes from the last
/// resourceVersion, relists on 410 Gone and backs off on errors. It stops when dropped, that
/// is when its last [`Subscription`] is dropped.
pub struct SharedWatch {
    key: WatchKey,
    state: Arc<WatchState>,
    task: JoinHandle<()>,
    running: Arc<AtomicUsize>,
}

impl SharedWatch {
    /// Starts watching `key` through `client`; `capacity` bounds the changes buffered per
    /// subscriber before a slow one is resynced; each watch request lasts `timeout` (which
    /// also bounds how long a silent, stalled one goes unnoticed); `running` counts live
    /// watches.
    pub(crate) fn start(
        key: WatchKey,
        client: kube::Client,
        resource: Resource,
        capacity: usize,
        timeout: Duration,
        running: Arc<AtomicUsize>,
    ) -> Arc<Self> {
        let (sender, _) = broadcast::channel(capacity.max(1));
        let state = Arc::new(WatchState {
            cache: Mutex::new(ObjectCache::new()),
            sender,
        });
        let api: Api<DynamicObject> = match &key.namespace {
            Some(ns) => Api::namespaced_with(client, ns, &resource.api),
            None => Api::all_with(client, &resource.api),
        };
        let seconds = u32::try_from(timeout.as_secs()).unwrap_or(u32::MAX).max(1);
        let mut config = watcher::Config::default().timeout(seconds);
        if let Some(selector) = &key.label_selector {
            config = config.labels(selector);
        }
        running.fetch_add(1, Ordering::SeqCst);
        let task = tokio::spawn(run(key.to_string(), api, config, resource, state.clone()));
        Arc::new(Self {
            key,
            state,
            task,
            running,
        })
    }

    /// What is watched.
    pub fn key(&self) -> &WatchKey {
        &self.key
    }

    /// A new subscriber: it gets the cached objects (at once when the first list is done,
    /// else as soon as it is) and then every change.
    pub fn subscribe(self: &Arc<Self>) -> Subscription {
        let (first, receiver) = self.state.snapshot_and_subscribe();
        Subscription {
            watch: self.clone(),
            receiver,
            first,
        }
    }
}

impl Drop for SharedWatch {
    fn drop(&mut self) {
        self.task.abort();
        self.running.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn run(
    what: String,
    api: Api<DynamicObject>,
    config: watcher::Config,
    resource: Resource,
    state: Arc<WatchState>,
) {
    let value = |object: DynamicObject| crate::cluster::with_type_meta(object, &resource);
    let mut events = pin!(watcher::watcher(api, config).default_backoff());
    while let Some(event) = events.next().await {
        state.publish(|cache| match event {
            Ok(Event::Apply(o)) => cache.apply(value(o)).into_iter().collect(),
            Ok(Event::Delete(o)) => cache.delete(value(o)).into_iter().collect(),
            Ok(Event::Init) => {
                cache.begin_relist();
                Vec::new()
            }
            Ok(Event::InitApply(o)) => {
                cache.relist_apply(value(o));
                Vec::new()
            }
            Ok(Event::InitDone) => cache.finish_relist(),
            Err(error) => {
                tracing::warn!(watch = %what, %error, "watch failed; retrying with backoff");
                vec![Change::Error(
                    format!(
                        "watching {what} failed: {error}; the kernel retries with backoff, check the cluster's reachability and RBAC"
                    )
                    .into(),
                )]
            }
        });
    }
}

/// What a subscriber receives.
#[derive(Debug, Clone)]
pub enum Update {
    /// Every object: the first update, and again (`resync`) after the subscriber fell so far
    /// behind that changes were dropped. It replaces everything the subscriber had.
    Snapshot {
        /// The objects, in namespace/name order.
        objects: Objects,
        /// Whether this replaces an earlier snapshot after changes were dropped.
        resync: bool,
    },
    /// An object was added or changed.
    Upsert(Arc<Value>),
    /// An object was deleted.
    Delete(Arc<Value>),
    /// The watch failed and is retrying; what the subscriber has is still the last known state.
    Error(Arc<str>),
}

/// One subscriber of a [`SharedWatch`]; dropping it unsubscribes.
pub struct Subscription {
    watch: Arc<SharedWatch>,
    receiver: broadcast::Receiver<Change>,
    first: Option<Objects>,
}

impl Subscription {
    /// The watch this subscription shares.
    pub fn key(&self) -> &WatchKey {
        self.watch.key()
    }

    /// The next update; `None` only if the watch has stopped.
    pub async fn next(&mut self) -> Option<Update> {
        if let Some(objects) = self.first.take() {
            return Some(Update::Snapshot {
                objects,
                resync: false,
            });
        }
        loop {
            match self.receiver.recv().await {
                Ok(Change::Snapshot(objects)) => {
                    return Some(Update::Snapshot {
                        objects,
                        resync: false,
                    });
                }
                Ok(Change::Upsert(o)) => return Some(Update::Upsert(o)),
                Ok(Change::Delete(o)) => return Some(Update::Delete(o)),
                Ok(Change::Error(e)) => return Some(Update::Error(e)),
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // The buffered changes are no longer complete: start over from the cache
                    // with a receiver taken at the same instant.
                    let (objects, receiver) = self.watch.state.snapshot_and_subscribe();
                    self.receiver = receiver;
                    if let Some(objects) = objects {
                        return Some(Update::Snapshot {
                            objects,
                            resync: true,
                        });
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}
