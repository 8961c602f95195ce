//! Artifact Hub: `publish --artifacthub DIR` writes the metadata Artifact Hub indexes from a git
//! repository; `install artifacthub:REPO/NAME[@VERSION]` reads its API and installs the archive.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::installed::{InstallReport, install_component};
use crate::oci::http_client;
use crate::package::unpack;
use crate::progress::Ui;
use crate::project::{Project, read, sha256_hex, write};
use crate::{Error, Result};

/// The public Artifact Hub.
pub const DEFAULT_BASE_URL: &str = "https://artifacthub.io";

/// Annotation: where the package archive is downloaded from.
pub const ARCHIVE_URL: &str = "headlamp/plugin/archive-url";
/// Annotation: `sha256:<hex>` of the archive.
pub const ARCHIVE_CHECKSUM: &str = "headlamp/plugin/archive-checksum";
/// Annotation: the Headlamp versions the package works with (a node-semver range).
pub const VERSION_COMPAT: &str = "headlamp/plugin/version-compat";
/// Annotation: what runs the package; ours is `wasm-component`.
pub const RUNTIME: &str = "headlamp/plugin/runtime";
/// Annotation: the same component as an OCI artifact.
pub const OCI_REF: &str = "headlamp/plugin/oci-ref";
/// Annotation: the `headlamp:plugin` WIT version.
pub const WIT: &str = "headlamp/plugin/wit";

/// The `version-compat` of every headlamp-rs package: a node-semver range no version satisfies.
///
/// Upstream Headlamp's plugin manager installs a package only if
/// `semver.satisfies(headlampVersion, data['headlamp/plugin/version-compat'])`, else it throws
/// "Headlamp version is not compatible with the plugin". `0.0.0-0` is the lowest version semver
/// can express, so `<0.0.0-0` is a valid range that matches nothing: no upstream Headlamp
/// release, past or future, will try to load a wasm component as a JS plugin. A range like
/// `>=1000.0.0` would only postpone the problem; an invalid range could be read differently by
/// other tools.
pub const NEVER_COMPATIBLE: &str = "<0.0.0-0";

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

/// `artifacthub:REPO/NAME[@VERSION]`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRef {
    /// The Artifact Hub repository name.
    pub repo: String,
    /// The package name.
    pub name: String,
    /// A version, or the latest.
    pub version: Option<String>,
}

impl PackageRef {
    /// Parses `artifacthub:REPO/NAME[@VERSION]`.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || {
            Error::Usage(format!(
                "`{text}` is not an Artifact Hub reference: write artifacthub:REPO/NAME or artifacthub:REPO/NAME@VERSION"
            ))
        };
        let rest = text.strip_prefix("artifacthub:").ok_or_else(bad)?;
        let (path, version) = match rest.split_once('@') {
            Some((p, v)) => (p, Some(v.to_string())),
            None => (rest, None),
        };
        let (repo, name) = path.split_once('/').ok_or_else(bad)?;
        let ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        if !ok(repo) || !ok(name) || version.as_deref().is_some_and(|v| !ok(v)) {
            return Err(bad());
        }
        Ok(Self {
            repo: repo.to_string(),
            name: name.to_string(),
            version,
        })
    }
}

impl std::fmt::Display for PackageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "artifacthub:{}/{}", self.repo, self.name)?;
        if let Some(v) = &self.version {
            write!(f, "@{v}")?;
        }
        Ok(())
    }
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

/// A package downloaded through Artifact Hub, its checksum verified.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The component.
    pub wasm: Vec<u8>,
    /// `artifacthub:REPO/NAME@VERSION`.
    pub source: String,
    /// `sha256:<hex>` of the archive.
    pub digest: String,
    /// The package's name.
    pub name: String,
}

/// The versions Artifact Hub lists for the package (`available_versions`).
pub fn versions(reference: &PackageRef, base_url: &str) -> Result<Vec<String>> {
    let package = lookup(
        &PackageRef {
            version: None,
            ..reference.clone()
        },
        base_url,
    )?;
    let mut versions: Vec<String> = package["available_versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["version"].as_str().map(str::to_string))
        .collect();
    // An index without the list still names its latest version.
    if versions.is_empty()
        && let Some(latest) = package["version"].as_str()
    {
        versions.push(latest.to_string());
    }
    Ok(versions)
}

/// The package's JSON from Artifact Hub's API.
fn lookup(reference: &PackageRef, base_url: &str) -> Result<serde_json::Value> {
    let client = http_client()?;
    let mut url = format!(
        "{}/api/v1/packages/headlamp/{}/{}",
        base_url.trim_end_matches('/'),
        reference.repo,
        reference.name
    );
    if let Some(version) = &reference.version {
        url.push('/');
        url.push_str(version);
    }
    let response = client
        .get(&url)
        .send()
        .map_err(|e| Error::Remote(format!("asking Artifact Hub ({url}): {e}")))?;
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return Err(Error::Remote(format!(
            "{reference} not found on Artifact Hub ({url}): check the repository and package name, and the version"
        )));
    }
    if !response.status().is_success() {
        return Err(Error::Remote(format!(
            "Artifact Hub answered {} for {url}",
            response.status()
        )));
    }
    response.json().map_err(|e| {
        Error::Remote(format!(
            "Artifact Hub's answer for {reference} is not JSON: {e}"
        ))
    })
}

/// Looks the package up and downloads its archive, checksum verified.
pub fn fetch(reference: &PackageRef, base_url: &str, ui: Ui) -> Result<Fetched> {
    let spinner = ui.spinner(format!("Looking up {reference}"));
    let package = lookup(reference, base_url)?;
    let client = http_client()?;
    let data = &package["data"];
    let field = |key: &str| data[key].as_str().map(str::to_string);
    if field(RUNTIME).as_deref() != Some("wasm-component") {
        return Err(Error::Usage(format!(
            "{reference} is not a headlamp-rs plugin (its {RUNTIME} is {}): it is probably a JavaScript plugin for upstream Headlamp",
            field(RUNTIME).unwrap_or_else(|| "not set".into())
        )));
    }
    let archive_url = field(ARCHIVE_URL)
        .ok_or_else(|| Error::Remote(format!("{reference} has no {ARCHIVE_URL} annotation")))?;
    let checksum = field(ARCHIVE_CHECKSUM).ok_or_else(|| {
        Error::Remote(format!(
            "{reference} has no {ARCHIVE_CHECKSUM}: refusing an archive that cannot be verified"
        ))
    })?;
    let expected = checksum
        .split_once(':')
        .filter(|(algo, _)| algo.eq_ignore_ascii_case("sha256"))
        .map(|(_, hex)| hex.to_ascii_lowercase())
        .ok_or_else(|| {
            Error::Integrity(format!(
                "{reference}: checksum `{checksum}` is not sha256:<hex>"
            ))
        })?;
    spinner.set(format!("Downloading {archive_url}"));
    let response = client
        .get(&archive_url)
        .send()
        .map_err(|e| Error::Remote(format!("downloading {archive_url}: {e}")))?;
    if !response.status().is_success() {
        return Err(Error::Remote(format!(
            "downloading {archive_url} answered {}",
            response.status()
        )));
    }
    let archive = response
        .bytes()
        .map_err(|e| Error::Remote(format!("downloading {archive_url}: {e}")))?;
    drop(spinner);
    let actual = sha256_hex(&archive);
    if actual != expected {
        return Err(Error::Integrity(format!(
            "checksum mismatch for {archive_url}: Artifact Hub lists sha256:{expected} but the download is sha256:{actual}; refusing to install it (the archive changed after publishing, or the download was tampered with)"
        )));
    }
    let files = unpack(&archive)?;
    let wasm = files
        .into_iter()
        .find(|(name, _)| name == "plugin.wasm")
        .map(|(_, data)| data)
        .ok_or_else(|| {
            Error::Integrity(format!(
                "{archive_url} has no plugin.wasm: it is not a headlamp-rs package"
            ))
        })?;
    let name = package["name"]
        .as_str()
        .unwrap_or(&reference.name)
        .to_string();
    let version = package["version"].as_str().map(str::to_string);
    let source = PackageRef {
        version: version.or(reference.version.clone()),
        ..reference.clone()
    };
    Ok(Fetched {
        wasm,
        source: source.to_string(),
        digest: format!("sha256:{actual}"),
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_package_reference_with_version() {
        let r = PackageRef::parse("artifacthub:my-repo/my-plugin@0.2.0").unwrap();
        assert_eq!(
            (r.repo.as_str(), r.name.as_str(), r.version.as_deref()),
            ("my-repo", "my-plugin", Some("0.2.0"))
        );
    }

    #[test]
    fn refuses_a_package_reference_without_repository() {
        assert!(PackageRef::parse("artifacthub:my-plugin").is_err());
        assert!(PackageRef::parse("my-repo/my-plugin").is_err());
    }
}
