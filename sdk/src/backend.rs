//! Where cluster and host calls go: the WIT imports in a component, a fake cluster on the host.

use crate::Gvk;
use crate::cluster::ClusterError;
use crate::wit::headlamp::plugin::{cluster as wc, host as wh, types as wt, watch as ww};

/// The calls a plugin can make, in WIT terms. One implementation per target.
pub(crate) trait Backend {
    fn clusters(&mut self) -> Vec<wc::ClusterInfo>;
    fn get(
        &mut self,
        cluster: &str,
        kind: &Gvk,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<String, ClusterError>;
    fn list(
        &mut self,
        cluster: &str,
        kind: &Gvk,
        options: &wc::ListOptions,
    ) -> Result<wc::ObjectList, ClusterError>;
    fn create(
        &mut self,
        cluster: &str,
        kind: &Gvk,
        namespace: Option<&str>,
        body: &str,
    ) -> Result<String, ClusterError>;
    fn apply(
        &mut self,
        cluster: &str,
        kind: &Gvk,
        namespace: Option<&str>,
        name: &str,
        body: &str,
    ) -> Result<String, ClusterError>;
    #[allow(clippy::too_many_arguments)]
    fn patch(
        &mut self,
        cluster: &str,
        kind: &Gvk,
        namespace: Option<&str>,
        name: &str,
        patch: wc::PatchKind,
        body: &str,
    ) -> Result<String, ClusterError>;
    fn delete(
        &mut self,
        cluster: &str,
        kind: &Gvk,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<(), ClusterError>;
    fn api_resources(&mut self, cluster: &str) -> Result<Vec<wc::ApiResource>, ClusterError>;
    fn can_i(
        &mut self,
        cluster: &str,
        verb: &str,
        kind: &Gvk,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Result<bool, ClusterError>;
    fn subscribe(&mut self, request: &ww::WatchRequest) -> Result<u64, ClusterError>;
    fn unsubscribe(&mut self, subscription: u64);
    fn log(&mut self, level: wh::LogLevel, message: &str);
    fn setting(&mut self, key: &str) -> Option<String>;
    fn notify(&mut self, tone: wt::Tone, message: &str);
    fn navigate(&mut self, route: &str);
    fn now_millis(&mut self) -> u64;
}

/// Runs `f` with this target's backend.
#[cfg(target_arch = "wasm32")]
pub(crate) fn with<R>(f: impl FnOnce(&mut dyn Backend) -> R) -> R {
    f(&mut wasm::Imports)
}

/// Runs `f` with this thread's fake cluster.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn with<R>(f: impl FnOnce(&mut dyn Backend) -> R) -> R {
    crate::testing::with_fake(|fake| f(fake))
}

impl From<wt::ClusterError> for ClusterError {
    fn from(e: wt::ClusterError) -> Self {
        use wt::ClusterError as W;
        match e {
            W::PermissionDenied(m) => Self::PermissionDenied(m),
            W::Forbidden(m) => Self::Forbidden(m),
            W::NotFound(m) => Self::NotFound(m),
            W::Conflict(m) => Self::Conflict(m),
            W::Invalid(m) => Self::Invalid(m),
            W::Unavailable(m) => Self::Unavailable(m),
            W::UnknownCluster(m) => Self::UnknownCluster(m),
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::*;

    /// The component's WIT imports, provided by the kernel.
    pub(crate) struct Imports;

    impl Backend for Imports {
        fn clusters(&mut self) -> Vec<wc::ClusterInfo> {
            wc::clusters()
        }
        fn get(
            &mut self,
            cluster: &str,
            kind: &Gvk,
            namespace: Option<&str>,
            name: &str,
        ) -> Result<String, ClusterError> {
            Ok(wc::get(cluster, kind, namespace, name)?)
        }
        fn list(
            &mut self,
            cluster: &str,
            kind: &Gvk,
            options: &wc::ListOptions,
        ) -> Result<wc::ObjectList, ClusterError> {
            Ok(wc::list(cluster, kind, options)?)
        }
        fn create(
            &mut self,
            cluster: &str,
            kind: &Gvk,
            namespace: Option<&str>,
            body: &str,
        ) -> Result<String, ClusterError> {
            Ok(wc::create(cluster, kind, namespace, body)?)
        }
        fn apply(
            &mut self,
            cluster: &str,
            kind: &Gvk,
            namespace: Option<&str>,
            name: &str,
            body: &str,
        ) -> Result<String, ClusterError> {
            Ok(wc::apply(cluster, kind, namespace, name, body)?)
        }
        fn patch(
            &mut self,
            cluster: &str,
            kind: &Gvk,
            namespace: Option<&str>,
            name: &str,
            patch: wc::PatchKind,
            body: &str,
        ) -> Result<String, ClusterError> {
            Ok(wc::patch(cluster, kind, namespace, name, patch, body)?)
        }
        fn delete(
            &mut self,
            cluster: &str,
            kind: &Gvk,
            namespace: Option<&str>,
            name: &str,
        ) -> Result<(), ClusterError> {
            Ok(wc::delete(cluster, kind, namespace, name)?)
        }
        fn api_resources(&mut self, cluster: &str) -> Result<Vec<wc::ApiResource>, ClusterError> {
            Ok(wc::api_resources(cluster)?)
        }
        fn can_i(
            &mut self,
            cluster: &str,
            verb: &str,
            kind: &Gvk,
            namespace: Option<&str>,
            name: Option<&str>,
        ) -> Result<bool, ClusterError> {
            Ok(wc::can_i(cluster, verb, kind, namespace, name)?)
        }
        fn subscribe(&mut self, request: &ww::WatchRequest) -> Result<u64, ClusterError> {
            Ok(ww::subscribe(request)?)
        }
        fn unsubscribe(&mut self, subscription: u64) {
            ww::unsubscribe(subscription)
        }
        fn log(&mut self, level: wh::LogLevel, message: &str) {
            wh::log(level, message)
        }
        fn setting(&mut self, key: &str) -> Option<String> {
            wh::setting(key)
        }
        fn notify(&mut self, tone: wt::Tone, message: &str) {
            wh::notify(tone, message)
        }
        fn navigate(&mut self, route: &str) {
            wh::navigate(route)
        }
        fn now_millis(&mut self) -> u64 {
            wh::now_millis()
        }
    }
}
