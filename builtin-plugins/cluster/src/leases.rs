//! Leases: who holds each one and when it was last renewed.

use headlamp_plugin_sdk::details::{kv, kv_link, str_at, text_at};
use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::page::{self, Events};

/// Leases.
pub fn lease_kind() -> Gvk {
    Gvk::new("coordination.k8s.io", "v1", "Lease")
}

/// The namespace of the kubelets' heartbeat leases, each named and held by its node.
const NODE_LEASES: &str = "kube-node-lease";

/// Holder, duration, acquire and renew times, transitions; the node of a node lease linked.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let lease = object.value()?;
    let holder = text_at(lease, &["spec", "holderIdentity"]);
    let holder = if str_at(lease, &["metadata", "namespace"]) == Some(NODE_LEASES) {
        kv_link("Holder", holder.clone(), format!("/nodes/{holder}"))
    } else {
        kv("Holder", holder)
    };
    let number = |key: &str| {
        lease
            .pointer(&format!("/spec/{key}"))
            .and_then(Value::as_i64)
            .map(|n| n.to_string())
            .unwrap_or_default()
    };
    let extra = vec![
        holder,
        kv("Lease duration (s)", number("leaseDurationSeconds")),
        kv("Acquired", text_at(lease, &["spec", "acquireTime"])),
        kv("Renewed", text_at(lease, &["spec", "renewTime"])),
        kv("Transitions", number("leaseTransitions")),
    ];
    page::details_page(
        lease,
        "lease",
        extra,
        Vec::new(),
        Events::From(cluster),
        now_millis,
    )
}
