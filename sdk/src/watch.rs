//! Live updates: the kernel keeps the watch and delivers batches to [`crate::Plugin::on_watch`].

use crate::Gvk;
use crate::backend;
use crate::cluster::ClusterError;
use crate::wit::headlamp::plugin::watch as ww;

/// Starts watching `kind` (in `namespace`, matching `label_selector`); returns the subscription id
/// that [`crate::Plugin::on_watch`] receives.
pub fn subscribe(
    cluster: &str,
    kind: &Gvk,
    namespace: Option<&str>,
    label_selector: Option<&str>,
) -> Result<u64, ClusterError> {
    let request = ww::WatchRequest {
        cluster: cluster.to_owned(),
        kind: kind.clone(),
        namespace: namespace.map(str::to_owned),
        label_selector: label_selector.map(str::to_owned),
    };
    backend::with(|b| b.subscribe(&request))
}

/// Stops a watch; unknown ids are ignored.
pub fn unsubscribe(subscription: u64) {
    backend::with(|b| b.unsubscribe(subscription));
}
