//! What one plugin instance's store holds: its identity, gates, limits and an empty WASI.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use wasmtime::component::ResourceTable;
use wasmtime::{StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::cluster::ClusterRegistry;
use crate::identity::Identity;
use crate::manifest::{PluginId, PluginManifest};
use crate::permissions::PermissionSet;
use crate::watch::Dependency;

/// A message a plugin asked the kernel to show or do (`host.notify`, `host.navigate`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PluginNotice {
    /// The plugin that sent it.
    pub plugin: PluginId,
    /// `notify` or `navigate`.
    pub kind: &'static str,
    /// Tone for `notify` (`info`, `warning`, ...).
    pub tone: Option<String>,
    /// The message or route.
    pub text: String,
}

/// The bounded list of notices the UI reads.
#[derive(Debug, Default)]
pub struct Notices {
    queue: Mutex<VecDeque<PluginNotice>>,
}

impl Notices {
    /// At most this many notices are kept; older ones are dropped first.
    pub const CAPACITY: usize = 256;

    /// Records a notice, dropping the oldest beyond capacity.
    pub fn push(&self, notice: PluginNotice) {
        let mut queue = self.queue.lock().expect("notices");
        if queue.len() == Self::CAPACITY {
            queue.pop_front();
        }
        queue.push_back(notice);
    }

    /// The notices currently kept, oldest first.
    pub fn snapshot(&self) -> Vec<PluginNotice> {
        self.queue
            .lock()
            .expect("notices")
            .iter()
            .cloned()
            .collect()
    }
}

/// The values users gave plugins' settings, by plugin and key, as JSON.
///
/// Shared by the host and every instance, so that a value changed on the settings page is what
/// the plugin's next call reads, without restarting it.
#[derive(Debug)]
pub struct SettingValues {
    values: RwLock<BTreeMap<PluginId, BTreeMap<String, serde_json::Value>>>,
    /// Bumped on every change, so live views re-render with the new values.
    changes: tokio::sync::watch::Sender<u64>,
}

impl Default for SettingValues {
    fn default() -> Self {
        Self {
            values: RwLock::default(),
            changes: tokio::sync::watch::Sender::new(0),
        }
    }
}

impl SettingValues {
    /// Hears every change of any plugin's values (the value is a counter).
    pub fn watch_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// The user's value of `key` for `plugin`, if they set one.
    pub fn get(&self, plugin: &PluginId, key: &str) -> Option<serde_json::Value> {
        self.values
            .read()
            .expect("setting values")
            .get(plugin)?
            .get(key)
            .cloned()
    }

    /// Every value the user set for `plugin`.
    pub fn of(&self, plugin: &PluginId) -> BTreeMap<String, serde_json::Value> {
        self.values
            .read()
            .expect("setting values")
            .get(plugin)
            .cloned()
            .unwrap_or_default()
    }

    /// Replaces the values of `plugin` (an empty map: back to the defaults).
    pub fn set(&self, plugin: &PluginId, values: BTreeMap<String, serde_json::Value>) {
        let mut all = self.values.write().expect("setting values");
        if values.is_empty() {
            all.remove(plugin);
        } else {
            all.insert(plugin.clone(), values);
        }
        drop(all);
        self.changes.send_modify(|n| *n += 1);
    }
}

/// Per-instance data of a plugin's store.
pub struct PluginState {
    pub(crate) id: PluginId,
    pub(crate) manifest: Arc<PluginManifest>,
    pub(crate) permissions: PermissionSet,
    pub(crate) clusters: Arc<ClusterRegistry>,
    /// Whose request the current call serves: the plugin's cluster calls run as them.
    pub(crate) identity: Identity,
    /// What the current call read from clusters, so a live view can watch it.
    pub(crate) reads: Vec<Dependency>,
    pub(crate) notices: Arc<Notices>,
    /// The user's setting values, read by the `setting` import at call time.
    pub(crate) settings: Arc<SettingValues>,
    pub(crate) limits: StoreLimits,
    /// Guest time budget of the current call; host calls do not count against it.
    pub(crate) budget: CallBudget,
    /// What the guest wrote to stderr (a Rust panic message lands here).
    stderr: MemoryOutputPipe,
    wasi: WasiCtx,
    table: ResourceTable,
}

impl PluginState {
    /// Fresh state for one instance of `manifest`'s plugin.
    pub fn new(
        manifest: Arc<PluginManifest>,
        clusters: Arc<ClusterRegistry>,
        notices: Arc<Notices>,
        settings: Arc<SettingValues>,
        memory_bytes: usize,
    ) -> Self {
        let stderr = MemoryOutputPipe::new(STDERR_CAPACITY);
        Self {
            id: manifest.name.clone(),
            permissions: PermissionSet::new(manifest.permissions.clone()),
            manifest,
            clusters,
            identity: Identity::Kernel,
            reads: Vec::new(),
            notices,
            settings,
            limits: StoreLimitsBuilder::new()
                .memory_size(memory_bytes)
                .trap_on_grow_failure(true)
                .build(),
            budget: CallBudget::default(),
            // No preopens, sockets, environment or arguments: a plugin reaches the world only
            // through the headlamp imports.
            wasi: WasiCtx::builder().stderr(stderr.clone()).build(),
            stderr,
            table: ResourceTable::new(),
        }
    }
}

/// Bytes of guest stderr kept per instance: enough for a panic message and its location.
const STDERR_CAPACITY: usize = 16 * 1024;

impl PluginState {
    /// The guest's last panic message (`panicked at src/lib.rs:9:5: boom`), if it printed one.
    pub fn guest_panic(&self) -> Option<String> {
        let bytes = self.stderr.contents();
        let text = String::from_utf8_lossy(&bytes);
        let start = text.rfind("panicked at ")?;
        let message: Vec<&str> = text[start..]
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("note: run with"))
            .collect();
        Some(message.join(" "))
    }
}

impl WasiView for PluginState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// Tracks how much wall-clock time the guest itself used in the current call.
#[derive(Debug, Clone, Copy)]
pub struct CallBudget {
    started: Instant,
    in_host: Duration,
    allowed: Duration,
}

impl Default for CallBudget {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            in_host: Duration::ZERO,
            allowed: Duration::MAX,
        }
    }
}

impl CallBudget {
    /// Starts a call allowed `allowed` of guest time.
    pub fn start(allowed: Duration) -> Self {
        Self {
            started: Instant::now(),
            in_host: Duration::ZERO,
            allowed,
        }
    }

    /// Excludes time spent in a host call (a cluster request) from the guest's budget.
    pub fn add_host_time(&mut self, spent: Duration) {
        self.in_host += spent;
    }

    /// Whether the guest has used up its budget.
    pub fn exhausted(&self) -> bool {
        self.started.elapsed().saturating_sub(self.in_host) > self.allowed
    }

    /// The call's budget.
    pub fn allowed(&self) -> Duration {
        self.allowed
    }
}
