//! The objects one watch has seen. Pure: the watch task feeds it events and broadcasts the
//! changes it returns, so what subscribers see is exactly what the cache holds.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

/// An object's place in the cache: namespace and name (a re-created object replaces its
/// predecessor's row rather than adding a second one).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectRef {
    /// Namespace, for namespaced kinds.
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
}

impl ObjectRef {
    /// The reference of an object as the API server returns it.
    pub fn of(object: &Value) -> Self {
        let meta = &object["metadata"];
        Self {
            namespace: meta["namespace"].as_str().map(str::to_string),
            name: meta["name"].as_str().unwrap_or_default().to_string(),
        }
    }
}

/// A complete set of objects, shared by every subscriber that receives it.
pub type Objects = Arc<Vec<Arc<Value>>>;

/// What a shared watch tells its subscribers.
#[derive(Debug, Clone)]
pub enum Change {
    /// The complete set of objects, once the first list is done.
    Snapshot(Objects),
    /// An object was added or changed.
    Upsert(Arc<Value>),
    /// An object was deleted (its last known state).
    Delete(Arc<Value>),
    /// The watch failed; it retries with backoff and the cache stays as it was.
    Error(Arc<str>),
}

/// The objects of one watch, and the buffer of a relist in progress.
#[derive(Debug, Default)]
pub struct ObjectCache {
    objects: BTreeMap<ObjectRef, Arc<Value>>,
    relisting: Option<BTreeMap<ObjectRef, Arc<Value>>>,
    ready: bool,
    /// The last snapshot, while nothing changed: subscribers joining a quiet watch share it
    /// (and so can share what is computed from it).
    memo: Option<Objects>,
}

impl ObjectCache {
    /// An empty cache, not yet listed.
    pub fn new() -> Self {
        Self::default()
    }

    /// The objects once the first list is done, in namespace/name order; the same `Arc` until
    /// something changes.
    pub fn snapshot(&mut self) -> Option<Objects> {
        if !self.ready {
            return None;
        }
        let objects = &self.objects;
        Some(
            self.memo
                .get_or_insert_with(|| Arc::new(objects.values().cloned().collect()))
                .clone(),
        )
    }

    /// How many objects are cached.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether no object is cached.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// An object was added or modified. `None` when it is already cached at that
    /// resourceVersion (a resumed watch may replay it), so nobody recomputes a row for nothing.
    pub fn apply(&mut self, object: Value) -> Option<Change> {
        let key = ObjectRef::of(&object);
        if self
            .objects
            .get(&key)
            .is_some_and(|old| same_version(old, &object))
        {
            return None;
        }
        let object = Arc::new(object);
        self.objects.insert(key, object.clone());
        self.memo = None;
        Some(Change::Upsert(object))
    }

    /// An object was deleted. `None` when it was not cached.
    pub fn delete(&mut self, object: Value) -> Option<Change> {
        let key = ObjectRef::of(&object);
        self.objects.remove(&key)?;
        self.memo = None;
        Some(Change::Delete(Arc::new(object)))
    }

    /// A (re)list starts; the current objects stay visible until it is done.
    pub fn begin_relist(&mut self) {
        self.relisting = Some(BTreeMap::new());
    }

    /// One object of the list in progress.
    pub fn relist_apply(&mut self, object: Value) {
        let buffer = self.relisting.get_or_insert_with(BTreeMap::new);
        buffer.insert(ObjectRef::of(&object), Arc::new(object));
    }

    /// The list is complete. The first one yields the snapshot; a later one (after a dropped
    /// or expired watch) yields only the differences, so subscribers neither lose nor
    /// duplicate rows and pay only for what changed while the watch was down.
    pub fn finish_relist(&mut self) -> Vec<Change> {
        let fresh = self.relisting.take().unwrap_or_default();
        let old = std::mem::replace(&mut self.objects, fresh);
        self.memo = None;
        if !self.ready {
            self.ready = true;
            return self.snapshot().map(Change::Snapshot).into_iter().collect();
        }
        let mut changes = Vec::new();
        for (key, object) in &self.objects {
            match old.get(key) {
                Some(previous) if same_version(previous, object) => {}
                _ => changes.push(Change::Upsert(object.clone())),
            }
        }
        for (key, object) in old {
            if !self.objects.contains_key(&key) {
                changes.push(Change::Delete(object));
            }
        }
        changes
    }
}

fn same_version(a: &Value, b: &Value) -> bool {
    let rv = |o: &Value| {
        o["metadata"]["resourceVersion"]
            .as_str()
            .map(str::to_string)
    };
    match (rv(a), rv(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ns(name: &str, rv: &str) -> Value {
        json!({"metadata": {"name": name, "resourceVersion": rv}})
    }

    fn names(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .map(|c| match c {
                Change::Snapshot(all) => format!("snapshot:{}", all.len()),
                Change::Upsert(o) => format!("upsert:{}", o["metadata"]["name"].as_str().unwrap()),
                Change::Delete(o) => format!("delete:{}", o["metadata"]["name"].as_str().unwrap()),
                Change::Error(e) => format!("error:{e}"),
            })
            .collect()
    }

    fn listed(objects: &[Value]) -> ObjectCache {
        let mut cache = ObjectCache::new();
        cache.begin_relist();
        for o in objects {
            cache.relist_apply(o.clone());
        }
        cache.finish_relist();
        cache
    }

    #[test]
    fn there_is_no_snapshot_before_the_first_list_is_done() {
        let mut cache = ObjectCache::new();
        cache.begin_relist();
        cache.relist_apply(ns("a", "1"));
        assert!(cache.snapshot().is_none());
        assert_eq!(names(&cache.finish_relist()), ["snapshot:1"]);
        assert_eq!(cache.snapshot().unwrap().len(), 1);
    }

    #[test]
    fn a_replayed_object_at_the_same_version_is_not_a_change() {
        let mut cache = listed(&[ns("a", "1")]);
        assert!(cache.apply(ns("a", "1")).is_none());
        assert_eq!(
            names(&cache.apply(ns("a", "2")).into_iter().collect::<Vec<_>>()),
            ["upsert:a"]
        );
    }

    #[test]
    fn deleting_an_unknown_object_is_not_a_change() {
        let mut cache = listed(&[ns("a", "1")]);
        assert!(cache.delete(ns("b", "1")).is_none());
        assert!(cache.delete(ns("a", "1")).is_some());
        assert!(cache.is_empty());
    }

    #[test]
    fn a_relist_yields_only_what_changed_while_the_watch_was_down() {
        let mut cache = listed(&[ns("kept", "1"), ns("changed", "1"), ns("gone", "1")]);
        cache.begin_relist();
        // The old objects stay visible while the relist is in progress.
        assert_eq!(cache.snapshot().unwrap().len(), 3);
        for o in [ns("kept", "1"), ns("changed", "2"), ns("new", "1")] {
            cache.relist_apply(o);
        }
        let mut changes = names(&cache.finish_relist());
        changes.sort();
        assert_eq!(changes, ["delete:gone", "upsert:changed", "upsert:new"]);
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn objects_are_keyed_by_namespace_and_name() {
        let mut cache = listed(&[]);
        let a = json!({"metadata": {"namespace": "x", "name": "p", "resourceVersion": "1"}});
        let b = json!({"metadata": {"namespace": "y", "name": "p", "resourceVersion": "1"}});
        cache.apply(a);
        cache.apply(b);
        assert_eq!(cache.len(), 2);
    }
}
