//! Finds or starts the shared watch for a key.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use super::key::WatchKey;
use super::shared::{SharedWatch, Subscription};
use crate::cluster::{ClusterError, ClusterRegistry};

/// Changes buffered per subscriber before a slow one is resynced with a fresh snapshot.
pub const DEFAULT_CAPACITY: usize = 1024;

/// How long the API server keeps one watch request open (`timeoutSeconds`). kube's watcher
/// resumes from the last resourceVersion after it, and treats a watch that sent nothing for
/// this long plus 5 s as dead (a hung server or proxy) and reconnects: so this also bounds how
/// long a stalled watch goes unnoticed. kube's own default, 290 s, left a stalled table stale
/// for five minutes.
pub const DEFAULT_WATCH_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a watch could not be started.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The cluster is unknown, or discovery of the kind failed.
    #[error("cannot watch {key}: {error}")]
    Cluster {
        /// What was to be watched.
        key: WatchKey,
        /// What the cluster said.
        error: ClusterError,
    },
    /// The API server does not serve `watch` for the kind.
    #[error(
        "cannot watch {key}: the API server does not offer `watch` on it (verbs: {verbs}); use a list instead"
    )]
    NotWatchable {
        /// What was to be watched.
        key: WatchKey,
        /// The verbs it does offer.
        verbs: String,
    },
}

/// Every shared watch of the kernel. Subscribers with the same [`WatchKey`] share one watch;
/// it stops when the last of them drops its [`Subscription`].
pub struct WatchHub {
    clusters: Arc<ClusterRegistry>,
    capacity: usize,
    watch_timeout: Duration,
    // Weak so that the hub alone never keeps a watch running.
    watches: Mutex<HashMap<WatchKey, Weak<SharedWatch>>>,
    running: Arc<AtomicUsize>,
}

impl WatchHub {
    /// A hub over `clusters` with the default buffer per subscriber.
    pub fn new(clusters: Arc<ClusterRegistry>) -> Self {
        Self::with_capacity(clusters, DEFAULT_CAPACITY)
    }

    /// A hub buffering at most `capacity` changes per subscriber (at least 1).
    pub fn with_capacity(clusters: Arc<ClusterRegistry>, capacity: usize) -> Self {
        Self {
            clusters,
            capacity: capacity.max(1),
            watch_timeout: DEFAULT_WATCH_TIMEOUT,
            watches: Mutex::new(HashMap::new()),
            running: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The same hub with another [`DEFAULT_WATCH_TIMEOUT`] for the watches it starts.
    pub fn with_watch_timeout(mut self, timeout: Duration) -> Self {
        self.watch_timeout = timeout;
        self
    }

    /// How many watches are running now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// Subscribes to `key`, joining its watch if one runs and starting it if not.
    pub async fn subscribe(&self, key: WatchKey) -> Result<Subscription, WatchError> {
        let failed = |key: &WatchKey, error| WatchError::Cluster {
            key: key.clone(),
            error,
        };
        let cluster = self
            .clusters
            .get_as(key.cluster.as_str(), &key.identity)
            .map_err(|e| failed(&key, e))?;
        let resource = cluster
            .resource(&key.gvk)
            .await
            .map_err(|e| failed(&key, e))?;
        if !resource.verbs.is_empty() && !resource.verbs.iter().any(|v| v == "watch") {
            return Err(WatchError::NotWatchable {
                verbs: resource.verbs.join(", "),
                key,
            });
        }
        let key = key.normalised(resource.namespaced);
        let mut watches = self.watches.lock().expect("watch table");
        watches.retain(|_, watch| watch.strong_count() > 0);
        if let Some(watch) = watches.get(&key).and_then(Weak::upgrade) {
            return Ok(watch.subscribe());
        }
        let watch = SharedWatch::start(
            key.clone(),
            cluster.client().clone(),
            resource,
            self.capacity,
            self.watch_timeout,
            self.running.clone(),
        );
        watches.insert(key, Arc::downgrade(&watch));
        Ok(watch.subscribe())
    }
}
