//! `headlamp-registry`: where headlamp-rs plugins are published and fetched from.
//!
//! - [`oci`]: an OCI distribution client for wasm component artifacts (pull by tag or digest,
//!   push, tag lists), logging in the way `docker login` left things ([`docker_auth`]).
//! - [`artifacthub`]: Artifact Hub's package API and the archives its entries point at.
//! - [`archive`]: reading a `headlamp-plugin package` archive in memory.
//!
//! The client is blocking (the CLI is synchronous); async callers such as the kernel run it
//! on `tokio::task::spawn_blocking`. Every download is checked against the digest or checksum
//! it was published with before it is returned.

#![warn(missing_docs)]

pub mod archive;
pub mod artifacthub;
pub mod docker_auth;
pub mod error;
pub mod oci;

pub use error::Error;

/// Result type of every operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// sha256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
