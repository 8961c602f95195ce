//! `headlamp-plugin upgrade`: newer versions of installed plugins, from where they came.
//!
//! Each installed plugin remembers its source (`install.json`). For `oci://` sources the
//! repository's tags that parse as semver (an optional leading `v` allowed) are the versions;
//! for `artifacthub:` sources, the package's `available_versions`. Candidates newer than the
//! installed version are tried newest first; one built against a `headlamp:plugin` version
//! this kernel does not serve is skipped (with the reason) in favour of the next. Downloads
//! are verified (OCI digests, archive checksums) exactly as `install` verifies them.

use std::path::PathBuf;

use headlamp_kernel::inspect::inspect;
use semver::Version;
use serde::Serialize;

use crate::artifacthub::{self, PackageRef};
use crate::installed::{self, InstallRecord, install_component};
use crate::oci::{self, Reference, RegistryOptions};
use crate::progress::Ui;
use crate::{Error, Result};

/// Options of `upgrade`.
#[derive(Debug, Clone)]
pub struct UpgradeOptions {
    /// The plugins directory.
    pub dir: PathBuf,
    /// Only this plugin (default: every installed one).
    pub name: Option<String>,
    /// Say what would change, change nothing.
    pub dry_run: bool,
    /// How to reach OCI registries.
    pub registry: RegistryOptions,
    /// Artifact Hub's address.
    pub artifacthub_url: String,
}

/// What happened to one plugin.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum UpgradeState {
    /// Replaced by a newer version.
    Upgraded,
    /// Would be replaced (`--dry-run`).
    WouldUpgrade,
    /// No newer compatible version.
    UpToDate,
    /// Its source cannot be asked for versions.
    Skipped,
    /// Asking or downloading failed.
    Failed,
}

/// One installed plugin and its upgrade.
#[derive(Debug, Clone, Serialize)]
pub struct PluginUpgrade {
    /// The plugin's id.
    pub name: String,
    /// The installed version.
    pub from: String,
    /// The new version, when there is one.
    pub to: Option<String>,
    /// Where the new version comes from.
    pub source: Option<String>,
    /// The outcome.
    #[serde(flatten)]
    pub state: UpgradeState,
    /// Why, for skipped and failed plugins, and newer versions passed over.
    pub notes: Vec<String>,
}

/// What `upgrade` did.
#[derive(Debug, Clone, Serialize)]
pub struct UpgradeReport {
    /// The plugins directory.
    pub dir: PathBuf,
    /// Whether nothing was changed on purpose.
    pub dry_run: bool,
    /// One entry per plugin looked at.
    pub plugins: Vec<PluginUpgrade>,
}

impl UpgradeReport {
    /// Whether any plugin failed.
    pub fn has_failures(&self) -> bool {
        self.plugins.iter().any(|p| p.state == UpgradeState::Failed)
    }
}

impl std::fmt::Display for UpgradeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.plugins.is_empty() {
            return write!(f, "no plugins installed in {}", self.dir.display());
        }
        let mut lines = Vec::new();
        for p in &self.plugins {
            let change = match (&p.to, &p.source) {
                (Some(to), Some(source)) => format!("{} {} -> {to} ({source})", p.name, p.from),
                _ => format!("{} {}", p.name, p.from),
            };
            let state = match p.state {
                UpgradeState::Upgraded => "upgraded",
                UpgradeState::WouldUpgrade => "would upgrade",
                UpgradeState::UpToDate => "up to date",
                UpgradeState::Skipped => "skipped",
                UpgradeState::Failed => "FAILED",
            };
            lines.push(format!("{change}: {state}"));
            lines.extend(p.notes.iter().map(|n| format!("    {n}")));
        }
        if self.dry_run {
            lines.push("(dry run: nothing changed; run without --dry-run to upgrade)".into());
        }
        write!(f, "{}", lines.join("\n"))
    }
}

/// Looks for and installs newer compatible versions of the installed plugins.
pub fn run(options: &UpgradeOptions, ui: Ui) -> Result<UpgradeReport> {
    let mut records = installed::list(&options.dir)?.plugins;
    if let Some(name) = &options.name {
        records.retain(|r| &r.name == name);
        if records.is_empty() {
            return Err(Error::Usage(format!(
                "no plugin `{name}` is installed in {}: `headlamp-plugin list` shows what is",
                options.dir.display()
            )));
        }
    }
    let plugins = records
        .iter()
        .map(|record| upgrade_one(options, record, ui))
        .collect();
    Ok(UpgradeReport {
        dir: options.dir.clone(),
        dry_run: options.dry_run,
        plugins,
    })
}

/// A downloaded, verified candidate.
struct Fetched {
    wasm: Vec<u8>,
    source: String,
    digest: String,
}

fn upgrade_one(options: &UpgradeOptions, record: &InstallRecord, ui: Ui) -> PluginUpgrade {
    let mut result = PluginUpgrade {
        name: record.name.clone(),
        from: record.version.clone(),
        to: None,
        source: None,
        state: UpgradeState::UpToDate,
        notes: Vec::new(),
    };
    let Ok(current) = Version::parse(&record.version) else {
        result.state = UpgradeState::Skipped;
        result.notes.push(format!(
            "installed version {:?} is not semver",
            record.version
        ));
        return result;
    };
    let source = Source::of(&record.source);
    let candidates = match &source {
        Source::Other => {
            result.state = UpgradeState::Skipped;
            result.notes.push(format!(
                "installed from {}, which has no version list: install a newer archive with `headlamp-plugin install`",
                record.source
            ));
            return result;
        }
        Source::Oci(reference) => oci::tags(reference, &options.registry).map_err(Error::from),
        Source::ArtifactHub(package) => {
            artifacthub::versions(package, &options.artifacthub_url).map_err(Error::from)
        }
    };
    let candidates = match candidates {
        Ok(versions) => newer(&current, versions),
        Err(e) => {
            result.state = UpgradeState::Failed;
            result.notes.push(e.to_string());
            return result;
        }
    };
    for (version, label) in candidates {
        let _spinner = ui.spinner(format!("Fetching {} {version}", record.name));
        let fetched = match &source {
            Source::Oci(reference) => fetch_oci(reference, &label, &options.registry),
            Source::ArtifactHub(package) => fetch_artifacthub(package, &label, options),
            Source::Other => unreachable!("returned above"),
        };
        let fetched = match fetched {
            Ok(fetched) => fetched,
            Err(e) => {
                result.state = UpgradeState::Failed;
                result.notes.push(format!("{version}: {e}"));
                return result;
            }
        };
        // The kernel's own check: a component for another WIT line is passed over.
        if let Err(e) = inspect(&fetched.wasm) {
            result.notes.push(format!("{version} passed over: {e}"));
            continue;
        }
        result.to = Some(version.to_string());
        result.source = Some(fetched.source.clone());
        if options.dry_run {
            result.state = UpgradeState::WouldUpgrade;
            return result;
        }
        match install_component(
            &options.dir,
            &fetched.wasm,
            &fetched.source,
            &fetched.digest,
            Some(&record.name),
        ) {
            Ok(_) => result.state = UpgradeState::Upgraded,
            Err(e) => {
                result.state = UpgradeState::Failed;
                result.notes.push(e.to_string());
            }
        }
        return result;
    }
    result
}

enum Source {
    Oci(Reference),
    ArtifactHub(PackageRef),
    Other,
}

impl Source {
    fn of(text: &str) -> Self {
        if text.starts_with("oci://") {
            if let Ok(reference) = Reference::parse(text) {
                return Source::Oci(reference);
            }
        } else if text.starts_with("artifacthub:")
            && let Ok(package) = PackageRef::parse(text)
        {
            return Source::ArtifactHub(package);
        }
        Source::Other
    }
}

/// The labels (tags or versions) that parse as semver newer than `current`, newest first,
/// each with its label as published. Pre-releases count only when `current` is one.
fn newer(current: &Version, labels: Vec<String>) -> Vec<(Version, String)> {
    let mut versions: Vec<(Version, String)> = labels
        .into_iter()
        .filter_map(|label| {
            let text = label.strip_prefix('v').unwrap_or(&label);
            Version::parse(text).ok().map(|v| (v, label))
        })
        .filter(|(v, _)| v > current && (v.pre.is_empty() || !current.pre.is_empty()))
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    versions.dedup_by(|a, b| a.0 == b.0);
    versions
}

fn fetch_oci(reference: &Reference, tag: &str, registry: &RegistryOptions) -> Result<Fetched> {
    let reference = Reference {
        tag: Some(tag.to_string()),
        digest: None,
        ..reference.clone()
    };
    let pulled = oci::pull(&reference, registry, None)?;
    Ok(Fetched {
        wasm: pulled.wasm,
        source: reference.to_string(),
        digest: pulled.digest,
    })
}

fn fetch_artifacthub(
    package: &PackageRef,
    version: &str,
    options: &UpgradeOptions,
) -> Result<Fetched> {
    let reference = PackageRef {
        version: Some(version.to_string()),
        ..package.clone()
    };
    let fetched = artifacthub::fetch(&reference, &options.artifacthub_url, Ui { json: true })?;
    Ok(Fetched {
        wasm: fetched.wasm,
        source: fetched.source,
        digest: fetched.digest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_newer_semver_labels_count_newest_first() {
        let current = Version::parse("0.2.0").unwrap();
        let labels = [
            "latest",
            "0.1.0",
            "0.2.0",
            "v0.10.0",
            "0.3.0-rc.1",
            "0.3.0",
            "main",
        ]
        .map(String::from)
        .to_vec();
        let found: Vec<String> = newer(&current, labels)
            .into_iter()
            .map(|(_, l)| l)
            .collect();
        assert_eq!(found, ["v0.10.0", "0.3.0"]);
        let rc = Version::parse("0.3.0-rc.1").unwrap();
        let found: Vec<String> = newer(&rc, vec!["0.3.0-rc.2".into()])
            .into_iter()
            .map(|(_, l)| l)
            .collect();
        assert_eq!(found, ["0.3.0-rc.2"]);
    }
}
