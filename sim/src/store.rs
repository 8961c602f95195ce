//! The object store: objects as JSON keyed by (resource, namespace, name), one global
//! resourceVersion counter, a bounded event history and a broadcast channel for watchers.

use crate::error::{ApiError, ApiResult};
use crate::registry::{Registry, ResourceDef, crd_defs};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;

/// Store key of CRDs; writes to it change the registry.
const CRD_KEY: &str = "apiextensions.k8s.io/customresourcedefinitions";

/// ADDED, MODIFIED or DELETED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Object created.
    Added,
    /// Object changed.
    Modified,
    /// Object removed.
    Deleted,
}

impl EventType {
    /// The wire name of the event type.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as kept in history and fanned out to watchers.
#[derive(Debug, Clone)]
pub struct WatchEvent {
    /// resourceVersion this change produced.
    pub rv: u64,
    /// Store key of the resource ("apps/deployments").
    pub key: String,
    /// Namespace of the object ("" for cluster-scoped).
    pub namespace: String,
    /// What happened.
    pub kind: EventType,
    /// The object after the change (last state for DELETED), shared with the store.
    pub object: Arc<Value>,
}

/// A live feed of every change in the store.
pub type EventReceiver = broadcast::Receiver<Arc<WatchEvent>>;

/// How an update treats the incoming object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateMode {
    /// Main resource: status is kept from the stored object when the kind has a status subresource.
    Main,
    /// Status subresource: only status is taken from the incoming object.
    Status,
    /// Both spec and status (controllers and tests writing directly).
    All,
}

struct Inner {
    rv: u64,
    objects: HashMap<String, BTreeMap<(String, String), Arc<Value>>>,
    history: VecDeque<Arc<WatchEvent>>,
    history_limit: usize,
    /// Events with rv <= compacted are no longer in history.
    compacted: u64,
}

/// The in-memory object store, cheap to clone (shared).
#[derive(Clone)]
pub struct Store {
    inner: Arc<Mutex<Inner>>,
    tx: broadcast::Sender<Arc<WatchEvent>>,
    /// Ends every open watch connection when sent to (tests of a dropped watch).
    disconnect: broadcast::Sender<()>,
    /// Silences every open watch connection when sent to (tests of a stalled watch).
    stall: broadcast::Sender<()>,
    watch_stats: Arc<WatchCounters>,
    registry: Registry,
}

#[derive(Default)]
struct WatchCounters {
    started: AtomicUsize,
    gone: AtomicUsize,
    open: AtomicUsize,
}

/// How watches went so far: tests use it to know a reconnect or a 410 really happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchStats {
    /// Watch requests served.
    pub started: usize,
    /// Of those, answered 410 Gone because their resourceVersion was compacted away.
    pub gone: usize,
    /// Watch connections open now: tests use it to know a client released its watches.
    pub open: usize,
}

/// Counts one open watch connection for as long as it lives.
pub(crate) struct OpenWatch(Arc<WatchCounters>);

impl Drop for OpenWatch {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Current time as the RFC 3339 string Kubernetes uses.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Five characters of the alphabet Kubernetes uses for generateName suffixes.
pub fn random_suffix(len: usize) -> String {
    const ALPHA: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let bytes = *uuid::Uuid::new_v4().as_bytes();
    bytes
        .iter()
        .take(len)
        .map(|b| ALPHA[*b as usize % ALPHA.len()] as char)
        .collect()
}

/// The object without metadata and status, to detect spec changes (generation bumps).
fn spec_part(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        for k in ["metadata", "status", "apiVersion", "kind"] {
            m.remove(k);
        }
    }
    v
}

fn meta_str<'a>(v: &'a Value, field: &str) -> &'a str {
    v["metadata"][field].as_str().unwrap_or("")
}

impl Store {
    /// An empty store with the given history window (number of events kept for watch resume).
    pub fn new(registry: Registry, history_limit: usize) -> Self {
        let (tx, _) = broadcast::channel(65536);
        let inner = Inner {
            rv: 1,
            objects: HashMap::new(),
            history: VecDeque::new(),
            history_limit,
            compacted: 0,
        };
        Store {
            inner: Arc::new(Mutex::new(inner)),
            tx,
            disconnect: broadcast::channel(1).0,
            stall: broadcast::channel(1).0,
            watch_stats: Arc::default(),
            registry,
        }
    }

    /// The registry of served kinds (CRDs change it).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Resolves "apps", "deployments" to a definition; convenience for tests and controllers.
    pub fn def(&self, group: &str, plural: &str) -> ResourceDef {
        self.registry
            .find_gr(group, plural)
            .unwrap_or_else(|| panic!("resource {plural}.{group} is not registered"))
    }

    /// The latest resourceVersion.
    pub fn current_rv(&self) -> u64 {
        self.lock().rv
    }

    /// Oldest resourceVersion a watch or continue token may still start from.
    pub fn compacted_rv(&self) -> u64 {
        self.lock().compacted
    }

    /// Ends every open watch connection, as an API server restart or a load balancer would;
    /// clients must resume from their last resourceVersion.
    pub fn drop_watches(&self) {
        let _ = self.disconnect.send(());
    }

    /// Makes every open watch connection fall silent: no events, no bookmarks, but the
    /// connection stays open until the client gives up on it (a hung API server or proxy).
    /// Watches started afterwards are served as usual.
    pub fn stall_watches(&self) {
        let _ = self.stall.send(());
    }

    /// Watch requests served so far, how many of them were answered 410 Gone, and how many
    /// connections are open now.
    pub fn watch_stats(&self) -> WatchStats {
        WatchStats {
            started: self.watch_stats.started.load(Ordering::SeqCst),
            gone: self.watch_stats.gone.load(Ordering::SeqCst),
            open: self.watch_stats.open.load(Ordering::SeqCst),
        }
    }

    /// Counts a watch connection as open until the returned guard is dropped.
    pub(crate) fn open_watch(&self) -> OpenWatch {
        self.watch_stats.open.fetch_add(1, Ordering::SeqCst);
        OpenWatch(self.watch_stats.clone())
    }

    pub(crate) fn count_watch(&self, gone: bool) {
        let counter = if gone {
            &self.watch_stats.gone
        } else {
            &self.watch_stats.started
        };
        counter.fetch_add(1, Ordering::SeqCst);
    }

    /// Fires when [`Store::drop_watches`] is called.
    pub(crate) fn watch_disconnects(&self) -> broadcast::Receiver<()> {
        self.disconnect.subscribe()
    }

    /// Fires when [`Store::stall_watches`] is called.
    pub(crate) fn watch_stalls(&self) -> broadcast::Receiver<()> {
        self.stall.subscribe()
    }

    /// Drops the whole event history, as an etcd compaction would (tests of 410 Gone).
    pub fn compact(&self) {
        let mut g = self.lock();
        g.history.clear();
        g.compacted = g.rv;
    }

    /// Reads one object.
    pub fn get(&self, def: &ResourceDef, ns: &str, name: &str) -> ApiResult<Value> {
        let ns = if def.namespaced { ns } else { "" };
        self.lock()
            .objects
            .get(&def.key())
            .and_then(|m| m.get(&(ns.to_string(), name.to_string())))
            .map(|o| with_type(Value::clone(o), def))
            .ok_or_else(|| ApiError::not_found(&def.qualified(), name))
    }

    /// Lists objects (all namespaces when `ns` is None), sorted by namespace and name, with the list resourceVersion.
    pub fn list(&self, def: &ResourceDef, ns: Option<&str>) -> (Vec<Value>, u64) {
        let g = self.lock();
        let items = match g.objects.get(&def.key()) {
            Some(m) => m
                .iter()
                .filter(|((n, _), _)| ns.is_none_or(|want| !def.namespaced || n == want))
                .map(|(_, v)| with_type(Value::clone(v), def))
                .collect(),
            None => vec![],
        };
        (items, g.rv)
    }

    /// Like [`Store::list`] but shares the stored objects instead of copying them (large lists).
    pub fn list_shared(&self, def: &ResourceDef, ns: Option<&str>) -> (Vec<Arc<Value>>, u64) {
        let g = self.lock();
        let items = match g.objects.get(&def.key()) {
            Some(m) => m
                .iter()
                .filter(|((n, _), _)| ns.is_none_or(|want| !def.namespaced || n == want))
                .map(|(_, v)| shared_typed(v, def))
                .collect(),
            None => vec![],
        };
        (items, g.rv)
    }

    /// Number of objects of a resource (cheap; for benches and load mode).
    pub fn count(&self, def: &ResourceDef) -> usize {
        self.lock().objects.get(&def.key()).map_or(0, |m| m.len())
    }

    fn emit(
        &self,
        g: &mut Inner,
        key: String,
        namespace: String,
        kind: EventType,
        object: Arc<Value>,
    ) {
        let ev = Arc::new(WatchEvent {
            rv: g.rv,
            key,
            namespace,
            kind,
            object,
        });
        g.history.push_back(ev.clone());
        while g.history.len() > g.history_limit {
            if let Some(old) = g.history.pop_front() {
                g.compacted = old.rv;
            }
        }
        // No receivers is normal: nobody is watching.
        let _ = self.tx.send(ev);
    }

    /// Creates an object, filling in server-set metadata.
    pub fn create(&self, def: &ResourceDef, ns: &str, obj: Value) -> ApiResult<Value> {
        self.create_with(def, ns, obj, false)
    }

    /// Creates an object; with `dry_run` everything is checked and filled in but nothing is stored.
    pub fn create_with(
        &self,
        def: &ResourceDef,
        ns: &str,
        mut obj: Value,
        dry_run: bool,
    ) -> ApiResult<Value> {
        if !obj.is_object() {
            return Err(ApiError::bad_request(
                "the request body must be a JSON object",
            ));
        }
        let body_ns = meta_str(&obj, "namespace").to_string();
        if def.namespaced && !body_ns.is_empty() && body_ns != ns {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        if !obj["metadata"].is_object() {
            obj["metadata"] = json!({});
        }
        let mut name = meta_str(&obj, "name").to_string();
        if name.is_empty() {
            let prefix = meta_str(&obj, "generateName");
            if prefix.is_empty() {
                return Err(ApiError::invalid(
                    &def.qualified(),
                    "",
                    "metadata.name: Required value: name or generateName is required",
                ));
            }
            name = format!("{prefix}{}", random_suffix(5));
        }
        let ns = if def.namespaced {
            ns.to_string()
        } else {
            String::new()
        };
        let mut g = self.lock();
        if def.namespaced {
            let exists = g
                .objects
                .get("/namespaces")
                .is_some_and(|m| m.contains_key(&(String::new(), ns.clone())));
            if !exists {
                return Err(ApiError::not_found("namespaces", &ns));
            }
        }
        let key = def.key();
        if g.objects
            .get(&key)
            .is_some_and(|m| m.contains_key(&(ns.clone(), name.clone())))
        {
            return Err(ApiError::already_exists(&def.qualified(), &name));
        }
        if !dry_run {
            g.rv += 1;
        }
        let m = obj["metadata"]
            .as_object_mut()
            .expect("metadata is an object");
        m.insert("name".into(), json!(name));
        if def.namespaced {
            m.insert("namespace".into(), json!(ns));
        } else {
            m.remove("namespace");
        }
        m.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
        m.insert("resourceVersion".into(), json!(g.rv.to_string()));
        if !m.contains_key("creationTimestamp") || m["creationTimestamp"].is_null() {
            m.insert("creationTimestamp".into(), json!(now_rfc3339()));
        }
        m.remove("deletionTimestamp");
        m.remove("managedFields");
        if obj.get("spec").is_some() {
            obj["metadata"]["generation"] = json!(1);
        }
        obj["apiVersion"] = json!(def.api_version());
        obj["kind"] = json!(def.kind);
        if key == "/services" {
            default_service(&mut obj, g.rv);
        }
        if key == "/secrets" && obj.get("type").is_none() {
            obj["type"] = json!("Opaque");
        }
        if key == "/namespaces" && obj.pointer("/status/phase").is_none() {
            obj["status"] = json!({"phase": "Active"});
        }
        if key == CRD_KEY {
            crd_accept(&mut obj);
        }
        if dry_run {
            return Ok(obj);
        }
        g.objects
            .entry(key.clone())
            .or_default()
            .insert((ns.clone(), name), Arc::new(obj.clone()));
        let shared = g.objects[&key]
            .get(&(ns.clone(), meta_str(&obj, "name").to_string()))
            .cloned();
        self.emit(
            &mut g,
            key.clone(),
            ns,
            EventType::Added,
            shared.unwrap_or_else(|| Arc::new(obj.clone())),
        );
        if key == CRD_KEY {
            self.sync_crds(&g);
        }
        Ok(obj)
    }

    /// Replaces an object; a stale metadata.resourceVersion is a 409 Conflict.
    pub fn update(
        &self,
        def: &ResourceDef,
        ns: &str,
        name: &str,
        new: Value,
        mode: UpdateMode,
    ) -> ApiResult<Value> {
        self.update_with(def, ns, name, new, mode, false)
    }

    /// Replaces an object; with `dry_run` the result is computed but not stored.
    pub fn update_with(
        &self,
        def: &ResourceDef,
        ns: &str,
        name: &str,
        new: Value,
        mode: UpdateMode,
        dry_run: bool,
    ) -> ApiResult<Value> {
        if !new.is_object() {
            return Err(ApiError::bad_request(
                "the request body must be a JSON object",
            ));
        }
        let ns = if def.namespaced {
            ns.to_string()
        } else {
            String::new()
        };
        let body_name = meta_str(&new, "name");
        if !body_name.is_empty() && body_name != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        let key = def.key();
        let mut g = self.lock();
        let old = g
            .objects
            .get(&key)
            .and_then(|m| m.get(&(ns.clone(), name.to_string())))
            .map(|o| Value::clone(o))
            .ok_or_else(|| ApiError::not_found(&def.qualified(), name))?;
        let want_rv = meta_str(&new, "resourceVersion");
        if !want_rv.is_empty() && want_rv != meta_str(&old, "resourceVersion") {
            return Err(ApiError::conflict(&def.qualified(), name));
        }
        let mut obj = match mode {
            UpdateMode::Status => {
                let mut o = old.clone();
                o["status"] = new.get("status").cloned().unwrap_or(Value::Null);
                o
            }
            UpdateMode::Main => {
                let mut o = new;
                if def.has_sub("status") {
                    match old.get("status") {
                        Some(s) => o["status"] = s.clone(),
                        None => {
                            o.as_object_mut().map(|m| m.remove("status"));
                        }
                    }
                }
                o
            }
            UpdateMode::All => new,
        };
        if !obj["metadata"].is_object() {
            obj["metadata"] = json!({});
        }
        for f in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "name",
            "namespace",
            "generation",
        ] {
            match old["metadata"].get(f) {
                Some(v) => obj["metadata"][f] = v.clone(),
                None => {
                    obj["metadata"].as_object_mut().map(|m| m.remove(f));
                }
            }
        }
        obj["apiVersion"] = json!(def.api_version());
        obj["kind"] = json!(def.kind);
        obj["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"].clone();
        if obj == old {
            return Ok(with_type(old, def));
        }
        if spec_part(&obj) != spec_part(&old) && obj.get("spec").is_some() {
            let gen_now = old["metadata"]["generation"].as_i64().unwrap_or(0);
            obj["metadata"]["generation"] = json!(gen_now + 1);
        }
        if key == CRD_KEY {
            crd_accept(&mut obj);
        }
        if dry_run {
            return Ok(obj);
        }
        g.rv += 1;
        obj["metadata"]["resourceVersion"] = json!(g.rv.to_string());
        let finalizers_empty = obj["metadata"]["finalizers"]
            .as_array()
            .is_none_or(|a| a.is_empty());
        if obj["metadata"].get("deletionTimestamp").is_some() && finalizers_empty {
            self.remove_locked(&mut g, def, &ns, name, obj.clone());
            return Ok(obj);
        }
        g.objects
            .entry(key.clone())
            .or_default()
            .insert((ns.clone(), name.to_string()), Arc::new(obj.clone()));
        let shared = g.objects[&key][&(ns.clone(), name.to_string())].clone();
        self.emit(&mut g, key.clone(), ns, EventType::Modified, shared);
        if key == CRD_KEY {
            self.sync_crds(&g);
        }
        Ok(obj)
    }

    /// Deletes an object, or marks it with deletionTimestamp while finalizers remain.
    pub fn delete(&self, def: &ResourceDef, ns: &str, name: &str) -> ApiResult<Value> {
        self.delete_with(def, ns, name, false)
    }

    /// Deletes an object; with `dry_run` only checks that it exists.
    pub fn delete_with(
        &self,
        def: &ResourceDef,
        ns: &str,
        name: &str,
        dry_run: bool,
    ) -> ApiResult<Value> {
        let ns = if def.namespaced {
            ns.to_string()
        } else {
            String::new()
        };
        let key = def.key();
        let mut g = self.lock();
        let mut obj = g
            .objects
            .get(&key)
            .and_then(|m| m.get(&(ns.clone(), name.to_string())))
            .map(|o| Value::clone(o))
            .ok_or_else(|| ApiError::not_found(&def.qualified(), name))?;
        if dry_run {
            return Ok(obj);
        }
        let has_finalizers = obj["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|a| !a.is_empty());
        if has_finalizers {
            if obj["metadata"].get("deletionTimestamp").is_some() {
                return Ok(obj);
            }
            g.rv += 1;
            obj["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
            obj["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            obj["metadata"]["resourceVersion"] = json!(g.rv.to_string());
            g.objects
                .entry(key.clone())
                .or_default()
                .insert((ns.clone(), name.to_string()), Arc::new(obj.clone()));
            let shared = g.objects[&key][&(ns.clone(), name.to_string())].clone();
            self.emit(&mut g, key, ns, EventType::Modified, shared);
            return Ok(obj);
        }
        g.rv += 1;
        obj["metadata"]["resourceVersion"] = json!(g.rv.to_string());
        self.remove_locked(&mut g, def, &ns, name, obj.clone());
        Ok(obj)
    }

    /// Removes an object for good, cascading namespaces and CRDs to their contents.
    fn remove_locked(&self, g: &mut Inner, def: &ResourceDef, ns: &str, name: &str, obj: Value) {
        let key = def.key();
        if let Some(m) = g.objects.get_mut(&key) {
            m.remove(&(ns.to_string(), name.to_string()));
        }
        self.emit(
            g,
            key.clone(),
            ns.to_string(),
            EventType::Deleted,
            Arc::new(obj.clone()),
        );
        if key == "/namespaces" {
            // Namespaced contents go with their namespace (the real server does this asynchronously).
            let keys: Vec<String> = g.objects.keys().cloned().collect();
            for k in keys {
                let doomed: Vec<((String, String), Arc<Value>)> = g.objects[&k]
                    .iter()
                    .filter(|((n, _), _)| n == name)
                    .map(|(kk, v)| (kk.clone(), v.clone()))
                    .collect();
                for (kk, v) in doomed {
                    let mut v = Value::clone(&v);
                    g.objects.get_mut(&k).map(|m| m.remove(&kk));
                    g.rv += 1;
                    v["metadata"]["resourceVersion"] = json!(g.rv.to_string());
                    self.emit(g, k.clone(), kk.0, EventType::Deleted, Arc::new(v));
                }
            }
        }
        if key == CRD_KEY {
            for d in crd_defs(&obj) {
                let items = g.objects.remove(&d.key()).unwrap_or_default();
                for ((n, _), v) in items {
                    let mut v = Value::clone(&v);
                    g.rv += 1;
                    v["metadata"]["resourceVersion"] = json!(g.rv.to_string());
                    self.emit(g, d.key(), n, EventType::Deleted, Arc::new(v));
                }
            }
            self.sync_crds(g);
        }
    }

    fn sync_crds(&self, g: &Inner) {
        let crds: Vec<Value> = g
            .objects
            .get(CRD_KEY)
            .map(|m| m.values().map(|v| Value::clone(v)).collect())
            .unwrap_or_default();
        self.registry.set_crds(&crds);
    }

    /// Events of `key` after `rv` from history plus a live receiver; Gone when `rv` is older than the window.
    pub fn subscribe_from(
        &self,
        key: &str,
        rv: u64,
    ) -> ApiResult<(Vec<Arc<WatchEvent>>, EventReceiver)> {
        let g = self.lock();
        if rv < g.compacted {
            return Err(ApiError::gone(format!(
                "too old resource version: {rv} ({})",
                g.compacted + 1
            )));
        }
        let past = g
            .history
            .iter()
            .filter(|e| e.rv > rv && e.key == key)
            .cloned()
            .collect();
        Ok((past, self.tx.subscribe()))
    }

    /// A snapshot of current objects plus a live receiver, taken atomically.
    pub fn snapshot_and_subscribe(
        &self,
        def: &ResourceDef,
        ns: Option<&str>,
    ) -> (Vec<Arc<Value>>, u64, EventReceiver) {
        let g = self.lock();
        let items = g
            .objects
            .get(&def.key())
            .map(|m| {
                m.iter()
                    .filter(|((n, _), _)| ns.is_none_or(|want| !def.namespaced || n == want))
                    .map(|(_, v)| shared_typed(v, def))
                    .collect()
            })
            .unwrap_or_default();
        (items, g.rv, self.tx.subscribe())
    }
}

/// A shared object typed for `def`; copies only when it was written through another version.
fn shared_typed(v: &Arc<Value>, def: &ResourceDef) -> Arc<Value> {
    if v["kind"].as_str() == Some(def.kind.as_str())
        && v["apiVersion"].as_str() == Some(def.api_version().as_str())
    {
        v.clone()
    } else {
        Arc::new(with_type(Value::clone(v), def))
    }
}

/// Objects are stored with the apiVersion of the version that wrote them; answer with the one asked for.
fn with_type(mut o: Value, def: &ResourceDef) -> Value {
    o["apiVersion"] = json!(def.api_version());
    o["kind"] = json!(def.kind);
    o
}

/// Service defaults the real API server applies: type ClusterIP and an allocated cluster IP.
fn default_service(obj: &mut Value, seq: u64) {
    if obj["spec"]["type"].as_str().is_none_or(str::is_empty) {
        obj["spec"]["type"] = json!("ClusterIP");
    }
    let external = obj["spec"]["type"] == json!("ExternalName");
    if !external && obj["spec"]["clusterIP"].as_str().is_none_or(str::is_empty) {
        let ip = format!("10.96.{}.{}", 100 + (seq / 250) % 150, seq % 250 + 2);
        obj["spec"]["clusterIP"] = json!(ip);
        obj["spec"]["clusterIPs"] = json!([ip]);
    }
    let node_ports = matches!(
        obj["spec"]["type"].as_str(),
        Some("NodePort" | "LoadBalancer")
    );
    for (i, p) in obj["spec"]["ports"]
        .as_array_mut()
        .into_iter()
        .flatten()
        .enumerate()
    {
        if node_ports && p.get("nodePort").is_none() {
            p["nodePort"] = json!(30000 + (seq + i as u64) % 2768);
        }
        if p.get("protocol").is_none() {
            p["protocol"] = json!("TCP");
        }
        if p.get("targetPort").is_none() {
            p["targetPort"] = p["port"].clone();
        }
    }
}

/// Marks a CRD as established, as the apiextensions controller would.
fn crd_accept(obj: &mut Value) {
    let now = now_rfc3339();
    let names = obj["spec"]["names"].clone();
    obj["status"] = json!({
        "acceptedNames": names,
        "storedVersions": obj["spec"]["versions"].as_array().map(|vs| vs.iter()
            .filter(|v| v["storage"] == json!(true)).map(|v| v["name"].clone()).collect::<Vec<_>>()).unwrap_or_default(),
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": now},
            {"type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": now},
        ],
    });
}
