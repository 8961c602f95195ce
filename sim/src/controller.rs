//! The controller loop that keeps the simulated cluster alive: replica sets, statefulsets,
//! daemonsets and jobs own pods; garbage collection; events. Deployments live in
//! `deployment.rs`, the node side (pod start-up, metrics, churn) in `kubelet.rs`.

use crate::deployment::reconcile_deployment;
use crate::kubelet::{churn, finish_pod, metrics, node_names, pod_ready, start_pod};
use crate::registry::ResourceDef;
use crate::store::{Store, UpdateMode, now_rfc3339};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Annotation on a pod template that makes its pods crash-loop (demo of a broken workload).
pub const CRASH_ANNOTATION: &str = "sim.headlamp.dev/crash";

/// Most core/v1 events kept; older ones are deleted as the real TTL would.
const MAX_EVENTS: usize = 400;

static RNG: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);

/// A cheap pseudo-random number (xorshift); only churn uses it.
pub(crate) fn rand_u64() -> u64 {
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

pub(crate) fn template_hash(template: &Value) -> String {
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

pub(crate) fn name(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or("")
}

pub(crate) fn ns(o: &Value) -> &str {
    o["metadata"]["namespace"].as_str().unwrap_or("")
}

pub(crate) fn uid(o: &Value) -> &str {
    o["metadata"]["uid"].as_str().unwrap_or("")
}

pub(crate) fn owner_uid(o: &Value) -> Option<&str> {
    o["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|r| r["controller"] == json!(true))?["uid"]
        .as_str()
}

pub(crate) fn owner_ref(o: &Value, kind: &str) -> Value {
    let api_version = o["apiVersion"].as_str().unwrap_or("apps/v1");
    json!({"apiVersion": api_version, "kind": kind, "name": name(o), "uid": uid(o), "controller": true, "blockOwnerDeletion": true})
}

pub(crate) fn replicas(o: &Value) -> i64 {
    o["spec"]["replicas"].as_i64().unwrap_or(1)
}

pub(crate) fn deleting(o: &Value) -> bool {
    o["metadata"].get("deletionTimestamp").is_some()
}

/// Writes `new` if it differs from `old`; conflicts just wait for the next tick.
pub(crate) fn write(store: &Store, def: &ResourceDef, old: &Value, new: Value) {
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
pub(crate) fn new_pod(
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

/// Creates or deletes pods so `owner` has `want` of them; returns the live ones.
fn scale_pods<'a>(
    store: &Store,
    owner: &Value,
    kind: &str,
    pods: &'a [Arc<Value>],
    want: i64,
    named: bool,
) -> Vec<&'a Value> {
    let pod_def = store.def("", "pods");
    let mut mine: Vec<&Value> = pods
        .iter()
        .map(|x| &**x)
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
    let (deps, _) = store.list_shared(&dep_def, None);
    let (rss, _) = store.list_shared(&rs_def, None);
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
    // ... and jobs whose cronjob is gone.
    let job_def = store.def("batch", "jobs");
    let cron_uids: std::collections::HashSet<String> = store
        .list_shared(&store.def("batch", "cronjobs"), None)
        .0
        .iter()
        .map(|c| uid(c).to_string())
        .collect();
    for j in store.list_shared(&job_def, None).0.iter() {
        let by_cron = j["metadata"]["ownerReferences"][0]["kind"] == json!("CronJob");
        if by_cron && owner_uid(j).is_some_and(|o| !cron_uids.contains(o)) {
            let _ = store.delete(&job_def, ns(j), name(j));
        }
    }
    for d in deps.iter().filter(|d| !deleting(d)) {
        reconcile_deployment(store, d, &rss);
    }
    let (rss, _) = store.list_shared(&rs_def, None);
    let (pods, _) = store.list_shared(&pod_def, None);
    for rs in &rss {
        let live = scale_pods(store, rs, "ReplicaSet", &pods, replicas(rs), false);
        let (n, ready) = owned_status(&live);
        let mut nr = Value::clone(rs);
        nr["status"] = json!({"replicas": n, "fullyLabeledReplicas": n, "readyReplicas": ready, "availableReplicas": ready, "observedGeneration": rs["metadata"]["generation"]});
        write(store, &rs_def, rs, nr);
    }
    let (stss, _) = store.list_shared(&sts_def, None);
    for s in &stss {
        let live = scale_pods(store, s, "StatefulSet", &pods, replicas(s), true);
        let (n, ready) = owned_status(&live);
        let mut ns_ = Value::clone(s);
        ns_["status"] = json!({"replicas": n, "readyReplicas": ready, "currentReplicas": n, "updatedReplicas": n, "availableReplicas": ready, "observedGeneration": s["metadata"]["generation"]});
        write(store, &sts_def, s, ns_);
    }
    let nodes = node_names(store);
    let cordoned: std::collections::HashSet<String> = store
        .list_shared(&store.def("", "nodes"), None)
        .0
        .iter()
        .filter(|n| n["spec"]["unschedulable"] == json!(true))
        .map(|n| name(n).to_string())
        .collect();
    // Cordoned nodes get no new pods (daemonset pods, placed above, tolerate that).
    let schedulable: Vec<(String, String)> = nodes
        .iter()
        .filter(|(n, _)| !cordoned.contains(n))
        .cloned()
        .collect();
    let (dss, _) = store.list_shared(&ds_def, None);
    for ds in &dss {
        let mine: Vec<&Value> = pods
            .iter()
            .map(|x| &**x)
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
        let mut nd = Value::clone(ds);
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
    reconcile_jobs(store, &pods);
    for p in &pods {
        let owned_by_job = p["metadata"]["ownerReferences"][0]["kind"] == json!("Job");
        if owner_uid(p).is_some_and(|o| !owners.contains(o)) {
            let _ = store.delete(&pod_def, ns(p), name(p));
        } else if owned_by_job && p["status"]["phase"] == json!("Running") && !deleting(p) {
            write(store, &pod_def, p, finish_pod(p));
        } else if p["status"]["phase"].as_str().unwrap_or("Pending") == "Pending" && !deleting(p) {
            let started = start_pod(p, &schedulable);
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
    crate::cronjob::reconcile(store);
    crate::endpoints::endpoints(store);
    prune_events(store);
}

/// Jobs run their pods to completion, one at a time up to spec.completions.
fn reconcile_jobs(store: &Store, pods: &[Arc<Value>]) {
    let job_def = store.def("batch", "jobs");
    let (jobs, _) = store.list_shared(&job_def, None);
    for j in jobs.iter().filter(|j| !deleting(j)) {
        let completions = j["spec"]["completions"].as_i64().unwrap_or(1);
        if j["status"]["succeeded"].as_i64().unwrap_or(0) >= completions
            || j["spec"]["suspend"] == json!(true)
        {
            continue;
        }
        let mine: Vec<&Value> = pods
            .iter()
            .map(|x| &**x)
            .filter(|p| owner_uid(p) == Some(uid(j)) && !deleting(p))
            .collect();
        let succeeded = mine
            .iter()
            .filter(|p| p["status"]["phase"] == json!("Succeeded"))
            .count() as i64;
        let active = mine.len() as i64 - succeeded;
        if active == 0 && succeeded < completions {
            let labels = [
                ("job-name", name(j).to_string()),
                ("batch.kubernetes.io/job-name", name(j).to_string()),
            ];
            let pod = new_pod(&j["spec"]["template"], j, "Job", None, &labels);
            if let Ok(p) = store.create(&store.def("", "pods"), ns(j), pod) {
                event(
                    store,
                    j,
                    "Job",
                    "Normal",
                    "SuccessfulCreate",
                    &format!("Created pod: {}", name(&p)),
                    "job-controller",
                );
            }
        }
        let now = now_rfc3339();
        let mut nj = Value::clone(j);
        nj["status"]["startTime"] = j["status"].get("startTime").cloned().unwrap_or(json!(now));
        nj["status"]["active"] = json!(active.max(if succeeded < completions { 1 } else { 0 }));
        nj["status"]["succeeded"] = json!(succeeded);
        if succeeded >= completions {
            nj["status"]["active"] = json!(0);
            nj["status"]["completionTime"] = json!(now);
            nj["status"]["conditions"] = json!([{"type": "Complete", "status": "True", "lastProbeTime": now, "lastTransitionTime": now}]);
            event(
                store,
                j,
                "Job",
                "Normal",
                "Completed",
                "Job completed",
                "job-controller",
            );
        }
        write(store, &job_def, j, nj);
    }
}

fn prune_events(store: &Store) {
    let def = store.def("", "events");
    let (mut evs, _) = store.list_shared(&def, None);
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

/// Runs the controllers every `tick` until the task is aborted.
pub async fn run(store: Store, tick: Duration, with_churn: bool) {
    let mut interval = tokio::time::interval(tick);
    let mut n: u64 = 0;
    let every = (Duration::from_secs(5).as_millis() / tick.as_millis().max(1)).max(1) as u64;
    loop {
        interval.tick().await;
        n += 1;
        let s = store.clone();
        // Reconciling thousands of objects is CPU work: keep it off the threads serving requests.
        let pass = tokio::task::spawn_blocking(move || {
            reconcile(&s);
            if with_churn && n.is_multiple_of(every) {
                churn(&s);
                metrics(&s, n / every);
            } else if n % every == 1 {
                // Without churn, metrics only appear for new pods and stay put (no write traffic).
                metrics(&s, 0);
            }
        });
        if pass.await.is_err() {
            tracing::warn!("controller pass panicked; continuing with the next tick");
        }
    }
}
