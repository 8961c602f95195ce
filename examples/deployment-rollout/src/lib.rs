//! A rollout section on Deployment pages

use headlamp_plugin_sdk::prelude::*;

/// The slot of the section this plugin adds to Deployment pages.
pub const SECTION: &str = "deployment-rollout-rollout";

/// The plugin.
pub struct DeploymentRolloutPlugin;

impl Plugin for DeploymentRolloutPlugin {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        let deployment = Gvk::new("apps", "v1", "Deployment");
        Ok(Registration::new()
            .details_section(DetailsSection::new(SECTION, deployment, "Rollout").order(50)))
    }

    fn render(&self, slot: &Slot, ctx: &RenderContext) -> Result<View, String> {
        match slot {
            Slot::DetailsSection(id) if id == SECTION => {
                // The kernel passes the object the page shows; no cluster call (and no permission) needed.
                let object = ctx.require_object()?;
                let value = object.value().map_err(|e| e.to_string())?;
                let spec = &value["spec"];
                let status = &value["status"];
                let strategy = spec["strategy"]["type"].as_str().unwrap_or("RollingUpdate");
                let want = spec["replicas"].as_u64().unwrap_or(1);
                let ready = status["readyReplicas"].as_u64().unwrap_or(0);
                let tone = if ready >= want {
                    Tone::Success
                } else {
                    Tone::Warning
                };
                Ok(View::section("Rollout")
                    .child(View::badge(format!("{ready}/{want} ready"), tone))
                    .child(View::key_values([
                        ("Strategy", strategy.to_string()),
                        (
                            "Updated",
                            status["updatedReplicas"].as_u64().unwrap_or(0).to_string(),
                        ),
                        (
                            "Revision",
                            object
                                .str_at(&[
                                    "metadata",
                                    "annotations",
                                    "deployment.kubernetes.io/revision",
                                ])
                                .unwrap_or("-")
                                .to_string(),
                        ),
                    ]))
                    .build())
            }
            other => Err(format!(
                "this plugin renders only the details section `{SECTION}`, not {other:?}"
            )),
        }
    }
}

headlamp_plugin_sdk::export_plugin!(DeploymentRolloutPlugin);
