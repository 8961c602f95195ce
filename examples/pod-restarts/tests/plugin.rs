//! The plugin driven natively, as the kernel drives the component.

use headlamp_plugin_sdk::Tone;
use headlamp_plugin_sdk::testing::Harness;
use pod_restarts::{COLUMN, PODS_TABLE, PodRestartsPlugin};

const CRASHING: &str = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default"},
  "status":{"containerStatuses":[
    {"name":"app","image":"nginx","imageID":"","ready":false,"restartCount":3},
    {"name":"sidecar","image":"envoy","imageID":"","ready":true,"restartCount":1}]}}"#;
const FRESH: &str =
    r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"new","namespace":"default"}}"#;

#[test]
fn registers_a_column_on_the_pods_table() {
    let mut h = Harness::new(PodRestartsPlugin);
    let registration = h.init().unwrap();
    assert_eq!(registration.extra_columns[0].table, PODS_TABLE);
}

#[test]
fn restarts_sum_every_container_and_warn() {
    let mut h = Harness::new(PodRestartsPlugin);
    h.init().unwrap();
    let rows = h.rows(PODS_TABLE, &[COLUMN], &[CRASHING, FRESH]).unwrap();
    assert_eq!(rows[0][0].text, "4");
    assert_eq!(rows[0][0].tone, Some(Tone::Warning));
    assert_eq!(rows[1][0].text, "0");
    assert_eq!(rows[1][0].tone, None);
}
