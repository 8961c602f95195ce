//! `headlamp-plugin`: the plugin author's tool for headlamp-rs.
//!
//! Every command lives in its own module and returns a report that is both printable for a
//! person ([`std::fmt::Display`]) and serialisable for CI (`--json`). The binary in `main.rs`
//! only parses flags and prints.

#![warn(missing_docs)]

pub mod artifacthub;
pub mod build;
pub mod dev;
pub mod error;
pub mod harness;
pub mod installed;
pub mod lint;
pub mod new;
pub mod oci;
pub mod package;
pub mod progress;
pub mod project;
pub mod upgrade;

pub use error::Error;
/// Registry credentials, now in the registry client crate.
pub use headlamp_registry::docker_auth;

/// Result type of every command.
pub type Result<T, E = Error> = std::result::Result<T, E>;
