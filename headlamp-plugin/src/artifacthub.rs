//! Artifact Hub: `publish --artifacthub DIR` writes the metadata Artifact Hub indexes from a git
//! repository; `install artifacthub:REPO/NAME[@VERSION]` reads its API and installs the archive.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::installed::{InstallReport, install_component};
use crate::progress::Ui;
use crate::project::{Project, read, sha256_hex, write};
use crate::{Error, Result};

pub use headlamp_registry::artifacthub::{
    ARCHIVE_CHECKSUM, ARCHIVE_URL, DEFAULT_BASE_URL, Fetched, NEVER_COMPATIBLE, OCI_REF,
    PackageRef, RUNTIME, VERSION_COMPAT, WIT, versions,
};

/// Options of `publish --artifacthub`.
#[derive(Debug, Clone)]
pub struct ArtifactHubOptions {
    /// The plugin crate.
    pub dir: PathBuf,
    /// The directory of the git repository Artifact Hub indexes.
    pub out: PathBuf,
    /// Where the archive will be downloadable (e.g. a GitHub release asset).
    pub archive_url: String,
    /// The same version as an OCI artifact, if published there.
    pub oci_ref: Option<String>,
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct ArtifactHubReport {
    /// `OUT/NAME/VERSION/artifacthub-pkg.yml`.
    pub package_file: PathBuf,
    /// `OUT/artifacthub-repo.yml`, if it was written now.
    pub repo_file: Option<PathBuf>,
    /// `sha256:<hex>` of the archive.
    pub checksum: String,
}

impl std::fmt::Display for ArtifactHubReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Wrote {}", self.package_file.display())?;
        if let Some(repo) = &self.repo_file {
            write!(f, "\nWrote {}", repo.display())?;
        }
        write!(
            f,
            "\narchive checksum {}\nNext: upload the archive to the archive URL, commit the directory, and add the repository on artifacthub.io (kind: Headlamp plugins)",
            self.checksum
        )
    }
}

/// Writes `artifacthub-pkg.yml` (and `artifacthub-repo.yml` when missing).
pub fn publish(options: &ArtifactHubOptions) -> Result<ArtifactHubReport> {
    let project = Project::load(&options.dir)?;
    let archive = project
        .dist_dir()
        .join(format!("{}.tar.gz", project.package_stem()));
    let bytes = std::fs::read(&archive).map_err(|e| {
        Error::Project(format!(
            "reading {}: {e}: run `headlamp-plugin build --release` (or `package`) first",
            archive.display()
        ))
    })?;
    let checksum = format!("sha256:{}", sha256_hex(&bytes));
    let manifest = &project.manifest;
    let mut annotations = serde_yaml::Mapping::new();
    let mut annotate = |k: &str, v: String| {
        annotations.insert(k.into(), v.into());
    };
    annotate(ARCHIVE_URL, options.archive_url.clone());
    annotate(ARCHIVE_CHECKSUM, checksum.clone());
    annotate(VERSION_COMPAT, NEVER_COMPATIBLE.to_string());
    annotate(RUNTIME, "wasm-component".to_string());
    if let Some(oci) = &options.oci_ref {
        annotate(OCI_REF, oci.clone());
    }
    annotate(WIT, format!("headlamp:plugin@{}", manifest.api));
    let display_name = manifest
        .name
        .as_str()
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut pkg = serde_yaml::Mapping::new();
    pkg.insert("version".into(), manifest.version.to_string().into());
    pkg.insert("name".into(), manifest.name.to_string().into());
    pkg.insert("displayName".into(), display_name.into());
    pkg.insert(
        "createdAt".into(),
        chrono::Utc::now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            .into(),
    );
    pkg.insert("description".into(), manifest.description.clone().into());
    if let Some(license) = &manifest.license {
        pkg.insert("license".into(), license.clone().into());
    }
    if let Some(source) = &manifest.source {
        pkg.insert("homeURL".into(), source.clone().into());
    }
    pkg.insert(
        "keywords".into(),
        serde_yaml::Value::Sequence(vec![
            "headlamp-rs".into(),
            "wasm".into(),
            "kubernetes".into(),
        ]),
    );
    pkg.insert("annotations".into(), annotations.into());
    let yaml =
        serde_yaml::to_string(&pkg).map_err(|e| Error::Project(format!("writing YAML: {e}")))?;
    let header = format!(
        "# Artifact Hub package metadata, written by headlamp-plugin {}.\n\
         # version-compat is \"{NEVER_COMPATIBLE}\" on purpose: it matches no Headlamp version, so upstream\n\
         # Headlamp's JS plugin manager refuses this wasm package instead of loading it as JavaScript;\n\
         # headlamp-rs installs it by its headlamp/plugin/runtime and headlamp/plugin/wit annotations.\n",
        env!("CARGO_PKG_VERSION")
    );
    let package_dir = options
        .out
        .join(manifest.name.as_str())
        .join(manifest.version.to_string());
    let package_file = package_dir.join("artifacthub-pkg.yml");
    write(&package_file, format!("{header}{yaml}").as_bytes())?;
    let readme = project.dir.join("README.md");
    if readme.is_file() {
        write(&package_dir.join("README.md"), &read(&readme)?)?;
    }
    let repo_path = options.out.join("artifacthub-repo.yml");
    let repo_file = if repo_path.exists() {
        None
    } else {
        write(
            &repo_path,
            b"# Artifact Hub repository metadata: https://artifacthub.io/docs/topics/repositories/\n\
              # After adding this repository on artifacthub.io (kind: Headlamp plugins), paste its id\n\
              # below to claim ownership, and list who maintains it.\n\
              # repositoryID: 00000000-0000-0000-0000-000000000000\n\
              owners: []\n",
        )?;
        Some(repo_path)
    };
    Ok(ArtifactHubReport {
        package_file,
        repo_file,
        checksum,
    })
}

/// Installs a package found through Artifact Hub's API at `base_url`.
pub fn install(
    reference: &str,
    base_url: &str,
    plugins_dir: &Path,
    ui: Ui,
) -> Result<InstallReport> {
    let reference = PackageRef::parse(reference)?;
    let fetched = fetch(&reference, base_url, ui)?;
    install_component(
        plugins_dir,
        &fetched.wasm,
        &fetched.source,
        &fetched.digest,
        Some(&fetched.name),
    )
}

/// Looks the package up and downloads its archive, checksum verified, with a spinner.
pub fn fetch(reference: &PackageRef, base_url: &str, ui: Ui) -> Result<Fetched> {
    let spinner = ui.spinner(format!("Looking up {reference}"));
    let fetched =
        headlamp_registry::artifacthub::fetch(reference, base_url, &|step| spinner.set(step))?;
    Ok(fetched)
}
