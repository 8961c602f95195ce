//! Authentication by bearer token and RBAC authorization evaluated from the stored
//! Role/ClusterRole/RoleBinding/ClusterRoleBinding objects.

use crate::store::Store;
use serde_json::{Value, json};

/// A configured user: name, bearer token and groups.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// User name as RBAC subjects name it.
    pub name: String,
    /// Bearer token presented in the Authorization header.
    pub token: String,
    /// Groups the user belongs to (system:authenticated is implied).
    pub groups: Vec<String>,
}

/// What a request wants to do, in RBAC terms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes {
    /// get, list, watch, create, update, patch, delete, deletecollection.
    pub verb: String,
    /// API group ("" for core).
    pub group: String,
    /// Plural resource.
    pub resource: String,
    /// Subresource ("log", "exec", "status"), empty for none.
    pub subresource: String,
    /// Namespace, empty for cluster scope.
    pub namespace: String,
    /// Object name, empty for collections.
    pub name: String,
}

impl Attributes {
    /// "pods" or "pods/log".
    fn full_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }

    /// The message the real API server gives when RBAC denies this request.
    pub fn forbidden_message(&self, user: &str) -> String {
        let what = if self.name.is_empty() {
            format!("{} is forbidden", self.resource)
        } else {
            format!("{} \"{}\" is forbidden", self.resource, self.name)
        };
        let scope = if self.namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{}\"", self.namespace)
        };
        format!(
            "{what}: User \"{user}\" cannot {} resource \"{}\" in API group \"{}\" {scope}",
            self.verb,
            self.full_resource(),
            self.group
        )
    }
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn rule_allows(rule: &Value, a: &Attributes) -> bool {
    let has = |field: &str, want: &str| strs(&rule[field]).iter().any(|x| *x == "*" || *x == want);
    let res = a.full_resource();
    let res_ok = strs(&rule["resources"]).iter().any(|r| {
        *r == "*"
            || *r == res
            || (a.subresource.is_empty() && *r == a.resource)
            || (r.starts_with("*/") && !a.subresource.is_empty() && r[2..] == a.subresource)
    });
    let names = strs(&rule["resourceNames"]);
    has("verbs", &a.verb)
        && has("apiGroups", &a.group)
        && res_ok
        && (names.is_empty() || names.contains(&a.name.as_str()))
}

fn subject_matches(binding: &Value, user: &User) -> bool {
    binding["subjects"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| match s["kind"].as_str() {
            Some("User") => s["name"].as_str() == Some(user.name.as_str()),
            Some("Group") => {
                let g = s["name"].as_str().unwrap_or("");
                g == "system:authenticated" || user.groups.iter().any(|ug| ug == g)
            }
            _ => false,
        })
}

/// All rules granted to `user` in `namespace` (cluster-wide rules included), as [(rule, ...)].
pub fn rules_for(store: &Store, user: &User, namespace: &str) -> Vec<Value> {
    let rbac = "rbac.authorization.k8s.io";
    let (crbs, _) = store.list(&store.def(rbac, "clusterrolebindings"), None);
    let mut rules = vec![];
    let role_rules = |kind: &str, name: &str, ns: &str| -> Vec<Value> {
        let (group_res, ns) = if kind == "ClusterRole" {
            ("clusterroles", "")
        } else {
            ("roles", ns)
        };
        store
            .get(&store.def(rbac, group_res), ns, name)
            .ok()
            .and_then(|r| r["rules"].as_array().cloned())
            .unwrap_or_default()
    };
    for b in crbs.iter().filter(|b| subject_matches(b, user)) {
        rules.extend(role_rules(
            "ClusterRole",
            b["roleRef"]["name"].as_str().unwrap_or(""),
            "",
        ));
    }
    if !namespace.is_empty() {
        let (rbs, _) = store.list(&store.def(rbac, "rolebindings"), Some(namespace));
        for b in rbs.iter().filter(|b| subject_matches(b, user)) {
            let kind = b["roleRef"]["kind"].as_str().unwrap_or("Role");
            rules.extend(role_rules(
                kind,
                b["roleRef"]["name"].as_str().unwrap_or(""),
                namespace,
            ));
        }
    }
    rules
}

/// Whether RBAC allows the request.
pub fn allowed(store: &Store, user: &User, a: &Attributes) -> bool {
    rules_for(store, user, &a.namespace)
        .iter()
        .any(|r| rule_allows(r, a))
}

/// Answers a SelfSubjectAccessReview: fills in status.allowed.
pub fn access_review(store: &Store, user: &User, mut review: Value) -> Value {
    let spec = &review["spec"];
    let allowed = if let Some(ra) = spec.get("resourceAttributes") {
        let f = |k: &str| ra[k].as_str().unwrap_or("").to_string();
        let a = Attributes {
            verb: f("verb"),
            group: f("group"),
            resource: f("resource"),
            subresource: f("subresource"),
            namespace: f("namespace"),
            name: f("name"),
        };
        allowed(store, user, &a)
    } else {
        // Non-resource URLs (discovery, /healthz) are open to every authenticated user.
        true
    };
    // Like the real RBAC authorizer, a denial carries no reason (kubectl then prints just "no").
    review["status"] = json!({"allowed": allowed});
    review["apiVersion"] = json!("authorization.k8s.io/v1");
    review["kind"] = json!("SelfSubjectAccessReview");
    review
}

/// Answers a SelfSubjectRulesReview for spec.namespace.
pub fn rules_review(store: &Store, user: &User, mut review: Value) -> Value {
    let ns = review["spec"]["namespace"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let resource_rules: Vec<Value> = rules_for(store, user, &ns)
        .into_iter()
        .filter(|r| r.get("resources").is_some())
        .map(|r| {
            let mut o = json!({"verbs": r["verbs"], "apiGroups": r["apiGroups"], "resources": r["resources"]});
            if let Some(n) = r.get("resourceNames") {
                o["resourceNames"] = n.clone();
            }
            o
        })
        .collect();
    review["status"] = json!({
        "resourceRules": resource_rules,
        "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/version", "/healthz", "/openapi/*"]}],
        "incomplete": false,
    });
    review["apiVersion"] = json!("authorization.k8s.io/v1");
    review["kind"] = json!("SelfSubjectRulesReview");
    review
}

/// Bootstrap RBAC: cluster-admin for system:masters, a read-only role (no secrets) for `viewers`.
pub fn bootstrap_objects(groups: &[String]) -> Vec<(&'static str, Value)> {
    let core_read: Vec<&str> = vec![
        "namespaces",
        "pods",
        "pods/log",
        "pods/status",
        "services",
        "endpoints",
        "configmaps",
        "nodes",
        "events",
        "persistentvolumes",
        "persistentvolumeclaims",
        "serviceaccounts",
        "resourcequotas",
        "limitranges",
        "replicationcontrollers",
    ];
    let other_groups: Vec<&String> = groups.iter().filter(|g| !g.is_empty()).collect();
    vec![
        (
            "clusterroles",
            json!({"metadata": {"name": "cluster-admin", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}},
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]}),
        ),
        (
            "clusterrolebindings",
            json!({"metadata": {"name": "cluster-admin"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}]}),
        ),
        (
            "clusterroles",
            json!({"metadata": {"name": "view-all-but-secrets"},
            "rules": [{"apiGroups": [""], "resources": core_read, "verbs": ["get", "list", "watch"]},
                      {"apiGroups": other_groups, "resources": ["*"], "verbs": ["get", "list", "watch"]}]}),
        ),
        (
            "clusterrolebindings",
            json!({"metadata": {"name": "viewers"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view-all-but-secrets"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "viewers"}]}),
        ),
        (
            "clusterroles",
            json!({"metadata": {"name": "system:basic-user"},
            "rules": [{"apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], "verbs": ["create"]}]}),
        ),
        (
            "clusterrolebindings",
            json!({"metadata": {"name": "system:basic-user"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:basic-user"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:authenticated"}]}),
        ),
    ]
}
