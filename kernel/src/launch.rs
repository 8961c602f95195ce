//! Starting a whole kernel: clusters, plugins and the HTTP server, from one set of options.
//!
//! Both the `headlamp` binary and the desktop app (which runs the kernel in-process behind its
//! window) start the kernel here, so that they load the same clusters and plugins the same way.
//! [`start`] returns once the plugins are loaded and the API answers; the [`RunningKernel`] it
//! gives back knows its address and stops the server gracefully (WebSockets closed with 1012,
//! requests drained) when asked.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::added_clusters::AddedClusters;
use crate::api::{AppState, router};
use crate::cluster::{
    BrokenCluster, Cluster, ClusterError, ClusterName, ClusterRegistry, ClusterSource,
};
use crate::config::AuthModeKey;
use crate::csrf::CsrfKey;
use crate::host::{Limits, LoadError, PluginHost};
use crate::identity::AuthMode;
use crate::kubeconfig;
use crate::launch_token::LaunchToken;
use crate::lifecycle::{self, Readiness};
use crate::loader::{self, LoadReport};
use crate::oidc::{OidcLogin, OidcSettings};
use crate::pinned::{PinnedSet, PinnedSetError};
use crate::plugin_manager::PluginManager;
use crate::plugin_manager::user_state::StateError;

/// Everything a kernel is started with: the `headlamp` flags after the config file is merged.
/// Not `Debug`: it holds secrets.
#[derive(Clone)]
pub struct LaunchOptions {
    /// Address to listen on (port 0: any free port, see [`RunningKernel::address`]).
    pub listen: SocketAddr,
    /// Kubeconfig files, merged; empty: `$KUBECONFIG` or `~/.kube/config`.
    pub kubeconfig: Vec<PathBuf>,
    /// Where clusters added through the UI are kept; `None`: the XDG config directory.
    pub config_dir: Option<PathBuf>,
    /// Extra directories of plugins, besides the built-in ones.
    pub plugins_dirs: Vec<PathBuf>,
    /// Where compiled and downloaded plugins are cached; `None`: the XDG cache directory.
    pub cache_dir: Option<PathBuf>,
    /// Memory cap of each plugin instance, in MiB.
    pub plugin_memory_mib: usize,
    /// Guest-time deadline of one plugin call, in milliseconds.
    pub plugin_deadline_ms: u64,
    /// The browser UI bundle; `None`: [`crate::ui::default_dir`].
    pub ui_dir: Option<PathBuf>,
    /// Start the embedded demo cluster (kube-sim) as cluster `demo`.
    pub demo: bool,
    /// `Local`: the kubeconfig's credentials (desktop); `Token`: the viewer's (web).
    pub auth: AuthModeKey,
    /// Secret CSRF tokens are signed with; random per process when unset.
    pub csrf_secret: Option<String>,
    /// Origins besides the kernel's own whose pages may open the stream.
    pub allowed_origins: Vec<String>,
    /// The OIDC login, when an issuer is configured.
    pub oidc: Option<OidcSettings>,
    /// Turns on the plugin hot-reload endpoint, guarded by this token.
    pub dev_token: Option<String>,
    /// The operator's pinned plugin set: only its entries load.
    pub pinned: Option<PinnedSet>,
    /// Artifact Hub, whose Headlamp plugins the Plugins page's catalog lists and installs.
    pub catalog_url: String,
    /// When set, every request must carry this token (see [`crate::launch_token`]): a
    /// desktop app's kernel on a loopback port.
    pub launch_token: Option<LaunchToken>,
}

impl Default for LaunchOptions {
    /// The `headlamp` binary's defaults.
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 4466)),
            kubeconfig: Vec::new(),
            config_dir: None,
            plugins_dirs: Vec::new(),
            cache_dir: None,
            plugin_memory_mib: 64,
            plugin_deadline_ms: 250,
            ui_dir: None,
            demo: false,
            auth: AuthModeKey::Local,
            csrf_secret: None,
            allowed_origins: Vec::new(),
            oidc: None,
            dev_token: None,
            pinned: None,
            catalog_url: headlamp_registry::artifacthub::DEFAULT_BASE_URL.to_owned(),
            launch_token: None,
        }
    }
}

impl LaunchOptions {
    /// A desktop app's kernel: local mode (the kubeconfig's credentials, clusters added through
    /// the UI kept), a free loopback port, and every request guarded by `token`.
    pub fn desktop(token: LaunchToken) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            auth: AuthModeKey::Local,
            launch_token: Some(token),
            ..Self::default()
        }
    }
}

/// Why a kernel could not start.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// The address is taken or not ours.
    #[error("cannot listen on {address}: {source}; choose another address with --listen")]
    Listen {
        /// The address asked for.
        address: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
    /// The embedded demo cluster did not start.
    #[error("starting the demo cluster (kube-sim) failed: {0}")]
    Demo(#[from] kube_sim::SimError),
    /// The demo cluster's client could not be built.
    #[error("the demo cluster cannot be reached: {0}")]
    DemoCluster(#[from] ClusterError),
    /// The plugin host could not be made (engine or cache).
    #[error(transparent)]
    Host(#[from] LoadError),
    /// The pinned set has entries that cannot be loaded.
    #[error(transparent)]
    Pinned(#[from] PinnedSetError),
    /// The user's plugin choices (`plugins.json`) cannot be read.
    #[error(transparent)]
    PluginState(#[from] StateError),
    /// The server stopped with an error.
    #[error("the server failed: {0}")]
    Serve(#[source] std::io::Error),
    /// The server task panicked or was cancelled.
    #[error("the server task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// The embedded demo cluster of a `--demo` kernel.
pub struct DemoCluster {
    /// Its API server's URL.
    pub url: String,
    /// A kubeconfig for `kubectl`, written to the temp directory; `None` if it could not be.
    pub kubeconfig: Option<PathBuf>,
    // Kept alive for the whole run: dropping the handle stops the demo cluster.
    _sim: kube_sim::SimHandle,
}

/// Stops a [`RunningKernel`] from anywhere (another thread, a window's close button).
#[derive(Debug, Clone, Default)]
pub struct ShutdownHandle(Arc<Notify>);

impl ShutdownHandle {
    /// Begins the graceful shutdown; the kernel's `wait` returns once requests are drained.
    pub fn stop(&self) {
        // A stored permit: a stop asked before anyone waits is not lost.
        self.0.notify_one();
    }
}

/// A kernel that serves: its address, the plugins it loaded, and the way to stop it.
pub struct RunningKernel {
    address: SocketAddr,
    report: LoadReport,
    demo: Option<DemoCluster>,
    shutdown: ShutdownHandle,
    server: JoinHandle<std::io::Result<()>>,
}

impl RunningKernel {
    /// Where the kernel listens (the real port when started on port 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The base URL of the UI and the API, `http://ADDRESS/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Which plugins loaded and which did not.
    pub fn report(&self) -> &LoadReport {
        &self.report
    }

    /// The demo cluster, when started with `demo`.
    pub fn demo(&self) -> Option<&DemoCluster> {
        self.demo.as_ref()
    }

    /// A handle that stops this kernel.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }

    /// Serves until `signal` resolves (or a [`ShutdownHandle`] is used), then stops gracefully
    /// and returns once the server has drained.
    pub async fn wait_until(self, signal: impl Future<Output = ()>) -> Result<(), LaunchError> {
        let RunningKernel {
            shutdown,
            mut server,
            demo,
            ..
        } = self;
        tokio::select! {
            result = &mut server => return result?.map_err(LaunchError::Serve),
            () = signal => shutdown.stop(),
        }
        let result = server.await?.map_err(LaunchError::Serve);
        // The demo cluster outlives every request that may still have used it.
        drop(demo);
        result
    }

    /// Serves until a [`ShutdownHandle`] is used.
    pub async fn wait(self) -> Result<(), LaunchError> {
        self.wait_until(std::future::pending()).await
    }
}

/// Starts a kernel with `options`: listens at once (so probes get an answer while plugins
/// compile), loads the clusters and plugins, and returns when it is ready.
pub async fn start(options: LaunchOptions) -> Result<RunningKernel, LaunchError> {
    // One TLS provider for every client the kernel makes (kube's and the OIDC login's).
    let _ = rustls::crypto::ring::default_provider().install_default();
    if let Some(dir) = &options.ui_dir {
        crate::ui::set_dir(dir.clone());
    }
    let clusters = if options.demo && options.kubeconfig.is_empty() {
        // The demo stands alone: the user's own clusters are not mixed into it.
        ClusterRegistry::new()
    } else {
        load_clusters(&options.kubeconfig).await
    };
    // Clusters added through the UI belong to a desktop user; in web mode the operator
    // configures every cluster.
    let config_dir = options.config_dir.clone().or_else(default_config_dir);
    let added_clusters = match options.auth {
        AuthModeKey::Local => config_dir
            .as_ref()
            .map(|dir| Arc::new(AddedClusters::in_dir(dir))),
        AuthModeKey::Token => None,
    };
    if let Some(store) = &added_clusters {
        match store.load() {
            Ok(config) => {
                kubeconfig::add_contexts_from(&config, &clusters, ClusterSource::Added).await
            }
            Err(e) => tracing::warn!("clusters added earlier are not loaded: {e}"),
        }
    }
    let demo = if options.demo {
        Some(start_demo(&clusters).await?)
    } else {
        None
    };
    let clusters = Arc::new(clusters);
    let limits = Limits {
        memory_bytes: options.plugin_memory_mib << 20,
        call_deadline: Duration::from_millis(options.plugin_deadline_ms),
        ..Limits::default()
    };
    let cache_dir = options.cache_dir.clone().or_else(default_cache_dir);
    // Pinned plugins pulled from registries are kept beside the compiled ones.
    let downloads = crate::pinned::BlobCache::new(cache_dir.as_deref());
    let host = Arc::new(PluginHost::new(limits, cache_dir, clusters)?);
    // Listen before loading, so that probes get an answer (`/readyz` 503 with why) while
    // plugins compile; the gate holds every other request until they are loaded.
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|source| LaunchError::Listen {
            address: options.listen,
            source,
        })?;
    let address = listener
        .local_addr()
        .map_err(|source| LaunchError::Listen {
            address: options.listen,
            source,
        })?;
    const LOADING: &str = "plugins are loading";
    let readiness = Readiness::waiting_for([LOADING]);
    let pinned = options.pinned.clone();
    // A desktop user manages their own plugins; an operator's deployment is the operator's.
    let plugin_manager = Arc::new(match (options.auth, &pinned, &config_dir) {
        (AuthModeKey::Local, None, Some(dir)) => {
            PluginManager::local(host.clone(), dir, options.catalog_url.clone())?
        }
        _ => PluginManager::refusing(host.clone(), options.catalog_url.clone()),
    });
    let state = AppState {
        host: host.clone(),
        auth: match options.auth {
            AuthModeKey::Local => AuthMode::Local,
            AuthModeKey::Token => AuthMode::Token,
        },
        csrf: options
            .csrf_secret
            .as_deref()
            .map_or_else(CsrfKey::random, CsrfKey::from_secret),
        allowed_origins: options.allowed_origins.clone().into(),
        added_clusters,
        oidc: options
            .oidc
            .clone()
            .map(|settings| Arc::new(OidcLogin::new(settings))),
        access: Default::default(),
        plugin_manager: Some(plugin_manager.clone()),
    };
    let dev = if pinned.is_some() {
        // Users cannot install into a pinned deployment, not even with the dev token.
        crate::dev::refusing_router()
    } else {
        crate::dev::router(state.host.clone(), options.dev_token.as_deref())
    };
    let mut app = lifecycle::gate(
        router(state)
            .merge(dev)
            .merge(lifecycle::router(readiness.clone())),
        readiness.clone(),
    );
    if let Some(token) = &options.launch_token {
        // Outermost: a caller without the token learns nothing, not even readiness.
        app = crate::launch_token::gate(app, token.clone());
    }
    let shutdown = ShutdownHandle::default();
    let stop = shutdown.0.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                stop.notified().await;
                tracing::info!("stopping: closing WebSockets (1012) and draining requests");
                lifecycle::begin_shutdown();
            })
            .await
    });
    let started = std::time::Instant::now();
    let report = match &pinned {
        Some(set) => {
            if !options.plugins_dirs.is_empty() {
                tracing::warn!(
                    "[plugins] pinned = true: the plugins directories are not scanned, only [[plugin]] entries load"
                );
            }
            crate::pinned::load(&host, set, loader::BUILTIN_PLUGINS, &downloads).await?
        }
        None => {
            let mut sources = loader::builtin_sources();
            if sources.is_empty() {
                tracing::warn!(
                    "this kernel was built without built-in plugins: run `make plugins` and rebuild"
                );
            }
            for dir in &options.plugins_dirs {
                sources.extend(loader::dir_sources(&host, dir));
            }
            // Plugins the user installed from the catalog.
            if let Some(dir) = plugin_manager.plugins_dir().filter(|d| d.is_dir()) {
                sources.extend(loader::dir_sources(&host, dir));
            }
            plugin_manager.start(sources).await
        }
    };
    tracing::info!(
        loaded = ?report.loaded,
        failed = report.failed.len(),
        pinned = pinned.is_some(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "plugins loaded"
    );
    readiness.done(LOADING);
    Ok(RunningKernel {
        address,
        report,
        demo,
        shutdown,
        server,
    })
}

/// Ctrl-C, or SIGTERM (what Kubernetes sends a pod it stops, and a session manager a desktop
/// app at logout): the signal both the binary and the desktop app stop on.
pub async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(e) => {
                    tracing::warn!("cannot watch SIGTERM ({e}); stopping on Ctrl-C only");
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Starts kube-sim's demo world and registers it as the cluster `demo`.
async fn start_demo(clusters: &ClusterRegistry) -> Result<DemoCluster, LaunchError> {
    // TLS, so that the written kubeconfig works with kubectl (which sends tokens only over TLS).
    let config = kube_sim::SimConfig {
        tls: true,
        ..kube_sim::SimConfig::demo()
    };
    let sim = kube_sim::Sim::start(config).await?;
    let config = sim.config_for("admin")?;
    clusters.insert(
        Cluster::from_config(ClusterName::new("demo"), config)?.with_source(ClusterSource::Demo),
    );
    let path =
        std::env::temp_dir().join(format!("headlamp-demo-{}.kubeconfig", std::process::id()));
    let kubeconfig = match sim.write_kubeconfig(&path) {
        Ok(()) => Some(path),
        Err(e) => {
            tracing::warn!("could not write the demo kubeconfig: {e}");
            None
        }
    };
    Ok(DemoCluster {
        url: sim.url.clone(),
        kubeconfig,
        _sim: sim,
    })
}

/// Every context of the kubeconfigs as a cluster (broken contexts are listed with their
/// error), and the pod's own cluster when the kernel runs in one.
async fn load_clusters(paths: &[PathBuf]) -> ClusterRegistry {
    let registry = ClusterRegistry::new();
    let in_cluster = kubeconfig::in_cluster();
    match kubeconfig::read(paths) {
        Ok(config) => kubeconfig::add_contexts(&config, &registry).await,
        // In a pod without a kubeconfig, the service account is the normal way in.
        Err(_) if in_cluster.is_some() && paths.is_empty() => {}
        Err(e) => tracing::warn!("{e}; no clusters from a kubeconfig"),
    }
    match in_cluster {
        Some(Ok(cluster)) => registry.insert(cluster),
        Some(Err(e)) => {
            registry.insert_broken(BrokenCluster {
                name: ClusterName::new(kubeconfig::IN_CLUSTER_NAME),
                source: ClusterSource::InCluster,
                error: e,
            });
        }
        None => {}
    }
    registry
}

/// `$XDG_CONFIG_HOME/headlamp-rs`, else `~/.config/headlamp-rs`: where a local user's added
/// clusters are kept.
pub fn default_config_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("headlamp-rs"))
}

/// `$XDG_CACHE_HOME/headlamp-rs/plugins`, else `~/.cache/headlamp-rs/plugins`: compiled
/// plugins kept between starts.
pub fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("headlamp-rs").join("plugins"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desktop_options_are_local_on_a_free_loopback_port_with_a_token() {
        let options = LaunchOptions::desktop(LaunchToken::random());
        assert!(options.listen.ip().is_loopback());
        assert_eq!(options.listen.port(), 0);
        assert_eq!(options.auth, AuthModeKey::Local);
        assert!(options.launch_token.is_some());
    }

    #[test]
    fn default_options_are_the_binarys_defaults() {
        let options = LaunchOptions::default();
        assert_eq!(options.listen, "127.0.0.1:4466".parse().unwrap());
        assert_eq!(options.auth, AuthModeKey::Local);
        assert!(options.launch_token.is_none());
    }
}
