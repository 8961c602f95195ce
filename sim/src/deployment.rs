//! The deployment controller: one replica set per pod-template hash and RollingUpdate steps.

use crate::controller::{
    event, name, ns, owner_ref, owner_uid, replicas, template_hash, uid, write,
};
use crate::store::{Store, now_rfc3339};
use serde_json::{Value, json};
use std::sync::Arc;

/// One step of a RollingUpdate (maxSurge and maxUnavailable 25%): the replicas the new replica set
/// should have and how many the old ones may keep, given how many pods are ready.
pub fn rolling_step(
    want: i64,
    new_spec: i64,
    new_ready: i64,
    old_spec: i64,
    old_ready: i64,
) -> (i64, i64) {
    if old_spec == 0 {
        return (want, 0);
    }
    let surge = ((want + 3) / 4).max(1);
    let unavailable = want / 4;
    let new_target = want.min(new_spec.max(want + surge - old_spec));
    if new_ready >= want {
        return (new_target, 0);
    }
    let removable = (new_ready + old_ready - (want - unavailable)).max(0);
    (new_target, (old_spec - removable).max(0))
}

/// Ensures a deployment has a replica set for its current template and updates its status.
pub(crate) fn reconcile_deployment(store: &Store, d: &Value, all_rs: &[Arc<Value>]) {
    let rs_def = store.def("apps", "replicasets");
    let hash = template_hash(&d["spec"]["template"]);
    let owned: Vec<&Value> = all_rs
        .iter()
        .map(|x| &**x)
        .filter(|r| owner_uid(r) == Some(uid(d)))
        .collect();
    let want = replicas(d);
    let current = owned
        .iter()
        .find(|r| r["metadata"]["labels"]["pod-template-hash"].as_str() == Some(hash.as_str()));
    let revision = owned
        .iter()
        .filter_map(|r| {
            r["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                .as_str()?
                .parse::<i64>()
                .ok()
        })
        .max()
        .unwrap_or(0);
    let old_rs: Vec<&Value> = owned
        .iter()
        .copied()
        .filter(|r| r["metadata"]["labels"]["pod-template-hash"].as_str() != Some(hash.as_str()))
        .collect();
    let old_spec: i64 = old_rs.iter().map(|r| replicas(r)).sum();
    let old_ready: i64 = old_rs
        .iter()
        .map(|r| r["status"]["readyReplicas"].as_i64().unwrap_or(0))
        .sum();
    let new_ready = current.map_or(0, |r| r["status"]["readyReplicas"].as_i64().unwrap_or(0));
    let new_spec = current.map_or(0, |r| replicas(r));
    let (new_target, mut old_target) = rolling_step(want, new_spec, new_ready, old_spec, old_ready);
    match current {
        None => {
            let mut template = d["spec"]["template"].clone();
            template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
            let mut selector = d["spec"]["selector"].clone();
            selector["matchLabels"]["pod-template-hash"] = json!(hash);
            let rs = json!({
                "metadata": {"name": format!("{}-{hash}", name(d)), "labels": template["metadata"]["labels"],
                    "annotations": {"deployment.kubernetes.io/revision": (revision + 1).to_string(), "deployment.kubernetes.io/desired-replicas": want.to_string()},
                    "ownerReferences": [owner_ref(d, "Deployment")]},
                "spec": {"replicas": new_target, "selector": selector, "template": template},
            });
            if store.create(&rs_def, ns(d), rs).is_ok() {
                event(
                    store,
                    d,
                    "Deployment",
                    "Normal",
                    "ScalingReplicaSet",
                    &format!(
                        "Scaled up replica set {}-{hash} from 0 to {new_target}",
                        name(d)
                    ),
                    "deployment-controller",
                );
            }
        }
        Some(rs) if replicas(rs) != new_target => {
            let mut n = (*rs).clone();
            n["spec"]["replicas"] = json!(new_target);
            let verb = if new_target > replicas(rs) {
                "up"
            } else {
                "down"
            };
            event(
                store,
                d,
                "Deployment",
                "Normal",
                "ScalingReplicaSet",
                &format!(
                    "Scaled {verb} replica set {} from {} to {new_target}",
                    name(rs),
                    replicas(rs)
                ),
                "deployment-controller",
            );
            write(store, &rs_def, rs, n);
        }
        Some(_) => {}
    }
    // Old replica sets shrink (oldest revision first) as far as the rolling step allows.
    for old in old_rs.iter().rev() {
        let keep = replicas(old).min(old_target);
        old_target -= keep;
        if replicas(old) != keep {
            let mut n = (*old).clone();
            n["spec"]["replicas"] = json!(keep);
            event(
                store,
                d,
                "Deployment",
                "Normal",
                "ScalingReplicaSet",
                &format!(
                    "Scaled down replica set {} from {} to {keep}",
                    name(old),
                    replicas(old)
                ),
                "deployment-controller",
            );
            write(store, &rs_def, old, n);
        }
    }
    let sum = |f: &str| {
        owned
            .iter()
            .map(|r| r["status"][f].as_i64().unwrap_or(0))
            .sum::<i64>()
    };
    let updated = current
        .map(|r| r["status"]["replicas"].as_i64().unwrap_or(0))
        .unwrap_or(0);
    let (total, ready) = (sum("replicas"), sum("readyReplicas"));
    let mut nd = d.clone();
    let now = now_rfc3339();
    let old_conds = &d["status"]["conditions"];
    let keep_time = |t: &str, s: &str| {
        old_conds
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == json!(t) && c["status"] == json!(s))
            .map(|c| c["lastTransitionTime"].clone())
            .unwrap_or(json!(now))
    };
    let avail = if ready >= want { "True" } else { "False" };
    nd["status"] = json!({
        "observedGeneration": d["metadata"]["generation"], "replicas": total, "updatedReplicas": updated,
        "readyReplicas": ready, "availableReplicas": ready, "unavailableReplicas": (want - ready).max(0),
        "conditions": [
            {"type": "Available", "status": avail, "reason": if avail == "True" {"MinimumReplicasAvailable"} else {"MinimumReplicasUnavailable"},
             "message": if avail == "True" {"Deployment has minimum availability."} else {"Deployment does not have minimum availability."},
             "lastTransitionTime": keep_time("Available", avail), "lastUpdateTime": keep_time("Available", avail)},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
             "message": format!("ReplicaSet \"{}-{hash}\" has successfully progressed.", name(d)),
             "lastTransitionTime": keep_time("Progressing", "True"), "lastUpdateTime": keep_time("Progressing", "True")},
        ],
    });
    if ready == 0 && want > 0 || total != want || updated != want {
        nd["status"]["conditions"][1]["reason"] = json!("ReplicaSetUpdated");
        nd["status"]["conditions"][1]["message"] =
            json!(format!("ReplicaSet \"{}-{hash}\" is progressing.", name(d)));
    }
    if d["metadata"]["annotations"]["deployment.kubernetes.io/revision"].as_str()
        != Some(&(revision.max(1)).to_string())
    {
        nd["metadata"]["annotations"]["deployment.kubernetes.io/revision"] =
            json!(revision.max(1).to_string());
    }
    write(store, &store.def("apps", "deployments"), d, nd);
}

#[cfg(test)]
mod tests {
    use super::rolling_step;

    #[test]
    fn rolling_update_surges_then_drains_old_pods() {
        // 4 replicas: surge 1, unavailable 1.
        assert_eq!(rolling_step(4, 0, 0, 4, 4), (1, 3));
        assert_eq!(rolling_step(4, 1, 1, 3, 3), (2, 2));
        assert_eq!(rolling_step(4, 2, 2, 2, 2), (3, 1));
        assert_eq!(rolling_step(4, 3, 3, 1, 1), (4, 0));
        // Nothing is removed while the new pods are not ready yet.
        assert_eq!(rolling_step(4, 1, 0, 3, 3), (2, 3));
        // A plain scale never involves old replica sets.
        assert_eq!(rolling_step(6, 4, 4, 0, 0), (6, 0));
        // New pods that never become ready stall the rollout, as in a real cluster.
        assert_eq!(rolling_step(1, 1, 0, 1, 1), (1, 1));
    }
}
