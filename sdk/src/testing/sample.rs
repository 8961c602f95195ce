//! Objects shaped as a real API server returns them, for benchmarks and timing: the size and
//! nesting of what a plugin's `rows` parses matter more than their values.

/// A two-container pod as the API server returns it; every tenth one crash-loops.
pub fn pod_json(i: usize) -> String {
    let crashing = i.is_multiple_of(10);
    let (state, last_state) = if crashing {
        (
            serde_json::json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}}),
            serde_json::json!({"terminated": {"exitCode": 1, "reason": "Error", "startedAt": "2024-02-29T23:50:00Z", "finishedAt": "2024-02-29T23:55:00Z"}}),
        )
    } else {
        (
            serde_json::json!({"running": {"startedAt": "2024-02-20T10:00:04Z"}}),
            serde_json::json!({}),
        )
    };
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "creationTimestamp": "2024-02-20T10:00:00Z",
            "generateName": "web-7d4b9c-",
            "labels": {"app": "web", "pod-template-hash": "7d4b9c"},
            "managedFields": [{
                "apiVersion": "v1", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}, "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}}}}},
                "manager": "kube-controller-manager", "operation": "Update", "time": "2024-02-20T10:00:00Z"
            }],
            "name": format!("web-7d4b9c-{i:05}"),
            "namespace": "shop",
            "ownerReferences": [{"apiVersion": "apps/v1", "controller": true, "kind": "ReplicaSet", "name": "web-7d4b9c", "uid": "6c1d2f7e-0000-4000-8000-000000000001"}],
            "resourceVersion": "81234",
            "uid": format!("9a0b1c2d-0000-4000-8000-{i:012}")
        },
        "spec": {
            "containers": [
                {"name": "web", "image": "registry.example.com/web:1.4.2", "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                 "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                 "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}]},
                {"name": "proxy", "image": "envoyproxy/envoy:v1.29.1"}
            ],
            "nodeName": format!("node-{}", i % 7),
            "restartPolicy": "Always",
            "serviceAccountName": "default",
            "volumes": [{"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}]
        },
        "status": {
            "conditions": [
                {"type": "Initialized", "status": "True", "lastTransitionTime": "2024-02-20T10:00:01Z"},
                {"type": "Ready", "status": if crashing { "False" } else { "True" }, "lastTransitionTime": "2024-02-20T10:00:05Z"},
                {"type": "ContainersReady", "status": if crashing { "False" } else { "True" }, "lastTransitionTime": "2024-02-20T10:00:05Z"},
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2024-02-20T10:00:00Z"}
            ],
            "containerStatuses": [
                {"name": "web", "ready": !crashing, "restartCount": if crashing { 7 } else { 0 }, "started": !crashing,
                 "image": "registry.example.com/web:1.4.2", "imageID": "registry.example.com/web@sha256:0123",
                 "containerID": "containerd://0123", "state": state, "lastState": last_state},
                {"name": "proxy", "ready": true, "restartCount": 0, "started": true,
                 "image": "envoyproxy/envoy:v1.29.1", "imageID": "envoyproxy/envoy@sha256:4567",
                 "containerID": "containerd://4567", "state": {"running": {"startedAt": "2024-02-20T10:00:04Z"}}, "lastState": {}}
            ],
            "hostIP": "10.0.0.11",
            "phase": "Running",
            "podIP": format!("10.244.{}.{}", i / 250, i % 250),
            "qosClass": "Burstable",
            "startTime": "2024-02-20T10:00:00Z"
        }
    })
    .to_string()
}
