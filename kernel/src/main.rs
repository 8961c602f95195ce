//! `headlamp`: the kernel binary. Loads plugins, connects to clusters and serves the API.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use headlamp_kernel::config::{
    AuthModeKey as AuthArg, AuthSection, Config, OidcSection, PluginsSection,
};
use headlamp_kernel::launch::{self, LaunchOptions};
use headlamp_kernel::oidc::OidcSettings;

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

impl Args {
    /// The options the kernel starts with; the kernel binary has no launch token (its
    /// loopback port is guarded by the auth mode chosen, as before).
    fn into_launch_options(self) -> LaunchOptions {
        LaunchOptions {
            listen: self.listen,
            kubeconfig: self.kubeconfig,
            config_dir: self.config_dir,
            plugins_dirs: self.plugins_dirs,
            cache_dir: self.cache_dir,
            plugin_memory_mib: self.plugin_memory_mib,
            plugin_deadline_ms: self.plugin_deadline_ms,
            ui_dir: self.ui_dir,
            demo: self.demo,
            auth: self.auth,
            csrf_secret: self.csrf_secret,
            allowed_origins: self.allowed_origins,
            oidc: self.oidc_issuer.map(|issuer| OidcSettings {
                issuer,
                client_id: self.oidc_client_id.unwrap_or_default(),
                client_secret: self.oidc_client_secret,
                redirect_url: self.oidc_redirect_url.unwrap_or_default(),
                scopes: self.oidc_scopes,
            }),
            dev_token: self.dev_token,
            pinned: self.pinned,
            catalog_url: self.catalog_url,
            launch_token: None,
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
    let options = args.into_launch_options();
    let printing_dev = options.dev_token.is_some() && options.pinned.is_none();
    let kernel = launch::start(options).await?;
    if let Some(demo) = kernel.demo() {
        match &demo.kubeconfig {
            Some(path) => println!(
                "demo cluster: {} (kubectl --kubeconfig {} get pods -A)",
                demo.url,
                path.display()
            ),
            None => println!("demo cluster: {}", demo.url),
        }
    }
    let address = kernel.address();
    // Printed once ready: scripts and tests wait for this line.
    println!("headlamp is serving on http://{address}/");
    if printing_dev {
        println!(
            "dev endpoint: POST http://{address}/api/v1/dev/plugins (headlamp-plugin start --kernel http://{address})"
        );
    }
    kernel.wait_until(launch::stop_signal()).await?;
    Ok(std::process::ExitCode::SUCCESS)
}
