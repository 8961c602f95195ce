//! The `headlamp-plugin` binary: flags in, reports out (text for people, `--json` for CI).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use headlamp_plugin::progress::Ui;
use headlamp_plugin::{
    artifacthub, build, dev, harness, installed, lint, new, oci, package, upgrade,
};
use serde::Serialize;

/// Create, build, check, test, hot-reload, package, publish, install and upgrade headlamp-rs
/// plugins.
///
/// A plugin is a Rust crate compiled to a WebAssembly component (wasm32-wasip2) with
/// headlamp-plugin-sdk; its plugin.toml says who it is and which cluster calls it may make.
#[derive(Debug, Parser)]
#[command(name = "headlamp-plugin", version, propagate_version = true)]
struct Cli {
    /// Print one JSON document on stdout instead of text (for CI); no spinners.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Create a plugin crate that builds and tests as generated.
    New {
        /// The plugin's id: lowercase letters, digits and '-', starting with a letter.
        name: String,
        /// What the plugin starts as.
        #[arg(long, short, value_enum, default_value = "table")]
        template: new::Template,
        /// Directory to create (default: ./NAME); must not exist or be empty.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Depend on the SDK at this path instead of crates.io (default: the checkout's sdk/
        /// when the new crate lies inside a headlamp-rs checkout).
        #[arg(long)]
        sdk_path: Option<PathBuf>,
        /// Depend on headlamp-plugin-sdk from crates.io even inside a checkout.
        #[arg(long, conflicts_with = "sdk_path")]
        sdk_from_crates_io: bool,
    },
    /// Build the component for wasm32-wasip2, check it as the kernel will, and write
    /// dist/NAME-VERSION.tar.gz with its .sha256.
    Build {
        /// The plugin crate.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Optimised, size-reduced build (the one to publish).
        #[arg(long)]
        release: bool,
        /// Use this cargo profile instead of dev/release.
        #[arg(long, conflicts_with = "release")]
        profile: Option<String>,
    },
    /// Check plugin.toml, the crate and the built component; exits 1 on errors.
    Lint {
        /// The plugin crate.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The component to check (default: the latest build of the crate).
        #[arg(long)]
        wasm: Option<PathBuf>,
        /// Largest acceptable component, in bytes.
        #[arg(long, default_value_t = lint::DEFAULT_MAX_SIZE)]
        max_size: u64,
    },
    /// Run the plugin's tests, then exercise every view it registers in a kernel with the demo
    /// cluster; exits 1 on any failure.
    ///
    /// Runs the crate's `cargo test`, builds the component, loads it beside the built-in
    /// plugins into an in-process kernel whose cluster `demo` is kube-sim's demo world, and
    /// exercises every table, extra column, details view, section, page and action it
    /// registers.
    #[command(
        after_help = "Each table's rows are computed through the kernel's rows path; details views and \
sections are rendered on the first object of their kind in the demo cluster; actions are invoked \
without dialog input. A kind the demo cluster does not serve is skipped, with the reason."
    )]
    Test {
        /// The plugin crate.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Test this component instead of building the crate.
        #[arg(long)]
        wasm: Option<PathBuf>,
        /// Skip the crate's own `cargo test`.
        #[arg(long)]
        no_unit_tests: bool,
        /// Build the unoptimised dev profile instead of release (release is what you publish;
        /// dev components are ~100x larger).
        #[arg(long)]
        dev: bool,
    },
    /// Build and load into a running kernel, then rebuild and hot-reload on every change.
    ///
    /// Watches the crate until interrupted; the kernel must run with --dev-token.
    #[command(
        after_help = "The kernel must run with a dev token, which turns its hot-reload endpoint on:\n  \
headlamp --demo --dev-token my-token\n  headlamp-plugin start --kernel http://127.0.0.1:4466 --dev-token my-token\n\n\
A failed build or load is printed and changes nothing: the last good build keeps serving."
    )]
    Start {
        /// The plugin crate.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The kernel's base URL.
        #[arg(long, env = "HEADLAMP_KERNEL_URL", default_value = dev::DEFAULT_KERNEL)]
        kernel: String,
        /// The token the kernel was started with (--dev-token / HEADLAMP_DEV_TOKEN).
        #[arg(long, env = "HEADLAMP_DEV_TOKEN", hide_env_values = true)]
        dev_token: String,
        /// Build the unoptimised dev profile instead of release (faster to compile for large
        /// plugins, but a much larger component for the kernel to compile on each reload).
        #[arg(long)]
        dev: bool,
        /// Quiet time after the last change before rebuilding, in milliseconds.
        #[arg(long, default_value_t = dev::DEFAULT_DEBOUNCE.as_millis() as u64)]
        debounce_ms: u64,
    },
    /// Write dist/NAME-VERSION.tar.gz and .sha256 from the latest build, without building.
    Package {
        /// The plugin crate.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The component to package (default: the latest build of the crate).
        #[arg(long)]
        wasm: Option<PathBuf>,
    },
    /// Push the component to an OCI registry (oci://REGISTRY/REPO[:TAG], tag defaults to the
    /// plugin version), or write Artifact Hub metadata with --artifacthub DIR.
    #[command(
        after_help = "Examples:\n  headlamp-plugin publish oci://ghcr.io/me/my-plugin:0.1.0\n  headlamp-plugin publish --artifacthub ../my-ah-repo --archive-url https://github.com/me/my-plugin/releases/download/v0.1.0/my-plugin-0.1.0.tar.gz"
    )]
    Publish {
        /// Where to push: oci://REGISTRY/REPOSITORY[:TAG].
        #[arg(
            required_unless_present = "artifacthub",
            conflicts_with = "artifacthub"
        )]
        reference: Option<String>,
        /// The plugin crate.
        #[arg(long, short = 'C', default_value = ".")]
        path: PathBuf,
        /// The component to push (default: the latest build of the crate).
        #[arg(long)]
        wasm: Option<PathBuf>,
        /// Write artifacthub-pkg.yml (and artifacthub-repo.yml) into this git repository
        /// directory instead of pushing.
        #[arg(long, value_name = "DIR", requires = "archive_url")]
        artifacthub: Option<PathBuf>,
        /// With --artifacthub: where dist/NAME-VERSION.tar.gz will be downloadable.
        #[arg(long, value_name = "URL")]
        archive_url: Option<String>,
        /// With --artifacthub: the same version as an OCI artifact (oci://...).
        #[arg(long, value_name = "REF")]
        oci_ref: Option<String>,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Install a plugin from oci://REGISTRY/REPO:TAG (or @sha256:DIGEST),
    /// artifacthub:REPO/NAME[@VERSION], or a NAME-VERSION.tar.gz file or URL, verifying
    /// digests and checksums.
    Install {
        /// What to install.
        reference: String,
        /// The plugins directory (default: ~/.local/share/headlamp-rs/plugins).
        #[arg(long, env = "HEADLAMP_PLUGINS_DIR")]
        dir: Option<PathBuf>,
        /// Refuse the OCI artifact unless its manifest digest is this (sha256:...).
        #[arg(long)]
        digest: Option<String>,
        /// For a .tar.gz: its sha256 (default: read from the .sha256 file beside it).
        #[arg(long)]
        sha256: Option<String>,
        /// Artifact Hub's address (for a mirror or a test fixture).
        #[arg(long, env = "HEADLAMP_ARTIFACTHUB_URL", default_value = artifacthub::DEFAULT_BASE_URL)]
        artifacthub_url: String,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// List the installed plugins.
    List {
        /// The plugins directory (default: ~/.local/share/headlamp-rs/plugins).
        #[arg(long, env = "HEADLAMP_PLUGINS_DIR")]
        dir: Option<PathBuf>,
    },
    /// Install newer compatible versions of installed plugins (--dry-run to preview).
    ///
    /// Each plugin is looked up where it came from: OCI tags that are semver, or the Artifact
    /// Hub package's versions; the newest one built for this kernel's headlamp:plugin version
    /// is installed, its digest or checksum verified as on install.
    Upgrade {
        /// Only this plugin (default: all installed).
        name: Option<String>,
        /// The plugins directory (default: ~/.local/share/headlamp-rs/plugins).
        #[arg(long, env = "HEADLAMP_PLUGINS_DIR")]
        dir: Option<PathBuf>,
        /// Show what would be upgraded, change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Artifact Hub's address (for a mirror or a test fixture).
        #[arg(long, env = "HEADLAMP_ARTIFACTHUB_URL", default_value = artifacthub::DEFAULT_BASE_URL)]
        artifacthub_url: String,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Remove an installed plugin.
    Remove {
        /// The plugin's id.
        name: String,
        /// The plugins directory (default: ~/.local/share/headlamp-rs/plugins).
        #[arg(long, env = "HEADLAMP_PLUGINS_DIR")]
        dir: Option<PathBuf>,
    },
}

/// How to reach an OCI registry.
#[derive(Debug, clap::Args)]
struct RegistryArgs {
    /// Registry user (default: from ~/.docker/config.json).
    #[arg(long, env = "HEADLAMP_REGISTRY_USERNAME", requires = "password")]
    username: Option<String>,
    /// Registry password or token.
    #[arg(
        long,
        env = "HEADLAMP_REGISTRY_PASSWORD",
        requires = "username",
        hide_env_values = true
    )]
    password: Option<String>,
    /// Talk HTTP, not HTTPS (automatic for localhost and 127.0.0.1).
    #[arg(long)]
    plain_http: bool,
}

impl RegistryArgs {
    fn options(self) -> oci::RegistryOptions {
        oci::RegistryOptions {
            username: self.username,
            password: self.password,
            plain_http: self.plain_http,
            docker_config: None,
        }
    }
}

fn plugins_dir(dir: Option<PathBuf>) -> Result<PathBuf> {
    Ok(match dir {
        Some(dir) => dir,
        None => installed::default_plugins_dir()?,
    })
}

fn print<T: Serialize + std::fmt::Display>(json: bool, report: &T) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        println!("{report}");
    }
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode> {
    let ui = Ui { json: cli.json };
    match cli.command {
        Cmd::New {
            name,
            template,
            dir,
            sdk_path,
            sdk_from_crates_io,
        } => {
            let sdk = if sdk_from_crates_io {
                Some(new::SdkSource::CratesIo(env!("CARGO_PKG_VERSION").into()))
            } else {
                sdk_path.map(new::SdkSource::Path)
            };
            let report = new::run(&new::NewOptions {
                name,
                template,
                dir,
                sdk,
            })?;
            print(cli.json, &report)?;
        }
        Cmd::Build {
            path,
            release,
            profile,
        } => {
            let report = build::run(
                &build::BuildOptions {
                    dir: path,
                    release,
                    profile,
                },
                ui,
            )?;
            print(cli.json, &report)?;
        }
        Cmd::Lint {
            path,
            wasm,
            max_size,
        } => {
            let report = lint::run(&lint::LintOptions {
                dir: path,
                wasm,
                max_size,
            })?;
            print(cli.json, &report)?;
            if report.has_errors() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Cmd::Test {
            path,
            wasm,
            no_unit_tests,
            dev,
        } => {
            let report = harness::run(
                &harness::TestOptions {
                    dir: path,
                    wasm,
                    unit_tests: !no_unit_tests,
                    release: !dev,
                },
                ui,
            )?;
            print(cli.json, &report)?;
            if report.has_failures() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Cmd::Start {
            path,
            kernel,
            dev_token,
            dev,
            debounce_ms,
        } => {
            let options = dev::StartOptions {
                dir: path,
                kernel,
                token: dev_token,
                release: !dev,
                debounce: std::time::Duration::from_millis(debounce_ms),
            };
            dev::run(&options, ui, |event| {
                if cli.json {
                    // One JSON object per line: a stream CI and editors can follow.
                    println!(
                        "{}",
                        serde_json::to_string(event).expect("events serialise")
                    );
                } else {
                    println!("{event}");
                }
            })?;
        }
        Cmd::Package { path, wasm } => {
            let report = package::run(&path, wasm.as_deref())?;
            print(cli.json, &report)?;
        }
        Cmd::Publish {
            reference,
            path,
            wasm,
            artifacthub,
            archive_url,
            oci_ref,
            registry,
        } => {
            if let Some(out) = artifacthub {
                let report = artifacthub::publish(&artifacthub::ArtifactHubOptions {
                    dir: path,
                    out,
                    archive_url: archive_url.unwrap_or_default(),
                    oci_ref,
                })?;
                print(cli.json, &report)?;
            } else {
                let report = oci::publish(
                    &oci::PublishOptions {
                        reference: reference.unwrap_or_default(),
                        dir: path,
                        wasm,
                        registry: registry.options(),
                    },
                    ui,
                )?;
                print(cli.json, &report)?;
            }
        }
        Cmd::Install {
            reference,
            dir,
            digest,
            sha256,
            artifacthub_url,
            registry,
        } => {
            let dir = plugins_dir(dir)?;
            let report = if reference.starts_with("artifacthub:") {
                artifacthub::install(&reference, &artifacthub_url, &dir, ui)?
            } else if reference.ends_with(".tar.gz") || reference.ends_with(".tgz") {
                installed::install_archive(&reference, sha256.as_deref(), &dir)?
            } else if !reference.starts_with("oci://") {
                anyhow::bail!(
                    "`{reference}` is not something install knows: use oci://REGISTRY/REPO:TAG, artifacthub:REPO/NAME[@VERSION], or a path or URL ending in .tar.gz"
                );
            } else {
                oci::install(&reference, &dir, &registry.options(), digest.as_deref(), ui)?
            };
            print(cli.json, &report)?;
        }
        Cmd::List { dir } => {
            let report = installed::list(&plugins_dir(dir)?)?;
            print(cli.json, &report)?;
        }
        Cmd::Upgrade {
            name,
            dir,
            dry_run,
            artifacthub_url,
            registry,
        } => {
            let report = upgrade::run(
                &upgrade::UpgradeOptions {
                    dir: plugins_dir(dir)?,
                    name,
                    dry_run,
                    registry: registry.options(),
                    artifacthub_url,
                },
                ui,
            )?;
            print(cli.json, &report)?;
            if report.has_failures() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Cmd::Remove { name, dir } => {
            let report = installed::remove(&plugins_dir(dir)?, &name)?;
            print(cli.json, &report)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if json {
                println!("{}", serde_json::json!({ "error": format!("{e:#}") }));
            } else {
                eprintln!("error: {e:#}");
            }
            ExitCode::from(2)
        }
    }
}
