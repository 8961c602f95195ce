//! `headlamp`: the kernel binary. Loads plugins, connects to clusters and serves the API.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use headlamp_kernel::added_clusters::AddedClusters;
use headlamp_kernel::api::{AppState, router};
use headlamp_kernel::cluster::{
    BrokenCluster, Cluster, ClusterName, ClusterRegistry, ClusterSource,
};
use headlamp_kernel::config::{
    AuthModeKey as AuthArg, AuthSection, Config, OidcSection, PluginsSection,
};
use headlamp_kernel::csrf::CsrfKey;
use headlamp_kernel::host::{Limits, PluginHost};
use headlamp_kernel::identity::AuthMode;
use headlamp_kernel::lifecycle::{self, Readiness};
use headlamp_kernel::oidc::{OidcLogin, OidcSettings};
use headlamp_kernel::plugin_manager::PluginManager;
use headlamp_kernel::{kubeconfig, loader};

/// The headlamp-rs kernel: plugin host, cluster access and the UI's HTTP API.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The configuration file (`headlamp.toml`, see docs/config.md). Flags and `HEADLAMP_*`
    /// variables win over it; it wins over the defaults.
    #[arg(long, env = "HEADLAMP_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on. Loopback by default; anything else exposes the API.
    #[arg(long, env = "HEADLAMP_LISTEN", default_value = "127.0.0.1:4466")]
    listen: SocketAddr,
    /// Kubeconfig files (comma-separated or repeated), merged; every context becomes a cluster.
    /// Defaults to $KUBECONFIG (several files merged) or ~/.kube/config.
    #[arg(long, env = "HEADLAMP_KUBECONFIG", value_delimiter = ',')]
    kubeconfig: Vec<PathBuf>,
    /// Where settings and clusters added through the UI are kept (desktop use).
    /// Defaults to $XDG_CONFIG_HOME/headlamp-rs or ~/.config/headlamp-rs.
    #[arg(long, env = "HEADLAMP_CONFIG_DIR")]
    config_dir: Option<PathBuf>,
    /// Extra directories of plugins (`NAME.wasm`, or `NAME/plugin.wasm` + `plugin.toml`).
    #[arg(
        long = "plugins-dir",
        env = "HEADLAMP_PLUGINS_DIR",
        value_delimiter = ','
    )]
    plugins_dirs: Vec<PathBuf>,
    /// Where compiled plugins, and pinned plugins downloaded from registries (`sha256/`),
    /// are cached between starts.
    #[arg(long, env = "HEADLAMP_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Memory cap of each plugin instance, in MiB.
    #[arg(long, env = "HEADLAMP_PLUGIN_MEMORY_MIB", default_value_t = 64)]
    plugin_memory_mib: usize,
    /// Guest-time deadline of one plugin call, in milliseconds.
    #[arg(long, env = "HEADLAMP_PLUGIN_DEADLINE_MS", default_value_t = 250)]
    plugin_deadline_ms: u64,
    /// Directory of the browser UI bundle (`make ui` writes `target/ui/`). Default: `ui/` beside
    /// this binary if it holds an index.html, else the workspace's `target/ui/`.
    #[arg(long, env = "HEADLAMP_UI_DIR")]
    ui_dir: Option<PathBuf>,
    /// Start the embedded demo cluster (kube-sim) in-process and serve it as cluster `demo`.
    #[arg(long, env = "HEADLAMP_DEMO")]
    demo: bool,
    /// `local`: the kubeconfig's credentials (desktop). `token`: every request must carry the
    /// viewer's bearer token, used for all cluster calls (web and in-cluster deployments).
    #[arg(long, env = "HEADLAMP_AUTH", value_enum, default_value_t = AuthArg::Local)]
    auth: AuthArg,
    /// Secret CSRF tokens are signed with; replicas behind one address must share it.
    /// Random per process when unset.
    #[arg(long, env = "HEADLAMP_CSRF_SECRET", hide_env_values = true)]
    csrf_secret: Option<String>,
    /// Origins (`https://host:port`) besides the kernel's own whose pages may open the stream.
    #[arg(
        long = "allowed-origin",
        env = "HEADLAMP_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    allowed_origins: Vec<String>,
    /// OpenID Connect issuer viewers log in with (`/auth/login`); the API servers must trust
    /// the same issuer, since the ID token is what they receive.
    // Its client id and redirect URL may come from the config file, so they are checked
    // after the merge rather than by clap.
    #[arg(long, env = "HEADLAMP_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    /// The client id registered with the OIDC issuer.
    #[arg(long, env = "HEADLAMP_OIDC_CLIENT_ID")]
    oidc_client_id: Option<String>,
    /// The client secret, if the issuer requires one.
    #[arg(long, env = "HEADLAMP_OIDC_CLIENT_SECRET", hide_env_values = true)]
    oidc_client_secret: Option<String>,
    /// The kernel's public URL followed by `/auth/callback`, as registered with the issuer.
    #[arg(long, env = "HEADLAMP_OIDC_REDIRECT_URL")]
    oidc_redirect_url: Option<String>,
    /// Extra scopes to ask for (`openid` is always asked), e.g. `email,groups`.
    #[arg(
        long,
        env = "HEADLAMP_OIDC_SCOPES",
        value_delimiter = ',',
        default_value = "email,profile"
    )]
    oidc_scopes: Vec<String>,
    /// Turn on the plugin hot-reload endpoint (POST /api/v1/dev/plugins) used by
    /// `headlamp-plugin start`, guarded by this token. Off when not given.
    #[arg(long, env = "HEADLAMP_DEV_TOKEN", hide_env_values = true)]
    dev_token: Option<String>,
    /// Artifact Hub, whose Headlamp plugins the Plugins page's catalog lists and installs.
    #[arg(
        long,
        env = "HEADLAMP_CATALOG_URL",
        default_value = headlamp_registry::artifacthub::DEFAULT_BASE_URL
    )]
    catalog_url: String,
    /// `[plugins] pinned` with its `[[plugin]]` entries: file only.
    #[arg(skip)]
    pinned: Option<headlamp_kernel::pinned::PinnedSet>,
}

/// What `headlamp` does besides serving.
#[derive(Debug, Subcommand)]
enum Command {
    /// Check or print the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
}

/// `headlamp config ...`.
#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate a headlamp.toml: prints each error with its line and column, exits non-zero.
    Check {
        /// The file to check.
        file: PathBuf,
    },
    /// Print the effective configuration (file, then env, then flags merged) as TOML.
    /// Secrets are shown as `<set>`.
    Show,
}

impl Args {
    /// Flags and env as clap read them, then the config file (`--config`) under them.
    fn load() -> anyhow::Result<Self> {
        let matches = Args::command().get_matches();
        let mut args = Args::from_arg_matches(&matches)?;
        // `config check` judges the file it is given; a broken `--config` must not stop it.
        let checking = matches!(
            args.command,
            Some(Command::Config(ConfigCommand::Check { .. }))
        );
        if let (Some(path), false) = (args.config.clone(), checking) {
            let file = Config::load(&path)?;
            args.pinned = file
                .pinned_set()
                .with_context(|| format!("in {}", path.display()))?;
            args.fill_from(&matches, file);
        }
        if args.oidc_issuer.is_some()
            && (args.oidc_client_id.is_none() || args.oidc_redirect_url.is_none())
        {
            anyhow::bail!(
                "an OIDC issuer is set but not its client id and redirect URL: set \
                 --oidc-client-id and --oidc-redirect-url (or [oidc] client_id and redirect_url)"
            );
        }
        Ok(args)
    }

    /// Takes each value of `file` whose flag was given neither on the command line nor in
    /// the environment (clap's defaults do not count: the file overrides them).
    fn fill_from(&mut self, matches: &ArgMatches, file: Config) {
        let unset = |id: &str| {
            !matches!(
                matches.value_source(id),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            )
        };
        macro_rules! fill {
            ($id:literal, $field:expr, $value:expr) => {
                if unset($id) {
                    if let Some(value) = $value {
                        $field = value;
                    }
                }
            };
        }
        let Config {
            listen,
            kubeconfig,
            config_dir,
            cache_dir,
            ui_dir,
            demo,
            dev_token,
            auth,
            oidc,
            plugins,
            plugin: _,
        } = file;
        fill!("listen", self.listen, listen);
        fill!("kubeconfig", self.kubeconfig, kubeconfig);
        fill!("config_dir", self.config_dir, config_dir.map(Some));
        fill!("cache_dir", self.cache_dir, cache_dir.map(Some));
        fill!("ui_dir", self.ui_dir, ui_dir.map(Some));
        fill!("demo", self.demo, demo);
        fill!("dev_token", self.dev_token, dev_token.map(Some));
        fill!("auth", self.auth, auth.mode);
        fill!("csrf_secret", self.csrf_secret, auth.csrf_secret.map(Some));
        fill!(
            "allowed_origins",
            self.allowed_origins,
            auth.allowed_origins
        );
        fill!("oidc_issuer", self.oidc_issuer, oidc.issuer.map(Some));
        fill!(
            "oidc_client_id",
            self.oidc_client_id,
            oidc.client_id.map(Some)
        );
        fill!(
            "oidc_client_secret",
            self.oidc_client_secret,
            oidc.client_secret.map(Some)
        );
        fill!(
            "oidc_redirect_url",
            self.oidc_redirect_url,
            oidc.redirect_url.map(Some)
        );
        fill!("oidc_scopes", self.oidc_scopes, oidc.scopes);
        fill!("plugins_dirs", self.plugins_dirs, plugins.dirs);
        fill!(
            "plugin_memory_mib",
            self.plugin_memory_mib,
            plugins.memory_mib.map(|n| n.get())
        );
        fill!(
            "plugin_deadline_ms",
            self.plugin_deadline_ms,
            plugins.deadline_ms.map(|n| n.get())
        );
        fill!("catalog_url", self.catalog_url, plugins.catalog_url);
    }

    /// The effective options in the file's shape, secrets hidden.
    fn effective(&self) -> Config {
        let secret = |s: &Option<String>| s.as_ref().map(|_| "<set>".to_owned());
        Config {
            listen: Some(self.listen),
            kubeconfig: Some(self.kubeconfig.clone()),
            config_dir: self.config_dir.clone(),
            cache_dir: self.cache_dir.clone(),
            ui_dir: self.ui_dir.clone(),
            demo: Some(self.demo),
            dev_token: secret(&self.dev_token),
            auth: AuthSection {
                mode: Some(self.auth),
                csrf_secret: secret(&self.csrf_secret),
                allowed_origins: Some(self.allowed_origins.clone()),
            },
            oidc: OidcSection {
                issuer: self.oidc_issuer.clone(),
                client_id: self.oidc_client_id.clone(),
                client_secret: secret(&self.oidc_client_secret),
                redirect_url: self.oidc_redirect_url.clone(),
                scopes: Some(self.oidc_scopes.clone()),
            },
            plugins: PluginsSection {
                dirs: Some(self.plugins_dirs.clone()),
                memory_mib: std::num::NonZeroUsize::new(self.plugin_memory_mib),
                deadline_ms: std::num::NonZeroU64::new(self.plugin_deadline_ms),
                pinned: self.pinned.as_ref().map(|_| true),
                on_error: self.pinned.as_ref().map(|p| p.on_error),
                catalog_url: Some(self.catalog_url.clone()),
            },
            plugin: self
                .pinned
                .as_ref()
                .map(|p| p.entries.clone())
                .unwrap_or_default(),
        }
    }
}

/// `headlamp config ...`: prints and returns the exit code.
fn run_config_command(args: &Args, command: &ConfigCommand) -> std::process::ExitCode {
    match command {
        ConfigCommand::Check { file } => match Config::load(file).map(|c| c.pinned_set()) {
            Ok(Err(e)) => {
                eprintln!("error: {}: {e}", file.display());
                std::process::ExitCode::FAILURE
            }
            Ok(Ok(_)) => {
                println!("{}: ok", file.display());
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                std::process::ExitCode::FAILURE
            }
        },
        ConfigCommand::Show => {
            print!("{}", args.effective().to_toml());
            std::process::ExitCode::SUCCESS
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<std::process::ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,kube=warn".into()),
        )
        .init();
    let args = Args::load()?;
    if let Some(Command::Config(command)) = &args.command {
        return Ok(run_config_command(&args, command));
    }
    // One TLS provider for every client the kernel makes (kube's and the OIDC login's).
    let _ = rustls::crypto::ring::default_provider().install_default();
    if let Some(dir) = &args.ui_dir {
        headlamp_kernel::ui::set_dir(dir.clone());
    }
    let clusters = if args.demo && args.kubeconfig.is_empty() {
        // The demo stands alone: the user's own clusters are not mixed into it.
        ClusterRegistry::new()
    } else {
        load_clusters(&args.kubeconfig).await
    };
    // Clusters added through the UI belong to a desktop user; in web mode the operator
    // configures every cluster.
    let config_dir = args.config_dir.clone().or_else(default_config_dir);
    let added_clusters = match args.auth {
        AuthArg::Local => config_dir
            .as_ref()
            .map(|dir| Arc::new(AddedClusters::in_dir(dir))),
        AuthArg::Token => None,
    };
    if let Some(store) = &added_clusters {
        match store.load() {
            Ok(config) => {
                kubeconfig::add_contexts_from(&config, &clusters, ClusterSource::Added).await
            }
            Err(e) => tracing::warn!("clusters added earlier are not loaded: {e}"),
        }
    }
    // Kept alive for the whole run: dropping the handle stops the demo cluster.
    let _demo = if args.demo {
        Some(start_demo(&clusters).await?)
    } else {
        None
    };
    let clusters = Arc::new(clusters);
    let limits = Limits {
        memory_bytes: args.plugin_memory_mib << 20,
        call_deadline: Duration::from_millis(args.plugin_deadline_ms),
        ..Limits::default()
    };
    let cache_dir = args.cache_dir.or_else(default_cache_dir);
    // Pinned plugins pulled from registries are kept beside the compiled ones.
    let downloads = headlamp_kernel::pinned::BlobCache::new(cache_dir.as_deref());
    let host = Arc::new(PluginHost::new(limits, cache_dir, clusters)?);
    // Listen before loading, so that probes get an answer (`/readyz` 503 with why) while
    // plugins compile; the gate holds every other request until they are loaded.
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    const LOADING: &str = "plugins are loading";
    let readiness = Readiness::waiting_for([LOADING]);
    let pinned = args.pinned.clone();
    let dev_token = args.dev_token.clone();
    // A desktop user manages their own plugins; an operator's deployment is the operator's.
    let plugin_manager = Arc::new(match (&args.auth, &pinned, &config_dir) {
        (AuthArg::Local, None, Some(dir)) => {
            PluginManager::local(host.clone(), dir, args.catalog_url.clone())?
        }
        _ => PluginManager::refusing(host.clone(), args.catalog_url.clone()),
    });
    let state = AppState {
        host: host.clone(),
        auth: match args.auth {
            AuthArg::Local => AuthMode::Local,
            AuthArg::Token => AuthMode::Token,
        },
        csrf: args
            .csrf_secret
            .as_deref()
            .map_or_else(CsrfKey::random, CsrfKey::from_secret),
        allowed_origins: args.allowed_origins.into(),
        added_clusters,
        oidc: args.oidc_issuer.map(|issuer| {
            Arc::new(OidcLogin::new(OidcSettings {
                issuer,
                client_id: args.oidc_client_id.unwrap_or_default(),
                client_secret: args.oidc_client_secret,
                redirect_url: args.oidc_redirect_url.unwrap_or_default(),
                scopes: args.oidc_scopes,
            }))
        }),
        access: Default::default(),
        plugin_manager: Some(plugin_manager.clone()),
    };
    let dev = if pinned.is_some() {
        // Users cannot install into a pinned deployment, not even with the dev token.
        headlamp_kernel::dev::refusing_router()
    } else {
        headlamp_kernel::dev::router(state.host.clone(), dev_token.as_deref())
    };
    let app = lifecycle::gate(
        router(state)
            .merge(dev)
            .merge(lifecycle::router(readiness.clone())),
        readiness.clone(),
    );
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                stop_signal().await;
                tracing::info!("stopping: closing WebSockets (1012) and draining requests");
                lifecycle::begin_shutdown();
            })
            .await
    });
    let started = std::time::Instant::now();
    let report = match &pinned {
        Some(set) => {
            if !args.plugins_dirs.is_empty() {
                tracing::warn!(
                    "[plugins] pinned = true: the plugins directories are not scanned, only [[plugin]] entries load"
                );
            }
            headlamp_kernel::pinned::load(&host, set, loader::BUILTIN_PLUGINS, &downloads).await?
        }
        None => {
            let mut sources = loader::builtin_sources();
            if sources.is_empty() {
                tracing::warn!(
                    "this kernel was built without built-in plugins: run `make plugins` and rebuild"
                );
            }
            for dir in &args.plugins_dirs {
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
    // Printed once ready: scripts and tests wait for this line.
    println!("headlamp is serving on http://{address}/");
    if dev_token.is_some() && pinned.is_none() {
        println!(
            "dev endpoint: POST http://{address}/api/v1/dev/plugins (headlamp-plugin start --kernel http://{address})"
        );
    }
    server.await.context("the server task failed")??;
    Ok(std::process::ExitCode::SUCCESS)
}

/// Ctrl-C, or SIGTERM (what Kubernetes sends a pod it stops).
async fn stop_signal() {
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
async fn start_demo(clusters: &ClusterRegistry) -> anyhow::Result<kube_sim::SimHandle> {
    // TLS, so that the written kubeconfig works with kubectl (which sends tokens only over TLS).
    let config = kube_sim::SimConfig {
        tls: true,
        ..kube_sim::SimConfig::demo()
    };
    let sim = kube_sim::Sim::start(config)
        .await
        .context("starting the demo cluster (kube-sim) failed")?;
    let config = sim
        .config_for("admin")
        .context("the demo cluster has no admin user")?;
    clusters.insert(
        Cluster::from_config(ClusterName::new("demo"), config)?.with_source(ClusterSource::Demo),
    );
    let kubeconfig =
        std::env::temp_dir().join(format!("headlamp-demo-{}.kubeconfig", std::process::id()));
    match sim.write_kubeconfig(&kubeconfig) {
        Ok(()) => println!(
            "demo cluster: {} (kubectl --kubeconfig {} get pods -A)",
            sim.url,
            kubeconfig.display()
        ),
        Err(e) => tracing::warn!("could not write the demo kubeconfig: {e}"),
    }
    Ok(sim)
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

fn default_config_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("headlamp-rs"))
}

fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("headlamp-rs").join("plugins"))
}
