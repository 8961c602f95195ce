//! The demo world: namespaces, workloads, networking, storage, RBAC, nodes, events, a CRD,
//! the Gateway API.

pub mod gateway;

use crate::controller;
use crate::store::Store;
use serde_json::{Value, json};

fn put(store: &Store, group: &str, plural: &str, ns: &str, obj: Value) {
    let def = store.def(group, plural);
    if let Err(e) = store.create(&def, ns, obj) {
        tracing::warn!("demo object {plural} in {ns:?} not created: {e}");
    }
}

fn container(name: &str, image: &str, port: i64) -> Value {
    json!({"name": name, "image": image, "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": port, "protocol": "TCP"}],
        "env": [{"name": "APP_NAME", "value": name}, {"name": "LOG_LEVEL", "value": "info"}],
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
        "volumeMounts": [{"name": "config", "mountPath": "/app"}]})
}

fn pod_template(app: &str, image: &str, port: i64, crash: bool) -> Value {
    let mut t = json!({
        "metadata": {"labels": {"app": app}},
        "spec": {"containers": [container(app, image, port)], "restartPolicy": "Always", "serviceAccountName": "default",
                 "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                 "volumes": [{"name": "config", "emptyDir": {}}]},
    });
    if crash {
        t["metadata"]["annotations"] = json!({controller::CRASH_ANNOTATION: "true"});
    }
    t
}

fn deployment(name: &str, replicas: i64, image: &str, port: i64, crash: bool) -> Value {
    json!({
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "template": pod_template(name, image, port, crash),
                 "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                 "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
    })
}

fn service(name: &str, port: i64, typ: &str, ip: &str) -> Value {
    let mut s = json!({
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"type": typ, "selector": {"app": name}, "clusterIP": ip, "clusterIPs": [ip],
                 "ports": [{"name": "http", "port": port, "targetPort": port, "protocol": "TCP"}], "sessionAffinity": "None"},
    });
    if typ == "LoadBalancer" {
        s["spec"]["ports"][0]["nodePort"] = json!(31080);
        s["status"] = json!({"loadBalancer": {"ingress": [{"ip": "192.168.49.100"}]}});
    }
    s
}

fn node(name: &str, ip: &str, control_plane: bool) -> Value {
    let now = crate::store::now_rfc3339();
    let cond = |t: &str, s: &str, r: &str, m: &str| json!({"type": t, "status": s, "reason": r, "message": m, "lastHeartbeatTime": now, "lastTransitionTime": now});
    let mut labels = json!({"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": "sim.large", "topology.kubernetes.io/zone": format!("zone-{}", &name[name.len() - 1..])});
    if control_plane {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
    } else {
        labels["node-role.kubernetes.io/worker"] = json!("");
    }
    json!({
        "metadata": {"name": name, "labels": labels},
        "spec": {"podCIDR": "10.244.0.0/24", "providerID": format!("sim://{name}")},
        "status": {
            "capacity": {"cpu": "4", "memory": "16384Mi", "pods": "110", "ephemeral-storage": "100Gi"},
            "allocatable": {"cpu": "3800m", "memory": "15872Mi", "pods": "110", "ephemeral-storage": "95Gi"},
            "conditions": [
                cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
            "nodeInfo": {"kubeletVersion": "v1.32.0", "kubeProxyVersion": "v1.32.0", "osImage": "Ubuntu 24.04.1 LTS",
                "kernelVersion": "6.8.0-45-generic", "containerRuntimeVersion": "containerd://1.7.22", "architecture": "amd64",
                "operatingSystem": "linux", "machineID": format!("{:032x}", controller::fnv(name)), "systemUUID": format!("{:032x}", controller::fnv(ip)),
                "bootID": format!("{:032x}", controller::fnv(name) ^ 1)},
        },
    })
}

/// Fills the store with the demo world and converges the controllers once, so pods exist at once.
pub fn populate(s: &Store) {
    for ns in ["shop", "monitoring"] {
        put(
            s,
            "",
            "namespaces",
            "",
            json!({"metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns, "team": ns}}}),
        );
    }
    for ns in ["default", "kube-system", "shop", "monitoring"] {
        put(
            s,
            "",
            "configmaps",
            ns,
            json!({"metadata": {"name": "kube-root-ca.crt"}, "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nsimulated\n-----END CERTIFICATE-----\n"}}),
        );
        if ns == "shop" || ns == "monitoring" {
            put(
                s,
                "",
                "serviceaccounts",
                ns,
                json!({"metadata": {"name": "default"}}),
            );
        }
    }
    for (n, ip, cp) in [
        ("node-1", "10.0.0.11", true),
        ("node-2", "10.0.0.12", false),
        ("node-3", "10.0.0.13", false),
    ] {
        put(s, "", "nodes", "", node(n, ip, cp));
        put(
            s,
            "coordination.k8s.io",
            "leases",
            "kube-node-lease",
            json!({"metadata": {"name": n}, "spec": {"holderIdentity": n, "leaseDurationSeconds": 40}}),
        );
    }
    for (ns, name, n, image, port, crash) in [
        ("shop", "frontend", 3, "nginx:1.27", 80, false),
        ("shop", "cart", 2, "redis:7.4", 6379, false),
        (
            "shop",
            "checkout",
            2,
            "ghcr.io/demo/checkout:2.3.1",
            8080,
            false,
        ),
        (
            "shop",
            "recommendations",
            1,
            "ghcr.io/demo/recommendations:0.9.0",
            8080,
            true,
        ),
        (
            "monitoring",
            "grafana",
            1,
            "grafana/grafana:11.2.0",
            3000,
            false,
        ),
        (
            "default",
            "hello",
            2,
            "hashicorp/http-echo:1.0",
            5678,
            false,
        ),
        (
            "kube-system",
            "coredns",
            2,
            "registry.k8s.io/coredns/coredns:v1.11.3",
            53,
            false,
        ),
    ] {
        put(
            s,
            "apps",
            "deployments",
            ns,
            deployment(name, n, image, port, crash),
        );
    }
    for (ns, name, port, typ, ip) in [
        ("shop", "frontend", 80, "LoadBalancer", "10.96.10.1"),
        ("shop", "cart", 6379, "ClusterIP", "10.96.10.2"),
        ("shop", "checkout", 8080, "ClusterIP", "10.96.10.3"),
        ("monitoring", "grafana", 3000, "ClusterIP", "10.96.20.1"),
        ("default", "hello", 5678, "ClusterIP", "10.96.0.20"),
    ] {
        put(s, "", "services", ns, service(name, port, typ, ip));
    }
    put(
        s,
        "",
        "services",
        "default",
        json!({"metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443, "targetPort": 6443, "protocol": "TCP"}]}}),
    );
    let mut dns = service("kube-dns", 53, "ClusterIP", "10.96.0.10");
    dns["spec"]["selector"] = json!({"app": "coredns"});
    dns["spec"]["ports"] = json!([{"name": "dns", "port": 53, "targetPort": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53, "targetPort": 53, "protocol": "TCP"}]);
    put(s, "", "services", "kube-system", dns);
    // Stateful storage: class, volume, claim, statefulset.
    put(
        s,
        "storage.k8s.io",
        "storageclasses",
        "",
        json!({"metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "sim.headlamp.dev/hostpath", "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer"}),
    );
    put(
        s,
        "",
        "persistentvolumes",
        "",
        json!({"metadata": {"name": "pvc-postgres-0"}, "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"],
        "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "standard", "hostPath": {"path": "/data/pvc-postgres-0"},
        "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "shop", "name": "data-postgres-0"}}, "status": {"phase": "Bound"}}),
    );
    put(
        s,
        "",
        "persistentvolumeclaims",
        "shop",
        json!({"metadata": {"name": "data-postgres-0", "labels": {"app": "postgres"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}, "storageClassName": "standard", "volumeName": "pvc-postgres-0"},
        "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"}}}),
    );
    storage(s);
    let mut pg = pod_template("postgres", "postgres:16.4", 5432, false);
    pg["spec"]["containers"][0]["volumeMounts"] =
        json!([{"name": "data", "mountPath": "/var/lib/postgresql/data"}]);
    pg["spec"]["volumes"] =
        json!([{"name": "data", "persistentVolumeClaim": {"claimName": "data-postgres-0"}}]);
    put(
        s,
        "apps",
        "statefulsets",
        "shop",
        json!({"metadata": {"name": "postgres", "labels": {"app": "postgres"}},
        "spec": {"replicas": 1, "serviceName": "postgres", "selector": {"matchLabels": {"app": "postgres"}}, "template": pg,
                 "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}}}]}}),
    );
    let mut pgsvc = service("postgres", 5432, "ClusterIP", "None");
    pgsvc["spec"]["clusterIPs"] = json!(["None"]);
    put(s, "", "services", "shop", pgsvc);
    put(
        s,
        "apps",
        "daemonsets",
        "monitoring",
        json!({"metadata": {"name": "node-exporter", "labels": {"app": "node-exporter"}},
        "spec": {"selector": {"matchLabels": {"app": "node-exporter"}}, "template": pod_template("node-exporter", "prom/node-exporter:v1.8.2", 9100, false),
                 "updateStrategy": {"type": "RollingUpdate"}}}),
    );
    batch(s);
    config_and_security(s);
    crd(s);
    gateway::populate(s);
    put(
        s,
        "",
        "events",
        "shop",
        json!({"metadata": {"name": "recommendations.warning"}, "involvedObject": {"kind": "Deployment", "name": "recommendations", "namespace": "shop", "apiVersion": "apps/v1"},
        "reason": "Unhealthy", "message": "Readiness probe failed: HTTP probe failed with statuscode: 503", "type": "Warning", "count": 12,
        "firstTimestamp": crate::store::now_rfc3339(), "lastTimestamp": crate::store::now_rfc3339(), "source": {"component": "kubelet"}}),
    );
    for _ in 0..4 {
        controller::reconcile(s);
    }
    crate::kubelet::metrics(s, 0);
}

/// Storage beyond postgres's claim: a second class, a claim waiting for its first consumer, a
/// claim bound to a statically provisioned volume, and a volume released by a deleted claim.
fn storage(s: &Store) {
    put(
        s,
        "storage.k8s.io",
        "storageclasses",
        "",
        json!({"metadata": {"name": "fast-retain"}, "provisioner": "sim.headlamp.dev/ssd", "reclaimPolicy": "Retain",
        "volumeBindingMode": "Immediate", "allowVolumeExpansion": true, "parameters": {"type": "ssd"}}),
    );
    put(
        s,
        "",
        "persistentvolumes",
        "",
        json!({"metadata": {"name": "pv-grafana-data"}, "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce"],
        "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "fast-retain", "csi": {"driver": "sim.headlamp.dev/ssd", "volumeHandle": "vol-0a1b2c"},
        "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "monitoring", "name": "grafana-data"}}, "status": {"phase": "Bound"}}),
    );
    put(
        s,
        "",
        "persistentvolumeclaims",
        "monitoring",
        json!({"metadata": {"name": "grafana-data", "labels": {"app": "grafana"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}, "storageClassName": "fast-retain", "volumeName": "pv-grafana-data"},
        "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "5Gi"}}}),
    );
    put(
        s,
        "",
        "persistentvolumeclaims",
        "shop",
        json!({"metadata": {"name": "uploads", "labels": {"app": "frontend"}},
        "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "20Gi"}}, "storageClassName": "standard"},
        "status": {"phase": "Pending"}}),
    );
    put(
        s,
        "",
        "persistentvolumes",
        "",
        json!({"metadata": {"name": "pv-archive"}, "spec": {"capacity": {"storage": "100Gi"}, "accessModes": ["ReadOnlyMany", "ReadWriteMany"],
        "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "fast-retain", "nfs": {"server": "10.0.0.50", "path": "/exports/archive"},
        "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "shop", "name": "archive"}}, "status": {"phase": "Released"}}),
    );
}

fn batch(s: &Store) {
    let job = |name: &str, owner: Option<Value>| {
        let mut j = json!({"metadata": {"name": name, "labels": {"app": "db-migrate"}},
            "spec": {"completions": 1, "parallelism": 1, "backoffLimit": 6, "template": {"metadata": {"labels": {"job-name": name}},
                "spec": {"restartPolicy": "Never", "containers": [{"name": "job", "image": "busybox:1.36", "command": ["sh", "-c", "echo done"]}]}}},
            "status": {"succeeded": 1, "startTime": crate::store::now_rfc3339(), "completionTime": crate::store::now_rfc3339(),
                "conditions": [{"type": "Complete", "status": "True", "lastProbeTime": crate::store::now_rfc3339(), "lastTransitionTime": crate::store::now_rfc3339()}]}});
        if let Some(o) = owner {
            j["metadata"]["ownerReferences"] = json!([o]);
        }
        j
    };
    put(s, "batch", "jobs", "shop", job("db-migrate", None));
    put(
        s,
        "batch",
        "cronjobs",
        "shop",
        json!({"metadata": {"name": "nightly-report"},
        "spec": {"schedule": "0 2 * * *", "suspend": false, "concurrencyPolicy": "Forbid",
                 "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": [{"name": "report", "image": "busybox:1.36", "command": ["sh", "-c", "echo report"]}]}}}}},
        "status": {"lastScheduleTime": crate::store::now_rfc3339(), "lastSuccessfulTime": crate::store::now_rfc3339()}}),
    );
    // Runs every minute, so the demo keeps producing jobs, pods and events.
    put(
        s,
        "batch",
        "cronjobs",
        "monitoring",
        json!({"metadata": {"name": "heartbeat"},
        "spec": {"schedule": "* * * * *", "suspend": false, "concurrencyPolicy": "Allow", "successfulJobsHistoryLimit": 3,
                 "jobTemplate": {"metadata": {"labels": {"app": "heartbeat"}}, "spec": {"template": {"metadata": {"labels": {"app": "heartbeat"}},
                     "spec": {"restartPolicy": "Never", "containers": [{"name": "ping", "image": "busybox:1.36", "command": ["sh", "-c", "echo ok"]}]}}}}}}),
    );
    if let Ok(cj) = s.get(&s.def("batch", "cronjobs"), "shop", "nightly-report") {
        let owner = json!({"apiVersion": "batch/v1", "kind": "CronJob", "name": "nightly-report", "uid": cj["metadata"]["uid"], "controller": true});
        put(
            s,
            "batch",
            "jobs",
            "shop",
            job("nightly-report-29000000", Some(owner)),
        );
    }
    for j in ["db-migrate", "nightly-report-29000000"] {
        let Ok(jo) = s.get(&s.def("batch", "jobs"), "shop", j) else {
            continue;
        };
        let owner = json!({"apiVersion": "batch/v1", "kind": "Job", "name": j, "uid": jo["metadata"]["uid"], "controller": true});
        let now = crate::store::now_rfc3339();
        put(
            s,
            "",
            "pods",
            "shop",
            json!({"metadata": {"name": format!("{j}-x7k2p"), "labels": {"job-name": j}, "ownerReferences": [owner]},
            "spec": {"restartPolicy": "Never", "nodeName": "node-2", "containers": [{"name": "job", "image": "busybox:1.36"}]},
            "status": {"phase": "Succeeded", "podIP": "10.244.1.200", "hostIP": "10.0.0.12", "startTime": now,
                "containerStatuses": [{"name": "job", "image": "busybox:1.36", "ready": false, "restartCount": 0, "started": false,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now, "finishedAt": now}}}]}}),
        );
    }
}

fn config_and_security(s: &Store) {
    put(
        s,
        "",
        "configmaps",
        "shop",
        json!({"metadata": {"name": "frontend-config", "labels": {"app": "frontend"}},
        "data": {"nginx.conf": "server { listen 80; location / { proxy_pass http://checkout:8080; } }\n", "FEATURE_FLAGS": "new-cart,fast-checkout"}}),
    );
    put(
        s,
        "",
        "configmaps",
        "kube-system",
        json!({"metadata": {"name": "coredns"}, "data": {"Corefile": ".:53 {\n    errors\n    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n    cache 30\n}\n"}}),
    );
    put(
        s,
        "",
        "secrets",
        "shop",
        json!({"metadata": {"name": "db-credentials"}, "type": "Opaque", "data": {"username": "c2hvcA==", "password": "czNjcjN0LXB3"}}),
    );
    put(
        s,
        "",
        "secrets",
        "shop",
        json!({"metadata": {"name": "frontend-tls"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "LS0tLS1CRUdJTg==", "tls.key": "LS0tLS1CRUdJTg=="}}),
    );
    put(
        s,
        "networking.k8s.io",
        "ingressclasses",
        "",
        json!({"metadata": {"name": "nginx", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}}, "spec": {"controller": "k8s.io/ingress-nginx"}}),
    );
    put(
        s,
        "networking.k8s.io",
        "ingresses",
        "shop",
        json!({"metadata": {"name": "frontend"}, "spec": {"ingressClassName": "nginx",
        "tls": [{"hosts": ["shop.demo.local"], "secretName": "frontend-tls"}],
        "rules": [{"host": "shop.demo.local", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "frontend", "port": {"number": 80}}}}]}}]},
        "status": {"loadBalancer": {"ingress": [{"ip": "192.168.49.100"}]}}}),
    );
    put(
        s,
        "networking.k8s.io",
        "networkpolicies",
        "shop",
        json!({"metadata": {"name": "db-allow-backend"}, "spec": {"podSelector": {"matchLabels": {"app": "postgres"}},
        "policyTypes": ["Ingress"], "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "checkout"}}}], "ports": [{"protocol": "TCP", "port": 5432}]}]}}),
    );
    put(
        s,
        "networking.k8s.io",
        "ingresses",
        "shop",
        json!({"metadata": {"name": "api", "annotations": {"nginx.ingress.kubernetes.io/rewrite-target": "/"}}, "spec": {"ingressClassName": "nginx",
        "rules": [{"host": "api.shop.demo.local", "http": {"paths": [
            {"path": "/checkout", "pathType": "Prefix", "backend": {"service": {"name": "checkout", "port": {"number": 8080}}}},
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "frontend", "port": {"name": "http"}}}}]}}]},
        "status": {"loadBalancer": {"ingress": [{"ip": "192.168.49.100"}]}}}),
    );
    put(
        s,
        "networking.k8s.io",
        "networkpolicies",
        "shop",
        json!({"metadata": {"name": "frontend-egress"}, "spec": {"podSelector": {"matchLabels": {"app": "frontend"}},
        "policyTypes": ["Egress"], "egress": [
            {"to": [{"podSelector": {"matchLabels": {"app": "checkout"}}}], "ports": [{"protocol": "TCP", "port": 8080}]},
            {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}, "podSelector": {"matchLabels": {"app": "coredns"}}}],
             "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]}}),
    );
    put(
        s,
        "autoscaling",
        "horizontalpodautoscalers",
        "shop",
        json!({"metadata": {"name": "frontend"}, "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "frontend"},
        "minReplicas": 2, "maxReplicas": 10, "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]},
        "status": {"currentReplicas": 3, "desiredReplicas": 3, "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 42, "averageValue": "21m"}}}]}}),
    );
    put(
        s,
        "policy",
        "poddisruptionbudgets",
        "shop",
        json!({"metadata": {"name": "frontend"}, "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "frontend"}}},
        "status": {"currentHealthy": 3, "desiredHealthy": 2, "disruptionsAllowed": 1, "expectedPods": 3}}),
    );
    put(
        s,
        "",
        "serviceaccounts",
        "shop",
        json!({"metadata": {"name": "frontend"}}),
    );
    put(
        s,
        "",
        "serviceaccounts",
        "monitoring",
        json!({"metadata": {"name": "grafana"}}),
    );
    put(
        s,
        "rbac.authorization.k8s.io",
        "roles",
        "shop",
        json!({"metadata": {"name": "pod-reader"}, "rules": [{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]}]}),
    );
    put(
        s,
        "rbac.authorization.k8s.io",
        "rolebindings",
        "shop",
        json!({"metadata": {"name": "frontend-pod-reader"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
        "subjects": [{"kind": "ServiceAccount", "name": "frontend", "namespace": "shop"}]}),
    );
    put(
        s,
        "",
        "resourcequotas",
        "shop",
        json!({"metadata": {"name": "shop-quota"}, "spec": {"hard": {"pods": "50", "requests.cpu": "8", "requests.memory": "16Gi"}},
        "status": {"hard": {"pods": "50", "requests.cpu": "8", "requests.memory": "16Gi"}, "used": {"pods": "9", "requests.cpu": "450m", "requests.memory": "576Mi"}}}),
    );
    put(
        s,
        "",
        "limitranges",
        "shop",
        json!({"metadata": {"name": "defaults"}, "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"}, "defaultRequest": {"cpu": "50m", "memory": "64Mi"}}]}}),
    );
    put(
        s,
        "scheduling.k8s.io",
        "priorityclasses",
        "",
        json!({"metadata": {"name": "shop-critical"}, "value": 100000, "globalDefault": false, "description": "Checkout path"}),
    );
    put(
        s,
        "node.k8s.io",
        "runtimeclasses",
        "",
        json!({"metadata": {"name": "gvisor"}, "handler": "runsc"}),
    );
    // A service account with a token secret and an image pull secret, bound cluster-wide.
    put(
        s,
        "",
        "serviceaccounts",
        "shop",
        json!({"metadata": {"name": "ci-deployer"}, "secrets": [{"name": "ci-deployer-token"}],
        "imagePullSecrets": [{"name": "registry-credentials"}]}),
    );
    put(
        s,
        "",
        "secrets",
        "shop",
        json!({"metadata": {"name": "ci-deployer-token", "annotations": {"kubernetes.io/service-account.name": "ci-deployer"}},
        "type": "kubernetes.io/service-account-token",
        "data": {"namespace": "c2hvcA==", "token": "ZXlKaGJHY2lPaUpTVXpJMU5pSjkuZGVtbw==", "ca.crt": "MIIBAP8A"}}),
    );
    put(
        s,
        "",
        "secrets",
        "shop",
        json!({"metadata": {"name": "registry-credentials"}, "type": "kubernetes.io/dockerconfigjson",
        "data": {".dockerconfigjson": "eyJhdXRocyI6eyJyZWdpc3RyeS5kZW1vLmxvY2FsIjp7ImF1dGgiOiJZMms2WkdWdGJ3PT0ifX19"}}),
    );
    put(
        s,
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        "",
        json!({"metadata": {"name": "ci-deployer-view"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view-all-but-secrets"},
        "subjects": [{"kind": "ServiceAccount", "name": "ci-deployer", "namespace": "shop"},
                     {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "ci"}]}),
    );
    // Admission webhooks: one by service, one by URL (kube-sim does not call them).
    put(
        s,
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "",
        json!({"metadata": {"name": "sidecar-injector"}, "webhooks": [{"name": "sidecar.demo.headlamp.dev",
        "clientConfig": {"service": {"namespace": "kube-system", "name": "sidecar-injector", "path": "/inject", "port": 443}},
        "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}],
        "failurePolicy": "Ignore", "sideEffects": "None", "admissionReviewVersions": ["v1"]}]}),
    );
    put(
        s,
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "",
        json!({"metadata": {"name": "policy-check"}, "webhooks": [{"name": "policy.demo.headlamp.dev",
        "clientConfig": {"url": "https://policy.demo.local/validate"},
        "rules": [{"operations": ["CREATE", "UPDATE"], "apiGroups": ["apps"], "apiVersions": ["v1"], "resources": ["deployments"]}],
        "failurePolicy": "Fail", "sideEffects": "None", "admissionReviewVersions": ["v1"]}]}),
    );
}

/// The `widgets.demo.headlamp.dev` CRD with printer columns, and a few widgets.
pub fn widget_crd() -> Value {
    json!({"metadata": {"name": "widgets.demo.headlamp.dev"}, "spec": {"group": "demo.headlamp.dev", "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList", "shortNames": ["wg"], "categories": ["demo"]},
        "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
            "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
            "additionalPrinterColumns": [
                {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
                {"name": "Color", "type": "string", "jsonPath": ".spec.color"},
                {"name": "Ready", "type": "boolean", "jsonPath": ".status.ready"},
                {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]}]}})
}

fn crd(s: &Store) {
    put(
        s,
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        "",
        widget_crd(),
    );
    for (ns, name, size, color) in [
        ("shop", "widget-a", 3, "red"),
        ("shop", "widget-b", 5, "blue"),
        ("default", "widget-c", 1, "green"),
    ] {
        put(
            s,
            "demo.headlamp.dev",
            "widgets",
            ns,
            json!({"metadata": {"name": name}, "spec": {"size": size, "color": color}, "status": {"ready": size > 1}}),
        );
    }
}
