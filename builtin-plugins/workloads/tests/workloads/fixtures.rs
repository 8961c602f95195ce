//! Real-shaped objects, as `kubectl get -o json` prints them (managedFields kept: rows must
//! skip them cheaply).

use headlamp_plugin_sdk::testing::Harness;
use headlamp_plugin_workloads::WorkloadsPlugin;
use serde_json::{Value, json};

/// 2024-03-01T00:00:00Z, the harness clock in every test.
pub const NOW: u64 = 1_709_251_200_000;

/// A harness after `init`, its clock at [`NOW`].
pub fn harness() -> Harness {
    let mut h = Harness::new(WorkloadsPlugin);
    h.init().expect("init succeeds");
    h.cluster(|c| c.set_now_millis(NOW));
    h
}

fn metadata(name: &str) -> Value {
    json!({
        "creationTimestamp": "2024-02-20T10:00:00Z",
        "generateName": format!("{name}-"),
        "labels": {"app": name, "pod-template-hash": "7d4b9c"},
        "managedFields": [{
            "apiVersion": "v1", "fieldsType": "FieldsV1",
            "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}},
            "manager": "kube-controller-manager", "operation": "Update",
            "time": "2024-02-20T10:00:00Z"
        }],
        "name": name,
        "namespace": "shop",
        "ownerReferences": [{
            "apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true,
            "kind": "ReplicaSet", "name": format!("{name}-7d4b9c"),
            "uid": "6c1d2f7e-0000-4000-8000-000000000001"
        }],
        "resourceVersion": "81234",
        "uid": "9a0b1c2d-0000-4000-8000-000000000002"
    })
}

fn container(name: &str, image: &str) -> Value {
    json!({
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}]
    })
}

/// A pod named `name` whose spec has `containers` (and `init_containers`) and whose status is
/// `status`, with the fields the API server always fills.
pub fn pod(name: &str, containers: &[Value], init_containers: &[Value], status: Value) -> Value {
    let mut spec = json!({
        "containers": containers,
        "dnsPolicy": "ClusterFirst",
        "nodeName": "node-1",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
        "volumes": [{"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}]
    });
    if !init_containers.is_empty() {
        spec["initContainers"] = json!(init_containers);
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata(name),
        "spec": spec,
        "status": status
    })
}

/// A main container of image `image`.
pub fn app(name: &str) -> Value {
    container(name, &format!("registry.example.com/{name}:1.4.2"))
}

/// A sidecar: an init container that keeps running.
pub fn sidecar(name: &str) -> Value {
    let mut c = container(name, "envoyproxy/envoy:v1.29.1");
    c["restartPolicy"] = json!("Always");
    c
}

/// Conditions of a pod; `ready` says whether Ready and ContainersReady hold.
pub fn conditions(initialized: bool, ready: bool) -> Value {
    let s = |b: bool| if b { "True" } else { "False" };
    json!([
        {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": "2024-02-20T10:00:02Z"},
        {"type": "Initialized", "status": s(initialized), "lastTransitionTime": "2024-02-20T10:00:01Z"},
        {"type": "Ready", "status": s(ready), "lastTransitionTime": "2024-02-20T10:00:05Z"},
        {"type": "ContainersReady", "status": s(ready), "lastTransitionTime": "2024-02-20T10:00:05Z"},
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2024-02-20T10:00:00Z"}
    ])
}

/// A container status: `state` is the `state` object, `restarts` the restart count.
pub fn container_status(name: &str, ready: bool, restarts: u32, state: Value) -> Value {
    json!({
        "containerID": format!("containerd://{name}0123456789abcdef"),
        "image": format!("registry.example.com/{name}:1.4.2"),
        "imageID": format!("registry.example.com/{name}@sha256:0123"),
        "lastState": {},
        "name": name,
        "ready": ready,
        "restartCount": restarts,
        "started": ready,
        "state": state
    })
}

/// A running state since the pod started.
pub fn running() -> Value {
    json!({"running": {"startedAt": "2024-02-20T10:00:04Z"}})
}

/// A waiting state with `reason`.
pub fn waiting(reason: &str) -> Value {
    json!({"waiting": {"reason": reason, "message": format!("{reason} for the test")}})
}

/// A terminated state with `reason` and `exit_code`, finished at `finished_at`.
pub fn terminated(reason: &str, exit_code: i32, finished_at: &str) -> Value {
    json!({"terminated": {
        "containerID": "containerd://feedbeef",
        "exitCode": exit_code,
        "finishedAt": finished_at,
        "reason": reason,
        "startedAt": "2024-02-20T10:00:03Z"
    }})
}

/// Pod status with `phase`, the given conditions and container statuses.
pub fn status(phase: &str, conditions: Value, init: &[Value], containers: &[Value]) -> Value {
    let mut s = json!({
        "conditions": conditions,
        "containerStatuses": containers,
        "hostIP": "10.0.0.11",
        "phase": phase,
        "podIP": "10.244.1.17",
        "podIPs": [{"ip": "10.244.1.17"}],
        "qosClass": "Burstable",
        "startTime": "2024-02-20T10:00:00Z"
    });
    if !init.is_empty() {
        s["initContainerStatuses"] = json!(init);
    }
    s
}

/// `web`: one container, running and ready.
pub fn running_ready() -> Value {
    pod(
        "web",
        &[app("web")],
        &[],
        status(
            "Running",
            conditions(true, true),
            &[],
            &[container_status("web", true, 0, running())],
        ),
    )
}

/// `api`: its app container crash-loops (7 restarts, the last ended 5 minutes before [`NOW`]),
/// its second container runs.
pub fn crash_looping() -> Value {
    let mut crashing = container_status("app", false, 7, waiting("CrashLoopBackOff"));
    crashing["lastState"] = terminated("Error", 1, "2024-02-29T23:55:00Z");
    pod(
        "api",
        &[app("app"), app("metrics")],
        &[],
        status(
            "Running",
            conditions(true, false),
            &[],
            &[crashing, container_status("metrics", true, 0, running())],
        ),
    )
}

/// `puller`: its image cannot be pulled.
pub fn image_pull_back_off() -> Value {
    pod(
        "puller",
        &[app("puller")],
        &[],
        status(
            "Pending",
            conditions(true, false),
            &[],
            &[container_status(
                "puller",
                false,
                0,
                waiting("ImagePullBackOff"),
            )],
        ),
    )
}

/// `migrate`: the first of two init containers finished, the second runs.
pub fn init_running() -> Value {
    pod(
        "migrate",
        &[app("server")],
        &[app("wait-db"), app("migrate")],
        status(
            "Pending",
            conditions(false, false),
            &[
                container_status(
                    "wait-db",
                    false,
                    0,
                    terminated("Completed", 0, "2024-02-20T10:00:09Z"),
                ),
                container_status("migrate", false, 0, running()),
            ],
            &[container_status(
                "server",
                false,
                0,
                waiting("PodInitializing"),
            )],
        ),
    )
}

/// `seed`: its init container crash-loops (3 restarts, the last ended 2 hours before [`NOW`]).
pub fn init_crash_looping() -> Value {
    let mut crashing = container_status("seed-db", false, 3, waiting("CrashLoopBackOff"));
    crashing["lastState"] = terminated("Error", 2, "2024-02-29T22:00:00Z");
    pod(
        "seed",
        &[app("server")],
        &[app("seed-db")],
        status(
            "Pending",
            conditions(false, false),
            &[crashing],
            &[container_status(
                "server",
                false,
                0,
                waiting("PodInitializing"),
            )],
        ),
    )
}

/// `report`: a job's pod that finished.
pub fn completed() -> Value {
    pod(
        "report",
        &[app("report")],
        &[],
        status(
            "Succeeded",
            conditions(true, false),
            &[],
            &[container_status(
                "report",
                false,
                0,
                terminated("Completed", 0, "2024-02-20T10:05:00Z"),
            )],
        ),
    )
}

/// `web` being deleted.
pub fn terminating() -> Value {
    let mut p = running_ready();
    p["metadata"]["deletionTimestamp"] = json!("2024-02-29T23:59:30Z");
    p["metadata"]["deletionGracePeriodSeconds"] = json!(30);
    p
}

/// `big`: no node fits it.
pub fn pending_unscheduled() -> Value {
    let mut p = pod(
        "big",
        &[app("big")],
        &[],
        json!({
            "conditions": [{
                "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                "message": "0/3 nodes are available: 3 Insufficient memory.",
                "lastTransitionTime": "2024-02-20T10:00:00Z"
            }],
            "phase": "Pending",
            "qosClass": "Burstable"
        }),
    );
    p["spec"].as_object_mut().unwrap().remove("nodeName");
    p
}

/// `mesh`: a running app with a started, ready sidecar.
pub fn with_sidecar() -> Value {
    pod(
        "mesh",
        &[app("app")],
        &[sidecar("proxy")],
        status(
            "Running",
            conditions(true, true),
            &[container_status("proxy", true, 0, running())],
            &[container_status("app", true, 0, running())],
        ),
    )
}

/// A deployment `name` wanting `replicas` (omitted when `None`) with `available` of them up.
pub fn deployment(name: &str, replicas: Option<u32>, available: u32, conditions: Value) -> Value {
    let mut spec = json!({
        "progressDeadlineSeconds": 600,
        "revisionHistoryLimit": 10,
        "selector": {"matchLabels": {"app": name}},
        "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
        "template": {
            "metadata": {"labels": {"app": name}},
            "spec": {"containers": [
                {"name": name, "image": format!("registry.example.com/{name}:1.4.2"), "ports": [{"containerPort": 8080, "protocol": "TCP"}]},
                {"name": "proxy", "image": "envoyproxy/envoy:v1.29.1"}
            ]}
        }
    });
    if let Some(r) = replicas {
        spec["replicas"] = json!(r);
    }
    let mut meta = metadata(name);
    meta.as_object_mut().unwrap().remove("ownerReferences");
    meta["annotations"] = json!({"deployment.kubernetes.io/revision": "3"});
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": spec,
        "status": {
            "availableReplicas": available,
            "conditions": conditions,
            "observedGeneration": 3,
            "readyReplicas": available,
            "replicas": replicas.unwrap_or(1),
            "unavailableReplicas": replicas.unwrap_or(1).saturating_sub(available),
            "updatedReplicas": replicas.unwrap_or(1)
        }
    })
}

/// Deployment conditions: (type, status, reason).
pub fn deployment_conditions(items: &[(&str, &str, &str)]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|(kind, status, reason)| {
                json!({
                    "type": kind, "status": status, "reason": reason,
                    "message": format!("{kind} is {status}"),
                    "lastTransitionTime": "2024-02-20T10:01:00Z",
                    "lastUpdateTime": "2024-02-20T10:01:00Z"
                })
            })
            .collect(),
    )
}
