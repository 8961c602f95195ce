//! `headlamp-plugin package` archives (`NAME/plugin.wasm`, `NAME/plugin.toml`, ...), read in
//! memory: nothing from an archive is written anywhere by this crate.

use std::io::Read;
use std::path::Component;

use crate::{Error, Result};

/// The regular files of a `.tar.gz`, each by its file name (directories inside are dropped,
/// so no entry can point outside wherever the caller puts it).
pub fn unpack(archive: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let bad = |e: std::io::Error| {
        Error::Integrity(format!(
            "the package archive is not a readable .tar.gz: {e}"
        ))
    };
    for entry in tar.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        let path = entry.path().map_err(bad)?.into_owned();
        // Nothing is written, but an entry that climbs out of the package (`../x`, `/etc/x`)
        // was not made by `headlamp-plugin package`: refuse the archive rather than guess.
        if path
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(Error::Integrity(format!(
                "the package has an entry {:?} outside its folder: refused; make packages with \
                 `headlamp-plugin package`",
                path.display().to_string()
            )));
        }
        let Some(file) = path
            .file_name()
            .and_then(|f| f.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(bad)?;
        out.push((file, data));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_without_their_directory() {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        let data = b"\0asm";
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, "x/plugin.wasm", data.as_slice())
            .unwrap();
        let archive = builder.into_inner().unwrap().finish().unwrap();
        assert_eq!(
            unpack(&archive).unwrap(),
            vec![("plugin.wasm".to_string(), data.to_vec())]
        );
    }

    /// A .tar.gz with one entry per (path, data), written as raw header names so that paths
    /// the tar crate's builder refuses (`../x`) can be made too.
    fn archive_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            header.set_cksum();
            builder.append(&header, *data).unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn a_package_entry_that_climbs_out_of_its_folder_is_refused() {
        for path in ["../plugin.wasm", "x/../../plugin.wasm", "/plugin.wasm"] {
            let error = unpack(&archive_of(&[(path, b"\0asm")])).unwrap_err();
            assert!(
                error.to_string().contains("outside its folder"),
                "{path}: {error}"
            );
        }
        let fine = archive_of(&[("x/plugin.wasm", b"\0asm")]);
        assert_eq!(unpack(&fine).unwrap()[0].1, b"\0asm");
    }

    #[test]
    fn a_non_archive_is_an_integrity_error() {
        assert!(matches!(
            unpack(b"not gzip"),
            Err(Error::Integrity(text)) if text.contains("not a readable .tar.gz")
        ));
    }
}
