//! The endpoints controller: Endpoints and EndpointSlices follow the ready pods a service selects.

use crate::controller::{name, ns, uid, write};
use crate::kubelet::pod_ready;
use crate::selectors::LabelSelector;
use crate::store::Store;
use serde_json::{Value, json};

/// Endpoints and EndpointSlices follow the ready pods selected by each service.
pub(crate) fn endpoints(store: &Store) {
    let (svcs, _) = store.list_shared(&store.def("", "services"), None);
    let (pods, _) = store.list_shared(&store.def("", "pods"), None);
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
