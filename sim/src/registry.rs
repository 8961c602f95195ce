//! The registry of served resource kinds: one data table for the built-ins, plus CRDs.

use serde_json::Value;
use std::sync::{Arc, RwLock};

/// Verbs of an ordinary read-write resource.
pub const RW_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// One served resource: what discovery advertises and what the store keys on.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDef {
    /// API group ("" for core).
    pub group: String,
    /// API version ("v1").
    pub version: String,
    /// Plural resource name ("pods").
    pub plural: String,
    /// Singular name ("pod").
    pub singular: String,
    /// Kind ("Pod").
    pub kind: String,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
    /// kubectl short names.
    pub short_names: Vec<String>,
    /// Supported verbs.
    pub verbs: Vec<String>,
    /// Subresources ("status", "scale", "log", "exec").
    pub subresources: Vec<String>,
    /// CRD additionalPrinterColumns (name, type, jsonPath).
    pub printer_columns: Vec<(String, String, String)>,
    /// Discovery categories ("all").
    pub categories: Vec<String>,
    /// Built-in kind (strategic merge patch applies) rather than a CRD.
    pub builtin: bool,
}

impl ResourceDef {
    /// "apps/v1" or "v1".
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Key the store files objects under; version-independent so all versions share storage.
    pub fn key(&self) -> String {
        format!("{}/{}", self.group, self.plural)
    }

    /// "pods" or "deployments.apps", as used in error messages.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// Whether a subresource is served.
    pub fn has_sub(&self, sub: &str) -> bool {
        self.subresources.iter().any(|s| s == sub)
    }

    /// Whether a verb is served.
    pub fn has_verb(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }
}

/// group, version, plural, kind, namespaced, short names, subresources, verbs ("rw" = all)
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
    &'static str,
    &'static str,
);

/// The built-in kinds. One row per kind; everything else is derived.
const BUILTINS: &[Row] = &[
    (
        "",
        "v1",
        "namespaces",
        "Namespace",
        false,
        "ns",
        "status,finalize",
        "rw",
    ),
    (
        "",
        "v1",
        "pods",
        "Pod",
        true,
        "po",
        "status,log,exec,portforward,eviction,ephemeralcontainers",
        "rw",
    ),
    (
        "",
        "v1",
        "services",
        "Service",
        true,
        "svc",
        "status,proxy",
        "rw",
    ),
    ("", "v1", "endpoints", "Endpoints", true, "ep", "", "rw"),
    ("", "v1", "configmaps", "ConfigMap", true, "cm", "", "rw"),
    ("", "v1", "secrets", "Secret", true, "", "", "rw"),
    ("", "v1", "nodes", "Node", false, "no", "status,proxy", "rw"),
    ("", "v1", "events", "Event", true, "ev", "", "rw"),
    (
        "",
        "v1",
        "persistentvolumes",
        "PersistentVolume",
        false,
        "pv",
        "status",
        "rw",
    ),
    (
        "",
        "v1",
        "persistentvolumeclaims",
        "PersistentVolumeClaim",
        true,
        "pvc",
        "status",
        "rw",
    ),
    (
        "",
        "v1",
        "serviceaccounts",
        "ServiceAccount",
        true,
        "sa",
        "token",
        "rw",
    ),
    (
        "",
        "v1",
        "resourcequotas",
        "ResourceQuota",
        true,
        "quota",
        "status",
        "rw",
    ),
    (
        "",
        "v1",
        "limitranges",
        "LimitRange",
        true,
        "limits",
        "",
        "rw",
    ),
    (
        "",
        "v1",
        "replicationcontrollers",
        "ReplicationController",
        true,
        "rc",
        "status,scale",
        "rw",
    ),
    (
        "apps",
        "v1",
        "deployments",
        "Deployment",
        true,
        "deploy",
        "status,scale",
        "rw",
    ),
    (
        "apps",
        "v1",
        "replicasets",
        "ReplicaSet",
        true,
        "rs",
        "status,scale",
        "rw",
    ),
    (
        "apps",
        "v1",
        "statefulsets",
        "StatefulSet",
        true,
        "sts",
        "status,scale",
        "rw",
    ),
    (
        "apps",
        "v1",
        "daemonsets",
        "DaemonSet",
        true,
        "ds",
        "status",
        "rw",
    ),
    (
        "apps",
        "v1",
        "controllerrevisions",
        "ControllerRevision",
        true,
        "",
        "",
        "rw",
    ),
    ("batch", "v1", "jobs", "Job", true, "", "status", "rw"),
    (
        "batch", "v1", "cronjobs", "CronJob", true, "cj", "status", "rw",
    ),
    (
        "networking.k8s.io",
        "v1",
        "ingresses",
        "Ingress",
        true,
        "ing",
        "status",
        "rw",
    ),
    (
        "networking.k8s.io",
        "v1",
        "ingressclasses",
        "IngressClass",
        false,
        "",
        "",
        "rw",
    ),
    (
        "networking.k8s.io",
        "v1",
        "networkpolicies",
        "NetworkPolicy",
        true,
        "netpol",
        "",
        "rw",
    ),
    (
        "storage.k8s.io",
        "v1",
        "storageclasses",
        "StorageClass",
        false,
        "sc",
        "",
        "rw",
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "roles",
        "Role",
        true,
        "",
        "",
        "rw",
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "clusterroles",
        "ClusterRole",
        false,
        "",
        "",
        "rw",
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "rolebindings",
        "RoleBinding",
        true,
        "",
        "",
        "rw",
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "clusterrolebindings",
        "ClusterRoleBinding",
        false,
        "",
        "",
        "rw",
    ),
    (
        "policy",
        "v1",
        "poddisruptionbudgets",
        "PodDisruptionBudget",
        true,
        "pdb",
        "status",
        "rw",
    ),
    (
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
        true,
        "hpa",
        "status",
        "rw",
    ),
    (
        "coordination.k8s.io",
        "v1",
        "leases",
        "Lease",
        true,
        "",
        "",
        "rw",
    ),
    (
        "scheduling.k8s.io",
        "v1",
        "priorityclasses",
        "PriorityClass",
        false,
        "pc",
        "",
        "rw",
    ),
    (
        "node.k8s.io",
        "v1",
        "runtimeclasses",
        "RuntimeClass",
        false,
        "",
        "",
        "rw",
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "mutatingwebhookconfigurations",
        "MutatingWebhookConfiguration",
        false,
        "",
        "",
        "rw",
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "validatingwebhookconfigurations",
        "ValidatingWebhookConfiguration",
        false,
        "",
        "",
        "rw",
    ),
    (
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        false,
        "crd,crds",
        "status",
        "rw",
    ),
    (
        "events.k8s.io",
        "v1",
        "events",
        "Event",
        true,
        "ev",
        "",
        "rw",
    ),
    (
        "discovery.k8s.io",
        "v1",
        "endpointslices",
        "EndpointSlice",
        true,
        "",
        "",
        "rw",
    ),
    (
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "SelfSubjectAccessReview",
        false,
        "",
        "",
        "create",
    ),
    (
        "authorization.k8s.io",
        "v1",
        "selfsubjectrulesreviews",
        "SelfSubjectRulesReview",
        false,
        "",
        "",
        "create",
    ),
    (
        "metrics.k8s.io",
        "v1beta1",
        "nodes",
        "NodeMetrics",
        false,
        "",
        "",
        "get,list",
    ),
    (
        "metrics.k8s.io",
        "v1beta1",
        "pods",
        "PodMetrics",
        true,
        "",
        "",
        "get,list",
    ),
];

/// Kinds kubectl groups under `kubectl get all`.
const CATEGORY_ALL: &[&str] = &[
    "pods",
    "services",
    "deployments",
    "replicasets",
    "statefulsets",
    "daemonsets",
    "jobs",
    "cronjobs",
    "replicationcontrollers",
    "horizontalpodautoscalers",
];

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn builtin(row: &Row) -> ResourceDef {
    let (group, version, plural, kind, namespaced, short, subs, verbs) = *row;
    let verbs = if verbs == "rw" {
        RW_VERBS.iter().map(|v| v.to_string()).collect()
    } else {
        split(verbs)
    };
    ResourceDef {
        group: group.into(),
        version: version.into(),
        plural: plural.into(),
        singular: kind.to_lowercase(),
        kind: kind.into(),
        namespaced,
        short_names: split(short),
        verbs,
        subresources: split(subs),
        printer_columns: vec![],
        builtin: true,
        categories: if CATEGORY_ALL.contains(&plural) && group != "metrics.k8s.io" {
            vec!["all".into()]
        } else {
            vec![]
        },
    }
}

/// The resource table, shared by the server and the store; CRDs are added and removed at run time.
#[derive(Debug, Clone)]
pub struct Registry {
    defs: Arc<RwLock<Vec<ResourceDef>>>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            defs: Arc::new(RwLock::new(BUILTINS.iter().map(builtin).collect())),
        }
    }
}

impl Registry {
    /// All currently served resources.
    pub fn all(&self) -> Vec<ResourceDef> {
        self.defs.read().expect("registry lock").clone()
    }

    /// Looks up a resource by group, version and plural.
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<ResourceDef> {
        self.defs
            .read()
            .expect("registry lock")
            .iter()
            .find(|d| d.group == group && d.version == version && d.plural == plural)
            .cloned()
    }

    /// Looks up a resource by apiVersion and kind (for apply and the controllers).
    pub fn find_kind(&self, api_version: &str, kind: &str) -> Option<ResourceDef> {
        self.defs
            .read()
            .expect("registry lock")
            .iter()
            .find(|d| d.api_version() == api_version && d.kind == kind)
            .cloned()
    }

    /// Looks up a built-in or CRD resource by group and plural, any version.
    pub fn find_gr(&self, group: &str, plural: &str) -> Option<ResourceDef> {
        self.defs
            .read()
            .expect("registry lock")
            .iter()
            .find(|d| d.group == group && d.plural == plural)
            .cloned()
    }

    /// Groups in discovery order, each with its versions (preferred first).
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = vec![];
        for d in self.defs.read().expect("registry lock").iter() {
            match out.iter_mut().find(|(g, _)| *g == d.group) {
                Some((_, vs)) => {
                    if !vs.contains(&d.version) {
                        vs.push(d.version.clone());
                    }
                }
                None => out.push((d.group.clone(), vec![d.version.clone()])),
            }
        }
        out
    }

    /// Replaces the CRD-derived resources with those described by `crds`.
    pub fn set_crds(&self, crds: &[Value]) {
        let mut defs = self.defs.write().expect("registry lock");
        let builtins = BUILTINS.len();
        defs.truncate(builtins);
        for crd in crds {
            if crd.pointer("/metadata/deletionTimestamp").is_some() {
                continue;
            }
            defs.extend(crd_defs(crd));
        }
    }
}

/// Resource definitions served for one CustomResourceDefinition object.
pub fn crd_defs(crd: &Value) -> Vec<ResourceDef> {
    let spec = &crd["spec"];
    let names = &spec["names"];
    let strs = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = vec![];
    for ver in spec["versions"].as_array().into_iter().flatten() {
        if ver["served"] == Value::Bool(false) {
            continue;
        }
        let mut subs = vec![];
        if ver.pointer("/subresources/status").is_some() {
            subs.push("status".to_string());
        }
        if ver.pointer("/subresources/scale").is_some() {
            subs.push("scale".to_string());
        }
        let cols = ver["additionalPrinterColumns"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
                (s("name"), s("type"), s("jsonPath"))
            })
            .collect();
        let plural = names["plural"].as_str().unwrap_or("").to_string();
        let kind = names["kind"].as_str().unwrap_or("").to_string();
        out.push(ResourceDef {
            group: spec["group"].as_str().unwrap_or("").to_string(),
            version: ver["name"].as_str().unwrap_or("v1").to_string(),
            singular: names["singular"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| kind.to_lowercase()),
            plural,
            kind,
            namespaced: spec["scope"].as_str() != Some("Cluster"),
            short_names: strs(&names["shortNames"]),
            verbs: RW_VERBS.iter().map(|v| v.to_string()).collect(),
            subresources: subs,
            printer_columns: cols,
            categories: strs(&names["categories"]),
            builtin: false,
        });
    }
    out
}
