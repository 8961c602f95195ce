//! `headlamp-plugin package` archives (`NAME/plugin.wasm`, `NAME/plugin.toml`, ...), read in
//! memory: nothing from an archive is written anywhere by this crate.

use std::io::Read;

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

    #[test]
    fn a_non_archive_is_an_integrity_error() {
        assert!(matches!(
            unpack(b"not gzip"),
            Err(Error::Integrity(text)) if text.contains("not a readable .tar.gz")
        ));
    }
}
