//! What a viewer may do: SelfSubjectAccessReviews, cached per identity for a short time.
//!
//! A table shows each row's actions only when the viewer may do them. Asking the API server
//! once per row would cost thousands of reviews for a big table, so answers are cached per
//! (identity, cluster, verb, group, resource, namespace) for [`ACCESS_TTL`]: a table of any size
//! asks once per distinct namespace and verb, and a live table's row updates usually ask nothing.
//! The TTL is short because RBAC changes should show up without a restart.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};

use crate::actions::GenericAction;
use crate::cluster::{Cluster, ClusterError, ClusterName, Gvk, Resource};
use crate::host::PluginHost;
use crate::host::exports::headlamp::plugin::plugin::ActionPlacement;
use crate::identity::Identity;
use crate::registry::MergedRegistry;
use crate::tables::Row;

/// How long a can-i answer is trusted.
pub const ACCESS_TTL: Duration = Duration::from_secs(30);

/// Entries kept before expired ones are swept; bounds memory with many viewers.
const SWEEP_ABOVE: usize = 4096;

/// One access question, as RBAC sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccessKey {
    /// Who asks.
    pub identity: Identity,
    /// Where.
    pub cluster: ClusterName,
    /// The verb (`delete`, `patch`, ...).
    pub verb: String,
    /// The API group, empty for core.
    pub group: String,
    /// The plural resource.
    pub resource: String,
    /// The subresource (`scale`, `eviction`), empty for none.
    pub subresource: String,
    /// The namespace; `None` for cluster-scoped resources or every namespace.
    pub namespace: Option<String>,
}

/// Cached can-i answers, per identity; shared by the REST API and the stream.
#[derive(Debug)]
pub struct AccessCache {
    ttl: Duration,
    entries: Mutex<HashMap<AccessKey, (bool, Instant)>>,
}

impl Default for AccessCache {
    fn default() -> Self {
        Self::new(ACCESS_TTL)
    }
}

impl AccessCache {
    /// A cache whose answers are trusted for `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The cached answer to `key`, if it is younger than the TTL.
    pub fn cached(&self, key: &AccessKey) -> Option<bool> {
        let entries = self.entries.lock().expect("access cache");
        entries
            .get(key)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(allowed, _)| *allowed)
    }

    /// Remembers an answer.
    pub fn remember(&self, key: AccessKey, allowed: bool) {
        let mut entries = self.entries.lock().expect("access cache");
        if entries.len() >= SWEEP_ABOVE {
            let ttl = self.ttl;
            entries.retain(|_, (_, at)| at.elapsed() < ttl);
        }
        entries.insert(key, (allowed, Instant::now()));
    }

    /// Answers `key` from the cache, or by calling `ask` and remembering its answer. Failures
    /// are not cached: an unreachable cluster is asked again next time.
    pub async fn check<F, Fut>(&self, key: AccessKey, ask: F) -> Result<bool, ClusterError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<bool, ClusterError>>,
    {
        if let Some(allowed) = self.cached(&key) {
            return Ok(allowed);
        }
        let allowed = ask().await?;
        self.remember(key, allowed);
        Ok(allowed)
    }

    /// Whether `cluster`'s identity may do `key` (whose identity and cluster must be the
    /// cluster's), asking the API server with a SelfSubjectAccessReview on a miss.
    pub async fn allowed(&self, cluster: &Cluster, key: AccessKey) -> Result<bool, ClusterError> {
        let attributes = ResourceAttributes {
            group: Some(key.group.clone()),
            resource: Some(key.resource.clone()),
            subresource: Some(key.subresource.clone()).filter(|s| !s.is_empty()),
            verb: Some(key.verb.clone()),
            namespace: key.namespace.clone(),
            ..Default::default()
        };
        self.check(key, || review(cluster, attributes)).await
    }
}

async fn review(cluster: &Cluster, attributes: ResourceAttributes) -> Result<bool, ClusterError> {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(attributes),
            ..Default::default()
        },
        ..Default::default()
    };
    let answer = Api::<SelfSubjectAccessReview>::all(cluster.client().clone())
        .create(&PostParams::default(), &review)
        .await?;
    Ok(answer.status.is_some_and(|s| s.allowed))
}

/// One permission an action needs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Need {
    /// The verb; owned when a plugin names it (`requires-verb`).
    pub verb: Cow<'static, str>,
    /// Another resource than the target's (group, plural), e.g. pods for a drain.
    pub resource: Option<(&'static str, &'static str)>,
    /// The subresource, empty for none.
    pub subresource: &'static str,
    /// Needed in every namespace rather than the target's.
    pub cluster_wide: bool,
}

/// An action a table's rows may offer, and what the viewer needs to be offered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The action's id, as `POST /api/v1/actions` takes it.
    pub id: String,
    /// Every permission it needs on the row's object; none means always offered.
    pub needs: Vec<Need>,
}

impl Offer {
    /// The offers of table `table_id` of kind `gvk`: the generic actions that apply to the kind,
    /// then the plugin actions placed in the table's row menu (`plugin:{plugin}:{action}`).
    pub fn for_table(registry: &MergedRegistry, table_id: &str, gvk: &Gvk) -> Vec<Offer> {
        let generic = GenericAction::ALL
            .into_iter()
            .filter(|a| a.applies_to(gvk))
            .map(|a| Offer {
                id: a.id().to_string(),
                needs: a.needs().to_vec(),
            });
        let plugins = registry.actions.iter().filter_map(|action| {
            let ActionPlacement::Row(table) = &action.item.placement else {
                return None;
            };
            (table == table_id).then(|| Offer {
                id: format!("plugin:{}:{}", action.plugin, action.item.id),
                needs: action
                    .item
                    .requires_verb
                    .iter()
                    .map(|verb| Need {
                        verb: Cow::Owned(verb.clone()),
                        resource: None,
                        subresource: "",
                        cluster_wide: false,
                    })
                    .collect(),
            })
        });
        generic.chain(plugins).collect()
    }
}

/// Sets `actions` on every row: those of `offers` that the viewer may do on the row's
/// namespace. Each permission is first asked for every namespace at once (one review answers a
/// table of any size for a viewer allowed everywhere), then per namespace only where that was
/// refused; never per row. A review that fails hides the action (the viewer would get the
/// error on use anyway).
pub async fn fill_row_actions(
    cache: &AccessCache,
    host: &PluginHost,
    identity: &Identity,
    cluster: &str,
    gvk: &Gvk,
    offers: &[Offer],
    rows: &mut [Row],
) {
    if rows.is_empty() {
        return;
    }
    let Ok(cluster) = host.clusters().get_as(cluster, identity) else {
        return;
    };
    let Ok(resource) = cluster.resource(gvk).await else {
        return;
    };
    let namespace_of = |row: &Row| row.object.namespace.clone().filter(|_| resource.namespaced);
    let namespaces: BTreeSet<Option<String>> = rows.iter().map(namespace_of).collect();
    let needs: BTreeSet<&Need> = offers.iter().flat_map(|o| &o.needs).collect();
    let ask = |questions| ask(cache, &cluster, gvk, &resource, questions);
    let everywhere = ask(needs.iter().map(|need| (None, *need)).collect()).await;
    let allowed_everywhere = |need: &Need| everywhere.get(&(None, need)).copied() == Some(true);
    let narrow: Vec<(Option<String>, &Need)> = namespaces
        .iter()
        .filter(|ns| ns.is_some())
        .flat_map(|ns| needs.iter().map(move |need| (ns.clone(), *need)))
        .filter(|(_, need)| !need.cluster_wide && !allowed_everywhere(need))
        .collect();
    let in_namespace = ask(narrow).await;
    let mut per_namespace: HashMap<Option<String>, Vec<String>> = HashMap::new();
    for namespace in namespaces {
        let actions = offers
            .iter()
            .filter(|offer| {
                offer.needs.iter().all(|need| {
                    allowed_everywhere(need)
                        || in_namespace.get(&(namespace.clone(), need)).copied() == Some(true)
                })
            })
            .map(|offer| offer.id.clone())
            .collect();
        per_namespace.insert(namespace, actions);
    }
    for row in rows {
        row.actions = per_namespace
            .get(&namespace_of(row))
            .cloned()
            .unwrap_or_default();
    }
}

/// Asks every question concurrently (through the cache) as `cluster`'s identity.
async fn ask<'n>(
    cache: &AccessCache,
    cluster: &Cluster,
    gvk: &Gvk,
    resource: &Resource,
    questions: Vec<(Option<String>, &'n Need)>,
) -> BTreeMap<(Option<String>, &'n Need), bool> {
    let answers = futures::future::join_all(questions.iter().map(|(namespace, need)| {
        let (group, plural) = need
            .resource
            .map(|(g, p)| (g.to_string(), p.to_string()))
            .unwrap_or_else(|| (gvk.group.clone(), resource.api.plural.clone()));
        let key = AccessKey {
            identity: cluster.identity().clone(),
            cluster: cluster.name().clone(),
            verb: need.verb.to_string(),
            group,
            resource: plural,
            subresource: need.subresource.to_string(),
            namespace: namespace.clone(),
        };
        async move {
            cache.allowed(cluster, key).await.unwrap_or_else(|error| {
                tracing::debug!(%error, "access review failed; the action is hidden");
                false
            })
        }
    }))
    .await;
    questions.into_iter().zip(answers).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::identity::BearerToken;

    fn key(identity: Identity) -> AccessKey {
        AccessKey {
            identity,
            cluster: ClusterName::new("demo"),
            verb: "delete".into(),
            group: "apps".into(),
            resource: "deployments".into(),
            subresource: String::new(),
            namespace: Some("shop".into()),
        }
    }

    #[tokio::test]
    async fn a_second_question_within_the_ttl_is_answered_from_the_cache() {
        let cache = AccessCache::new(Duration::from_secs(60));
        let asked = AtomicUsize::new(0);
        for _ in 0..3 {
            let allowed = cache
                .check(key(Identity::Kernel), || async {
                    asked.fetch_add(1, Ordering::SeqCst);
                    Ok(true)
                })
                .await
                .unwrap();
            assert!(allowed);
        }
        assert_eq!(asked.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_answer_older_than_the_ttl_is_asked_again() {
        let cache = AccessCache::new(Duration::from_millis(20));
        cache.remember(key(Identity::Kernel), true);
        assert_eq!(cache.cached(&key(Identity::Kernel)), Some(true));
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(cache.cached(&key(Identity::Kernel)), None);
        let allowed = cache
            .check(key(Identity::Kernel), || async { Ok(false) })
            .await
            .unwrap();
        assert!(!allowed, "the fresh answer replaces the expired one");
    }

    #[tokio::test]
    async fn one_viewers_answer_is_never_given_to_another() {
        let cache = AccessCache::default();
        let alice = Identity::Bearer(BearerToken::new("alice"));
        let bob = Identity::Bearer(BearerToken::new("bob"));
        cache.remember(key(alice.clone()), true);
        assert_eq!(cache.cached(&key(alice)), Some(true));
        assert_eq!(cache.cached(&key(bob.clone())), None);
        let allowed = cache.check(key(bob), || async { Ok(false) }).await.unwrap();
        assert!(!allowed);
    }

    #[test]
    fn a_tables_offers_are_the_generic_actions_of_its_kind_then_its_plugin_row_actions() {
        use crate::host::exports::headlamp::plugin::plugin::Action;
        use crate::manifest::PluginId;
        use crate::registry::Owned;
        let action = |id: &str, placement: ActionPlacement, verb: Option<&str>| Owned {
            plugin: PluginId::new("tools").unwrap(),
            item: Action {
                id: id.into(),
                label: id.into(),
                icon: None,
                placement,
                requires_verb: verb.map(str::to_string),
                confirm: None,
            },
        };
        let registry = MergedRegistry {
            actions: vec![
                action(
                    "bump",
                    ActionPlacement::Row("deployments".into()),
                    Some("patch"),
                ),
                action("hello", ActionPlacement::Row("deployments".into()), None),
                action("elsewhere", ActionPlacement::Row("pods".into()), None),
                action("global", ActionPlacement::AppBar, None),
            ],
            ..MergedRegistry::default()
        };
        let deployment = Gvk {
            group: "apps".into(),
            version: "v1".into(),
            kind: "Deployment".into(),
        };
        let offers = Offer::for_table(&registry, "deployments", &deployment);
        let ids: Vec<&str> = offers.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "edit",
                "delete",
                "scale",
                "rollout-restart",
                "plugin:tools:bump",
                "plugin:tools:hello"
            ]
        );
        assert_eq!(offers[4].needs[0].verb, "patch");
        assert!(
            offers[5].needs.is_empty(),
            "no requires-verb: always offered"
        );
    }

    #[tokio::test]
    async fn a_failed_review_is_not_cached() {
        let cache = AccessCache::default();
        let failed = cache
            .check(key(Identity::Kernel), || async {
                Err(ClusterError::Unavailable("down".into()))
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(cache.cached(&key(Identity::Kernel)), None);
    }
}
