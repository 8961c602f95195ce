//! The plain manifests in deploy/manifests (the Helm chart's defaults, rendered): the
//! Deployment's probes and security context, the ConfigMap's headlamp.toml through the
//! kernel's own parser, and a read-only ClusterRole.

use std::path::{Path, PathBuf};

use headlamp_kernel::config::{AuthModeKey, Config};
use serde::Deserialize;
use serde_json::Value;

fn manifests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/manifests")
}

/// Every document of every `.yaml` file in deploy/manifests, as JSON values.
fn documents() -> Vec<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(manifests_dir())
        .expect("deploy/manifests exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no manifests in deploy/manifests");
    let mut documents = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for document in serde_yaml::Deserializer::from_str(&text) {
            let value = Value::deserialize(document)
                .unwrap_or_else(|e| panic!("{}: not valid YAML: {e}", file.display()));
            if !value.is_null() {
                documents.push(value);
            }
        }
    }
    documents
}

fn one_of_kind<'a>(documents: &'a [Value], kind: &str) -> &'a Value {
    let found: Vec<&Value> = documents.iter().filter(|d| d["kind"] == kind).collect();
    assert_eq!(found.len(), 1, "expected one {kind}, found {}", found.len());
    found[0]
}

#[test]
fn the_deployment_has_probes_and_runs_non_root_on_a_read_only_root() {
    let documents = documents();
    let deployment = one_of_kind(&documents, "Deployment");
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    let container = &pod["containers"][0];
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(
        container["securityContext"]["allowPrivilegeEscalation"],
        false
    );
    // The only writable place (/tmp, where the image puts its cache and config dirs).
    let mounts = container["volumeMounts"].as_array().unwrap();
    assert!(
        mounts.iter().any(|m| m["mountPath"] == "/tmp"),
        "{mounts:?}"
    );
    // Replicas share the CSRF secret, from a Secret.
    let env = container["env"].as_array().unwrap();
    let csrf = env
        .iter()
        .find(|e| e["name"] == "HEADLAMP_CSRF_SECRET")
        .expect("HEADLAMP_CSRF_SECRET is set");
    assert!(
        csrf["valueFrom"]["secretKeyRef"]["name"].is_string(),
        "{csrf}"
    );
    let config_path = env
        .iter()
        .find(|e| e["name"] == "HEADLAMP_CONFIG")
        .expect("HEADLAMP_CONFIG is set")["value"]
        .as_str()
        .unwrap();
    assert!(
        mounts.iter().any(
            |m| config_path.starts_with(m["mountPath"].as_str().unwrap()) && m["name"] == "config"
        ),
        "{config_path} is not on the config volume"
    );
    // A PodDisruptionBudget keeps one replica through node drains.
    let pdb = one_of_kind(&documents, "PodDisruptionBudget");
    assert_eq!(
        pdb["spec"]["selector"]["matchLabels"],
        deployment["spec"]["selector"]["matchLabels"]
    );
}

#[test]
fn the_configmap_headlamp_toml_passes_the_kernel_parser() {
    let documents = documents();
    let config_map = one_of_kind(&documents, "ConfigMap");
    let text = config_map["data"]["headlamp.toml"].as_str().unwrap();
    let config =
        Config::parse(text, Path::new("ConfigMap headlamp.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.auth.mode, Some(AuthModeKey::Token));
    let pinned = config
        .pinned_set()
        .unwrap_or_else(|e| panic!("{e}"))
        .expect("the chart pins its plugins");
    let names: Vec<&str> = pinned.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["cluster", "workloads"]);
}

#[test]
fn the_cluster_role_only_reads() {
    let documents = documents();
    let role = one_of_kind(&documents, "ClusterRole");
    const READ: [&str; 3] = ["get", "list", "watch"];
    for rule in role["rules"].as_array().unwrap() {
        for verb in rule["verbs"].as_array().unwrap() {
            let verb = verb.as_str().unwrap();
            assert!(
                READ.contains(&verb),
                "ClusterRole has the write verb {verb:?}: {rule}"
            );
        }
    }
    let binding = one_of_kind(&documents, "ClusterRoleBinding");
    assert_eq!(binding["roleRef"]["name"], role["metadata"]["name"]);
    let account = one_of_kind(&documents, "ServiceAccount");
    assert_eq!(binding["subjects"][0]["name"], account["metadata"]["name"]);
}
