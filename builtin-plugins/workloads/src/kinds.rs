//! The kinds this plugin shows, in Headlamp's sidebar order: their API kind, table and view
//! ids, routes, labels and icons.

use headlamp_plugin_sdk::Gvk;

/// One kind: its table id is also the plural of its API resource and its route segment.
pub struct Kind {
    /// The table id, the API plural and the list route (`/{table}`).
    pub table: &'static str,
    /// The id of its details view.
    pub view: &'static str,
    /// The sidebar label.
    pub label: &'static str,
    /// The table's title.
    pub title: &'static str,
    /// The title of one object's page.
    pub singular: &'static str,
    /// The API group (empty for core).
    pub group: &'static str,
    /// The API version.
    pub version: &'static str,
    /// The API kind.
    pub kind: &'static str,
    /// An Iconify-style icon name.
    pub icon: &'static str,
}

impl Kind {
    /// The group/version/kind.
    pub fn gvk(&self) -> Gvk {
        Gvk::new(self.group, self.version, self.kind)
    }

    /// The route of one object's details view.
    pub fn route(&self, namespace: &str, name: &str) -> String {
        format!("/{}/{namespace}/{name}", self.table)
    }
}

const fn kind(
    table: &'static str,
    view: &'static str,
    label: &'static str,
    singular: &'static str,
    (group, version, kind): (&'static str, &'static str, &'static str),
    icon: &'static str,
) -> Kind {
    Kind {
        table,
        view,
        label,
        title: label,
        singular,
        group,
        version,
        kind,
        icon,
    }
}

/// Pods.
pub const POD: Kind = kind(
    "pods",
    "pod",
    "Pods",
    "Pod",
    ("", "v1", "Pod"),
    "mdi:cube-outline",
);
/// Deployments.
pub const DEPLOYMENT: Kind = kind(
    "deployments",
    "deployment",
    "Deployments",
    "Deployment",
    ("apps", "v1", "Deployment"),
    "mdi:rocket-launch-outline",
);
/// StatefulSets.
pub const STATEFUL_SET: Kind = kind(
    "statefulsets",
    "statefulset",
    "Stateful Sets",
    "Stateful Set",
    ("apps", "v1", "StatefulSet"),
    "mdi:database-outline",
);
/// DaemonSets.
pub const DAEMON_SET: Kind = kind(
    "daemonsets",
    "daemonset",
    "Daemon Sets",
    "Daemon Set",
    ("apps", "v1", "DaemonSet"),
    "mdi:server-network",
);
/// ReplicaSets.
pub const REPLICA_SET: Kind = kind(
    "replicasets",
    "replicaset",
    "Replica Sets",
    "Replica Set",
    ("apps", "v1", "ReplicaSet"),
    "mdi:content-copy",
);
/// Jobs.
pub const JOB: Kind = kind(
    "jobs",
    "job",
    "Jobs",
    "Job",
    ("batch", "v1", "Job"),
    "mdi:briefcase-outline",
);
/// CronJobs.
pub const CRON_JOB: Kind = kind(
    "cronjobs",
    "cronjob",
    "CronJobs",
    "CronJob",
    ("batch", "v1", "CronJob"),
    "mdi:clock-outline",
);
/// HorizontalPodAutoscalers.
pub const HPA: Kind = Kind {
    // Headlamp's sidebar abbreviates; the table spells it out.
    label: "HPAs",
    ..kind(
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        "Horizontal Pod Autoscalers",
        "Horizontal Pod Autoscaler",
        ("autoscaling", "v2", "HorizontalPodAutoscaler"),
        "mdi:arrow-expand-horizontal",
    )
};
/// PodDisruptionBudgets.
pub const PDB: Kind = kind(
    "poddisruptionbudgets",
    "poddisruptionbudget",
    "Pod Disruption Budgets",
    "Pod Disruption Budget",
    ("policy", "v1", "PodDisruptionBudget"),
    "mdi:shield-half-full",
);

/// Every kind, in the sidebar's order (Headlamp's for the workloads proper, then the
/// autoscalers and budgets that act on them).
pub const ALL: [&Kind; 9] = [
    &POD,
    &DEPLOYMENT,
    &STATEFUL_SET,
    &DAEMON_SET,
    &REPLICA_SET,
    &JOB,
    &CRON_JOB,
    &HPA,
    &PDB,
];

/// The kind named `kind` in an owner or target reference (`ReplicaSet`), if it is one of ours.
pub fn by_kind(kind: &str) -> Option<&'static Kind> {
    ALL.into_iter().find(|k| k.kind == kind)
}

/// The details route of the object `kind` `namespace/name`, when this plugin has a view for it.
pub fn route_of(kind: &str, namespace: &str, name: &str) -> Option<String> {
    by_kind(kind).map(|k| k.route(namespace, name))
}
