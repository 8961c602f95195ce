//! Drain: cordon a node, then evict its pods except those that belong there.

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, EvictParams, ListParams};
use serde::Serialize;

use super::{ActionAnswer, ActionError, Target, cluster_status, generic};
use crate::cluster::ClusterError;

/// The annotation of a mirror pod (a static pod the kubelet mirrors); a drain leaves it.
const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// A pod a drain did not evict, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PodNote {
    /// `namespace/name`.
    pub pod: String,
    /// Why it was skipped, or what the API server said.
    pub reason: String,
}

/// What a drain did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DrainReport {
    /// Pods evicted, as `namespace/name`.
    pub evicted: Vec<String>,
    /// Pods left on purpose (DaemonSet-owned, mirror, already terminating).
    pub skipped: Vec<PodNote>,
    /// Pods whose eviction the API server refused.
    pub failed: Vec<PodNote>,
}

/// Why a drain leaves a pod where it is, if it does.
fn drain_skips(pod: &Pod) -> Option<String> {
    let meta = &pod.metadata;
    if let Some(owner) = meta
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.kind == "DaemonSet")
    {
        return Some(format!(
            "managed by DaemonSet {}: it would be recreated on this node",
            owner.name
        ));
    }
    if meta
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(MIRROR_ANNOTATION))
    {
        return Some("a mirror pod: the kubelet manages it, not the API server".into());
    }
    if meta.deletion_timestamp.is_some() {
        return Some("already terminating".into());
    }
    None
}

pub(super) async fn drain(on: &Target<'_>) -> Result<ActionAnswer, ActionError> {
    generic::set_unschedulable(on, true).await?;
    let client = on.cluster.client().clone();
    let pods = Api::<Pod>::all(client.clone())
        .list(&ListParams::default().fields(&format!("spec.nodeName={}", on.name)))
        .await
        .map_err(ActionError::kube(on.what))?;
    let mut report = DrainReport::default();
    let mut to_evict = Vec::new();
    for pod in pods.items {
        let namespace = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        let key = format!("{namespace}/{name}");
        match drain_skips(&pod) {
            Some(reason) => report.skipped.push(PodNote { pod: key, reason }),
            None => to_evict.push((namespace, name, key)),
        }
    }
    let evictions = futures::future::join_all(to_evict.into_iter().map(|(ns, name, key)| {
        let api = Api::<Pod>::namespaced(client.clone(), &ns);
        async move {
            let result = api.evict(&name, &EvictParams::default()).await;
            (key, result)
        }
    }))
    .await;
    let mut first_refusal = None;
    for (key, result) in evictions {
        match result.map_err(ClusterError::from) {
            // A pod that is already gone needs no eviction.
            Ok(_) | Err(ClusterError::NotFound(_)) => report.evicted.push(key),
            Err(error) => {
                first_refusal.get_or_insert_with(|| cluster_status(&error));
                report.failed.push(PodNote {
                    pod: key,
                    reason: error.to_string(),
                });
            }
        }
    }
    let counts = format!(
        "{} pods evicted, {} skipped",
        report.evicted.len(),
        report.skipped.len()
    );
    if let Some(status) = first_refusal {
        return Err(ActionError::Drain {
            message: format!(
                "{} is cordoned but not drained: {counts}, {} could not be evicted (see \
                 drain.failed); fix what the API server says and drain again",
                on.describe,
                report.failed.len()
            ),
            status,
            report,
        });
    }
    Ok(ActionAnswer {
        drain: Some(report),
        ..ActionAnswer::done(format!("{} drained: {counts}", on.describe))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pod(metadata: serde_json::Value) -> Pod {
        serde_json::from_value(json!({ "metadata": metadata })).unwrap()
    }

    #[test]
    fn a_drain_leaves_daemon_set_mirror_and_terminating_pods_and_evicts_the_rest() {
        let daemon = pod(
            json!({"name": "exporter", "ownerReferences": [{"apiVersion": "apps/v1",
            "kind": "DaemonSet", "name": "node-exporter", "uid": "u1"}]}),
        );
        let mirror = pod(json!({"name": "etcd", "annotations": {MIRROR_ANNOTATION: "abc"}}));
        let leaving = pod(json!({"name": "old", "deletionTimestamp": "2026-01-01T00:00:00Z"}));
        let replica = pod(
            json!({"name": "web", "ownerReferences": [{"apiVersion": "apps/v1",
            "kind": "ReplicaSet", "name": "web-1", "uid": "u2"}]}),
        );
        assert!(
            drain_skips(&daemon)
                .unwrap()
                .contains("DaemonSet node-exporter")
        );
        assert!(drain_skips(&mirror).unwrap().contains("mirror pod"));
        assert!(drain_skips(&leaving).unwrap().contains("terminating"));
        assert_eq!(drain_skips(&replica), None);
    }
}
