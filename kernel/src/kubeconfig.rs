//! Clusters from kubeconfig files: every context becomes a cluster; a context that cannot be
//! turned into a client is kept as a broken cluster with its error, so the user sees it.

use std::path::PathBuf;

use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::cluster::{BrokenCluster, Cluster, ClusterName, ClusterRegistry, ClusterSource};

/// The name of the cluster the kernel runs in, when it uses its pod's service account.
pub const IN_CLUSTER_NAME: &str = "in-cluster";

/// Reads and merges `paths` in order (the first file wins a name defined twice, as kubectl
/// does), or `$KUBECONFIG` (several files merged) / `~/.kube/config` when `paths` is empty.
pub fn read(paths: &[PathBuf]) -> Result<Kubeconfig, String> {
    if paths.is_empty() {
        return Kubeconfig::read().map_err(|e| {
            format!("cannot read a kubeconfig from $KUBECONFIG or ~/.kube/config: {e}")
        });
    }
    paths
        .iter()
        .try_fold(Kubeconfig::default(), |merged, path| {
            let next = Kubeconfig::read_from(path)
                .map_err(|e| format!("cannot read the kubeconfig {}: {e}", path.display()))?;
            merged
                .merge(next)
                .map_err(|e| format!("cannot merge the kubeconfig {}: {e}", path.display()))
        })
}

/// The cluster of one context of `kubeconfig`, named after the context.
pub async fn cluster_from(kubeconfig: &Kubeconfig, context: &str) -> Result<Cluster, String> {
    let options = KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(kubeconfig.clone(), &options)
        .await
        .map_err(|e| e.to_string())?;
    Cluster::from_config(ClusterName::new(context), config).map_err(|e| e.to_string())
}

/// Adds every context of `kubeconfig` to `registry`, as a cluster or as a broken one.
/// Exec and OIDC auth providers are handled by kube-rs when requests are made.
pub async fn add_contexts(kubeconfig: &Kubeconfig, registry: &ClusterRegistry) {
    add_contexts_from(kubeconfig, registry, ClusterSource::Kubeconfig).await
}

/// [`add_contexts`] recording where the contexts come from.
pub async fn add_contexts_from(
    kubeconfig: &Kubeconfig,
    registry: &ClusterRegistry,
    source: ClusterSource,
) {
    for context in &kubeconfig.contexts {
        match cluster_from(kubeconfig, &context.name).await {
            Ok(cluster) => registry.insert(cluster.with_source(source)),
            Err(error) => {
                tracing::warn!(context = %context.name, "context cannot be used: {error}");
                registry.insert_broken(BrokenCluster {
                    name: ClusterName::new(&context.name),
                    source,
                    error: format!(
                        "its kubeconfig context is invalid ({error}): fix the context or remove it"
                    ),
                });
            }
        }
    }
}

/// The pod's own cluster through its service account, when the kernel runs in a pod
/// (`KUBERNETES_SERVICE_HOST` is set and the token is mounted); `None` elsewhere.
pub fn in_cluster() -> Option<Result<Cluster, String>> {
    std::env::var_os("KUBERNETES_SERVICE_HOST")?;
    Some(
        kube::Config::incluster()
            .map_err(|e| format!("running in a pod, but its service account cannot be used: {e}"))
            .and_then(|config| {
                Cluster::from_config(ClusterName::new(IN_CLUSTER_NAME), config)
                    .map_err(|e| e.to_string())
            })
            .map(|c| c.with_source(ClusterSource::InCluster)),
    )
}
