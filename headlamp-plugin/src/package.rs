//! `headlamp-plugin package`: `dist/NAME-VERSION.tar.gz` and its `.sha256` from a built component.

use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde::Serialize;

use crate::build::verify_component;
use crate::project::{Project, read, sha256_hex, write};
use crate::{Error, Result};

/// What was packaged.
#[derive(Debug, Clone, Serialize)]
pub struct PackageReport {
    /// The plugin's id.
    pub name: String,
    /// The plugin's version.
    pub version: String,
    /// The component that went in.
    pub wasm: PathBuf,
    /// `dist/NAME-VERSION.tar.gz`.
    pub archive: PathBuf,
    /// Its size in bytes.
    pub archive_size: u64,
    /// Hex sha256 of the archive.
    pub sha256: String,
    /// `dist/NAME-VERSION.tar.gz.sha256`, in `sha256sum` format.
    pub checksum_file: PathBuf,
    /// Paths inside the archive.
    pub files: Vec<String>,
}

impl std::fmt::Display for PackageReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Packaged {} ({}) -> {}",
            self.wasm.display(),
            self.files.join(", "),
            self.archive.display()
        )?;
        write!(
            f,
            "  {} bytes, sha256:{} ({})",
            self.archive_size,
            self.sha256,
            self.checksum_file.display()
        )
    }
}

/// Checks the built component of the crate at `dir` (or `wasm`) and packages it.
pub fn run(dir: &Path, wasm: Option<&Path>) -> Result<PackageReport> {
    let project = Project::load(dir)?;
    let wasm = project.require_wasm(wasm)?;
    let bytes = read(&wasm)?;
    verify_component(&project, &wasm, &bytes)?;
    package(&project, &wasm, &bytes)
}

/// Writes the archive and checksum of an already verified component.
pub fn package(project: &Project, wasm_path: &Path, wasm: &[u8]) -> Result<PackageReport> {
    let stem = project.package_stem();
    let name = project.manifest.name.to_string();
    let mut entries: Vec<(String, Vec<u8>)> = vec![
        ("plugin.wasm".into(), wasm.to_vec()),
        (
            "plugin.toml".into(),
            project.manifest_text.clone().into_bytes(),
        ),
    ];
    for extra in ["README.md", "LICENSE", "LICENSE.md", "LICENSE.txt"] {
        let path = project.dir.join(extra);
        if path.is_file() {
            entries.push((extra.into(), read(&path)?));
        }
    }

    let archive_name = format!("{stem}.tar.gz");
    let archive_path = project.dist_dir().join(&archive_name);
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::best()));
    for (file, data) in &entries {
        // Fixed metadata: the same inputs give the same bytes, so checksums are reproducible.
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, format!("{name}/{file}"), data.as_slice())
            .map_err(Error::io("writing", &archive_path))?;
    }
    let bytes = builder
        .into_inner()
        .and_then(|gz| gz.finish())
        .map_err(Error::io("writing", &archive_path))?;
    write(&archive_path, &bytes)?;
    let sha256 = sha256_hex(&bytes);
    let checksum_file = project.dist_dir().join(format!("{archive_name}.sha256"));
    write(
        &checksum_file,
        format!("{sha256}  {archive_name}\n").as_bytes(),
    )?;
    Ok(PackageReport {
        name,
        version: project.manifest.version.to_string(),
        wasm: wasm_path.to_path_buf(),
        archive: archive_path,
        archive_size: bytes.len() as u64,
        sha256,
        checksum_file,
        files: entries.into_iter().map(|(f, _)| f).collect(),
    })
}

/// The files of a package archive, by their name inside `NAME/`.
pub fn unpack(archive: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    Ok(headlamp_registry::archive::unpack(archive)?)
}
