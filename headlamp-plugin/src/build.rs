//! `headlamp-plugin build`: cargo for `wasm32-wasip2`, the kernel's own checks on the result,
//! then the package.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use headlamp_kernel::inspect::{ComponentInfo, inspect};
use headlamp_kernel::manifest::PluginManifest;
use serde::Serialize;

use crate::package::{PackageReport, package};
use crate::progress::Ui;
use crate::project::{Project, WASM_TARGET, cargo, read};
use crate::{Error, Result};

/// Options of `build`.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The plugin crate.
    pub dir: PathBuf,
    /// Build with the `release` profile (size-optimised in generated crates).
    pub release: bool,
    /// Build with this cargo profile instead (wins over `release`).
    pub profile: Option<String>,
}

/// What `build` produced.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    /// The plugin's id.
    pub name: String,
    /// The plugin's version.
    pub version: String,
    /// The cargo profile used.
    pub profile: String,
    /// The component cargo wrote.
    pub wasm: PathBuf,
    /// Its size in bytes.
    pub wasm_size: u64,
    /// The `headlamp:plugin` version it targets.
    pub api: String,
    /// The package written from it; none for a dev build, which is not for shipping.
    pub package: Option<PackageReport>,
}

impl std::fmt::Display for BuildReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Built {} {} ({} profile): {} ({}), headlamp:plugin@{}",
            self.name,
            self.version,
            self.profile,
            self.wasm.display(),
            human_size(self.wasm_size),
            self.api
        )?;
        match &self.package {
            Some(package) => write!(f, "{package}"),
            None => write!(
                f,
                "Not packaged: a dev build is unoptimised; `headlamp-plugin build --release` writes dist/{}-{}.tar.gz",
                self.name, self.version
            ),
        }
    }
}

/// `1234567` -> `1.2 MiB`.
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else if bytes >= 1 << 10 {
        format!("{:.1} KiB", bytes as f64 / f64::from(1 << 10))
    } else {
        format!("{bytes} B")
    }
}

/// Builds, checks and packages the plugin.
pub fn run(options: &BuildOptions, ui: Ui) -> Result<BuildReport> {
    let project = Project::load(&options.dir)?;
    ensure_target(ui)?;
    let profile = options
        .profile
        .clone()
        .unwrap_or_else(|| if options.release { "release" } else { "dev" }.to_string());
    let spinner = ui.spinner(format!(
        "Building {} for {WASM_TARGET}",
        project.manifest.name
    ));
    let mut cmd = Command::new(cargo());
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(project.dir.join("Cargo.toml"))
        .args(["--lib", "--target", WASM_TARGET, "--profile", &profile])
        .args(["--message-format", "json-render-diagnostics"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    tracing::debug!(command = ?cmd, "running cargo");
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::Toolchain(format!("running cargo: {e}: is cargo on PATH?")))?;
    let stderr = child.stderr.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    // cargo's diagnostics arrive on stderr while its JSON arrives on stdout: read both at once
    // or a full pipe stalls the build.
    let stderr_thread = std::thread::spawn(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(std::result::Result::ok)
            .collect::<Vec<String>>()
    });
    let mut wasm: Option<PathBuf> = None;
    for line in BufReader::new(stdout)
        .lines()
        .map_while(std::result::Result::ok)
    {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        if let Some(name) = message["target"]["name"].as_str() {
            spinner.set(format!(
                "Building {} (compiled {name})",
                project.manifest.name
            ));
        }
        let is_cdylib = message["target"]["kind"]
            .as_array()
            .is_some_and(|k| k.iter().any(|k| k == "cdylib"));
        let is_ours = message["target"]["name"]
            .as_str()
            .map(|n| n.replace('-', "_"))
            == Some(project.crate_name.replace('-', "_"));
        if is_cdylib && is_ours {
            wasm = message["filenames"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f.as_str())
                .find(|f| f.ends_with(".wasm"))
                .map(PathBuf::from);
        }
    }
    let status = child
        .wait()
        .map_err(|e| Error::Toolchain(format!("waiting for cargo: {e}")))?;
    let diagnostics = stderr_thread.join().unwrap_or_default();
    drop(spinner);
    if !status.success() {
        return Err(Error::Toolchain(format!(
            "cargo build --target {WASM_TARGET} failed for {}:\n{}\nfix the errors above and run the build again",
            project.dir.display(),
            tail(&diagnostics, 60)
        )));
    }
    if ui.passthrough() {
        let warnings: Vec<&String> = diagnostics
            .iter()
            .filter(|l| {
                !l.trim_start().starts_with("Compiling") && !l.trim_start().starts_with("Finished")
            })
            .collect();
        if warnings.iter().any(|l| l.starts_with("warning")) {
            for line in warnings {
                eprintln!("{line}");
            }
        }
    }
    let wasm = wasm.ok_or_else(|| {
        Error::Toolchain(format!(
            "cargo built {} but produced no .wasm: add `crate-type = [\"cdylib\", \"rlib\"]` under [lib] in Cargo.toml",
            project.crate_name
        ))
    })?;
    let bytes = read(&wasm)?;
    let info = verify_component(&project, &wasm, &bytes)?;
    let package = if profile == "dev" {
        None
    } else {
        Some(package(&project, &wasm, &bytes)?)
    };
    Ok(BuildReport {
        name: project.manifest.name.to_string(),
        version: project.manifest.version.to_string(),
        profile,
        wasm_size: bytes.len() as u64,
        wasm,
        api: info.api_version.to_string(),
        package,
    })
}

/// The last `n` lines, enough to show the error without flooding a CI log.
fn tail(lines: &[String], n: usize) -> String {
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Checks `wasm` as the kernel will: a component of a WIT version it serves, whose embedded
/// manifest is the crate's current `plugin.toml`.
pub fn verify_component(project: &Project, path: &Path, wasm: &[u8]) -> Result<ComponentInfo> {
    let info = inspect(wasm).map_err(|source| Error::Component {
        path: path.to_path_buf(),
        source,
    })?;
    let embedded = info.embedded_manifest.as_deref().ok_or_else(|| {
        Error::Project(format!(
            "{} carries no embedded plugin.toml: call `headlamp_plugin_sdk::export_plugin!(YourPlugin);` in src/lib.rs",
            path.display()
        ))
    })?;
    let embedded = PluginManifest::parse(embedded).map_err(|e| {
        Error::Project(format!(
            "{}: the embedded plugin.toml is invalid: {e}",
            path.display()
        ))
    })?;
    if embedded != project.manifest {
        return Err(Error::Project(format!(
            "{} embeds a plugin.toml that differs from {}: rebuild with `headlamp-plugin build` (the component is older than the manifest)",
            path.display(),
            project.dir.join("plugin.toml").display()
        )));
    }
    if embedded.api != info.api_version {
        return Err(Error::Project(format!(
            "plugin.toml says api = \"{}\" but the component was built against headlamp:plugin@{}: set api = \"{}\" in plugin.toml",
            embedded.api, info.api_version, info.api_version
        )));
    }
    Ok(info)
}

/// Makes sure the `wasm32-wasip2` standard library is installed, installing it with rustup.
pub fn ensure_target(ui: Ui) -> Result<()> {
    if target_installed() {
        return Ok(());
    }
    let has_rustup = Command::new("rustup")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_rustup {
        return Err(Error::Toolchain(format!(
            "the Rust standard library for {WASM_TARGET} is not installed and rustup is not available: \
             install rustup (https://rustup.rs) and run `rustup target add {WASM_TARGET}`, or install your \
             distribution's rust-std package for {WASM_TARGET}"
        )));
    }
    let _spinner = ui.spinner(format!("Installing the {WASM_TARGET} target with rustup"));
    let output = Command::new("rustup")
        .args(["target", "add", WASM_TARGET])
        .output()
        .map_err(|e| Error::Toolchain(format!("running rustup: {e}")))?;
    if !output.status.success() {
        return Err(Error::Toolchain(format!(
            "`rustup target add {WASM_TARGET}` failed: {}: run it yourself and retry",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}

/// Whether rustc's sysroot has the target's standard library (works with or without rustup).
fn target_installed() -> bool {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .is_some_and(|sysroot| sysroot.join("lib/rustlib").join(WASM_TARGET).is_dir())
}
