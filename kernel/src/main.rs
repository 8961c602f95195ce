//! `headlamp`: the kernel binary. Loads plugins, connects to clusters and serves the API.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use headlamp_kernel::api::{AppState, router};
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::host::{Limits, PluginHost};
use headlamp_kernel::{kubeconfig, loader};

/// The headlamp-rs kernel: plugin host, cluster access and the UI's HTTP API.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on. Loopback by default; anything else exposes the API.
    #[arg(long, env = "HEADLAMP_LISTEN", default_value = "127.0.0.1:4466")]
    listen: SocketAddr,
    /// Kubeconfig file; every context becomes a cluster. Defaults to $KUBECONFIG or ~/.kube/config.
    #[arg(long, env = "HEADLAMP_KUBECONFIG")]
    kubeconfig: Option<PathBuf>,
    /// Extra directories of plugins (`NAME.wasm`, or `NAME/plugin.wasm` + `plugin.toml`).
    #[arg(
        long = "plugins-dir",
        env = "HEADLAMP_PLUGINS_DIR",
        value_delimiter = ','
    )]
    plugins_dirs: Vec<PathBuf>,
    /// Where compiled plugins are cached between starts.
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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,kube=warn".into()),
        )
        .init();
    let args = Args::parse();
    if let Some(dir) = &args.ui_dir {
        headlamp_kernel::ui::set_dir(dir.clone());
    }
    let mut clusters = if args.demo && args.kubeconfig.is_none() {
        // The demo stands alone: the user's own clusters are not mixed into it.
        ClusterRegistry::new()
    } else {
        load_clusters(args.kubeconfig.as_deref()).await
    };
    // Kept alive for the whole run: dropping the handle stops the demo cluster.
    let _demo = if args.demo {
        Some(start_demo(&mut clusters).await?)
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
    let host = Arc::new(PluginHost::new(limits, cache_dir, clusters)?);
    let mut sources = loader::builtin_sources();
    if sources.is_empty() {
        tracing::warn!(
            "this kernel was built without built-in plugins: run `make plugins` and rebuild"
        );
    }
    for dir in &args.plugins_dirs {
        sources.extend(loader::dir_sources(&host, dir));
    }
    let started = std::time::Instant::now();
    let report = loader::load_all(&host, sources).await;
    tracing::info!(
        loaded = ?report.loaded,
        failed = report.failed.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "plugins loaded"
    );
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    println!("headlamp is serving on http://{address}/");
    axum::serve(listener, router(AppState { host }))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// Starts kube-sim's demo world and registers it as the cluster `demo`.
async fn start_demo(clusters: &mut ClusterRegistry) -> anyhow::Result<kube_sim::SimHandle> {
    // TLS, so that the written kubeconfig works with kubectl (which sends tokens only over TLS).
    let config = kube_sim::SimConfig {
        tls: true,
        ..kube_sim::SimConfig::demo()
    };
    let sim = kube_sim::Sim::start(config)
        .await
        .context("starting the demo cluster (kube-sim) failed")?;
    clusters.insert(Cluster::new(ClusterName::new("demo"), sim.client()));
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

/// Every context of the kubeconfig as a cluster; broken contexts are listed with their error.
async fn load_clusters(path: Option<&std::path::Path>) -> ClusterRegistry {
    let mut registry = ClusterRegistry::new();
    match kubeconfig::read(path) {
        Ok(config) => kubeconfig::add_contexts(&config, &mut registry).await,
        Err(e) => tracing::warn!("{e}; no clusters are configured"),
    }
    registry
}

fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("headlamp-rs").join("plugins"))
}
