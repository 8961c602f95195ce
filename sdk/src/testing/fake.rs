//! The in-memory cluster behind `cluster`, `watch` and `host` in native builds.

use std::collections::BTreeMap;

use serde_json::Value;

use super::CLUSTER;
use crate::backend::Backend;
use crate::cluster::{ApiResource, ClusterError, ClusterInfo, PatchKind};
use crate::host::LogLevel;
use crate::wit::headlamp::plugin::{cluster as wc, watch as ww};
use crate::{Gvk, Tone};

/// One call a plugin made, as the fake cluster saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// `get`, `list`, `create`, `apply`, `patch`, `delete`, `api-resources`, `can-i`, `watch`.
    pub verb: String,
    /// The cluster named in the call.
    pub cluster: String,
    /// The kind, when the call names one.
    pub kind: Option<Gvk>,
    /// The namespace, when the call names one.
    pub namespace: Option<String>,
    /// The object name, when the call names one.
    pub name: Option<String>,
}

struct Stored {
    cluster: String,
    kind: Gvk,
    value: Value,
}

impl Stored {
    fn meta(&self, key: &str) -> Option<&str> {
        self.value.get("metadata")?.get(key)?.as_str()
    }

    fn label(&self, key: &str) -> Option<&str> {
        self.value
            .get("metadata")?
            .get("labels")?
            .get(key)?
            .as_str()
    }
}

/// An in-memory cluster that records what a plugin did with it.
pub struct FakeCluster {
    clusters: Vec<String>,
    objects: Vec<Stored>,
    resources: Vec<ApiResource>,
    denied: Vec<Gvk>,
    calls: Vec<Call>,
    settings: BTreeMap<String, Value>,
    logs: Vec<(LogLevel, String)>,
    notifications: Vec<(Tone, String)>,
    navigations: Vec<String>,
    subscriptions: Vec<(u64, ww::WatchRequest)>,
    next_subscription: u64,
    resource_version: u64,
    now_millis: u64,
}

impl Default for FakeCluster {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeCluster {
    /// An empty cluster named [`CLUSTER`], with the clock at 2024-03-01T00:00:00Z.
    pub fn new() -> Self {
        Self {
            clusters: vec![CLUSTER.to_owned()],
            objects: Vec::new(),
            resources: Vec::new(),
            denied: Vec::new(),
            calls: Vec::new(),
            settings: BTreeMap::new(),
            logs: Vec::new(),
            notifications: Vec::new(),
            navigations: Vec::new(),
            subscriptions: Vec::new(),
            next_subscription: 1,
            resource_version: 1,
            now_millis: 1_709_251_200_000,
        }
    }

    /// Adds another cluster name.
    pub fn add_cluster(&mut self, name: &str) {
        self.clusters.push(name.to_owned());
    }

    /// Stores an object in [`CLUSTER`]; its kind comes from `apiVersion` and `kind`.
    ///
    /// Panics if those are missing: a test object without them is a bug in the test.
    pub fn insert(&mut self, object: Value) {
        self.insert_into(CLUSTER, object);
    }

    /// Stores an object in `cluster`.
    pub fn insert_into(&mut self, cluster: &str, object: Value) {
        let kind = kind_of(&object).expect("test objects need apiVersion and kind");
        self.resource_version += 1;
        self.objects.push(Stored {
            cluster: cluster.to_owned(),
            kind,
            value: object,
        });
    }

    /// Announces a resource in discovery (`api-resources`).
    pub fn add_resource(&mut self, resource: ApiResource) {
        self.resources.push(resource);
    }

    /// Refuses every call on `kind` with `permission-denied`, as the kernel does for kinds the
    /// manifest does not declare.
    pub fn deny(&mut self, kind: Gvk) {
        self.denied.push(kind);
    }

    /// Sets a setting the plugin reads with [`crate::host::setting`].
    pub fn set_setting(&mut self, key: &str, value: Value) {
        self.settings.insert(key.to_owned(), value);
    }

    /// Sets the clock [`crate::host::now_millis`] reads.
    pub fn set_now_millis(&mut self, now: u64) {
        self.now_millis = now;
    }

    /// Every cluster call so far, in order.
    pub fn calls(&self) -> &[Call] {
        &self.calls
    }

    /// The objects of `kind` in [`CLUSTER`], as stored.
    pub fn objects(&self, kind: &Gvk) -> Vec<&Value> {
        self.objects
            .iter()
            .filter(|o| o.cluster == CLUSTER && &o.kind == kind)
            .map(|o| &o.value)
            .collect()
    }

    /// What the plugin logged.
    pub fn logs(&self) -> &[(LogLevel, String)] {
        &self.logs
    }

    /// The notifications the plugin showed.
    pub fn notifications(&self) -> &[(Tone, String)] {
        &self.notifications
    }

    /// The routes the plugin asked the UI to open.
    pub fn navigations(&self) -> &[String] {
        &self.navigations
    }

    /// Live subscriptions: id, cluster, kind, namespace.
    pub fn subscriptions(&self) -> Vec<(u64, String, Gvk, Option<String>)> {
        self.subscriptions
            .iter()
            .map(|(id, r)| (*id, r.cluster.clone(), r.kind.clone(), r.namespace.clone()))
            .collect()
    }

    fn record(
        &mut self,
        verb: &str,
        cluster: &str,
        kind: Option<&Gvk>,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Result<(), ClusterError> {
        self.calls.push(Call {
            verb: verb.to_owned(),
            cluster: cluster.to_owned(),
            kind: kind.cloned(),
            namespace: namespace.map(str::to_owned),
            name: name.map(str::to_owned),
        });
        if !self.clusters.iter().any(|c| c == cluster) {
            return Err(ClusterError::UnknownCluster(format!(
                "no cluster named `{cluster}` (the fake knows {:?})",
                self.clusters
            )));
        }
        if let Some(kind) = kind.filter(|k| self.denied.contains(k)) {
            return Err(ClusterError::PermissionDenied(format!(
                "{verb} on {} {} is not in the plugin's permissions",
                kind.api_version(),
                kind.kind
            )));
        }
        Ok(())
    }

    fn position(
        &self,
        cluster: &str,
        kind: &Gvk,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<usize> {
        self.objects.iter().position(|o| {
            o.cluster == cluster
                && &o.kind == kind
                && o.meta("namespace") == namespace
                && o.meta("name") == Some(name)
        })
    }

    fn not_found(kind: &Gvk, namespace: Option<&str>, name: &str) -> ClusterError {
        ClusterError::NotFound(match namespace {
            Some(ns) => format!("{} `{ns}/{name}` does not exist", kind.kind),
            None => format!("{} `{name}` does not exist", kind.kind),
        })
    }

    /// Parses a body and fills in what the API server would: kind, apiVersion, namespace.
    fn prepare(kind: &Gvk, namespace: Option<&str>, body: &str) -> Result<Value, ClusterError> {
        let mut value: Value = serde_json::from_str(body)
            .map_err(|e| ClusterError::Invalid(format!("the body is not JSON: {e}")))?;
        let object = value
            .as_object_mut()
            .ok_or_else(|| ClusterError::Invalid("the body is not a JSON object".to_owned()))?;
        object.insert("apiVersion".into(), Value::String(kind.api_version()));
        object.insert("kind".into(), Value::String(kind.kind.clone()));
        let metadata = object
            .entry("metadata")
            .or_insert_with(|| Value::Object(Default::default()));
        if let (Some(ns), Some(meta)) = (namespace, metadata.as_object_mut()) {
            meta.insert("namespace".into(), Value::String(ns.to_owned()));
        }
        if value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .is_none()
        {
            return Err(ClusterError::Invalid(
                "metadata.name is required".to_owned(),
            ));
        }
        Ok(value)
    }

    fn matches_selectors(
        o: &Stored,
        labels: Option<&str>,
        fields: Option<&str>,
    ) -> Result<bool, ClusterError> {
        for term in labels.into_iter().flat_map(|s| s.split(',')).map(str::trim) {
            let ok = if let Some((k, v)) = term.split_once("!=") {
                o.label(k.trim()) != Some(v.trim())
            } else if let Some((k, v)) = term.split_once('=') {
                o.label(k.trim().trim_end_matches('=')) == Some(v.trim())
            } else if let Some(k) = term.strip_prefix('!') {
                o.label(k.trim()).is_none()
            } else {
                o.label(term).is_some()
            };
            if !ok {
                return Ok(false);
            }
        }
        for term in fields.into_iter().flat_map(|s| s.split(',')).map(str::trim) {
            let (key, value) = term.split_once('=').ok_or_else(|| {
                ClusterError::Invalid(format!("field selector term `{term}` has no `=`"))
            })?;
            // Like the API server, any string field selects by its dotted path (the server
            // allows only a few per kind; the fake does not judge which).
            let actual = key
                .trim()
                .split('.')
                .try_fold(&o.value, |v, k| v.get(k))
                .and_then(Value::as_str);
            if actual != Some(value.trim()) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn kind_of(object: &Value) -> Option<Gvk> {
    let api_version = object.get("apiVersion")?.as_str()?;
    let kind = object.get("kind")?.as_str()?;
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    Some(Gvk::new(group, version, kind))
}

/// RFC 7386: objects merge key by key, `null` removes, anything else replaces.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    let target = target.as_object_mut().expect("made an object above");
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

impl Backend for FakeCluster {
    fn clusters(&mut self) -> Vec<ClusterInfo> {
        self.clusters
            .iter()
            .map(|name| ClusterInfo {
                name: name.clone(),
                server_version: None,
                error: None,
            })
            .collect()
    }

    fn get(
        &mut self,
        cluster: &str,
        kind: &Gvk,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<String, ClusterError> {
        self.record("get", cluster, Some(kind), namespace, Some(name))?;
        let at = self
            .position(cluster, kind, namespace, name)
            .ok_or_else(|| Self::not_found(kind, namespace, name))?;
        Ok(self.objects[at].value.to_string())
    }

    fn list(
        &mut self,
        cluster: &str,
        kind: &Gvk,
        options: &wc::ListOptions,
    ) -> Result<wc::ObjectList, ClusterError> {
        self.record(
            "list",
            cluster,
            Some(kind),
            options.namespace.as_deref(),
            None,
        )?;
        let mut matching = Vec::new();
        for o in &self.objects {
            let in_scope = o.cluster == cluster
                && &o.kind == kind
                && (options.namespace.is_none()
                    || o.meta("namespace") == options.namespace.as_deref());
            if in_scope
                && Self::matches_selectors(
                    o,
                    options.label_selector.as_deref(),
                    options.field_selector.as_deref(),
                )?
            {
                matching.push(o.value.to_string());
            }
        }
        // The continue token is the offset of the next page; real servers make it opaque.
        let start = match options.continue_token.as_deref() {
            Some(token) => token.parse::<usize>().map_err(|_| {
                ClusterError::Invalid(format!("continue token `{token}` is not from this list"))
            })?,
            None => 0,
        };
        let end = options
            .limit
            .map_or(matching.len(), |l| (start + l as usize).min(matching.len()));
        let continue_token = (end < matching.len()).then(|| end.to_string());
        Ok(wc::ObjectList {
            items: matching.get(start..end).unwrap_or_default().to_vec(),
            continue_token,
            resource_version: self.resource_version.to_string(),
        })
    }

    fn create(
        &mut self,
        cluster: &str,
        kind: &Gvk,
        namespace: Option<&str>,
        body: &str,
    ) -> Result<String, ClusterError> {
        self.record("create", cluster, Some(kind), namespace, None)?;
        let value = Self::prepare(kind, namespace, body)?;
        let name = value["metadata"]["name"].as_str().unwrap_or_default();
        if self.position(cluster, kind, namespace, name).is_some() {
            return Err(ClusterError::Conflict(format!(
                "{} `{name}` already exists",
                kind.kind
            )));
        }
        let text = value.to_string();
        self.insert_into(cluster, value);
        Ok(text)
    }

    fn apply(
        &mut self,
        cluster: &str,
        kind: &Gvk,
        namespace: Option<&str>,
        name: &str,
        body: &str,
    ) -> Result<String, ClusterError> {
        self.record("apply", cluster, Some(kind), namespace, Some(name))?;
        let value = Self::prepare(kind, namespace, body)?;
        let text = value.to_string();
        match self.position(cluster, kind, namespace, name) {
            Some(at) => {
                merge_patch(&mut self.objects[at].value, &value);
                self.resource_version += 1;
                Ok(self.objects[at].value.to_string())
            }
            None => {
                self.insert_into(cluster, value);
                Ok(text)
            }
        }
    }

    fn patch(
        &mut self,
        cluster: &str,
        kind: &Gvk,
        namespace: Option<&str>,
        name: &str,
        patch: PatchKind,
        body: &str,
    ) -> Result<String, ClusterError> {
        self.record("patch", cluster, Some(kind), namespace, Some(name))?;
        if patch == PatchKind::Json {
            return Err(ClusterError::Invalid(
                "the fake cluster applies merge and strategic patches only, not JSON patches"
                    .to_owned(),
            ));
        }
        let patch: Value = serde_json::from_str(body)
            .map_err(|e| ClusterError::Invalid(format!("the patch is not JSON: {e}")))?;
        let at = self
            .position(cluster, kind, namespace, name)
            .ok_or_else(|| Self::not_found(kind, namespace, name))?;
        merge_patch(&mut self.objects[at].value, &patch);
        self.resource_version += 1;
        Ok(self.objects[at].value.to_string())
    }

    fn delete(
        &mut self,
        cluster: &str,
        kind: &Gvk,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<(), ClusterError> {
        self.record("delete", cluster, Some(kind), namespace, Some(name))?;
        let at = self
            .position(cluster, kind, namespace, name)
            .ok_or_else(|| Self::not_found(kind, namespace, name))?;
        self.objects.remove(at);
        self.resource_version += 1;
        Ok(())
    }

    fn api_resources(&mut self, cluster: &str) -> Result<Vec<ApiResource>, ClusterError> {
        self.record("api-resources", cluster, None, None, None)?;
        Ok(self.resources.clone())
    }

    fn can_i(
        &mut self,
        cluster: &str,
        _verb: &str,
        kind: &Gvk,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Result<bool, ClusterError> {
        // Denied kinds answer "no" rather than failing, as a real can-i would.
        let denied = self.denied.contains(kind);
        self.calls.push(Call {
            verb: "can-i".to_owned(),
            cluster: cluster.to_owned(),
            kind: Some(kind.clone()),
            namespace: namespace.map(str::to_owned),
            name: name.map(str::to_owned),
        });
        if !self.clusters.iter().any(|c| c == cluster) {
            return Err(ClusterError::UnknownCluster(format!(
                "no cluster named `{cluster}`"
            )));
        }
        Ok(!denied)
    }

    fn subscribe(&mut self, request: &ww::WatchRequest) -> Result<u64, ClusterError> {
        self.record(
            "watch",
            &request.cluster,
            Some(&request.kind),
            request.namespace.as_deref(),
            None,
        )?;
        let id = self.next_subscription;
        self.next_subscription += 1;
        self.subscriptions.push((id, request.clone()));
        Ok(id)
    }

    fn unsubscribe(&mut self, subscription: u64) {
        self.subscriptions.retain(|(id, _)| *id != subscription);
    }

    fn log(&mut self, level: LogLevel, message: &str) {
        self.logs.push((level, message.to_owned()));
    }

    fn setting(&mut self, key: &str) -> Option<String> {
        self.settings.get(key).map(Value::to_string)
    }

    fn notify(&mut self, tone: Tone, message: &str) {
        self.notifications.push((tone, message.to_owned()));
    }

    fn navigate(&mut self, route: &str) {
        self.navigations.push(route.to_owned());
    }

    fn now_millis(&mut self) -> u64 {
        self.now_millis
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{self, ListOptions};
    use crate::testing::with_fake;
    use crate::{host, watch};
    use serde_json::json;

    fn pod(ns: &str, name: &str, app: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod",
               "metadata": {"namespace": ns, "name": name, "labels": {"app": app}}})
    }

    fn pods() -> Gvk {
        Gvk::core("v1", "Pod")
    }

    fn fresh() {
        with_fake(|f| {
            *f = FakeCluster::new();
            f.insert(pod("a", "web-1", "web"));
            f.insert(pod("a", "db-1", "db"));
            f.insert(pod("b", "web-2", "web"));
        });
    }

    fn names(list: &cluster::ObjectList) -> Vec<String> {
        list.items
            .iter()
            .map(|o| o.name().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn list_filters_by_namespace_labels_and_fields() {
        fresh();
        let all = cluster::list(CLUSTER, &pods(), &ListOptions::default()).unwrap();
        assert_eq!(names(&all), ["web-1", "db-1", "web-2"]);
        let in_a = cluster::list(CLUSTER, &pods(), &ListOptions::default().namespace("a")).unwrap();
        assert_eq!(names(&in_a), ["web-1", "db-1"]);
        let web =
            cluster::list(CLUSTER, &pods(), &ListOptions::default().labels("app=web")).unwrap();
        assert_eq!(names(&web), ["web-1", "web-2"]);
        let not_web =
            cluster::list(CLUSTER, &pods(), &ListOptions::default().labels("app!=web")).unwrap();
        assert_eq!(names(&not_web), ["db-1"]);
        let named = cluster::list(
            CLUSTER,
            &pods(),
            &ListOptions::default().fields("metadata.name=web-2"),
        )
        .unwrap();
        assert_eq!(names(&named), ["web-2"]);
    }

    #[test]
    fn list_pages_with_limit_and_continue_token() {
        fresh();
        let first = cluster::list(CLUSTER, &pods(), &ListOptions::default().limit(2)).unwrap();
        assert_eq!(names(&first), ["web-1", "db-1"]);
        let token = first.continue_token.expect("more pages");
        let second = cluster::list(
            CLUSTER,
            &pods(),
            &ListOptions::default().limit(2).continue_from(&token),
        )
        .unwrap();
        assert_eq!(names(&second), ["web-2"]);
        assert_eq!(second.continue_token, None);
    }

    #[test]
    fn create_get_patch_delete_round_trip() {
        fresh();
        let cm = Gvk::core("v1", "ConfigMap");
        let body = json!({"metadata": {"name": "cfg"}, "data": {"a": "1"}});
        let created = cluster::create(CLUSTER, &cm, Some("a"), &body).unwrap();
        assert_eq!(created.str_at(&["kind"]), Some("ConfigMap"));
        assert_eq!(created.namespace(), Some("a"));
        assert!(matches!(
            cluster::create(CLUSTER, &cm, Some("a"), &body),
            Err(ClusterError::Conflict(_))
        ));
        let patch = json!({"data": {"a": null, "b": "2"}});
        let patched =
            cluster::patch(CLUSTER, &cm, Some("a"), "cfg", PatchKind::Merge, &patch).unwrap();
        assert_eq!(patched.value().unwrap()["data"], json!({"b": "2"}));
        let got = cluster::get(CLUSTER, &cm, Some("a"), "cfg").unwrap();
        assert_eq!(got.value().unwrap()["data"], json!({"b": "2"}));
        cluster::delete(CLUSTER, &cm, Some("a"), "cfg").unwrap();
        assert!(matches!(
            cluster::get(CLUSTER, &cm, Some("a"), "cfg"),
            Err(ClusterError::NotFound(_))
        ));
    }

    #[test]
    fn denied_kinds_and_unknown_clusters_are_refused() {
        fresh();
        with_fake(|f| f.deny(Gvk::core("v1", "Secret")));
        let secret = Gvk::core("v1", "Secret");
        let err = cluster::list(CLUSTER, &secret, &ListOptions::default()).unwrap_err();
        assert!(matches!(err, ClusterError::PermissionDenied(_)), "{err}");
        assert_eq!(
            cluster::can_i(CLUSTER, "list", &secret, None, None),
            Ok(false)
        );
        assert_eq!(
            cluster::can_i(CLUSTER, "list", &pods(), None, None),
            Ok(true)
        );
        let err = cluster::list("elsewhere", &pods(), &ListOptions::default()).unwrap_err();
        assert!(matches!(err, ClusterError::UnknownCluster(_)), "{err}");
    }

    #[test]
    fn watch_and_host_calls_are_recorded() {
        fresh();
        let id = watch::subscribe(CLUSTER, &pods(), Some("a"), None).unwrap();
        with_fake(|f| {
            assert_eq!(f.subscriptions()[0].0, id);
            f.set_setting("refresh", json!(5));
        });
        watch::unsubscribe(id);
        host::log(LogLevel::Info, "hello");
        host::notify(Tone::Success, "done");
        host::navigate("/pods");
        assert_eq!(host::setting_as::<u32>("refresh"), Some(5));
        assert_eq!(host::setting("missing"), None);
        assert_eq!(host::now_millis(), 1_709_251_200_000);
        with_fake(|f| {
            assert!(f.subscriptions().is_empty());
            assert_eq!(f.logs()[0].1, "hello");
            assert_eq!(f.notifications()[0], (Tone::Success, "done".to_owned()));
            assert_eq!(f.navigations(), ["/pods"]);
        });
    }
}
