//! Table snapshots computed once and shared: every subscriber that joins a table while its
//! watch's objects are unchanged gets the same rows, computed (plugin cells, can-i answers)
//! and serialised once. Fifty browsers opening one 10,000-pod table cost one computation.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use crate::watch::{Objects, WatchKey};

/// A computed snapshot: the JSON members `"columns":…,"rows":…,"errors":…` of a
/// `table-snapshot` message, without braces, ready to be wrapped per subscriber.
pub type SnapshotBody = Arc<Result<String, String>>;

/// Computed snapshots by table and watch, each for one set of objects.
#[derive(Default)]
pub struct SnapshotCache {
    entries: Mutex<HashMap<(String, WatchKey), Entry>>,
}

struct Entry {
    /// The objects the snapshot is of; also what tells when the entry is stale.
    objects: Objects,
    body: Arc<OnceCell<SnapshotBody>>,
}

impl SnapshotCache {
    /// The snapshot of `table` over `objects` of watch `key`, computed by `compute` unless a
    /// subscriber already did (or is doing) it for the very same objects.
    pub async fn get_or_compute<F, Fut>(
        &self,
        table: &str,
        key: &WatchKey,
        objects: &Objects,
        compute: F,
    ) -> SnapshotBody
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<String, String>>,
    {
        let body = {
            let mut entries = self.entries.lock().expect("snapshot cache");
            // An entry is stale once only it still holds its objects: the watch moved on (a
            // change makes a new set) or stopped.
            entries.retain(|_, entry| Arc::strong_count(&entry.objects) > 1);
            let entry = entries
                .entry((table.to_string(), key.clone()))
                .or_insert_with(|| Entry {
                    objects: objects.clone(),
                    body: Arc::new(OnceCell::new()),
                });
            if !Arc::ptr_eq(&entry.objects, objects) {
                *entry = Entry {
                    objects: objects.clone(),
                    body: Arc::new(OnceCell::new()),
                };
            }
            entry.body.clone()
        };
        body.get_or_init(|| async { Arc::new(compute().await) })
            .await
            .clone()
    }

    /// How many snapshots are held.
    pub fn len(&self) -> usize {
        self.entries.lock().expect("snapshot cache").len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{ClusterName, Gvk};
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn key() -> WatchKey {
        WatchKey::new(
            ClusterName::new("c"),
            Gvk {
                group: String::new(),
                version: "v1".into(),
                kind: "Pod".into(),
            },
        )
    }

    #[tokio::test]
    async fn subscribers_of_the_same_objects_share_one_computation() {
        let cache = SnapshotCache::default();
        let objects: Objects = Arc::new(vec![]);
        let runs = AtomicUsize::new(0);
        let compute = || async {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok("\"rows\":[]".to_string())
        };
        let key = key();
        let (a, b) = tokio::join!(
            cache.get_or_compute("pods", &key, &objects, compute),
            cache.get_or_compute("pods", &key, &objects, compute),
        );
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(Arc::ptr_eq(&a, &b));
    }

    #[tokio::test]
    async fn new_objects_are_computed_again_and_the_old_snapshot_is_dropped() {
        let cache = SnapshotCache::default();
        let old: Objects = Arc::new(vec![]);
        let body = cache
            .get_or_compute("pods", &key(), &old, || async { Ok("old".into()) })
            .await;
        assert_eq!(body.as_deref(), Ok("old"));
        drop(old);
        let new: Objects = Arc::new(vec![]);
        let body = cache
            .get_or_compute("pods", &key(), &new, || async { Ok("new".into()) })
            .await;
        assert_eq!(body.as_deref(), Ok("new"));
        assert_eq!(cache.len(), 1);
        drop(new);
        let other: Objects = Arc::new(vec![]);
        cache
            .get_or_compute("nodes", &key(), &other, || async { Ok(String::new()) })
            .await;
        assert_eq!(cache.len(), 1, "entries whose objects are gone are swept");
    }
}
