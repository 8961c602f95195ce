//! The one error type of the crate: each variant says what failed and what to do.

/// Why talking to a registry or Artifact Hub failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The reference or the options are unusable.
    #[error("{0}")]
    Usage(String),
    /// No answer at all: a wrong address, a registry that is down, no network.
    #[error(
        "{what}: cannot reach {registry}: {reason}: check the registry address and that it is running (a registry without TLS is reached over plain HTTP)"
    )]
    Unreachable {
        /// What was being done ("fetching the manifest", ...).
        what: String,
        /// `host[:port]`.
        registry: String,
        /// The HTTP client's reason.
        reason: String,
    },
    /// The registry refused the credentials, or anonymous access.
    #[error(
        "{what}: {registry} refused the credentials (401): log in with `docker login {registry}` or give a user name and password"
    )]
    Denied {
        /// What was being done.
        what: String,
        /// `host[:port]`.
        registry: String,
    },
    /// The tag or digest is not in the repository.
    #[error("{reference}: `{wanted}` not found in {repository}; {}", known_tags(.tags))]
    NotFound {
        /// The reference asked for (`oci://...`).
        reference: String,
        /// The tag or digest that is missing.
        wanted: String,
        /// `host[:port]/repository`.
        repository: String,
        /// The tags the repository has (empty when it has none or they could not be listed).
        tags: Vec<String>,
    },
    /// The server answered, but not with what was asked for.
    #[error("{0}")]
    Remote(String),
    /// Downloaded bytes do not match the digest or checksum they were published with.
    #[error("{0}")]
    Integrity(String),
}

fn known_tags(tags: &[String]) -> String {
    if tags.is_empty() {
        "the repository has no tags (nothing was published there, or the name is wrong)".into()
    } else {
        format!("tags published there: {}", tags.join(", "))
    }
}
