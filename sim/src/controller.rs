//! The controllers that keep the simulated cluster alive: deployments -> replica sets -> pods,
//! statefulsets, daemonsets, pod start-up, garbage collection, endpoints, metrics and churn.

use crate::registry::ResourceDef;
use crate::selectors::LabelSelector;
use crate::store::{Store, UpdateMode, now_rfc3339};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

/// Annotation on a pod template that makes its pods crash-loop (demo of a broken workload).
pub const CRASH_ANNOTATION: &str = "sim.headlamp.dev/crash";
/// Node name used when the cluster has no Node objects.
const FALLBACK_NODE: &str = "kube-sim";
/// Most core/v1 events kept; older ones are deleted as the real TTL would.
const MAX_EVENTS: usize = 400;

static POD_IPS: AtomicU32 = AtomicU32::new(10);
static RNG: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);

/// A cheap pseudo-random number (xorshift); only churn uses it.
fn rand_u64() -> u64 {
    let mut x = RNG.load(Ordering::Relaxed);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    RNG.store(x, Ordering::Relaxed);
    x
}

/// FNV-1a: stable across runs, so pod-template-hash labels are reproducible.
pub fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

fn template_hash(template: &Value) -> String {
    const ALPHA: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = fnv(&template.to_string());
    (0..10)
        .map(|_| {
            let c = ALPHA[(h % ALPHA.len() as u64) as usize] as char;
            h /= ALPHA.len() as u64;
            c
        })
        .collect()
}

fn name(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or("")
}
fn ns(o: &Value) -> &str {
    o["metadata"]["namespace"].as_str().unwrap_or("")
}
fn uid(o: &Value) -> &str {
    o["metadata"]["uid"].as_str().unwrap_or("")
}
fn owner_uid(o: &Value) -> Option<&str> {
    o["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|r| r["controller"] == json!(true))?["uid"]
        .as_str()
}
fn owner_ref(o: &Value, kind: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": kind, "name": name(o), "uid": uid(o), "controller": true, "blockOwnerDeletion": true})
}
fn replicas(o: &Value) -> i64 {
    o["spec"]["replicas"].as_i64().unwrap_or(1)
}
fn deleting(o: &Value) -> bool {
    o["metadata"].get("deletionTimestamp").is_some()
}

/// Writes `new` if it differs from `old`; conflicts just wait for the next tick.
fn write(store: &Store, def: &ResourceDef, old: &Value, new: Value) {
    if *old != new {
        let _ = store.update(def, ns(old), name(old), new, UpdateMode::All);
    }
}

/// Records a core/v1 Event about `obj`.
pub fn event(
    store: &Store,
    obj: &Value,
    kind: &str,
    typ: &str,
    reason: &str,
    message: &str,
    component: &str,
) {
    let now = now_rfc3339();
    let namespace = if ns(obj).is_empty() {
        "default"
    } else {
        ns(obj)
    };
    let ev = json!({
        "metadata": {"name": format!("{}.{:x}", name(obj), rand_u64() & 0xffff_ffff_ffff), "namespace": namespace},
        "involvedObject": {"kind": kind, "name": name(obj), "namespace": ns(obj), "uid": uid(obj), "apiVersion": obj["apiVersion"]},
        "reason": reason, "message": message, "type": typ, "count": 1,
        "firstTimestamp": now, "lastTimestamp": now,
        "source": {"component": component}, "reportingComponent": component, "reportingInstance": "",
    });
    let _ = store.create(&store.def("", "events"), namespace, ev);
}

/// A pod for `template` owned by `owner`, still Pending (the next tick starts it).
fn new_pod(
    template: &Value,
    owner: &Value,
    kind: &str,
    pod_name: Option<String>,
    extra_labels: &[(&str, String)],
) -> Value {
    let mut meta = template["metadata"].clone();
    if !meta.is_object() {
        meta = json!({});
    }
    for (k, v) in extra_labels {
        meta["labels"][*k] = json!(v);
    }
    match pod_name {
        Some(n) => meta["name"] = json!(n),
        None => meta["generateName"] = json!(format!("{}-", name(owner))),
    }
    meta["ownerReferences"] = json!([owner_ref(owner, kind)]);
    json!({"metadata": meta, "spec": template["spec"].clone(), "status": {"phase": "Pending", "qosClass": "BestEffort"}})
}

fn node_names(store: &Store) -> Vec<(String, String)> {
    let (nodes, _) = store.list(&store.def("", "nodes"), None);
    nodes
        .iter()
        .map(|n| {
            let ip = n["status"]["addresses"]
                .as_array()
                .and_then(|a| a.first())
                .and_then(|a| a["address"].as_str())
                .unwrap_or("10.0.0.1");
            (name(n).to_string(), ip.to_string())
        })
        .collect()
}

/// Status of a freshly started pod (running, or crash-looping when its template asks for it).
fn start_pod(pod: &Value, nodes: &[(String, String)]) -> Value {
    let mut p = pod.clone();
    let (node, host_ip) = match p["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) {
        Some(n) => (
            n.to_string(),
            nodes
                .iter()
                .find(|(nn, _)| nn == n)
                .map(|x| x.1.clone())
                .unwrap_or("10.0.0.1".into()),
        ),
        None if nodes.is_empty() => (FALLBACK_NODE.to_string(), "10.0.0.1".to_string()),
        None => nodes[(fnv(name(pod)) % nodes.len() as u64) as usize].clone(),
    };
    p["spec"]["nodeName"] = json!(node);
    let n = POD_IPS.fetch_add(1, Ordering::Relaxed);
    let ip = format!("10.244.{}.{}", (n / 250) % 256, n % 250 + 2);
    let now = now_rfc3339();
    let crash = pod["metadata"]["annotations"][CRASH_ANNOTATION] == json!("true");
    let statuses: Vec<Value> = p["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let image = c["image"].as_str().unwrap_or("busybox");
            let cid = format!("containerd://{:016x}{:016x}", fnv(name(pod)), fnv(image));
            let mut st = json!({"name": c["name"], "image": image, "imageID": format!("docker.io/library/{image}@sha256:{:064x}", fnv(image) as u128),
                "containerID": cid, "ready": !crash, "started": !crash, "restartCount": 0, "state": {"running": {"startedAt": now}}});
            if crash {
                st["restartCount"] = json!(4);
                st["state"] = json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 1m20s restarting failed container"}});
                st["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error", "startedAt": now, "finishedAt": now}});
            }
            st
        })
        .collect();
    let ready = if crash { "False" } else { "True" };
    let cond = |t: &str, s: &str| json!({"type": t, "status": s, "lastProbeTime": null, "lastTransitionTime": now});
    p["status"] = json!({
        "phase": "Running", "hostIP": host_ip, "hostIPs": [{"ip": host_ip}], "podIP": ip, "podIPs": [{"ip": ip}],
        "startTime": now, "qosClass": "BestEffort", "containerStatuses": statuses,
        "conditions": [cond("PodReadyToStartContainers", "True"), cond("Initialized", "True"), cond("Ready", ready),
                       cond("ContainersReady", ready), cond("PodScheduled", "True")],
    });
    p
}

fn pod_ready(p: &Value) -> bool {
    p["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == json!("Ready") && c["status"] == json!("True"))
}

/// Ensures a deployment has a replica set for its current template and updates its status.
fn reconcile_deployment(store: &Store, d: &Value, all_rs: &[Value]) {
    let rs_def = store.def("apps", "replicasets");
    let hash = template_hash(&d["spec"]["template"]);
    let owned: Vec<&Value> = all_rs
        .iter()
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
                "spec": {"replicas": want, "selector": selector, "template": template},
            });
            if store.create(&rs_def, ns(d), rs).is_ok() {
                event(
                    store,
                    d,
                    "Deployment",
                    "Normal",
                    "ScalingReplicaSet",
                    &format!("Scaled up replica set {}-{hash} from 0 to {want}", name(d)),
                    "deployment-controller",
                );
            }
        }
        Some(rs) if replicas(rs) != want => {
            let mut n = (*rs).clone();
            n["spec"]["replicas"] = json!(want);
            let verb = if want > replicas(rs) { "up" } else { "down" };
            event(
                store,
                d,
                "Deployment",
                "Normal",
                "ScalingReplicaSet",
                &format!(
                    "Scaled {verb} replica set {} from {} to {want}",
                    name(rs),
                    replicas(rs)
                ),
                "deployment-controller",
            );
            write(store, &rs_def, rs, n);
        }
        Some(_) => {}
    }
    for old in owned
        .iter()
        .filter(|r| r["metadata"]["labels"]["pod-template-hash"].as_str() != Some(hash.as_str()))
    {
        if replicas(old) != 0 {
            let mut n = (*old).clone();
            n["spec"]["replicas"] = json!(0);
            event(
                store,
                d,
                "Deployment",
                "Normal",
                "ScalingReplicaSet",
                &format!(
                    "Scaled down replica set {} from {} to 0",
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

/// Creates or deletes pods so `owner` has `want` of them; returns the live ones.
fn scale_pods<'a>(
    store: &Store,
    owner: &Value,
    kind: &str,
    pods: &'a [Value],
    want: i64,
    named: bool,
) -> Vec<&'a Value> {
    let pod_def = store.def("", "pods");
    let mut mine: Vec<&Value> = pods
        .iter()
        .filter(|p| owner_uid(p) == Some(uid(owner)) && !deleting(p))
        .collect();
    let have = mine.len() as i64;
    if have < want {
        for _ in 0..(want - have) {
            let pod_name = if named {
                (0..)
                    .map(|k| format!("{}-{k}", name(owner)))
                    .find(|n| !mine.iter().any(|p| name(p) == n))
            } else {
                None
            };
            let mut extra = vec![];
            if kind == "StatefulSet" {
                extra.push((
                    "statefulset.kubernetes.io/pod-name",
                    pod_name.clone().unwrap_or_default(),
                ));
            }
            let pod = new_pod(&owner["spec"]["template"], owner, kind, pod_name, &extra);
            if let Ok(p) = store.create(&pod_def, ns(owner), pod) {
                event(
                    store,
                    owner,
                    kind,
                    "Normal",
                    "SuccessfulCreate",
                    &format!("Created pod: {}", name(&p)),
                    "replicaset-controller",
                );
            }
            if named {
                break; // statefulsets create one ordinal at a time
            }
        }
    } else if have > want {
        mine.sort_by_key(|p| std::cmp::Reverse(name(p).to_string()));
        for p in mine.iter().take((have - want) as usize) {
            if store.delete(&pod_def, ns(p), name(p)).is_ok() {
                event(
                    store,
                    owner,
                    kind,
                    "Normal",
                    "SuccessfulDelete",
                    &format!("Deleted pod: {}", name(p)),
                    "replicaset-controller",
                );
            }
        }
        mine.truncate(want as usize);
    }
    mine
}

fn owned_status(pods: &[&Value]) -> (i64, i64) {
    (
        pods.len() as i64,
        pods.iter().filter(|p| pod_ready(p)).count() as i64,
    )
}

/// One pass of every controller. Idempotent: a converged cluster writes nothing.
pub fn reconcile(store: &Store) {
    let (dep_def, rs_def, sts_def, ds_def, pod_def) = (
        store.def("apps", "deployments"),
        store.def("apps", "replicasets"),
        store.def("apps", "statefulsets"),
        store.def("apps", "daemonsets"),
        store.def("", "pods"),
    );
    let (deps, _) = store.list(&dep_def, None);
    let (rss, _) = store.list(&rs_def, None);
    let uids: std::collections::HashSet<String> = deps
        .iter()
        .chain(rss.iter())
        .map(|o| uid(o).to_string())
        .collect();
    // Garbage collection: replica sets whose deployment is gone.
    for rs in rss
        .iter()
        .filter(|r| owner_uid(r).is_some_and(|o| !uids.contains(o)))
    {
        let _ = store.delete(&rs_def, ns(rs), name(rs));
    }
    for d in deps.iter().filter(|d| !deleting(d)) {
        reconcile_deployment(store, d, &rss);
    }
    let (rss, _) = store.list(&rs_def, None);
    let (pods, _) = store.list(&pod_def, None);
    for rs in &rss {
        let live = scale_pods(store, rs, "ReplicaSet", &pods, replicas(rs), false);
        let (n, ready) = owned_status(&live);
        let mut nr = rs.clone();
        nr["status"] = json!({"replicas": n, "fullyLabeledReplicas": n, "readyReplicas": ready, "availableReplicas": ready, "observedGeneration": rs["metadata"]["generation"]});
        write(store, &rs_def, rs, nr);
    }
    let (stss, _) = store.list(&sts_def, None);
    for s in &stss {
        let live = scale_pods(store, s, "StatefulSet", &pods, replicas(s), true);
        let (n, ready) = owned_status(&live);
        let mut ns_ = s.clone();
        ns_["status"] = json!({"replicas": n, "readyReplicas": ready, "currentReplicas": n, "updatedReplicas": n, "availableReplicas": ready, "observedGeneration": s["metadata"]["generation"]});
        write(store, &sts_def, s, ns_);
    }
    let nodes = node_names(store);
    let (dss, _) = store.list(&ds_def, None);
    for ds in &dss {
        let mine: Vec<&Value> = pods
            .iter()
            .filter(|p| owner_uid(p) == Some(uid(ds)) && !deleting(p))
            .collect();
        for (node, _) in &nodes {
            if !mine
                .iter()
                .any(|p| p["spec"]["nodeName"].as_str() == Some(node.as_str()))
            {
                let mut pod = new_pod(&ds["spec"]["template"], ds, "DaemonSet", None, &[]);
                pod["spec"]["nodeName"] = json!(node);
                let _ = store.create(&pod_def, ns(ds), pod);
            }
        }
        let (n, ready) = owned_status(&mine);
        let mut nd = ds.clone();
        nd["status"] = json!({"desiredNumberScheduled": nodes.len(), "currentNumberScheduled": n, "numberReady": ready,
            "updatedNumberScheduled": n, "numberAvailable": ready, "numberMisscheduled": 0, "observedGeneration": ds["metadata"]["generation"]});
        write(store, &ds_def, ds, nd);
    }
    // Pods: GC orphans, start pending ones.
    let owners: std::collections::HashSet<String> = rss
        .iter()
        .chain(stss.iter())
        .chain(dss.iter())
        .map(|o| uid(o).to_string())
        .chain(
            store
                .list(&store.def("batch", "jobs"), None)
                .0
                .iter()
                .map(|o| uid(o).to_string()),
        )
        .collect();
    for p in &pods {
        if owner_uid(p).is_some_and(|o| !owners.contains(o)) {
            let _ = store.delete(&pod_def, ns(p), name(p));
        } else if p["status"]["phase"].as_str().unwrap_or("Pending") == "Pending" && !deleting(p) {
            let started = start_pod(p, &nodes);
            let node = started["spec"]["nodeName"]
                .as_str()
                .unwrap_or("")
                .to_string();
            write(store, &pod_def, p, started);
            event(
                store,
                p,
                "Pod",
                "Normal",
                "Scheduled",
                &format!("Successfully assigned {}/{} to {node}", ns(p), name(p)),
                "default-scheduler",
            );
            let image = p["spec"]["containers"][0]["image"].as_str().unwrap_or("");
            event(
                store,
                p,
                "Pod",
                "Normal",
                "Pulled",
                &format!("Container image \"{image}\" already present on machine"),
                "kubelet",
            );
            event(
                store,
                p,
                "Pod",
                "Normal",
                "Started",
                "Started container",
                "kubelet",
            );
        }
    }
    endpoints(store);
    prune_events(store);
}

/// Endpoints and EndpointSlices follow the ready pods selected by each service.
fn endpoints(store: &Store) {
    let (svcs, _) = store.list(&store.def("", "services"), None);
    let (pods, _) = store.list(&store.def("", "pods"), None);
    let ep_def = store.def("", "endpoints");
    for s in &svcs {
        let Some(sel) = s["spec"]["selector"].as_object().filter(|m| !m.is_empty()) else {
            continue;
        };
        let sel = LabelSelector::from_object(&json!({"matchLabels": sel}));
        let addrs: Vec<Value> = pods
            .iter()
            .filter(|p| ns(p) == ns(s) && sel.matches(p) && pod_ready(p))
            .map(|p| json!({"ip": p["status"]["podIP"], "nodeName": p["spec"]["nodeName"], "targetRef": {"kind": "Pod", "name": name(p), "namespace": ns(p), "uid": uid(p)}}))
            .collect();
        let ports: Vec<Value> = s["spec"]["ports"].as_array().into_iter().flatten()
            .map(|p| json!({"name": p["name"].as_str().unwrap_or(""), "port": p["targetPort"].as_i64().or(p["port"].as_i64()), "protocol": p["protocol"].as_str().unwrap_or("TCP")}))
            .collect();
        let subsets = if addrs.is_empty() {
            json!([])
        } else {
            json!([{"addresses": addrs, "ports": ports}])
        };
        let desired = json!({"metadata": {"name": name(s), "namespace": ns(s), "labels": s["metadata"]["labels"]}, "subsets": subsets});
        match store.get(&ep_def, ns(s), name(s)) {
            Ok(cur) => {
                let mut n = cur.clone();
                n["subsets"] = desired["subsets"].clone();
                write(store, &ep_def, &cur, n);
            }
            Err(_) => {
                let _ = store.create(&ep_def, ns(s), desired.clone());
            }
        }
        let slice_def = store.def("discovery.k8s.io", "endpointslices");
        let eps: Vec<Value> = addrs.iter().map(|a| json!({"addresses": [a["ip"]], "conditions": {"ready": true}, "nodeName": a["nodeName"], "targetRef": a["targetRef"]})).collect();
        let slice_name = format!("{}-sim", name(s));
        let slice = json!({"metadata": {"name": slice_name, "namespace": ns(s), "labels": {"kubernetes.io/service-name": name(s)}},
            "addressType": "IPv4", "endpoints": eps, "ports": ports});
        match store.get(&slice_def, ns(s), &slice_name) {
            Ok(cur) => {
                let mut n = cur.clone();
                n["endpoints"] = slice["endpoints"].clone();
                write(store, &slice_def, &cur, n);
            }
            Err(_) => {
                let _ = store.create(&slice_def, ns(s), slice);
            }
        }
    }
}

fn prune_events(store: &Store) {
    let def = store.def("", "events");
    let (mut evs, _) = store.list(&def, None);
    if evs.len() <= MAX_EVENTS {
        return;
    }
    evs.sort_by(|a, b| {
        a["lastTimestamp"]
            .as_str()
            .cmp(&b["lastTimestamp"].as_str())
    });
    for e in evs.iter().take(evs.len() - MAX_EVENTS) {
        let _ = store.delete(&def, ns(e), name(e));
    }
}

/// Random life: a container restarts now and then, with the events a kubelet would record.
fn churn(store: &Store) {
    let pod_def = store.def("", "pods");
    let (pods, _) = store.list(&pod_def, None);
    let running: Vec<&Value> = pods
        .iter()
        .filter(|p| p["status"]["phase"] == json!("Running") && !deleting(p))
        .collect();
    if running.is_empty() {
        return;
    }
    let p = running[(rand_u64() % running.len() as u64) as usize];
    let mut np = p.clone();
    let now = now_rfc3339();
    if let Some(cs) = np["status"]["containerStatuses"].get_mut(0) {
        let restarts = cs["restartCount"].as_i64().unwrap_or(0) + 1;
        cs["restartCount"] = json!(restarts);
        cs["lastState"] = json!({"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": p["status"]["startTime"], "finishedAt": now}});
        if cs["state"].get("running").is_some() {
            cs["state"] = json!({"running": {"startedAt": now}});
        }
    }
    write(store, &pod_def, p, np);
    event(
        store,
        p,
        "Pod",
        "Warning",
        "BackOff",
        "Back-off restarting failed container",
        "kubelet",
    );
}

/// Node and pod metrics (metrics.k8s.io) derived from names, with a little drift per call.
pub fn metrics(store: &Store, drift: u64) {
    let now = now_rfc3339();
    let nm = store.def("metrics.k8s.io", "nodes");
    for (node, _) in node_names(store) {
        let cpu = 300 + (fnv(&node) + drift * 37) % 900;
        let mem = 2000 + (fnv(&node) / 7 + drift * 11) % 3000;
        let obj = json!({"metadata": {"name": node}, "timestamp": now, "window": "10s", "usage": {"cpu": format!("{cpu}m"), "memory": format!("{mem}Mi")}});
        upsert(store, &nm, "", &node, obj, drift > 0);
    }
    let pm = store.def("metrics.k8s.io", "pods");
    let (pods, _) = store.list(&store.def("", "pods"), None);
    let (existing, _) = store.list(&pm, None);
    for p in pods
        .iter()
        .filter(|p| p["status"]["phase"] == json!("Running"))
    {
        let containers: Vec<Value> = p["spec"]["containers"].as_array().into_iter().flatten().map(|c| {
            let h = fnv(name(p)) / 3 + drift * 13;
            json!({"name": c["name"], "usage": {"cpu": format!("{}m", 1 + h % 200), "memory": format!("{}Mi", 8 + h % 500)}})
        }).collect();
        let obj = json!({"metadata": {"name": name(p), "namespace": ns(p), "labels": p["metadata"]["labels"]}, "timestamp": now, "window": "10s", "containers": containers});
        upsert(store, &pm, ns(p), name(p), obj, drift > 0);
    }
    for m in existing
        .iter()
        .filter(|m| !pods.iter().any(|p| name(p) == name(m) && ns(p) == ns(m)))
    {
        let _ = store.delete(&pm, ns(m), name(m));
    }
}

fn upsert(store: &Store, def: &ResourceDef, namespace: &str, n: &str, obj: Value, refresh: bool) {
    match store.get(def, namespace, n) {
        Ok(_) if !refresh => {}
        Ok(cur) => {
            let mut o = obj;
            o["metadata"] = cur["metadata"].clone();
            write(store, def, &cur, o);
        }
        Err(_) => {
            let _ = store.create(def, namespace, obj);
        }
    }
}

/// Runs the controllers every `tick` until the task is aborted.
pub async fn run(store: Store, tick: Duration, with_churn: bool) {
    let mut interval = tokio::time::interval(tick);
    let mut n: u64 = 0;
    loop {
        interval.tick().await;
        reconcile(&store);
        n += 1;
        let every = (Duration::from_secs(5).as_millis() / tick.as_millis().max(1)).max(1) as u64;
        if with_churn && n.is_multiple_of(every) {
            churn(&store);
            metrics(&store, n / every);
        } else if n % every == 1 {
            // Without churn, metrics only appear for new pods and stay put (no write traffic).
            metrics(&store, 0);
        }
    }
}
