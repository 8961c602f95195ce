//! `headlamp-desktop`: the headlamp-rs kernel in-process on a loopback port, shown in a native
//! window (tao + wry: webkit2gtk on Linux).
//!
//! The kernel is started on `127.0.0.1:0` in local mode (the kubeconfig's credentials) with a
//! fresh random launch token: only the window, which receives the token in its first URL, can
//! use the API. Closing the window (or SIGTERM / Ctrl-C) stops the kernel gracefully and exits.

mod window;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use headlamp_kernel::launch::{self, LaunchOptions};
use headlamp_kernel::launch_token::LaunchToken;
use tao::event::{Event, WindowEvent};
use tao::event_loop::{ControlFlow, EventLoopBuilder};

/// How long a stopping kernel may take to drain before the app exits anyway.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// The headlamp-rs desktop app: every cluster of your kubeconfig in a window.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Kubeconfig files (comma-separated or repeated), merged; every context becomes a cluster.
    /// Defaults to $KUBECONFIG or ~/.kube/config.
    #[arg(long, env = "HEADLAMP_KUBECONFIG", value_delimiter = ',')]
    kubeconfig: Vec<PathBuf>,
    /// Start the embedded demo cluster (kube-sim) in-process and show it as cluster `demo`.
    #[arg(long, env = "HEADLAMP_DEMO")]
    demo: bool,
    /// Extra directories of plugins (`NAME.wasm`, or `NAME/plugin.wasm` + `plugin.toml`).
    #[arg(
        long = "plugins-dir",
        env = "HEADLAMP_PLUGINS_DIR",
        value_delimiter = ','
    )]
    plugins_dirs: Vec<PathBuf>,
    /// Where clusters added through the UI are kept.
    /// Defaults to $XDG_CONFIG_HOME/headlamp-rs or ~/.config/headlamp-rs.
    #[arg(long, env = "HEADLAMP_CONFIG_DIR")]
    config_dir: Option<PathBuf>,
    /// Where compiled plugins are cached between starts.
    /// Defaults to $XDG_CACHE_HOME/headlamp-rs/plugins or ~/.cache/headlamp-rs/plugins.
    #[arg(long, env = "HEADLAMP_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Directory of the UI bundle. Default: `ui/` beside this binary if it holds an
    /// index.html, else the workspace's `target/ui/` (`make ui`).
    #[arg(long, env = "HEADLAMP_UI_DIR")]
    ui_dir: Option<PathBuf>,
    /// Print the window's URL with the launch token (`url: ...`), for scripts and tests.
    /// Whoever reads it can use the API as you.
    #[arg(long)]
    print_url: bool,
}

impl Args {
    /// The kernel's options: the desktop defaults (loopback, local mode, `token`) and the flags.
    fn launch_options(&self, token: LaunchToken) -> LaunchOptions {
        LaunchOptions {
            kubeconfig: self.kubeconfig.clone(),
            demo: self.demo,
            plugins_dirs: self.plugins_dirs.clone(),
            config_dir: self.config_dir.clone(),
            cache_dir: self.cache_dir.clone(),
            ui_dir: self.ui_dir.clone(),
            ..LaunchOptions::desktop(token)
        }
    }
}

/// What the kernel's runtime tells the window's event loop.
#[derive(Debug)]
enum AppEvent {
    /// SIGTERM or Ctrl-C: close as if the window were closed.
    Quit,
    /// The kernel's server ended: `None` after a clean stop, else why it failed.
    KernelStopped(Option<String>),
    /// The kernel did not drain within [`STOP_GRACE`].
    StopTimedOut,
}

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,kube=warn".into()),
        )
        .init();
    let args = Args::parse();
    let token = LaunchToken::random();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let kernel = runtime
        .block_on(launch::start(args.launch_options(token.clone())))
        .context("the kernel did not start")?;
    let base = kernel.url();
    if let Some(demo) = kernel.demo()
        && let Some(path) = &demo.kubeconfig
    {
        println!(
            "demo cluster: {} (kubectl --kubeconfig {} get pods -A)",
            demo.url,
            path.display()
        );
    }
    println!("headlamp-desktop: kernel serving on {base}");
    let entry = token.entry_url(&base);
    if args.print_url {
        println!("url: {entry}");
    }

    let event_loop = EventLoopBuilder::<AppEvent>::with_user_event().build();
    let proxy = event_loop.create_proxy();
    let shutdown = kernel.shutdown_handle();
    let stopped = proxy.clone();
    runtime.spawn(async move {
        let error = kernel.wait().await.err().map(|e| e.to_string());
        let _ = stopped.send_event(AppEvent::KernelStopped(error));
    });
    let quit = proxy.clone();
    runtime.spawn(async move {
        launch::stop_signal().await;
        let _ = quit.send_event(AppEvent::Quit);
    });

    let mut window = Some(window::open(&event_loop, &base, &entry, started)?);
    let mut stopping = false;
    event_loop.run(move |event, _, control_flow| {
        *control_flow = ControlFlow::Wait;
        match event {
            Event::WindowEvent {
                event: WindowEvent::CloseRequested,
                ..
            }
            | Event::UserEvent(AppEvent::Quit)
                if !stopping =>
            {
                stopping = true;
                // The page goes first, so that it does not reconnect to a stopping kernel.
                window.take();
                shutdown.stop();
                let timeout = proxy.clone();
                runtime.spawn(async move {
                    tokio::time::sleep(STOP_GRACE).await;
                    let _ = timeout.send_event(AppEvent::StopTimedOut);
                });
            }
            Event::UserEvent(AppEvent::KernelStopped(None)) => {
                println!("headlamp-desktop: stopped");
                *control_flow = ControlFlow::ExitWithCode(0);
            }
            Event::UserEvent(AppEvent::KernelStopped(Some(error))) => {
                eprintln!("headlamp-desktop: the kernel stopped: {error}");
                *control_flow = ControlFlow::ExitWithCode(1);
            }
            Event::UserEvent(AppEvent::StopTimedOut) => {
                eprintln!(
                    "headlamp-desktop: the kernel did not stop within {}s; exiting anyway",
                    STOP_GRACE.as_secs()
                );
                *control_flow = ControlFlow::ExitWithCode(1);
            }
            _ => {}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_reach_the_kernel_and_the_desktop_defaults_stay() {
        let args = Args::try_parse_from([
            "headlamp-desktop",
            "--demo",
            "--kubeconfig",
            "a.yaml,b.yaml",
            "--plugins-dir",
            "/p",
        ])
        .unwrap();
        let options = args.launch_options(LaunchToken::random());
        assert!(options.demo);
        assert_eq!(
            options.kubeconfig,
            [PathBuf::from("a.yaml"), PathBuf::from("b.yaml")]
        );
        assert_eq!(options.plugins_dirs, [PathBuf::from("/p")]);
        assert!(options.listen.ip().is_loopback());
        assert_eq!(options.listen.port(), 0);
        assert!(options.launch_token.is_some());
    }
}
