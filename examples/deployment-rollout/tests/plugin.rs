//! The plugin driven natively, as the kernel drives the component.

use deployment_rollout::{DeploymentRolloutPlugin, SECTION};
use headlamp_plugin_sdk::testing::{CLUSTER, Harness};
use headlamp_plugin_sdk::{RenderContext, Slot};

#[test]
fn rollout_section_renders_for_a_deployment() {
    let mut h = Harness::new(DeploymentRolloutPlugin);
    let registration = h.init().unwrap();
    assert_eq!(registration.details_sections[0].id, SECTION);
    let deployment = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},"spec":{"replicas":3},"status":{"readyReplicas":2,"updatedReplicas":3}}"#;
    let ctx = RenderContext::new(CLUSTER).with_object(deployment);
    let view = h
        .render(&Slot::DetailsSection(SECTION.into()), &ctx)
        .unwrap();
    assert!(view.find_section("Rollout").is_some());
}
