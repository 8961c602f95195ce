//! The precompile cache: compiled plugins on disk so that a second start does not compile.
//!
//! A `.cwasm` is native code tied to the wasmtime version and engine settings, so its key is
//! `sha256(wasm)` plus the engine's precompile-compatibility hash. Beside each artifact the
//! cache keeps a checksum of the bytes it wrote: wasmtime trusts what it deserialises, so a
//! file that is not byte-for-byte what this kernel wrote is never loaded, only rebuilt. The
//! checksum is XXH3-128, not a cryptographic hash: the directory is the kernel's own, the check
//! guards against corruption (a torn write, a bad disk), and it runs on every start, where
//! sha256 alone cost more than the rest of loading a plugin.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// How many components were compiled and how many came from disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Compiled from `.wasm` (cache miss, or a cache file that failed its check).
    pub compiled: u64,
    /// Loaded from a verified `.cwasm`.
    pub loaded: u64,
    /// Cache files that failed their check and were rebuilt.
    pub rejected: u64,
}

/// A kernel-owned directory of precompiled components.
#[derive(Debug)]
pub struct PrecompileCache {
    dir: Option<PathBuf>,
    compiled: AtomicU64,
    loaded: AtomicU64,
    rejected: AtomicU64,
}

/// Why a component could not be compiled or cached.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The cache directory could not be created or written.
    #[error("precompile cache {path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// What the filesystem said.
        source: std::io::Error,
    },
    /// wasmtime refused the component.
    #[error("compiling the component failed: {0}")]
    Compile(String),
}

impl PrecompileCache {
    /// A cache in `dir` (created if missing); `None` compiles every time, keeping nothing.
    pub fn new(dir: Option<PathBuf>) -> Result<Self, CacheError> {
        if let Some(dir) = &dir {
            std::fs::create_dir_all(dir).map_err(|source| CacheError::Io {
                path: dir.clone(),
                source,
            })?;
        }
        Ok(Self {
            dir,
            compiled: AtomicU64::new(0),
            loaded: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
        })
    }

    /// Counters since this cache was opened.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            compiled: self.compiled.load(Ordering::Relaxed),
            loaded: self.loaded.load(Ordering::Relaxed),
            rejected: self.rejected.load(Ordering::Relaxed),
        }
    }

    /// The path a component's artifact lives at, if this cache has a directory. `sha256` is
    /// the component's digest in hex when the caller knows it already.
    pub fn artifact_path(
        &self,
        engine: &Engine,
        wasm: &[u8],
        sha256: Option<&str>,
    ) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let mut engine_hash = DefaultHasher::new();
        engine
            .precompile_compatibility_hash()
            .hash(&mut engine_hash);
        let digest = match sha256 {
            Some(known) => known.to_string(),
            None => hex::encode(Sha256::digest(wasm)),
        };
        let key = format!("{digest}-{:016x}.cwasm", engine_hash.finish());
        Some(dir.join(key))
    }

    /// The component for `wasm`: from disk when a verified artifact exists, else compiled
    /// (and stored for next time).
    pub fn component(
        &self,
        engine: &Engine,
        wasm: &[u8],
        sha256: Option<&str>,
    ) -> Result<Component, CacheError> {
        let Some(path) = self.artifact_path(engine, wasm, sha256) else {
            self.compiled.fetch_add(1, Ordering::Relaxed);
            return Component::new(engine, wasm).map_err(|e| CacheError::Compile(format!("{e:#}")));
        };
        if let Some(component) = self.load_verified(engine, &path) {
            self.loaded.fetch_add(1, Ordering::Relaxed);
            return Ok(component);
        }
        let artifact = engine
            .precompile_component(wasm)
            .map_err(|e| CacheError::Compile(format!("{e:#}")))?;
        self.compiled.fetch_add(1, Ordering::Relaxed);
        self.store(&path, &artifact)?;
        // SAFETY: `artifact` was produced by `precompile_component` of this very engine.
        unsafe { Component::deserialize(engine, &artifact) }
            .map_err(|e| CacheError::Compile(format!("{e:#}")))
    }

    /// Loads `path` only if its digest matches what this cache wrote.
    fn load_verified(&self, engine: &Engine, path: &Path) -> Option<Component> {
        let bytes = std::fs::read(path).ok()?;
        let expected = std::fs::read_to_string(digest_path(path)).ok();
        if expected.as_deref().map(str::trim) != Some(&checksum(&bytes)) {
            self.reject(path, "its digest does not match");
            return None;
        }
        // SAFETY: the bytes are exactly those this cache wrote from `precompile_component`
        // (checked by digest above), and the key includes the engine's compatibility hash.
        match unsafe { Component::deserialize(engine, &bytes) } {
            Ok(component) => Some(component),
            Err(e) => {
                self.reject(path, &format!("{e:#}"));
                None
            }
        }
    }

    fn reject(&self, path: &Path, why: &str) {
        self.rejected.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(path = %path.display(), "precompiled plugin is unusable ({why}); recompiling");
    }

    /// Writes artifact and checksum through temporary files so a crash never leaves half a file.
    fn store(&self, path: &Path, artifact: &[u8]) -> Result<(), CacheError> {
        let digest = checksum(artifact);
        write_atomically(path, artifact)?;
        write_atomically(&digest_path(path), digest.as_bytes())
    }
}

fn digest_path(artifact: &Path) -> PathBuf {
    artifact.with_extension("cwasm.xxh3")
}

fn checksum(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CacheError> {
    let io = |source| CacheError::Io {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut file = std::fs::File::create(&tmp).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}
