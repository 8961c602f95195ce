//! Downloaded pinned sources, content-addressed: `<cache dir>/sha256/<hex>` holds the bytes
//! whose sha256 is `<hex>` (a component pulled from a registry, or a package archive).
//!
//! The file name is the pinned digest, so a start whose entries are all cached needs no
//! network; each file is re-hashed when read, and one that does not match its name (a torn
//! write, a bad disk, a hand edit) is deleted and fetched again.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Sha256Digest;

/// The directory of verified downloads; without one, downloads are kept in memory only.
#[derive(Debug, Clone, Default)]
pub struct BlobCache {
    dir: Option<PathBuf>,
}

impl BlobCache {
    /// Blobs under `cache_dir/sha256/`; `None` keeps nothing between starts.
    pub fn new(cache_dir: Option<&Path>) -> Self {
        Self {
            dir: cache_dir.map(|d| d.join("sha256")),
        }
    }

    /// Where the blob of `digest` is (or would be) kept.
    pub fn path(&self, digest: &Sha256Digest) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(digest.hex()))
    }

    /// The cached bytes of `digest`, checked; `None` when absent or corrupt (then removed).
    pub fn get(&self, digest: &Sha256Digest) -> Option<Vec<u8>> {
        let path = self.path(digest)?;
        let bytes = std::fs::read(&path).ok()?;
        if Sha256Digest::of(&bytes) == *digest {
            return Some(bytes);
        }
        tracing::warn!(path = %path.display(), "cached plugin does not match its digest: fetching it again");
        let _ = std::fs::remove_file(&path);
        None
    }

    /// Keeps `bytes`, already verified to be `digest`'s, under their digest. The file appears
    /// whole or not at all (written beside, then renamed), so a crash leaves no half blob.
    pub fn put(&self, digest: &Sha256Digest, bytes: &[u8]) -> std::io::Result<Option<PathBuf>> {
        let Some(path) = self.path(digest) else {
            return Ok(None);
        };
        let dir = path.parent().expect("a blob path has a parent");
        std::fs::create_dir_all(dir)?;
        // Named apart so that two kernels sharing the directory never write the same file.
        let temp = dir.join(format!(
            ".{}.{}",
            digest.hex(),
            uuid::Uuid::new_v4().simple()
        ));
        let written = write_synced(&temp, bytes).and_then(|()| std::fs::rename(&temp, &path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        written.map(|()| Some(path))
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_is_kept_under_its_digest_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let cache = BlobCache::new(Some(dir.path()));
        let digest = Sha256Digest::of(b"component");
        assert_eq!(cache.get(&digest), None);
        let path = cache.put(&digest, b"component").unwrap().unwrap();
        assert_eq!(path, dir.path().join("sha256").join(digest.hex()));
        assert_eq!(cache.get(&digest).as_deref(), Some(b"component".as_slice()));
    }

    #[test]
    fn a_corrupt_blob_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let cache = BlobCache::new(Some(dir.path()));
        let digest = Sha256Digest::of(b"component");
        let path = cache.put(&digest, b"component").unwrap().unwrap();
        std::fs::write(&path, b"tampered").unwrap();
        assert_eq!(cache.get(&digest), None);
        assert!(!path.exists());
    }
}
