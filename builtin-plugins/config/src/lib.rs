//! Built-in plugin: the configuration views (ConfigMaps, Secrets, ResourceQuotas, LimitRanges,
//! Mutating- and ValidatingWebhookConfigurations), written with the public SDK only.
//!
//! Secret values never appear in a secret's details view or its YAML: the view shows each key
//! with its size and links to a second details view that shows the values decoded. That view
//! reads the secret as the viewer, so whoever may read the secret may reveal it.

pub mod configmaps;
pub mod limits;
pub mod quantity;
pub mod quotas;
pub mod secrets;
pub mod webhooks;

use headlamp_plugin_sdk::prelude::*;

use headlamp_plugin_sdk::kind::Kind;

/// The resource table of config maps.
pub const CONFIGMAPS_TABLE: &str = "configmaps";
/// The resource table of secrets.
pub const SECRETS_TABLE: &str = "secrets";
/// The resource table of resource quotas.
pub const QUOTAS_TABLE: &str = "resourcequotas";
/// The resource table of limit ranges.
pub const LIMITS_TABLE: &str = "limitranges";
/// The resource table of mutating webhook configurations.
pub const MUTATING_TABLE: &str = "mutatingwebhookconfigurations";
/// The resource table of validating webhook configurations.
pub const VALIDATING_TABLE: &str = "validatingwebhookconfigurations";

/// The details view of one config map.
pub const CONFIGMAP_VIEW: &str = "configmap";
/// The details view of one secret, values hidden.
pub const SECRET_VIEW: &str = "secret";
/// The second details view of a secret: its values, decoded.
pub const SECRET_VALUES_VIEW: &str = "secret-values";
/// The details view of one resource quota.
pub const QUOTA_VIEW: &str = "resourcequota";
/// The details view of one limit range.
pub const LIMITS_VIEW: &str = "limitrange";
/// The details view of one mutating webhook configuration.
pub const MUTATING_VIEW: &str = "mutatingwebhookconfiguration";
/// The details view of one validating webhook configuration.
pub const VALIDATING_VIEW: &str = "validatingwebhookconfiguration";

/// The action in a secret's details header that opens the reveal view.
pub const REVEAL_ACTION: &str = "reveal-secret";

/// ConfigMaps.
pub fn configmap_kind() -> Gvk {
    Gvk::core("v1", "ConfigMap")
}

/// Secrets.
pub fn secret_kind() -> Gvk {
    Gvk::core("v1", "Secret")
}

/// ResourceQuotas.
pub fn quota_kind() -> Gvk {
    Gvk::core("v1", "ResourceQuota")
}

/// LimitRanges.
pub fn limits_kind() -> Gvk {
    Gvk::core("v1", "LimitRange")
}

/// MutatingWebhookConfigurations.
pub fn mutating_kind() -> Gvk {
    Gvk::new(
        "admissionregistration.k8s.io",
        "v1",
        "MutatingWebhookConfiguration",
    )
}

/// ValidatingWebhookConfigurations.
pub fn validating_kind() -> Gvk {
    Gvk::new(
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingWebhookConfiguration",
    )
}

/// The route of a secret's details view.
pub fn secret_route(namespace: &str, name: &str) -> String {
    format!("/secrets/{namespace}/{name}")
}

/// The route of the view that reveals a secret's values.
pub fn secret_values_route(namespace: &str, name: &str) -> String {
    format!("/secrets/{namespace}/{name}/reveal")
}

/// The config plugin.
pub struct ConfigPlugin;

fn kinds() -> Vec<Kind> {
    vec![
        Kind::namespaced(
            CONFIGMAPS_TABLE,
            "Config Maps",
            "Config Map",
            CONFIGMAP_VIEW,
            configmap_kind(),
            "mdi:format-list-checks",
        )
        .columns(vec![Column::computed("data", "Data")]),
        Kind::namespaced(
            SECRETS_TABLE,
            "Secrets",
            "Secret",
            SECRET_VIEW,
            secret_kind(),
            "mdi:lock",
        )
        .columns(vec![
            Column::json_path("type", "Type", ".type"),
            Column::computed("data", "Data"),
        ]),
        Kind::namespaced(
            QUOTAS_TABLE,
            "Resource Quotas",
            "Resource Quota",
            QUOTA_VIEW,
            quota_kind(),
            "mdi:gauge",
        )
        .columns(vec![
            Column::computed("request", "Request"),
            Column::computed("limit", "Limit"),
        ]),
        Kind::namespaced(
            LIMITS_TABLE,
            "Limit Ranges",
            "Limit Range",
            LIMITS_VIEW,
            limits_kind(),
            "mdi:arrow-collapse-vertical",
        )
        .columns(vec![Column::computed("types", "Types")]),
        Kind::cluster_scoped(
            MUTATING_TABLE,
            "Mutating Webhook Configurations",
            "Mutating Webhook Configuration",
            MUTATING_VIEW,
            mutating_kind(),
            "mdi:webhook",
        )
        .columns(vec![Column::computed("webhooks", "Webhooks")]),
        Kind::cluster_scoped(
            VALIDATING_TABLE,
            "Validating Webhook Configurations",
            "Validating Webhook Configuration",
            VALIDATING_VIEW,
            validating_kind(),
            "mdi:check-decagram-outline",
        )
        .columns(vec![Column::computed("webhooks", "Webhooks")]),
    ]
}

impl Plugin for ConfigPlugin {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        // After Security (50), as Headlamp orders its sidebar.
        let mut reg = Registration::new().sidebar(
            SidebarEntry::group("config", "Configuration")
                .icon("mdi:format-list-checks")
                .order(60),
        );
        // Headlamp's order, with gaps where other plugins put their kinds in this group:
        // autoscalers and disruption budgets (workloads) at 30 and 40, priority classes,
        // runtime classes and leases (cluster) at 70 to 90.
        const ORDERS: [i32; 6] = [10, 20, 50, 60, 100, 110];
        for (kind, order) in kinds().into_iter().zip(ORDERS) {
            reg = kind.register(reg, "config", order);
        }
        Ok(reg
            .details_route(
                "/secrets/:namespace/:name/reveal",
                "Secret values",
                SECRET_VALUES_VIEW,
            )
            .details_view(DetailsView::new(
                SECRET_VALUES_VIEW,
                secret_kind(),
                "Secret values",
            ))
            .action(
                Action::new(
                    REVEAL_ACTION,
                    "Reveal values",
                    ActionPlacement::DetailsHeader(secret_kind()),
                )
                .icon("mdi:eye")
                .requires_verb("get"),
            ))
    }

    fn render(&self, slot: &Slot, ctx: &RenderContext) -> Result<View, String> {
        let Slot::DetailsView(id) = slot else {
            return Err(format!(
                "the config plugin has no view for {slot:?}; it renders only details views"
            ));
        };
        let now = host::now_millis();
        let object = ctx.require_object()?;
        let cluster = ctx.cluster.as_str();
        match id.as_str() {
            CONFIGMAP_VIEW => configmaps::view(object, cluster, now),
            SECRET_VIEW => secrets::view(object, cluster, now),
            SECRET_VALUES_VIEW => secrets::values_view(object, cluster, now),
            QUOTA_VIEW => quotas::view(object, cluster, now),
            LIMITS_VIEW => limits::view(object, cluster, now),
            MUTATING_VIEW => webhooks::view(object, cluster, now, "mutating webhook configuration"),
            VALIDATING_VIEW => {
                webhooks::view(object, cluster, now, "validating webhook configuration")
            }
            other => Err(format!(
                "the config plugin has no details view `{other}`; it renders `{CONFIGMAP_VIEW}`, `{SECRET_VIEW}`, `{SECRET_VALUES_VIEW}`, `{QUOTA_VIEW}`, `{LIMITS_VIEW}`, `{MUTATING_VIEW}` and `{VALIDATING_VIEW}`"
            )),
        }
    }

    fn rows(
        &self,
        ctx: &RowsContext,
        columns: &[String],
        objects: &[Object],
    ) -> Result<Vec<Vec<Cell>>, String> {
        match ctx.table.as_str() {
            CONFIGMAPS_TABLE => configmaps::rows(columns, objects),
            SECRETS_TABLE => secrets::rows(columns, objects),
            QUOTAS_TABLE => quotas::rows(columns, objects),
            LIMITS_TABLE => limits::rows(columns, objects),
            MUTATING_TABLE | VALIDATING_TABLE => webhooks::rows(&ctx.table, columns, objects),
            other => Err(format!(
                "the config plugin has no table `{other}`; it computes columns of `{CONFIGMAPS_TABLE}`, `{SECRETS_TABLE}`, `{QUOTAS_TABLE}`, `{LIMITS_TABLE}`, `{MUTATING_TABLE}` and `{VALIDATING_TABLE}` only"
            )),
        }
    }

    fn invoke(&mut self, action: &str, ctx: &ActionContext) -> Result<ActionResult, String> {
        if action != REVEAL_ACTION {
            return Err(format!(
                "the config plugin has no action `{action}`; its only action is `{REVEAL_ACTION}`"
            ));
        }
        let secret = ctx.object.as_ref().ok_or_else(|| {
            format!("`{REVEAL_ACTION}` runs on a secret, but the kernel passed no object")
        })?;
        match (secret.namespace(), secret.name()) {
            (Some(namespace), Some(name)) => {
                Ok(ActionResult::Navigate(secret_values_route(namespace, name)))
            }
            // Not the object's JSON: it carries the values this action exists to keep hidden.
            _ => Err(format!(
                "`{REVEAL_ACTION}` needs a secret with a namespace and a name; the object has none"
            )),
        }
    }
}

headlamp_plugin_sdk::export_plugin!(ConfigPlugin);
