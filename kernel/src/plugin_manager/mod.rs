//! Local plugin management: a desktop user turns plugins on and off, fills in their settings,
//! and installs, updates and removes plugins from Artifact Hub, all without restarting.
//!
//! Only a kernel in `local` auth mode without a pinned plugin set manages plugins: in a
//! shared deployment the operator decides what runs (`headlamp.toml`), and every change is
//! refused with that reason. Choices are kept in [`user_state`]'s file in the config dir;
//! catalog installs go to its `plugins/` folder, which the kernel scans at start.
//!
//! Live reload: the merged registry is built from the host's plugins on every request, so a
//! plugin loaded into or unloaded from the [`PluginHost`] shows or vanishes on the next fetch.

pub mod catalog;
pub mod settings;
pub mod user_state;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::host::{PluginHost, PluginOrigin, PluginSource};
use crate::inspect::inspect;
use crate::loader::LoadReport;
use crate::manifest::{PluginId, PluginManifest};
use settings::SettingField;
use user_state::{Installed, StateError, StateFile, UserPluginState};

/// Why a management request was not carried out; each maps to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    /// Plugin management is off in this kernel (403).
    #[error("{0}")]
    Forbidden(String),
    /// No such plugin or package (404).
    #[error("{0}")]
    NotFound(String),
    /// The request contradicts what is there (a built-in cannot be removed) (409).
    #[error("{0}")]
    Conflict(String),
    /// The request is malformed (a setting of the wrong type) (400).
    #[error("{0}")]
    Invalid(String),
    /// The downloaded plugin failed its checks or did not load (422).
    #[error("{0}")]
    Rejected(String),
    /// Artifact Hub or the archive host did not answer as expected (502).
    #[error("{0}")]
    Remote(String),
    /// The state file or the plugin folder could not be written (500).
    #[error(transparent)]
    State(#[from] StateError),
}

/// Whether this kernel lets its user change plugins, and why not.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    /// Changes are allowed.
    pub allowed: bool,
    /// Why they are not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The reason given in a kernel whose plugin set is the operator's.
pub const PINNED_REASON: &str = "plugins are pinned by the operator in headlamp.toml (token auth or [plugins] pinned = true): they cannot be enabled, disabled, configured, installed or removed here; ask the operator to change the plugin set";

/// A plugin known but not running because the user disabled it.
#[derive(Debug, Clone)]
pub struct DisabledPlugin {
    /// Its manifest, for the Plugins page.
    pub manifest: PluginManifest,
    /// Where it came from.
    pub origin: PluginOrigin,
}

/// Where a managing kernel keeps things.
#[derive(Debug, Clone)]
struct Store {
    file: StateFile,
    plugins_dir: PathBuf,
}

struct Inner {
    state: UserPluginState,
    /// Every plugin seen at start or installed since, by id, so a disabled one can come back.
    sources: BTreeMap<PluginId, (PluginSource, PluginManifest)>,
}

/// Manages the plugins of one kernel for its user.
pub struct PluginManager {
    host: Arc<PluginHost>,
    store: Option<Store>,
    catalog_url: String,
    inner: Mutex<Inner>,
    /// Serialises changes (a load can take a while; two at once would race on the file).
    changing: tokio::sync::Mutex<()>,
}

impl PluginManager {
    /// A manager that lets the user change plugins, with its state file (`plugins.json`) and
    /// its install folder (`plugins/`) in `dir`; the settings in the file take effect in
    /// `host` now. A state file that cannot be read is an error naming it.
    pub fn local(
        host: Arc<PluginHost>,
        dir: &Path,
        catalog_url: impl Into<String>,
    ) -> Result<Self, StateError> {
        let file = StateFile::in_dir(dir);
        let state = file.load()?;
        for (plugin, values) in &state.settings {
            if let Ok(id) = PluginId::new(plugin) {
                host.settings().set(&id, values.clone());
            }
        }
        Ok(Self {
            host,
            store: Some(Store {
                file,
                plugins_dir: dir.join("plugins"),
            }),
            catalog_url: catalog_url.into(),
            inner: Mutex::new(Inner {
                state,
                sources: BTreeMap::new(),
            }),
            changing: tokio::sync::Mutex::new(()),
        })
    }

    /// A manager that refuses every change (token auth, or a pinned plugin set): reading the
    /// catalog and the settings forms still works.
    pub fn refusing(host: Arc<PluginHost>, catalog_url: impl Into<String>) -> Self {
        Self {
            host,
            store: None,
            catalog_url: catalog_url.into(),
            inner: Mutex::new(Inner {
                state: UserPluginState::default(),
                sources: BTreeMap::new(),
            }),
            changing: tokio::sync::Mutex::new(()),
        }
    }

    /// Whether changes are allowed.
    pub fn policy(&self) -> Policy {
        match self.store {
            Some(_) => Policy {
                allowed: true,
                reason: None,
            },
            None => Policy {
                allowed: false,
                reason: Some(PINNED_REASON.to_string()),
            },
        }
    }

    /// The folder catalog installs go to (scanned at start), when changes are allowed.
    pub fn plugins_dir(&self) -> Option<&Path> {
        self.store.as_ref().map(|s| s.plugins_dir.as_path())
    }

    /// Artifact Hub's address.
    pub fn catalog_url(&self) -> &str {
        &self.catalog_url
    }

    /// The host plugins run in.
    pub fn host(&self) -> &Arc<PluginHost> {
        &self.host
    }

    fn store(&self) -> Result<&Store, ManageError> {
        self.store
            .as_ref()
            .ok_or_else(|| ManageError::Forbidden(PINNED_REASON.to_string()))
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().expect("plugin manager")
    }

    /// Loads `sources` (built-ins, plugin folders, installs) into the host, except the ones
    /// the user disabled, which are kept to be enabled later.
    pub async fn start(&self, sources: Vec<PluginSource>) -> LoadReport {
        let mut to_load = Vec::new();
        for source in sources {
            let Some(manifest) = identify(&source) else {
                // The host reports what is wrong with it.
                to_load.push(source);
                continue;
            };
            let disabled = {
                let mut inner = self.inner();
                inner
                    .sources
                    .insert(manifest.name.clone(), (source.clone(), manifest.clone()));
                inner.state.disabled.contains(manifest.name.as_str())
            };
            if disabled {
                tracing::info!(plugin = %manifest.name, "plugin disabled by the user; not loaded");
            } else {
                to_load.push(source);
            }
        }
        crate::loader::load_all(&self.host, to_load).await
    }

    /// Plugins known but disabled by the user.
    pub fn disabled(&self) -> Vec<DisabledPlugin> {
        let inner = self.inner();
        inner
            .state
            .disabled
            .iter()
            .filter_map(|name| {
                let id = PluginId::new(name).ok()?;
                let (source, manifest) = inner.sources.get(&id)?;
                Some(DisabledPlugin {
                    manifest: manifest.clone(),
                    origin: source.origin.clone(),
                })
            })
            .collect()
    }

    /// What the user installed from the catalog, by plugin id.
    pub fn installed(&self) -> BTreeMap<String, Installed> {
        self.inner().state.installed.clone()
    }

    fn save(&self, state: &UserPluginState) -> Result<(), ManageError> {
        self.store()?.file.save(state)?;
        Ok(())
    }

    fn known_id(&self, name: &str) -> Result<PluginId, ManageError> {
        let missing = || {
            ManageError::NotFound(format!(
                "no plugin named {name:?} is known: see GET /api/v1/plugins"
            ))
        };
        let id = PluginId::new(name).map_err(|_| missing())?;
        if self.host.plugin(name).is_some() || self.inner().sources.contains_key(&id) {
            Ok(id)
        } else {
            Err(missing())
        }
    }

    /// Turns the plugin `name` on or off, remembered across restarts; takes effect now.
    pub async fn set_enabled(&self, name: &str, enabled: bool) -> Result<(), ManageError> {
        self.store()?;
        let _changing = self.changing.lock().await;
        let id = self.known_id(name)?;
        let mut state = self.inner().state.clone();
        if enabled {
            state.disabled.remove(name);
            if self.host.plugin(name).is_none() {
                let source = self.inner().sources.get(&id).map(|(s, _)| s.clone());
                let source = source.ok_or_else(|| {
                    ManageError::NotFound(format!(
                        "plugin {name} was not loaded from a file or the kernel, so it cannot be enabled again: load it again"
                    ))
                })?;
                self.host.load(source).await.map_err(|e| {
                    ManageError::Rejected(format!("plugin {name} could not be started: {e}"))
                })?;
            }
            self.save(&state)?;
        } else {
            state.disabled.insert(name.to_string());
            self.save(&state)?;
            if let Some(plugin) = self.host.unload(&id) {
                // A plugin loaded without the manager (by a test, a dev reload) is found again
                // where it came from, so it can be listed and enabled later.
                let known = self.inner().sources.contains_key(&id);
                if !known && let Some(source) = source_again(plugin.origin(), &id) {
                    self.inner()
                        .sources
                        .insert(id.clone(), (source, plugin.manifest().clone()));
                }
            }
        }
        self.inner().state = state;
        tracing::info!(plugin = %name, enabled, "plugin state changed by the user");
        Ok(())
    }

    /// The settings form of the running plugin `name`, with the user's values.
    pub fn settings(&self, name: &str) -> Result<Vec<SettingField>, ManageError> {
        let plugin = self.running(name)?;
        Ok(settings::form(
            &plugin.registration().settings,
            &self.host.settings().of(plugin.id()),
            |key| plugin.manifest().setting_default(key),
        ))
    }

    fn running(&self, name: &str) -> Result<Arc<crate::host::Plugin>, ManageError> {
        self.host.plugin(name).ok_or_else(|| {
            if self.inner().state.disabled.contains(name) {
                ManageError::Conflict(format!(
                    "plugin {name} is disabled: enable it to see and change its settings"
                ))
            } else {
                ManageError::NotFound(format!(
                    "no plugin named {name:?} is running: see GET /api/v1/plugins"
                ))
            }
        })
    }

    /// Checks `sent` (key -> value, `null` to reset) against the plugin's settings, keeps the
    /// result, and lets the plugin read it from its next call on. Returns the new form.
    pub async fn put_settings(
        &self,
        name: &str,
        sent: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Vec<SettingField>, ManageError> {
        self.store()?;
        let _changing = self.changing.lock().await;
        let plugin = self.running(name)?;
        let values = settings::apply(
            name,
            &plugin.registration().settings,
            &self.host.settings().of(plugin.id()),
            sent,
        )
        .map_err(ManageError::Invalid)?;
        let mut state = self.inner().state.clone();
        if values.is_empty() {
            state.settings.remove(name);
        } else {
            state.settings.insert(name.to_string(), values.clone());
        }
        self.save(&state)?;
        self.inner().state = state;
        self.host.settings().set(plugin.id(), values);
        self.settings(name)
    }
}

/// The source of a running plugin read again from its origin: the built-in of that id, or its
/// file (with `plugin.toml` beside a `plugin.wasm`). `None` for plugins handed over as bytes.
fn source_again(origin: &PluginOrigin, id: &PluginId) -> Option<PluginSource> {
    match origin {
        PluginOrigin::Builtin => crate::loader::BUILTIN_PLUGINS
            .iter()
            .map(|(_, wasm, sha256)| PluginSource {
                sha256: Some(sha256.to_string()),
                ..PluginSource::from_bytes(wasm.to_vec(), PluginOrigin::Builtin)
            })
            .find(|source| identify(source).is_some_and(|m| &m.name == id)),
        PluginOrigin::File(path) => {
            let wasm = std::fs::read(path).ok()?;
            let beside = path.with_file_name("plugin.toml");
            let manifest = (path.file_name().is_some_and(|f| f == "plugin.wasm")
                && beside.is_file())
            .then(|| std::fs::read_to_string(&beside).ok())
            .flatten();
            Some(PluginSource {
                manifest,
                ..PluginSource::from_bytes(wasm, origin.clone())
            })
        }
        PluginOrigin::Memory => None,
    }
}

/// The manifest a source carries (beside it, else embedded), if it can be read.
fn identify(source: &PluginSource) -> Option<PluginManifest> {
    let text = match &source.manifest {
        Some(text) => text.clone(),
        None => inspect(&source.wasm).ok()?.embedded_manifest?,
    };
    PluginManifest::parse(&text).ok()
}
