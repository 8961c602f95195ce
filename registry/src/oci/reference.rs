//! `oci://registry[:port]/repository[:tag|@digest]`.

use crate::{Error, Result};

/// `oci://registry[:port]/repository[:tag|@digest]`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `host[:port]`.
    pub registry: String,
    /// `path/to/repo`.
    pub repository: String,
    /// The tag, if given.
    pub tag: Option<String>,
    /// The digest (`sha256:...`), if given.
    pub digest: Option<String>,
}

impl Reference {
    /// Parses a reference, with or without the `oci://` prefix.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| {
            Error::Usage(format!(
                "`{text}` is not an OCI reference ({why}): write oci://REGISTRY/REPOSITORY:TAG, e.g. oci://ghcr.io/me/my-plugin:0.1.0"
            ))
        };
        let rest = text.strip_prefix("oci://").unwrap_or(text);
        let (registry, path) = rest.split_once('/').ok_or_else(|| bad("no repository"))?;
        if registry.is_empty() || path.is_empty() {
            return Err(bad("empty registry or repository"));
        }
        let (path, digest) = match path.split_once('@') {
            Some((p, d)) => {
                if !d.starts_with("sha256:") || d.len() != 71 {
                    return Err(bad("digests look like sha256:<64 hex>"));
                }
                (p, Some(d.to_string()))
            }
            None => (path, None),
        };
        let (repository, tag) = match path.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r, Some(t.to_string())),
            _ => (path, None),
        };
        if repository.is_empty()
            || !repository
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c))
        {
            return Err(bad(
                "repositories are lowercase letters, digits, '.', '_', '-' and '/'",
            ));
        }
        Ok(Self {
            registry: registry.to_string(),
            repository: repository.to_string(),
            tag,
            digest,
        })
    }

    /// The tag or digest to fetch: the digest when both are given, as it names the content.
    pub fn tag_or_digest(&self) -> Option<&str> {
        self.digest.as_deref().or(self.tag.as_deref())
    }

    /// Whether the registry is this machine, which registries serve without TLS.
    pub fn is_loopback(&self) -> bool {
        let host = match self.registry.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => self.registry.split(':').next().unwrap_or_default(),
        };
        host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "oci://{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_reference_with_port_path_and_tag() {
        let r = Reference::parse("oci://127.0.0.1:5000/team/my-plugin:0.1.0").unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "team/my-plugin");
        assert_eq!(r.tag.as_deref(), Some("0.1.0"));
        assert_eq!(r.digest, None);
    }

    #[test]
    fn parses_a_reference_by_digest() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let r = Reference::parse(&format!("ghcr.io/me/p@{digest}")).unwrap();
        assert_eq!(r.tag, None);
        assert_eq!(r.digest, Some(digest));
    }

    #[test]
    fn refuses_a_reference_without_repository() {
        let err = Reference::parse("oci://ghcr.io").unwrap_err();
        assert!(
            err.to_string().contains("oci://REGISTRY/REPOSITORY:TAG"),
            "{err}"
        );
    }

    #[test]
    fn only_this_machine_counts_as_loopback() {
        let loopback = |text: &str| Reference::parse(text).unwrap().is_loopback();
        assert!(loopback("oci://127.0.0.1:5000/p:1"));
        assert!(loopback("oci://localhost/p:1"));
        assert!(loopback("oci://[::1]:5000/p:1"));
        assert!(!loopback("oci://ghcr.io/p:1"));
        assert!(!loopback("oci://127.0.0.1.example.com/p:1"));
    }
}
