//! The computed cells of the deployments table.

use headlamp_plugin_sdk::Tone;
use headlamp_plugin_sdk::testing::Harness;
use headlamp_plugin_workloads::DEPLOYMENTS_TABLE;
use serde_json::Value;

use crate::fixtures::*;

const COLUMNS: [&str; 4] = ["pods", "conditions", "containers", "images"];

fn row(h: &Harness, deployment: &Value) -> Vec<headlamp_plugin_sdk::Cell> {
    h.rows(DEPLOYMENTS_TABLE, &COLUMNS, &[deployment.to_string()])
        .unwrap()
        .remove(0)
}

fn healthy() -> Value {
    deployment(
        "web",
        Some(3),
        3,
        deployment_conditions(&[
            ("Available", "True", "MinimumReplicasAvailable"),
            ("Progressing", "True", "NewReplicaSetAvailable"),
        ]),
    )
}

#[test]
fn healthy_deployment_has_all_pods_and_green_conditions() {
    let h = harness();
    let cells = row(&h, &healthy());
    assert_eq!(cells[0].text, "3/3");
    assert_eq!(cells[0].tone, Some(Tone::Success));
    assert_eq!(cells[0].sort, Some(3.0));
    assert_eq!(cells[1].text, "Available, Progressing");
    assert_eq!(cells[1].tone, Some(Tone::Success));
    assert_eq!(cells[2].text, "web, proxy");
    assert_eq!(
        cells[3].text,
        "registry.example.com/web:1.4.2, envoyproxy/envoy:v1.29.1"
    );
}

#[test]
fn partly_available_deployment_is_amber_and_lists_only_true_conditions() {
    let h = harness();
    let d = deployment(
        "api",
        Some(3),
        1,
        deployment_conditions(&[
            ("Available", "False", "MinimumReplicasUnavailable"),
            ("Progressing", "True", "ReplicaSetUpdated"),
        ]),
    );
    let cells = row(&h, &d);
    assert_eq!(
        (cells[0].text.as_str(), cells[0].tone),
        ("1/3", Some(Tone::Warning))
    );
    assert_eq!(
        (cells[1].text.as_str(), cells[1].tone),
        ("Progressing", Some(Tone::Warning))
    );
}

#[test]
fn deployment_with_no_pods_and_a_replica_failure_is_red() {
    let h = harness();
    let d = deployment(
        "quota",
        Some(2),
        0,
        deployment_conditions(&[
            ("Progressing", "True", "ReplicaSetUpdated"),
            ("ReplicaFailure", "True", "FailedCreate"),
        ]),
    );
    let cells = row(&h, &d);
    assert_eq!(
        (cells[0].text.as_str(), cells[0].tone),
        ("0/2", Some(Tone::Error))
    );
    assert_eq!(cells[1].text, "Progressing, ReplicaFailure");
    assert_eq!(cells[1].tone, Some(Tone::Error));
}

#[test]
fn omitted_replicas_default_to_one() {
    let h = harness();
    let d = deployment("one", None, 1, deployment_conditions(&[]));
    assert_eq!(row(&h, &d)[0].text, "1/1");
}

#[test]
fn unknown_deployment_column_is_named_in_the_error() {
    let h = harness();
    let err = h
        .rows(DEPLOYMENTS_TABLE, &["status"], &[healthy().to_string()])
        .unwrap_err();
    assert!(err.contains("no column `status`"), "{err}");
    assert!(err.contains("deployments"), "{err}");
}
