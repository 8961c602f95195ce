//! Clusters from kubeconfig files: every context becomes a cluster; a context that cannot be
//! turned into a client is kept as a broken cluster with its error, so the user sees it.

use std::path::Path;

use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::cluster::{Cluster, ClusterName, ClusterRegistry};

/// Reads `path`, or `$KUBECONFIG` (several files merged) / `~/.kube/config` when `None`.
pub fn read(path: Option<&Path>) -> Result<Kubeconfig, String> {
    let read = match path {
        Some(p) => Kubeconfig::read_from(p),
        None => Kubeconfig::read(),
    };
    read.map_err(|e| match path {
        Some(p) => format!("cannot read the kubeconfig {}: {e}", p.display()),
        None => format!("cannot read a kubeconfig from $KUBECONFIG or ~/.kube/config: {e}"),
    })
}

/// Adds every context of `kubeconfig` to `registry`, as a cluster or as a broken one.
/// Exec and OIDC auth providers are handled by kube-rs when requests are made.
pub async fn add_contexts(kubeconfig: &Kubeconfig, registry: &ClusterRegistry) {
    for context in &kubeconfig.contexts {
        let options = KubeConfigOptions {
            context: Some(context.name.clone()),
            ..Default::default()
        };
        let name = ClusterName::new(&context.name);
        let cluster = match kube::Config::from_custom_kubeconfig(kubeconfig.clone(), &options).await
        {
            Ok(config) => Cluster::from_config(name.clone(), config).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match cluster {
            Ok(cluster) => registry.insert(cluster),
            Err(error) => {
                tracing::warn!(context = %context.name, "context cannot be used: {error}");
                registry.insert_broken(
                    name,
                    format!(
                        "its kubeconfig context is invalid ({error}): fix the context or remove it"
                    ),
                );
            }
        }
    }
}
