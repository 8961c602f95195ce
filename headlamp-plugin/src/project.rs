//! A plugin crate on disk: its `Cargo.toml`, its `plugin.toml`, where cargo puts its `.wasm`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use headlamp_kernel::manifest::PluginManifest;

use crate::{Error, Result};

/// The rustup target every plugin is built for.
pub const WASM_TARGET: &str = "wasm32-wasip2";

/// A plugin crate: the directory holding `Cargo.toml` and `plugin.toml`.
#[derive(Debug, Clone)]
pub struct Project {
    /// The crate's directory.
    pub dir: PathBuf,
    /// The `[package] name` of `Cargo.toml`.
    pub crate_name: String,
    /// `plugin.toml` as written.
    pub manifest_text: String,
    /// `plugin.toml`, parsed and checked by the kernel's own parser.
    pub manifest: PluginManifest,
}

impl Project {
    /// Reads the crate at `dir`; the manifest must be valid (run `lint` for a detailed report).
    pub fn load(dir: &Path) -> Result<Self> {
        let dir = dir
            .canonicalize()
            .map_err(Error::io("opening plugin directory", dir))?;
        let crate_name = crate_name(&dir)?;
        let manifest_path = dir.join("plugin.toml");
        let manifest_text = std::fs::read_to_string(&manifest_path).map_err(|e| {
            Error::Project(format!(
                "reading {}: {e}: a plugin needs a plugin.toml next to Cargo.toml (headlamp-plugin new writes one)",
                manifest_path.display()
            ))
        })?;
        let manifest = PluginManifest::parse(&manifest_text).map_err(|e| {
            Error::Project(format!(
                "{}: {e} (run `headlamp-plugin lint` for every problem with its line)",
                manifest_path.display()
            ))
        })?;
        Ok(Self {
            dir,
            crate_name,
            manifest_text,
            manifest,
        })
    }

    /// `NAME-VERSION`, the stem of the package files.
    pub fn package_stem(&self) -> String {
        format!("{}-{}", self.manifest.name, self.manifest.version)
    }

    /// The crate's `dist/` directory.
    pub fn dist_dir(&self) -> PathBuf {
        self.dir.join("dist")
    }

    /// The file name cargo gives the crate's cdylib.
    pub fn wasm_file_name(&self) -> String {
        format!("{}.wasm", self.crate_name.replace('-', "_"))
    }

    /// The most recently built `.wasm` of this crate, preferring optimised profiles: a dev
    /// build (`debug/`) is returned only when `allow_dev` and no other build exists, because
    /// it is tens of MiB and never what should be shipped.
    pub fn latest_wasm(&self, allow_dev: bool) -> Result<Option<PathBuf>> {
        let dir = target_dir(&self.dir)?.join(WASM_TARGET);
        Ok(pick_build(&dir, &self.wasm_file_name(), allow_dev))
    }

    /// The component to package or publish: `explicit` if given, else the latest optimised
    /// build, else an error saying to build one.
    pub fn require_wasm(&self, explicit: Option<&Path>) -> Result<PathBuf> {
        if let Some(path) = explicit {
            return Ok(path.to_path_buf());
        }
        if let Some(path) = self.latest_wasm(false)? {
            return Ok(path);
        }
        let only_dev = self.latest_wasm(true)?.is_some();
        Err(Error::Project(format!(
            "no {}build of {} found under the cargo target directory{}: run `headlamp-plugin build --release {}` first, or pass --wasm FILE",
            if only_dev { "optimised " } else { "" },
            self.manifest.name,
            if only_dev {
                " (only a dev build, which is not for shipping)"
            } else {
                ""
            },
            self.dir.display()
        )))
    }
}

/// The newest `PROFILE/file` under `dir` (a target's output directory), optimised profiles
/// first; `debug/` only when `allow_dev` and nothing else exists.
fn pick_build(dir: &Path, file: &str, allow_dev: bool) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut best: Option<(bool, SystemTime, PathBuf)> = None;
    for entry in entries.flatten() {
        let optimised = entry.file_name() != "debug";
        let candidate = entry.path().join(file);
        if let Ok(meta) = candidate.metadata() {
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            if best
                .as_ref()
                .is_none_or(|(o, t, _)| (optimised, modified) > (*o, *t))
            {
                best = Some((optimised, modified, candidate));
            }
        }
    }
    best.filter(|(optimised, _, _)| *optimised || allow_dev)
        .map(|(_, _, path)| path)
}

/// `[package] name` of the crate at `dir`.
pub fn crate_name(dir: &Path) -> Result<String> {
    let path = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::Project(format!(
            "reading {}: {e}: point the command at a plugin crate (create one with `headlamp-plugin new NAME`)",
            path.display()
        ))
    })?;
    let doc: toml::Table =
        toml::from_str(&text).map_err(|e| Error::Project(format!("{}: {e}", path.display())))?;
    doc.get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_string)
        .ok_or_else(|| {
            Error::Project(format!(
                "{} has no [package] name: a plugin is a library crate, not a workspace root",
                path.display()
            ))
        })
}

/// Where cargo writes the crate's build output (respects `CARGO_TARGET_DIR` and workspaces).
pub fn target_dir(dir: &Path) -> Result<PathBuf> {
    let output = Command::new(cargo())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(dir)
        .output()
        .map_err(|e| Error::Toolchain(format!("running cargo metadata: {e}: is cargo on PATH?")))?;
    let output = if output.status.success() {
        output
    } else {
        // --offline fails when the lock file still needs the index; retry online.
        Command::new(cargo())
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .current_dir(dir)
            .output()
            .map_err(|e| Error::Toolchain(format!("running cargo metadata: {e}")))?
    };
    if !output.status.success() {
        return Err(Error::Toolchain(format!(
            "cargo metadata failed in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let meta: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| Error::Toolchain(format!("cargo metadata printed no JSON: {e}")))?;
    meta["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| Error::Toolchain("cargo metadata has no target_directory".into()))
}

/// The cargo to run: the one that runs us when we run under cargo, else `cargo` on PATH.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Reads a file, naming it in the error.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(Error::io("reading", path))
}

/// Writes a file, creating its directory, naming it in the error.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(Error::io("creating", parent))?;
    }
    std::fs::write(path, bytes).map_err(Error::io("writing", path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, profile: &str) -> PathBuf {
        let path = dir.join(profile).join("p.wasm");
        write(&path, b"\0asm").unwrap();
        path
    }

    #[test]
    fn an_optimised_build_wins_over_a_newer_dev_build() {
        let tmp = tempfile::tempdir().unwrap();
        let release = touch(tmp.path(), "release");
        std::thread::sleep(std::time::Duration::from_millis(20));
        let dev = touch(tmp.path(), "debug");
        assert_eq!(
            pick_build(tmp.path(), "p.wasm", false),
            Some(release.clone())
        );
        assert_eq!(pick_build(tmp.path(), "p.wasm", true), Some(release));
        drop(dev);
    }

    #[test]
    fn a_dev_build_alone_is_only_for_lint() {
        let tmp = tempfile::tempdir().unwrap();
        let dev = touch(tmp.path(), "debug");
        assert_eq!(pick_build(tmp.path(), "p.wasm", false), None);
        assert_eq!(pick_build(tmp.path(), "p.wasm", true), Some(dev));
    }

    #[test]
    fn the_newest_of_two_optimised_profiles_wins() {
        let tmp = tempfile::tempdir().unwrap();
        touch(tmp.path(), "release");
        std::thread::sleep(std::time::Duration::from_millis(20));
        let plugin = touch(tmp.path(), "plugin");
        assert_eq!(pick_build(tmp.path(), "p.wasm", false), Some(plugin));
    }
}
