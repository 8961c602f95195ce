//! The plugin host: compiles, instantiates and calls plugin components, and contains them.
//!
//! One instance per plugin; calls into it are serialised by a lock. Each call has a guest-time
//! deadline (epoch interruption) and each instance a memory cap (`StoreLimits`). A plugin that
//! traps, runs out its deadline or its memory is marked failed with the reason and its instance
//! dropped; the kernel and the other plugins carry on, and the failed one can be restarted.

mod bindings;
mod cache;
mod engine;
mod imports;
mod plugin;
mod state;
pub mod validate;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use wasmtime::Engine;
use wasmtime::component::Linker;

pub use bindings::{
    ActionContext, ActionResult, Cell, InitContext, Registration, RenderContext, RowsContext, Slot,
    View, WitGvk, exports, headlamp,
};
pub use cache::{CacheError, CacheStats, PrecompileCache};
pub use engine::{EPOCH_TICK, Limits};
pub use plugin::{Plugin, PluginCallError, PluginStatus};
pub use state::{Notices, PluginNotice, SettingValues};

use crate::cluster::ClusterRegistry;
use crate::inspect::{InspectError, inspect};
use crate::manifest::{ManifestError, PluginId, PluginManifest};
use bindings::{HeadlampPlugin, HeadlampPluginPre};
use state::PluginState;

/// Where a plugin came from, shown on the Plugins page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "path")]
pub enum PluginOrigin {
    /// Compiled into the kernel binary.
    Builtin,
    /// Loaded from a file.
    File(PathBuf),
    /// Handed over as bytes (tests, hot reload).
    Memory,
}

/// A component to load: its bytes, and `plugin.toml` when it sits beside the file.
#[derive(Debug, Clone)]
pub struct PluginSource {
    /// The component.
    pub wasm: Vec<u8>,
    /// `plugin.toml` from beside the `.wasm`; the embedded one is used when absent.
    pub manifest: Option<String>,
    /// Where it came from.
    pub origin: PluginOrigin,
    /// sha256 of `wasm` in hex when already known (built-ins: computed at build time);
    /// computed on load otherwise.
    pub sha256: Option<String>,
}

impl PluginSource {
    /// A component from memory, its manifest embedded.
    pub fn from_bytes(wasm: Vec<u8>, origin: PluginOrigin) -> Self {
        Self {
            wasm,
            manifest: None,
            origin,
            sha256: None,
        }
    }
}

/// Why a plugin could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file is not a component of a compatible WIT version.
    #[error(transparent)]
    Inspect(#[from] InspectError),
    /// `plugin.toml` is invalid.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// No manifest was embedded nor given.
    #[error(
        "no plugin.toml: neither embedded in the component nor beside it (build with headlamp-plugin-sdk's export_plugin!)"
    )]
    NoManifest,
    /// The manifest beside the file disagrees with the embedded one.
    #[error(
        "plugin.toml beside the component differs from the one embedded in it: rebuild the plugin or remove the stale plugin.toml"
    )]
    ManifestMismatch,
    /// The manifest's `api` disagrees with the component's imports.
    #[error(
        "plugin.toml says api = {manifest} but the component was built against headlamp:plugin@{component}: fix `api` in plugin.toml"
    )]
    ApiMismatch {
        /// What the manifest says.
        manifest: semver::Version,
        /// What the component imports.
        component: semver::Version,
    },
    /// A plugin with the same name is loaded already.
    #[error("a plugin named {0} is already loaded: plugin names must be unique")]
    Duplicate(PluginId),
    /// Compiling failed.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// The component's imports cannot be satisfied, or `init` failed.
    #[error("{0}")]
    Start(String),
}

/// A plugin that could not be loaded, kept so the Plugins page can say why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoadFailure {
    /// The manifest's name when it could be read, else the file name.
    pub name: String,
    /// Where it came from.
    pub origin: PluginOrigin,
    /// What went wrong and what to do.
    pub error: String,
}

/// Runs every plugin of one kernel.
pub struct PluginHost {
    engine: Engine,
    linker: Linker<PluginState>,
    cache: PrecompileCache,
    limits: Limits,
    clusters: Arc<ClusterRegistry>,
    notices: Arc<Notices>,
    settings: Arc<SettingValues>,
    plugins: RwLock<BTreeMap<PluginId, Arc<Plugin>>>,
    failures: RwLock<Vec<LoadFailure>>,
    /// Bumped whenever the set of plugins changes (a load, a replacement, an unload), so open
    /// streams can tell their clients to fetch the registry again.
    changes: tokio::sync::watch::Sender<u64>,
    _ticker: engine::EpochTicker,
}

impl PluginHost {
    /// A host with `limits`, a precompile cache in `cache_dir` (none: compile every time) and
    /// the clusters plugins may reach.
    pub fn new(
        limits: Limits,
        cache_dir: Option<PathBuf>,
        clusters: Arc<ClusterRegistry>,
    ) -> Result<Self, LoadError> {
        let engine = engine::build_engine(&limits)
            .map_err(|e| LoadError::Start(format!("creating the wasm engine failed: {e:#}")))?;
        let mut linker = Linker::new(&engine);
        // WASI is linked because Rust's std imports it, but each store's context is empty.
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .map_err(|e| LoadError::Start(format!("linking WASI failed: {e:#}")))?;
        HeadlampPlugin::add_to_linker::<_, wasmtime::component::HasSelf<PluginState>>(
            &mut linker,
            |state| state,
        )
        .map_err(|e| LoadError::Start(format!("linking the headlamp imports failed: {e:#}")))?;
        Ok(Self {
            _ticker: engine::EpochTicker::start(engine.clone()),
            engine,
            linker,
            cache: PrecompileCache::new(cache_dir)?,
            limits,
            clusters,
            notices: Arc::new(Notices::default()),
            settings: Arc::default(),
            plugins: RwLock::new(BTreeMap::new()),
            failures: RwLock::new(Vec::new()),
            changes: tokio::sync::watch::Sender::new(0),
        })
    }

    /// The precompile cache's counters.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// Notices plugins sent (`host.notify`, `host.navigate`).
    pub fn notices(&self) -> &Notices {
        &self.notices
    }

    /// The values users gave plugins' settings (what the `setting` import answers first).
    pub fn settings(&self) -> &Arc<SettingValues> {
        &self.settings
    }

    /// The clusters plugins reach.
    pub fn clusters(&self) -> &Arc<ClusterRegistry> {
        &self.clusters
    }

    /// Loads, starts and registers a plugin. On error the failure is also kept for
    /// [`PluginHost::failures`], so a broken plugin is reported rather than fatal.
    pub async fn load(&self, source: PluginSource) -> Result<Arc<Plugin>, LoadError> {
        let origin = source.origin.clone();
        let fallback_name = match &origin {
            PluginOrigin::File(path) => path.display().to_string(),
            _ => "(unnamed plugin)".to_string(),
        };
        match self.load_inner(source, false).await {
            Ok((plugin, _)) => Ok(plugin),
            Err((name, error)) => {
                tracing::warn!(plugin = %name.as_deref().unwrap_or(&fallback_name), %error, "plugin not loaded");
                self.failures.write().expect("failures").push(LoadFailure {
                    name: name.unwrap_or(fallback_name),
                    origin,
                    error: error.to_string(),
                });
                Err(error)
            }
        }
    }

    /// Loads a plugin, replacing a running one of the same name (hot reload). The old one
    /// keeps serving until the new one has started; if the new one fails, nothing changes and
    /// the failure is returned (not kept: the running plugin is still the truth).
    /// Returns the new plugin and the one it replaced.
    pub async fn replace(
        &self,
        source: PluginSource,
    ) -> Result<(Arc<Plugin>, Option<Arc<Plugin>>), LoadError> {
        let (plugin, previous) = self.load_inner(source, true).await.map_err(|(_, e)| e)?;
        // A failure recorded for an earlier attempt under this name is stale now.
        self.failures
            .write()
            .expect("failures")
            .retain(|f| f.name != plugin.id().as_str());
        Ok((plugin, previous))
    }

    async fn load_inner(
        &self,
        source: PluginSource,
        replace: bool,
    ) -> Result<(Arc<Plugin>, Option<Arc<Plugin>>), (Option<String>, LoadError)> {
        let info = inspect(&source.wasm).map_err(|e| (None, e.into()))?;
        let text = match (&source.manifest, &info.embedded_manifest) {
            (Some(beside), Some(embedded)) if beside.trim() != embedded.trim() => {
                return Err((None, LoadError::ManifestMismatch));
            }
            (Some(text), _) | (None, Some(text)) => text.clone(),
            (None, None) => return Err((None, LoadError::NoManifest)),
        };
        let manifest = PluginManifest::parse(&text).map_err(|e| (None, e.into()))?;
        let name = Some(manifest.name.to_string());
        let fail = |e: LoadError| (name.clone(), e);
        if manifest.api != info.api_version {
            return Err(fail(LoadError::ApiMismatch {
                manifest: manifest.api.clone(),
                component: info.api_version,
            }));
        }
        if !replace
            && self
                .plugins
                .read()
                .expect("plugins")
                .contains_key(&manifest.name)
        {
            return Err(fail(LoadError::Duplicate(manifest.name.clone())));
        }
        let component = self
            .cache
            .component(&self.engine, &source.wasm, source.sha256.as_deref())
            .map_err(|e| fail(e.into()))?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .and_then(HeadlampPluginPre::new)
            .map_err(|e| {
                fail(LoadError::Start(format!(
                    "the component's imports cannot be satisfied by this kernel: {e:#}"
                )))
            })?;
        let plugin = Plugin::start(
            Arc::new(manifest),
            source.origin,
            pre,
            self.limits,
            self.clusters.clone(),
            self.notices.clone(),
            self.settings.clone(),
        )
        .await
        .map_err(|e| fail(LoadError::Start(e)))?;
        let plugin = Arc::new(plugin);
        let mut plugins = self.plugins.write().expect("plugins");
        if !replace && plugins.contains_key(plugin.id()) {
            return Err(fail(LoadError::Duplicate(plugin.id().clone())));
        }
        // Calls already running keep their Arc to the old plugin and finish on it.
        let previous = plugins.insert(plugin.id().clone(), plugin.clone());
        drop(plugins);
        self.changes.send_modify(|n| *n += 1);
        Ok((plugin, previous))
    }

    /// The loaded plugin with this id.
    pub fn plugin(&self, id: &str) -> Option<Arc<Plugin>> {
        let id = PluginId::new(id).ok()?;
        self.plugins.read().expect("plugins").get(&id).cloned()
    }

    /// Every loaded plugin, by id.
    pub fn plugins(&self) -> Vec<Arc<Plugin>> {
        self.plugins
            .read()
            .expect("plugins")
            .values()
            .cloned()
            .collect()
    }

    /// Stops serving the plugin `id` (disabled or removed by the user) and returns it. Calls
    /// already running keep their `Arc` and finish on it; new requests no longer find it, and
    /// the merged registry built next leaves its contributions out.
    pub fn unload(&self, id: &PluginId) -> Option<Arc<Plugin>> {
        let removed = self.plugins.write().expect("plugins").remove(id);
        self.failures
            .write()
            .expect("failures")
            .retain(|f| f.name != id.as_str());
        if removed.is_some() {
            self.changes.send_modify(|n| *n += 1);
        }
        removed
    }

    /// Hears every change of the set of plugins (the value is a counter; only its changes
    /// matter): a stream tells its client the registry changed, a live table whose plugin is
    /// gone ends.
    pub fn watch_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Keeps a failure found before loading (an unreadable file), for the Plugins page.
    pub fn record_failure(&self, failure: LoadFailure) {
        tracing::warn!(plugin = %failure.name, error = %failure.error, "plugin not loaded");
        self.failures.write().expect("failures").push(failure);
    }

    /// Plugins that could not be loaded, with why.
    pub fn failures(&self) -> Vec<LoadFailure> {
        self.failures.read().expect("failures").clone()
    }
}
