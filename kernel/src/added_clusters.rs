//! Clusters added while the kernel runs (`POST /api/v1/clusters`), kept in the kernel's config
//! dir so a desktop user finds them again after a restart.
//!
//! They are stored as an ordinary kubeconfig file (mode 0600: it holds credentials), so the
//! user can read it and `kubectl --kubeconfig` can use it. Each added cluster is one context,
//! and its cluster and user entries carry the same name, so removing it removes all three.

use std::path::{Path, PathBuf};

use kube::config::{
    AuthInfo, Cluster as KubeCluster, Context, Kubeconfig, NamedAuthInfo, NamedCluster,
    NamedContext,
};
use serde::Deserialize;

use crate::cluster::ClusterName;

/// A failure reading or writing the added-clusters file, or an unusable request.
#[derive(Debug, thiserror::Error)]
pub enum AddedClustersError {
    /// The file could not be read or written.
    #[error("{path}: {error}; check the permissions of the kernel's config dir")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        error: std::io::Error,
    },
    /// The file is not a kubeconfig.
    #[error("{path} is not a valid kubeconfig ({error}); fix or delete it")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        error: String,
    },
    /// What the client sent cannot describe a cluster.
    #[error("{0}")]
    Invalid(String),
}

/// A request to add a cluster: a kubeconfig to take one context from, or a server and token.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCluster {
    /// The name the cluster will have in headlamp.
    pub name: String,
    /// A kubeconfig (YAML or JSON) to take the context from.
    #[serde(default)]
    pub kubeconfig: Option<String>,
    /// Which context of `kubeconfig`; its current context when absent.
    #[serde(default)]
    pub context: Option<String>,
    /// The API server's URL, when no kubeconfig is given.
    #[serde(default)]
    pub server: Option<String>,
    /// A bearer token for `server`.
    #[serde(default)]
    pub token: Option<String>,
    /// The server's CA certificate, base64-encoded PEM as in a kubeconfig.
    #[serde(default)]
    pub certificate_authority_data: Option<String>,
    /// Skip verifying the server's certificate (test clusters only).
    #[serde(default)]
    pub insecure_skip_tls_verify: bool,
}

impl NewCluster {
    /// The request as a kubeconfig with exactly one context, named after the cluster.
    pub fn to_kubeconfig(&self) -> Result<Kubeconfig, AddedClustersError> {
        let name = self.name.trim();
        if name.is_empty() || name.contains(['/', '\\']) || name.chars().any(char::is_control) {
            return Err(AddedClustersError::Invalid(format!(
                "{:?} cannot name a cluster: use letters, digits, '-', '_' or '.'",
                self.name
            )));
        }
        let (cluster, user) = match (&self.kubeconfig, &self.server) {
            (Some(text), None) => self.entries_from(text)?,
            (None, Some(server)) => self.entries_from_server(server)?,
            _ => {
                return Err(AddedClustersError::Invalid(
                    "send either `kubeconfig` (and optionally `context`) or `server` (with \
                     `token` and `certificateAuthorityData`), not both and not neither"
                        .into(),
                ));
            }
        };
        Ok(single_context(name, cluster, user))
    }

    fn entries_from(&self, text: &str) -> Result<(KubeCluster, AuthInfo), AddedClustersError> {
        let config = Kubeconfig::from_yaml(text).map_err(|e| {
            AddedClustersError::Invalid(format!("the kubeconfig cannot be read: {e}"))
        })?;
        let wanted = self
            .context
            .clone()
            .or_else(|| config.current_context.clone())
            .or_else(|| (config.contexts.len() == 1).then(|| config.contexts[0].name.clone()))
            .ok_or_else(|| {
                AddedClustersError::Invalid(
                    "the kubeconfig has several contexts and no current one: name one in `context`"
                        .into(),
                )
            })?;
        let context = config
            .contexts
            .iter()
            .find(|c| c.name == wanted)
            .and_then(|c| c.context.clone())
            .ok_or_else(|| {
                let known: Vec<_> = config.contexts.iter().map(|c| c.name.as_str()).collect();
                AddedClustersError::Invalid(format!(
                    "the kubeconfig has no context {wanted:?}; it has {known:?}"
                ))
            })?;
        let cluster = config
            .clusters
            .iter()
            .find(|c| c.name == context.cluster)
            .and_then(|c| c.cluster.clone())
            .ok_or_else(|| {
                AddedClustersError::Invalid(format!(
                    "context {wanted:?} names the cluster {:?}, which the kubeconfig does not define",
                    context.cluster
                ))
            })?;
        let user = match &context.user {
            None => AuthInfo::default(),
            Some(user) => config
                .auth_infos
                .iter()
                .find(|u| &u.name == user)
                .and_then(|u| u.auth_info.clone())
                .ok_or_else(|| {
                    AddedClustersError::Invalid(format!(
                        "context {wanted:?} names the user {user:?}, which the kubeconfig does not define"
                    ))
                })?,
        };
        Ok((cluster, user))
    }

    fn entries_from_server(
        &self,
        server: &str,
    ) -> Result<(KubeCluster, AuthInfo), AddedClustersError> {
        if !(server.starts_with("https://") || server.starts_with("http://")) {
            return Err(AddedClustersError::Invalid(format!(
                "the server {server:?} is not a URL: write it as https://HOST:PORT"
            )));
        }
        let cluster = KubeCluster {
            server: Some(server.to_string()),
            certificate_authority_data: self.certificate_authority_data.clone(),
            insecure_skip_tls_verify: self.insecure_skip_tls_verify.then_some(true),
            ..Default::default()
        };
        let user = AuthInfo {
            token: self.token.clone().map(Into::into),
            ..Default::default()
        };
        Ok((cluster, user))
    }
}

fn single_context(name: &str, cluster: KubeCluster, user: AuthInfo) -> Kubeconfig {
    Kubeconfig {
        clusters: vec![NamedCluster {
            name: name.to_string(),
            cluster: Some(cluster),
            ..Default::default()
        }],
        auth_infos: vec![NamedAuthInfo {
            name: name.to_string(),
            auth_info: Some(user),
            ..Default::default()
        }],
        contexts: vec![NamedContext {
            name: name.to_string(),
            context: Some(Context {
                cluster: name.to_string(),
                user: Some(name.to_string()),
                ..Default::default()
            }),
            ..Default::default()
        }],
        current_context: Some(name.to_string()),
        ..Default::default()
    }
}

/// The file of clusters added at run time.
#[derive(Debug)]
pub struct AddedClusters {
    path: PathBuf,
    /// Serialises read-modify-write of the file between concurrent requests.
    lock: std::sync::Mutex<()>,
}

impl AddedClusters {
    /// The file `clusters.kubeconfig` in `config_dir`.
    pub fn in_dir(config_dir: &Path) -> Self {
        Self {
            path: config_dir.join("clusters.kubeconfig"),
            lock: std::sync::Mutex::new(()),
        }
    }

    /// Where the clusters are kept.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every added cluster, as one kubeconfig; empty when none was ever added.
    pub fn load(&self) -> Result<Kubeconfig, AddedClustersError> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Kubeconfig::from_yaml(&text).map_err(|e| AddedClustersError::Corrupt {
                path: self.path.clone(),
                error: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Kubeconfig::default()),
            Err(error) => Err(AddedClustersError::Io {
                path: self.path.clone(),
                error,
            }),
        }
    }

    /// Whether a cluster of this name was added at run time.
    pub fn contains(&self, name: &ClusterName) -> Result<bool, AddedClustersError> {
        Ok(self
            .load()?
            .contexts
            .iter()
            .any(|c| c.name == name.as_str()))
    }

    /// Keeps `config` (one context, as made by [`NewCluster::to_kubeconfig`]), replacing an
    /// earlier cluster of the same name.
    pub fn add(&self, config: &Kubeconfig) -> Result<(), AddedClustersError> {
        let _guard = self.lock.lock().expect("added clusters");
        let mut all = self.load()?;
        for context in &config.contexts {
            remove_entries(&mut all, &context.name);
        }
        all.clusters.extend(config.clusters.iter().cloned());
        all.auth_infos.extend(config.auth_infos.iter().cloned());
        all.contexts.extend(config.contexts.iter().cloned());
        self.save(&all)
    }

    /// Forgets a cluster; whether it was there.
    pub fn remove(&self, name: &ClusterName) -> Result<bool, AddedClustersError> {
        let _guard = self.lock.lock().expect("added clusters");
        let mut all = self.load()?;
        let before = all.contexts.len();
        remove_entries(&mut all, name.as_str());
        if all.contexts.len() == before {
            return Ok(false);
        }
        self.save(&all)?;
        Ok(true)
    }

    /// Writes atomically (a temporary file renamed over the old one), readable by the user only.
    fn save(&self, config: &Kubeconfig) -> Result<(), AddedClustersError> {
        let io = |error| AddedClustersError::Io {
            path: self.path.clone(),
            error,
        };
        let text = serde_yaml::to_string(config).map_err(|e| AddedClustersError::Corrupt {
            path: self.path.clone(),
            error: e.to_string(),
        })?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let temporary = self.path.with_extension("kubeconfig.tmp");
        write_private(&temporary, text.as_bytes()).map_err(io)?;
        std::fs::rename(&temporary, &self.path).map_err(io)
    }
}

fn remove_entries(config: &mut Kubeconfig, name: &str) {
    config.contexts.retain(|c| c.name != name);
    config.clusters.retain(|c| c.name != name);
    config.auth_infos.retain(|u| u.name != name);
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_server(name: &str) -> NewCluster {
        NewCluster {
            name: name.into(),
            kubeconfig: None,
            context: None,
            server: Some("https://127.0.0.1:6443".into()),
            token: Some("t0ken".into()),
            certificate_authority_data: None,
            insecure_skip_tls_verify: true,
        }
    }

    #[test]
    fn an_added_cluster_is_found_again_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let store = AddedClusters::in_dir(dir.path());
        store
            .add(&by_server("lab").to_kubeconfig().unwrap())
            .unwrap();
        let reopened = AddedClusters::in_dir(dir.path());
        let config = reopened.load().unwrap();
        assert_eq!(config.contexts[0].name, "lab");
        assert_eq!(
            config.clusters[0]
                .cluster
                .as_ref()
                .unwrap()
                .server
                .as_deref(),
            Some("https://127.0.0.1:6443")
        );
    }

    #[test]
    fn removing_a_cluster_removes_its_context_cluster_and_user() {
        let dir = tempfile::tempdir().unwrap();
        let store = AddedClusters::in_dir(dir.path());
        store.add(&by_server("a").to_kubeconfig().unwrap()).unwrap();
        store.add(&by_server("b").to_kubeconfig().unwrap()).unwrap();
        assert!(store.remove(&ClusterName::new("a")).unwrap());
        let config = store.load().unwrap();
        let names = |v: Vec<&str>| v.join(",");
        assert_eq!(
            names(config.contexts.iter().map(|c| c.name.as_str()).collect()),
            "b"
        );
        assert_eq!(config.clusters.len(), 1);
        assert_eq!(config.auth_infos.len(), 1);
        assert!(!store.remove(&ClusterName::new("a")).unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = AddedClusters::in_dir(dir.path());
        store.add(&by_server("a").to_kubeconfig().unwrap()).unwrap();
        let mode = std::fs::metadata(store.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn one_context_is_taken_from_a_pasted_kubeconfig_and_renamed() {
        let pasted = r#"
apiVersion: v1
kind: Config
clusters:
- {name: c1, cluster: {server: "https://one:6443"}}
- {name: c2, cluster: {server: "https://two:6443"}}
users:
- {name: u2, user: {token: abc}}
contexts:
- {name: first, context: {cluster: c1}}
- {name: second, context: {cluster: c2, user: u2}}
current-context: first
"#;
        let request = NewCluster {
            kubeconfig: Some(pasted.into()),
            context: Some("second".into()),
            server: None,
            ..by_server("prod")
        };
        let config = request.to_kubeconfig().unwrap();
        assert_eq!(config.contexts.len(), 1);
        assert_eq!(config.contexts[0].name, "prod");
        assert_eq!(
            config.clusters[0]
                .cluster
                .as_ref()
                .unwrap()
                .server
                .as_deref(),
            Some("https://two:6443")
        );
        assert!(
            config.auth_infos[0]
                .auth_info
                .as_ref()
                .unwrap()
                .token
                .is_some()
        );
    }

    #[test]
    fn a_missing_context_is_named_with_the_ones_there_are() {
        let request = NewCluster {
            kubeconfig: Some(
                "apiVersion: v1\nkind: Config\ncontexts:\n- {name: a, context: {cluster: x}}\n"
                    .into(),
            ),
            context: Some("b".into()),
            server: None,
            ..by_server("prod")
        };
        let error = request.to_kubeconfig().unwrap_err().to_string();
        assert!(
            error.contains("no context \"b\"") && error.contains("[\"a\"]"),
            "{error}"
        );
    }

    #[test]
    fn a_request_with_both_a_kubeconfig_and_a_server_is_refused() {
        let request = NewCluster {
            kubeconfig: Some("{}".into()),
            ..by_server("x")
        };
        assert!(request.to_kubeconfig().is_err());
    }
}
