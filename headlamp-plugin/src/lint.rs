//! `headlamp-plugin lint`: every problem of a plugin crate at once, each with where and how to
//! fix it.
//!
//! The manifest checks run field by field on the raw TOML (rather than stopping at the kernel
//! parser's first error) so one run lists every defect; the kernel's parser then has the last
//! word, so lint never passes a manifest the kernel would refuse.

use std::path::{Path, PathBuf};

use headlamp_kernel::inspect::{WIT_PACKAGE, check_compatible, host_api_version, inspect};
use headlamp_kernel::manifest::{PluginId, PluginManifest};
use semver::Version;
use serde::Serialize;

use crate::project::{Project, read};
use crate::{Error, Result};

/// Components larger than this are refused: the kernel compiles every plugin at start.
pub const DEFAULT_MAX_SIZE: u64 = 8 << 20;
/// Components larger than this get a warning.
pub const SIZE_WARNING: u64 = 2 << 20;

/// Keys `plugin.toml` may have (the kernel refuses others).
const MANIFEST_KEYS: &[&str] = &[
    "name",
    "version",
    "description",
    "api",
    "license",
    "source",
    "permissions",
    "settings",
];
const VERBS: &[&str] = &[
    "get", "list", "watch", "create", "update", "patch", "delete", "*",
];

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing breaks.
    Note,
    /// Works, but users or publishing will suffer.
    Warning,
    /// The kernel will refuse the plugin, or it will fail at run time.
    Error,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// A stable id, such as `manifest-name`, for scripts and for tests.
    pub code: &'static str,
    /// How bad it is.
    pub severity: Severity,
    /// The file concerned, relative to the crate.
    pub file: PathBuf,
    /// The 1-based line, where the problem is on one line.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub fix: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}[{}] {}",
            self.severity,
            self.code,
            self.file.display()
        )?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}\n    fix: {}", self.message, self.fix)
    }
}

/// Options of `lint`.
#[derive(Debug, Clone)]
pub struct LintOptions {
    /// The plugin crate.
    pub dir: PathBuf,
    /// The component to check; defaults to the latest build.
    pub wasm: Option<PathBuf>,
    /// Size above which the component is an error.
    pub max_size: u64,
}

/// Everything lint found.
#[derive(Debug, Clone, Serialize)]
pub struct LintReport {
    /// The crate linted.
    pub dir: PathBuf,
    /// The component checked, if one was found.
    pub wasm: Option<PathBuf>,
    /// The findings, errors first.
    pub findings: Vec<Finding>,
}

impl LintReport {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// Whether a finding with `code` was made.
    pub fn has(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

impl std::fmt::Display for LintReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for finding in &self.findings {
            writeln!(f, "{finding}")?;
        }
        match &self.wasm {
            Some(wasm) => writeln!(f, "checked {} and {}", self.dir.display(), wasm.display())?,
            None => writeln!(
                f,
                "checked {} (no built component found)",
                self.dir.display()
            )?,
        }
        write!(
            f,
            "{} error(s), {} warning(s), {} note(s)",
            self.count(Severity::Error),
            self.count(Severity::Warning),
            self.count(Severity::Note)
        )
    }
}

/// Collects findings with their location.
struct Findings {
    list: Vec<Finding>,
}

impl Findings {
    fn add(
        &mut self,
        severity: Severity,
        code: &'static str,
        file: &str,
        line: Option<usize>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.list.push(Finding {
            code,
            severity,
            file: PathBuf::from(file),
            line,
            message: message.into(),
            fix: fix.into(),
        });
    }
}

/// The 1-based line of `key = ...` in `text` (the first one at any table level).
pub fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

/// The 1-based line where `needle` first appears at or after line `from`.
fn line_of(text: &str, needle: &str, from: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
}

/// Runs every check.
pub fn run(options: &LintOptions) -> Result<LintReport> {
    let dir = options
        .dir
        .canonicalize()
        .map_err(Error::io("opening plugin directory", &options.dir))?;
    let mut findings = Findings { list: Vec::new() };
    let manifest = lint_manifest(&dir, &mut findings);
    lint_crate(&dir, &mut findings);
    let mut wasm_checked = None;
    if let Some(manifest) = manifest {
        wasm_checked = lint_component(&dir, &manifest, options, &mut findings)?;
    }
    let mut list = findings.list;
    list.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.line.cmp(&b.line)));
    Ok(LintReport {
        dir,
        wasm: wasm_checked,
        findings: list,
    })
}

/// Field-by-field checks of `plugin.toml`; returns the text and the parsed manifest when the
/// kernel's parser accepts it.
fn lint_manifest(dir: &Path, out: &mut Findings) -> Option<(String, PluginManifest)> {
    const FILE: &str = "plugin.toml";
    let Ok(text) = std::fs::read_to_string(dir.join(FILE)) else {
        out.add(
            Severity::Error,
            "manifest-missing",
            FILE,
            None,
            "plugin.toml is missing: the kernel cannot load a plugin without it",
            "create plugin.toml next to Cargo.toml with name, version, description and api (see `headlamp-plugin new`)",
        );
        return None;
    };
    let table: toml::Table = match toml::from_str(&text) {
        Ok(t) => t,
        Err(e) => {
            let line = e.span().map(|s| text[..s.start].lines().count().max(1));
            out.add(
                Severity::Error,
                "manifest-syntax",
                FILE,
                line,
                format!("plugin.toml is not valid TOML: {}", e.message()),
                "fix the TOML syntax at that line",
            );
            return None;
        }
    };
    let errors_before = out.list.len();

    for key in table.keys() {
        if !MANIFEST_KEYS.contains(&key.as_str()) {
            out.add(
                Severity::Error,
                "manifest-unknown-key",
                FILE,
                key_line(&text, key).or_else(|| line_of(&text, &format!("[{key}]"), 1)),
                format!(
                    "unknown key `{key}`: the kernel refuses manifests with keys it does not know"
                ),
                format!(
                    "remove `{key}`; allowed keys are {}",
                    MANIFEST_KEYS.join(", ")
                ),
            );
        }
    }

    match table.get("name").and_then(|v| v.as_str()) {
        None => out.add(
            Severity::Error,
            "manifest-name",
            FILE,
            None,
            "`name` is missing",
            "add `name = \"my-plugin\"` (lowercase letters, digits and '-')",
        ),
        Some(name) => {
            if let Err(e) = PluginId::new(name) {
                out.add(
                    Severity::Error,
                    "manifest-name",
                    FILE,
                    key_line(&text, "name"),
                    e.to_string(),
                    format!("rename it, e.g. `name = \"{}\"`", suggest_id(name)),
                );
            } else if let Some(short) = name.strip_prefix("headlamp-") {
                out.add(
                    Severity::Note,
                    "manifest-name-prefix",
                    FILE,
                    key_line(&text, "name"),
                    format!("`{name}` repeats `headlamp-`: every plugin is a headlamp plugin"),
                    format!("consider `name = \"{short}\"`"),
                );
            }
        }
    }

    for (key, what) in [
        ("version", "the plugin's own version"),
        ("api", "the headlamp:plugin WIT version"),
    ] {
        match table.get(key).and_then(|v| v.as_str()) {
            None => out.add(
                Severity::Error,
                "manifest-semver",
                FILE,
                key_line(&text, key),
                format!("`{key}` ({what}) is missing or not a string"),
                format!("add `{key} = \"0.1.0\"`"),
            ),
            Some(value) => match Version::parse(value) {
                Err(e) => out.add(
                    Severity::Error,
                    "manifest-semver",
                    FILE,
                    key_line(&text, key),
                    format!("`{key} = \"{value}\"` is not a semantic version: {e}"),
                    format!("write MAJOR.MINOR.PATCH, e.g. `{key} = \"0.1.0\"`"),
                ),
                Ok(version) if key == "api" => {
                    if let Err(e) = check_compatible(&version) {
                        out.add(
                            Severity::Error,
                            "wit-incompatible",
                            FILE,
                            key_line(&text, key),
                            e.to_string(),
                            format!("set `api = \"{}\"` and rebuild with a matching headlamp-plugin-sdk", host_api_version()),
                        );
                    }
                }
                Ok(_) => {}
            },
        }
    }

    if table
        .get("description")
        .and_then(|v| v.as_str())
        .is_none_or(|d| d.trim().is_empty())
    {
        out.add(
            Severity::Warning,
            "manifest-description",
            FILE,
            key_line(&text, "description"),
            "no description: the Plugins page and Artifact Hub show it",
            "add `description = \"one line saying what the plugin adds\"`",
        );
    }
    if !table.contains_key("license") {
        out.add(
            Severity::Warning,
            "manifest-license",
            FILE,
            None,
            "no license: users and Artifact Hub cannot tell whether they may use the plugin",
            "add an SPDX id, e.g. `license = \"Apache-2.0\"`",
        );
    }

    if let Some(permissions) = table.get("permissions") {
        let entries = permissions.as_array().cloned().unwrap_or_default();
        let mut from = key_line(&text, "resources").unwrap_or(1);
        for entry in &entries {
            let resources = entry.get("resources").and_then(|r| r.as_array());
            let verbs = entry.get("verbs").and_then(|r| r.as_array());
            let at = line_of(&text, "resources", from).unwrap_or(from);
            if resources.is_none_or(|r| r.is_empty()) || verbs.is_none_or(|v| v.is_empty()) {
                out.add(
                    Severity::Error,
                    "permission-empty",
                    FILE,
                    line_of(&text, "[[permissions]]", from.saturating_sub(2)),
                    "a [[permissions]] entry needs at least one resource and one verb",
                    "add `resources = [\"pods\"]` and `verbs = [\"get\", \"list\"]`, or delete the entry",
                );
            }
            for verb in verbs.into_iter().flatten() {
                let verb = verb.as_str().unwrap_or_default();
                if !VERBS.contains(&verb) {
                    out.add(
                        Severity::Error,
                        "permission-verb",
                        FILE,
                        line_of(&text, &format!("\"{verb}\""), at),
                        format!("`{verb}` is not a Kubernetes verb"),
                        format!("use one of {}", VERBS.join(", ")),
                    );
                }
            }
            for resource in resources.into_iter().flatten() {
                let resource = resource.as_str().unwrap_or_default();
                if resource.chars().any(|c| c.is_ascii_uppercase()) {
                    out.add(
                        Severity::Error,
                        "permission-resource",
                        FILE,
                        line_of(&text, &format!("\"{resource}\""), at),
                        format!("`{resource}` looks like a kind: permissions name resources (plural, lowercase)"),
                        format!("write `{}`", resource.to_ascii_lowercase() + "s"),
                    );
                }
            }
            from = at + 1;
        }
    }

    if out.list[errors_before..]
        .iter()
        .any(|f| f.severity == Severity::Error)
    {
        return None;
    }
    // The kernel's parser has the last word, catching anything the checks above do not know.
    match PluginManifest::parse(&text) {
        Ok(manifest) => Some((text, manifest)),
        Err(e) => {
            out.add(
                Severity::Error,
                "manifest-schema",
                FILE,
                None,
                e.to_string(),
                "fix plugin.toml as the message says",
            );
            None
        }
    }
}

/// A valid id close to `name`.
fn suggest_id(name: &str) -> String {
    let mut id: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    id = id.trim_matches('-').to_string();
    if !id.starts_with(|c: char| c.is_ascii_lowercase()) {
        id.insert_str(0, "plugin-");
    }
    id.chars().take(64).collect()
}

/// README, licence file and `Cargo.toml`'s crate type.
fn lint_crate(dir: &Path, out: &mut Findings) {
    if !dir.join("README.md").is_file() {
        out.add(
            Severity::Warning,
            "readme-missing",
            "README.md",
            None,
            "no README.md: it goes into the package and is what Artifact Hub shows",
            "write a README.md saying what the plugin shows and which permissions it needs",
        );
    }
    let cargo_toml = dir.join("Cargo.toml");
    match std::fs::read_to_string(&cargo_toml) {
        Err(_) => out.add(
            Severity::Error,
            "cargo-missing",
            "Cargo.toml",
            None,
            "no Cargo.toml: a plugin is a Rust library crate",
            "create the crate with `headlamp-plugin new NAME`",
        ),
        Ok(text) => {
            let is_cdylib = toml::from_str::<toml::Table>(&text)
                .ok()
                .and_then(|t| t.get("lib")?.get("crate-type")?.as_array().cloned())
                .is_some_and(|types| types.iter().any(|t| t.as_str() == Some("cdylib")));
            if !is_cdylib {
                out.add(
                    Severity::Error,
                    "cargo-crate-type",
                    "Cargo.toml",
                    key_line(&text, "crate-type").or_else(|| line_of(&text, "[lib]", 1)),
                    "the crate does not build a cdylib, so cargo writes no .wasm component",
                    "put `crate-type = [\"cdylib\", \"rlib\"]` under [lib] (cdylib: the component; rlib: native tests)",
                );
            }
        }
    }
}

/// Checks of the built component against the manifest.
fn lint_component(
    dir: &Path,
    (text, manifest): &(String, PluginManifest),
    options: &LintOptions,
    out: &mut Findings,
) -> Result<Option<PathBuf>> {
    let wasm_path = match &options.wasm {
        Some(path) => Some(path.clone()),
        None => Project::load(dir)
            .ok()
            .and_then(|p| p.latest_wasm(true).ok().flatten()),
    };
    let Some(wasm_path) = wasm_path else {
        out.add(
            Severity::Note,
            "component-missing",
            "plugin.toml",
            None,
            "no built component found, so imports, WIT version and size were not checked",
            "run `headlamp-plugin build --release` first, or pass --wasm FILE",
        );
        return Ok(None);
    };
    let shown = wasm_path.display().to_string();
    let bytes = read(&wasm_path)?;
    let size = bytes.len() as u64;
    if size > options.max_size {
        out.add(
            Severity::Error,
            "size-limit",
            &shown,
            None,
            format!(
                "the component is {} bytes, above the limit of {}",
                size, options.max_size
            ),
            "build with --release (size-optimised), drop heavy dependencies, or raise --max-size",
        );
    } else if size > SIZE_WARNING {
        out.add(
            Severity::Warning,
            "size",
            &shown,
            None,
            format!(
                "the component is {} bytes; the kernel compiles it at every cold start",
                size
            ),
            "build with --release, which optimises for size",
        );
    }
    let info = match inspect(&bytes) {
        Ok(info) => info,
        Err(e) => {
            out.add(
                Severity::Error,
                "wit-incompatible",
                &shown,
                None,
                e.to_string(),
                "rebuild with `headlamp-plugin build` against the current headlamp-plugin-sdk",
            );
            return Ok(Some(wasm_path));
        }
    };
    match info.embedded_manifest.as_deref().map(PluginManifest::parse) {
        None => out.add(
            Severity::Error,
            "manifest-not-embedded",
            &shown,
            None,
            "the component carries no plugin.toml, so the kernel will refuse it",
            "end src/lib.rs with `headlamp_plugin_sdk::export_plugin!(YourPlugin);` and rebuild",
        ),
        Some(Ok(embedded)) if &embedded == manifest => {}
        Some(_) => out.add(
            Severity::Error,
            "manifest-stale",
            "plugin.toml",
            None,
            "the component embeds a different plugin.toml than the one on disk",
            "rebuild with `headlamp-plugin build` so the component carries the current manifest",
        ),
    }
    if info.api_version != manifest.api {
        out.add(
            Severity::Error,
            "wit-mismatch",
            "plugin.toml",
            key_line(text, "api"),
            format!(
                "plugin.toml says api = \"{}\" but the component imports headlamp:plugin@{}",
                manifest.api, info.api_version
            ),
            format!("set `api = \"{}\"`", info.api_version),
        );
    }

    let imports_interface = |name: &str| {
        info.imports
            .iter()
            .any(|i| i.starts_with(&format!("{WIT_PACKAGE}/{name}@")))
    };
    let uses_cluster = imports_interface("cluster");
    let uses_watch = imports_interface("watch");
    if (uses_cluster || uses_watch) && manifest.permissions.is_empty() {
        let what = if uses_cluster { "cluster" } else { "watch" };
        out.add(
            Severity::Error,
            "permissions-missing",
            "plugin.toml",
            None,
            format!(
                "the component imports {WIT_PACKAGE}/{what} but plugin.toml declares no permissions, so every call it makes will be refused with permission-denied"
            ),
            "add a [[permissions]] table per resource it reads or changes, with `resources = [\"pods\"]` and `verbs = [\"get\", \"list\"]` (plural[.group] and Kubernetes verbs)",
        );
    }
    if !uses_cluster && !uses_watch && !manifest.permissions.is_empty() {
        out.add(
            Severity::Note,
            "permissions-unused",
            "plugin.toml",
            key_line(text, "resources"),
            "permissions are declared but the component makes no cluster or watch calls; the kernel uses them only to list objects for the plugin's tables",
            "keep them if the plugin registers tables of those resources, else remove them so the plugin asks for no more than it needs",
        );
    }
    if manifest
        .permissions
        .iter()
        .any(|p| p.verbs.iter().any(|v| v == "watch"))
        && !uses_watch
        && uses_cluster
    {
        out.add(
            Severity::Note,
            "permissions-watch-unused",
            "plugin.toml",
            line_of(text, "\"watch\"", 1),
            "the `watch` verb is declared but the component never subscribes to a watch",
            "keep it for tables of that resource (the kernel watches for them), else remove it",
        );
    }
    Ok(Some(wasm_path))
}
