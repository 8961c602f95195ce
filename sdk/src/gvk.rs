//! Group/version/kind: how every call names a Kubernetes kind.

pub use crate::wit::headlamp::plugin::types::Gvk;

impl Gvk {
    /// A kind of the core group (`v1`), such as `Gvk::core("v1", "Namespace")`.
    pub fn core(version: &str, kind: &str) -> Self {
        Self::new("", version, kind)
    }

    /// A kind of any group; the core group is `""`.
    pub fn new(group: &str, version: &str, kind: &str) -> Self {
        Gvk {
            group: group.to_owned(),
            version: version.to_owned(),
            kind: kind.to_owned(),
        }
    }

    /// The `apiVersion` of objects of this kind (`v1`, `apps/v1`).
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}
