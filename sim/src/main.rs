//! `kube-sim serve`: runs the simulated API server until interrupted.

use anyhow::Context;
use clap::{Parser, Subcommand};
use kube_sim::{Sim, SimConfig};

#[derive(Parser)]
#[command(
    name = "kube-sim",
    about = "An in-memory Kubernetes API server for demos and tests"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the API on 127.0.0.1.
    Serve {
        /// Port; 0 picks a free one.
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Where to write the kubeconfig (users admin and viewer).
        #[arg(long)]
        kubeconfig_out: Option<std::path::PathBuf>,
        /// Populate the demo world.
        #[arg(long)]
        demo: bool,
        /// Serve HTTPS with a generated CA (in the kubeconfig).
        #[arg(long)]
        tls: bool,
        /// Turn off random churn (restarts, events) in demo mode.
        #[arg(long)]
        no_churn: bool,
        /// Load mode, e.g. `pods=10000,events_per_sec=500`.
        #[arg(long)]
        load: Option<String>,
    },
}

fn parse_load(s: &str) -> anyhow::Result<(usize, usize)> {
    let (mut pods, mut eps) = (1000, 100);
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .with_context(|| format!("--load expects key=value pairs, got {part:?}"))?;
        let v: usize = v
            .parse()
            .with_context(|| format!("--load {k}: {v:?} is not a number"))?;
        match k {
            "pods" => pods = v,
            "events_per_sec" => eps = v,
            other => anyhow::bail!("--load: unknown key {other:?}; use pods= and events_per_sec="),
        }
    }
    Ok((pods, eps))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let Cmd::Serve {
        port,
        kubeconfig_out,
        demo,
        tls,
        no_churn,
        load,
    } = Cli::parse().cmd;
    let mut cfg = if demo {
        SimConfig::demo()
    } else {
        SimConfig::default()
    };
    cfg.port = port;
    cfg.tls = tls;
    if no_churn {
        cfg.churn = false;
    }
    if let Some(l) = load {
        cfg.load = Some(parse_load(&l)?);
    }
    let handle = Sim::start(cfg).await.context("starting kube-sim")?;
    if let Some(path) = &kubeconfig_out {
        handle
            .write_kubeconfig(path)
            .context("writing kubeconfig")?;
        println!("kubeconfig: {}", path.display());
    }
    println!("kube-sim listening on {}", handle.url);
    for u in handle.users() {
        println!("user {}: token {}", u.name, u.token);
    }
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    Ok(())
}
