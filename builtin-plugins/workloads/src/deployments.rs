//! Computed cells of the deployments table.

use std::borrow::Cow;

use headlamp_plugin_sdk::prelude::*;
use serde::Deserialize;

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    Pods,
    Conditions,
    Containers,
    Images,
}

/// Only what the cells read, borrowed from the JSON text.
#[derive(Deserialize, Default)]
#[serde(default)]
struct DeploymentRow<'a> {
    #[serde(borrow)]
    spec: Spec<'a>,
    #[serde(borrow)]
    status: Status<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Spec<'a> {
    // Kubernetes defaults an omitted `replicas` to 1.
    replicas: Option<u32>,
    #[serde(borrow)]
    template: Template<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Template<'a> {
    #[serde(borrow)]
    spec: TemplateSpec<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TemplateSpec<'a> {
    #[serde(borrow)]
    containers: Vec<Container<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Container<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    image: Cow<'a, str>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Status<'a> {
    available_replicas: u32,
    #[serde(borrow)]
    conditions: Vec<DeploymentCondition<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DeploymentCondition<'a> {
    #[serde(borrow, rename = "type")]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    status: Cow<'a, str>,
}

/// Cells of `columns` for each deployment in `objects`.
pub(crate) fn deployment_rows(
    columns: &[String],
    objects: &[Object],
) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "deployment",
        columns,
        objects,
        |id| match id {
            "pods" => Ok(Computed::Pods),
            "conditions" => Ok(Computed::Conditions),
            "containers" => Ok(Computed::Containers),
            "images" => Ok(Computed::Images),
            other => Err(format!(
                "the workloads plugin computes no column `{other}` of table `deployments` (only `pods`, `conditions`, `containers` and `images`)"
            )),
        },
        |row: &DeploymentRow, columns: &[Computed]| columns.iter().map(|c| cell(*c, row)).collect(),
    )
}

fn cell(column: Computed, row: &DeploymentRow) -> Cell {
    let containers = &row.spec.template.spec.containers;
    match column {
        Computed::Pods => pods_cell(row.status.available_replicas, row.spec.replicas),
        Computed::Conditions => conditions_cell(&row.status.conditions),
        Computed::Containers => Cell::text(join(containers.iter().map(|c| &*c.name))),
        Computed::Images => Cell::text(join(containers.iter().map(|c| &*c.image))),
    }
}

/// `available/desired`: green when all are there, amber when some are, red when none are.
pub(crate) fn pods_cell(available: u32, desired: Option<u32>) -> Cell {
    let desired = desired.unwrap_or(1);
    let tone = if available >= desired {
        Tone::Success
    } else if available > 0 {
        Tone::Warning
    } else {
        Tone::Error
    };
    Cell::text(format!("{available}/{desired}"))
        .tone(tone)
        .sort(f64::from(available))
}

/// The types of the conditions that hold; red when the rollout failed, amber when the
/// deployment is not available.
fn conditions_cell(conditions: &[DeploymentCondition]) -> Cell {
    let holds = |kind: &str| {
        conditions
            .iter()
            .any(|c| c.kind == kind && c.status == "True")
    };
    let text = join(
        conditions
            .iter()
            .filter(|c| c.status == "True")
            .map(|c| &*c.kind),
    );
    let tone = if holds("ReplicaFailure") {
        Tone::Error
    } else if holds("Available") {
        Tone::Success
    } else {
        Tone::Warning
    };
    Cell::text(text).tone(tone)
}

fn join<'s>(parts: impl Iterator<Item = &'s str>) -> String {
    let mut out = String::new();
    for (i, part) in parts.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(part);
    }
    out
}
