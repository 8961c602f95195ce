//! The one error type of the library: each variant says what failed and what to do.

use std::path::PathBuf;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("reading", "writing", ...).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The directory is not a plugin crate, or its manifest is unusable.
    #[error("{0}")]
    Project(String),
    /// `cargo` or `rustup` failed or could not be run.
    #[error("{0}")]
    Toolchain(String),
    /// The built `.wasm` is not a plugin this kernel can run.
    #[error("{path}: {source}")]
    Component {
        /// The component file.
        path: PathBuf,
        /// What the kernel's inspector refused.
        #[source]
        source: headlamp_kernel::inspect::InspectError,
    },
    /// A template did not render (a bug in the CLI's embedded templates).
    #[error("rendering template {name}: {source}")]
    Template {
        /// The template's name.
        name: String,
        /// minijinja's reason.
        #[source]
        source: minijinja::Error,
    },
    /// An OCI registry or Artifact Hub answered with an error or not at all.
    #[error("{0}")]
    Remote(String),
    /// Downloaded bytes do not match the digest or checksum they were published with.
    #[error("{0}")]
    Integrity(String),
    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// Wraps an I/O error with the action and path it concerns.
    pub fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    }
}

impl From<headlamp_registry::Error> for Error {
    fn from(error: headlamp_registry::Error) -> Self {
        use headlamp_registry::Error as Registry;
        match error {
            Registry::Usage(text) => Error::Usage(text),
            Registry::Integrity(text) => Error::Integrity(text),
            other => Error::Remote(other.to_string()),
        }
    }
}
