//! One running plugin: its registration, its single instance, and what happened to it.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wasmtime::{Store, Trap, UpdateDeadline};

use super::PluginOrigin;
use super::bindings::{
    ActionContext, ActionResult, Cell, HeadlampPlugin, HeadlampPluginPre, InitContext,
    Registration, RenderContext, RowsContext, Slot, View,
};
use super::engine::Limits;
use super::state::{CallBudget, Notices, PluginState, SettingValues};
use super::validate;
use crate::cluster::ClusterRegistry;
use crate::identity::Identity;
use crate::inspect::host_api_version;
use crate::manifest::{PluginId, PluginManifest};
use crate::permissions::PermissionSet;
use crate::watch::Dependency;

/// Whether a plugin is serving.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "state", content = "reason")]
pub enum PluginStatus {
    /// Its instance answers calls.
    Ready,
    /// Stopped after a trap, a deadline or the memory cap; the reason says which.
    Failed(String),
}

/// Why a call into a plugin did not produce a result.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PluginCallError {
    /// The plugin is stopped; restart it to try again.
    #[error("plugin {plugin} is stopped: {reason}")]
    Stopped {
        /// Which plugin.
        plugin: PluginId,
        /// Why it stopped.
        reason: String,
    },
    /// The call killed the plugin (trap, deadline, memory).
    #[error("plugin {plugin} failed: {reason}")]
    Failed {
        /// Which plugin.
        plugin: PluginId,
        /// What happened.
        reason: String,
    },
    /// The plugin answered with an error of its own; it keeps running.
    #[error("plugin {plugin}: {message}")]
    Plugin {
        /// Which plugin.
        plugin: PluginId,
        /// The plugin's message.
        message: String,
    },
    /// The plugin answered with something the kernel refuses (an invalid view tree, rows of
    /// the wrong shape); it keeps running.
    #[error("plugin {plugin} returned an invalid {what}: {problem}")]
    Invalid {
        /// Which plugin.
        plugin: PluginId,
        /// What kind of answer.
        what: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

/// A live instance and its store.
struct Live {
    store: Store<PluginState>,
    bindings: HeadlampPlugin,
}

type CallFuture<'a, T> = Pin<Box<dyn Future<Output = (Live, wasmtime::Result<T>)> + Send + 'a>>;

/// A loaded plugin.
pub struct Plugin {
    manifest: Arc<PluginManifest>,
    origin: PluginOrigin,
    pre: HeadlampPluginPre<PluginState>,
    limits: Limits,
    clusters: Arc<ClusterRegistry>,
    notices: Arc<Notices>,
    settings: Arc<SettingValues>,
    /// The manifest's grants, built once: checked on every rows and details request.
    permissions: PermissionSet,
    registration: Registration,
    status: Mutex<PluginStatus>,
    live: tokio::sync::Mutex<Option<Live>>,
}

impl Plugin {
    /// Instantiates the plugin and runs its `init`.
    pub(super) async fn start(
        manifest: Arc<PluginManifest>,
        origin: PluginOrigin,
        pre: HeadlampPluginPre<PluginState>,
        limits: Limits,
        clusters: Arc<ClusterRegistry>,
        notices: Arc<Notices>,
        settings: Arc<SettingValues>,
    ) -> Result<Self, String> {
        let mut live =
            instantiate(&pre, &manifest, &limits, &clusters, &notices, &settings).await?;
        let registration = run_init(&mut live, &limits).await?;
        validate::registration(&registration).map_err(|p| format!("invalid registration: {p}"))?;
        Ok(Self {
            permissions: PermissionSet::new(manifest.permissions.clone()),
            manifest,
            origin,
            pre,
            limits,
            clusters,
            notices,
            settings,
            registration,
            status: Mutex::new(PluginStatus::Ready),
            live: tokio::sync::Mutex::new(Some(live)),
        })
    }

    /// The plugin's id.
    pub fn id(&self) -> &PluginId {
        &self.manifest.name
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &PluginManifest {
        &self.manifest
    }

    /// Where it was loaded from.
    pub fn origin(&self) -> &PluginOrigin {
        &self.origin
    }

    /// What it contributed at `init`.
    pub fn registration(&self) -> &Registration {
        &self.registration
    }

    /// The manifest gate for objects the kernel hands this plugin: `Err` names the
    /// `plugin.toml` lines that would allow it.
    pub fn check_permission(&self, verb: &str, group: &str, resource: &str) -> Result<(), String> {
        let request = crate::permissions::Request {
            verb,
            group,
            resource,
        };
        if self.permissions.allows(request) {
            Ok(())
        } else {
            Err(format!(
                "plugin {}: {}",
                self.id(),
                self.permissions.refusal(request)
            ))
        }
    }

    /// Whether it is serving, or why not.
    pub fn status(&self) -> PluginStatus {
        self.status.lock().expect("status").clone()
    }

    /// Starts a fresh instance of a failed (or running) plugin. Its registration is kept.
    pub async fn restart(&self) -> Result<(), String> {
        let mut guard = self.live.lock().await;
        *guard = None;
        let live = self.fresh_instance().await.inspect_err(|reason| {
            self.mark_failed(reason.clone());
        })?;
        *guard = Some(live);
        *self.status.lock().expect("status") = PluginStatus::Ready;
        Ok(())
    }

    /// Cells of `columns` for each object (JSON) of `context.table`, checked for shape.
    /// The plugin's cluster calls during it run as `identity`.
    pub async fn rows(
        &self,
        identity: &Identity,
        context: &RowsContext,
        columns: &[String],
        objects: &[String],
    ) -> Result<Vec<Vec<Cell>>, PluginCallError> {
        let rows = self
            .call(identity, |mut live| {
                Box::pin(async move {
                    let result = live
                        .bindings
                        .headlamp_plugin_views()
                        .call_rows(&mut live.store, context, columns, objects)
                        .await;
                    (live, result)
                })
            })
            .await?;
        validate::rows(&rows, objects.len(), columns.len()).map_err(|problem| {
            PluginCallError::Invalid {
                plugin: self.id().clone(),
                what: "rows answer",
                problem,
            }
        })?;
        Ok(rows)
    }

    /// A view tree for a slot, checked before anyone sees it; cluster calls run as `identity`.
    pub async fn render(
        &self,
        identity: &Identity,
        slot: &Slot,
        context: &RenderContext,
    ) -> Result<View, PluginCallError> {
        let view = self
            .call(identity, |mut live| {
                Box::pin(async move {
                    let result = live
                        .bindings
                        .headlamp_plugin_views()
                        .call_render(&mut live.store, slot, context)
                        .await;
                    (live, result)
                })
            })
            .await?;
        validate::view(&view).map_err(|problem| PluginCallError::Invalid {
            plugin: self.id().clone(),
            what: "view tree",
            problem,
        })?;
        Ok(view)
    }

    /// [`Plugin::render`], also answering what the plugin read from clusters while rendering.
    pub async fn render_tracked(
        &self,
        identity: &Identity,
        slot: &Slot,
        context: &RenderContext,
    ) -> Result<(View, Vec<Dependency>), PluginCallError> {
        let (view, reads) = self
            .call(identity, |mut live| {
                Box::pin(async move {
                    let result = live
                        .bindings
                        .headlamp_plugin_views()
                        .call_render(&mut live.store, slot, context)
                        .await;
                    let reads = std::mem::take(&mut live.store.data_mut().reads);
                    (live, result.map(|r| r.map(|view| (view, reads))))
                })
            })
            .await?;
        validate::view(&view).map_err(|problem| PluginCallError::Invalid {
            plugin: self.id().clone(),
            what: "view tree",
            problem,
        })?;
        Ok((view, reads))
    }

    /// Runs one of the plugin's actions; its cluster calls run as `identity`.
    pub async fn invoke(
        &self,
        identity: &Identity,
        action: &str,
        context: &ActionContext,
    ) -> Result<ActionResult, PluginCallError> {
        self.call(identity, |mut live| {
            Box::pin(async move {
                let result = live
                    .bindings
                    .headlamp_plugin_actions()
                    .call_invoke(&mut live.store, action, context)
                    .await;
                (live, result)
            })
        })
        .await
    }

    /// Runs one export call under the deadline; a trap stops the plugin.
    ///
    /// The instance is moved into the call's future and put back after it: if the caller
    /// gives up half-way (a client disconnects), the instance is gone, and the next call
    /// starts a fresh one rather than entering a store left mid-call.
    async fn call<'a, T>(
        &self,
        identity: &Identity,
        f: impl FnOnce(Live) -> CallFuture<'a, Result<T, String>>,
    ) -> Result<T, PluginCallError> {
        let mut guard = self.live.lock().await;
        if guard.is_none() {
            if let PluginStatus::Failed(reason) = self.status() {
                return Err(PluginCallError::Stopped {
                    plugin: self.id().clone(),
                    reason,
                });
            }
            tracing::info!(plugin = %self.id(), "previous call was abandoned; starting a fresh instance");
            let fresh = self.fresh_instance().await.map_err(|reason| {
                self.mark_failed(reason.clone());
                PluginCallError::Failed {
                    plugin: self.id().clone(),
                    reason,
                }
            })?;
            *guard = Some(fresh);
        }
        let mut live = guard.take().expect("instance present");
        live.store.data_mut().budget = CallBudget::start(self.limits.call_deadline);
        live.store.data_mut().identity = identity.clone();
        live.store.data_mut().reads.clear();
        live.store.set_epoch_deadline(1);
        let (live, outcome) = f(live).await;
        match outcome {
            Ok(Ok(value)) => {
                *guard = Some(live);
                Ok(value)
            }
            Ok(Err(message)) => {
                *guard = Some(live);
                Err(PluginCallError::Plugin {
                    plugin: self.id().clone(),
                    message,
                })
            }
            Err(error) => {
                let reason = failure_reason(&error, &live.store, &self.limits);
                tracing::error!(plugin = %self.id(), %reason, "plugin stopped");
                self.mark_failed(reason.clone());
                Err(PluginCallError::Failed {
                    plugin: self.id().clone(),
                    reason,
                })
            }
        }
    }

    fn mark_failed(&self, reason: String) {
        *self.status.lock().expect("status") = PluginStatus::Failed(reason);
    }

    /// A new instance with `init` run, as at load time.
    async fn fresh_instance(&self) -> Result<Live, String> {
        let mut live = instantiate(
            &self.pre,
            &self.manifest,
            &self.limits,
            &self.clusters,
            &self.notices,
            &self.settings,
        )
        .await?;
        run_init(&mut live, &self.limits).await?;
        Ok(live)
    }
}

/// Calls `init` under the init deadline.
async fn run_init(live: &mut Live, limits: &Limits) -> Result<Registration, String> {
    let context = InitContext {
        kernel_version: env!("CARGO_PKG_VERSION").to_string(),
        api_version: host_api_version().to_string(),
    };
    live.store.data_mut().budget = CallBudget::start(limits.init_deadline);
    live.store.set_epoch_deadline(1);
    live.bindings
        .headlamp_plugin_plugin()
        .call_init(&mut live.store, &context)
        .await
        .map_err(|e| format!("init {}", failure_reason(&e, &live.store, limits)))?
        .map_err(|message| format!("init returned an error: {message}"))
}

async fn instantiate(
    pre: &HeadlampPluginPre<PluginState>,
    manifest: &Arc<PluginManifest>,
    limits: &Limits,
    clusters: &Arc<ClusterRegistry>,
    notices: &Arc<Notices>,
    settings: &Arc<SettingValues>,
) -> Result<Live, String> {
    let state = PluginState::new(
        manifest.clone(),
        clusters.clone(),
        notices.clone(),
        settings.clone(),
        limits.memory_bytes,
    );
    let mut store = Store::new(pre.engine(), state);
    store.limiter(|state| &mut state.limits);
    store.epoch_deadline_callback(|context| {
        if context.data().budget.exhausted() {
            Ok(UpdateDeadline::Interrupt)
        } else {
            // Still within budget: let other tasks run, then check again next tick.
            Ok(UpdateDeadline::Yield(1))
        }
    });
    store.set_epoch_deadline(Limits::ticks(limits.init_deadline));
    let bindings = pre
        .instantiate_async(&mut store)
        .await
        .map_err(|e| format!("instantiation failed: {e:#}"))?;
    Ok(Live { store, bindings })
}

/// Says what killed a call, in words an operator acts on.
fn failure_reason(error: &wasmtime::Error, store: &Store<PluginState>, limits: &Limits) -> String {
    let budget = store.data().budget.allowed();
    let trap = error.downcast_ref::<Trap>();
    if let Some(Trap::Interrupt) = trap {
        return format!(
            "exceeded its deadline of {} ms (it loops or works too long per call)",
            budget.as_millis()
        );
    }
    let text = format!("{error:#}");
    if text.contains("growing memory") || text.contains("memory.grow") {
        return format!(
            "exceeded its memory limit of {} MiB",
            limits.memory_bytes >> 20
        );
    }
    // The trap itself ("wasm `unreachable` instruction executed") says more than the
    // backtrace header that heads the error's text.
    let what = match trap {
        Some(trap) => trap.to_string(),
        None => text.lines().last().unwrap_or(&text).trim().to_string(),
    };
    match store.data().guest_panic() {
        Some(said) => format!("trapped: {what}; the plugin {said}"),
        None => format!("trapped: {what}"),
    }
}

impl Plugin {
    /// How long a call may run in the guest.
    pub fn call_deadline(&self) -> Duration {
        self.limits.call_deadline
    }
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("id", self.id())
            .field("origin", &self.origin)
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}
