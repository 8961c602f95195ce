//! A details view or plugin page kept live on the stream: rendered once, then rendered again
//! whenever an object it was made from changes (the object shown, and whatever the plugin
//! read while rendering it), at most once per [`RERENDER_AFTER`].

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use futures::stream::{BoxStream, SelectAll};
use serde::Deserialize;
use tokio::sync::mpsc;

use crate::details::{self, DetailsError, DetailsQuery, PageQuery, Rendered};
use crate::host::View;
use crate::identity::Identity;
use crate::stream::{ServerMessage, StreamState};
use crate::watch::{Dependency, Update};

/// Changes within this long of the first one cause one re-render, not many.
pub const RERENDER_AFTER: Duration = Duration::from_millis(100);

/// A `subscribe-view` request.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewRequest {
    /// The client's name for this subscription, unique on the socket.
    pub id: String,
    /// The cluster.
    pub cluster: String,
    /// The details view, as registered (`GET /api/v1/registry`); or else `page`.
    #[serde(default)]
    pub view: Option<String>,
    /// A plugin page (a route's `page` target), instead of a details view.
    #[serde(default)]
    pub page: Option<String>,
    /// The object's namespace (details of namespaced kinds), or the namespace filter (pages).
    #[serde(default)]
    pub namespace: Option<String>,
    /// The object's name (details views).
    #[serde(default)]
    pub name: Option<String>,
    /// The route's `:param` values (pages).
    #[serde(default)]
    pub params: BTreeMap<String, String>,
}

/// What a `subscribe-view` shows, once its fields are checked.
enum Target {
    Details(String, DetailsQuery),
    Page(String, PageQuery),
}

impl ViewRequest {
    /// The view or page asked for, or why the request cannot name one.
    fn target(&self) -> Result<Target, String> {
        match (&self.view, &self.page) {
            (Some(view), None) => {
                let name = self.name.clone().ok_or_else(|| {
                    format!("subscribe-view of details view {view:?} needs the object's `name`")
                })?;
                Ok(Target::Details(
                    view.clone(),
                    DetailsQuery {
                        cluster: self.cluster.clone(),
                        namespace: self.namespace.clone(),
                        name,
                    },
                ))
            }
            (None, Some(page)) => Ok(Target::Page(
                page.clone(),
                PageQuery {
                    cluster: self.cluster.clone(),
                    namespace: self.namespace.clone(),
                    params: self.params.clone(),
                },
            )),
            _ => Err(
                "subscribe-view takes either `view` (a details view, with `name`) or `page` (a plugin page), not both or neither"
                    .to_string(),
            ),
        }
    }
}

impl Target {
    async fn render(
        &self,
        state: &StreamState,
        identity: &Identity,
    ) -> Result<Rendered, DetailsError> {
        match self {
            Target::Details(view, query) => {
                details::render(&state.host, identity, view, query).await
            }
            Target::Page(page, query) => {
                details::render_page(&state.host, identity, page, query).await
            }
        }
    }
}

/// A change to one watched dependency.
type Changes = SelectAll<BoxStream<'static, ()>>;

/// Renders, sends, and renders again on change until the subscription is dropped.
pub async fn run(
    state: StreamState,
    request: ViewRequest,
    identity: Identity,
    outbox: mpsc::Sender<String>,
) {
    let target = match request.target() {
        Ok(target) => target,
        Err(why) => {
            let _ = outbox
                .send(ServerMessage::error(Some(&request.id), why).to_text())
                .await;
            return;
        }
    };
    let mut shown: Option<View> = None;
    let mut watched: Vec<Dependency> = Vec::new();
    // Settings and plugin changes re-render even a view that reads nothing from clusters.
    let mut changes = watch(&state, &identity, &[]).await;
    loop {
        match target.render(&state, &identity).await {
            Ok(Rendered { view, dependencies }) => {
                if shown.as_ref() != Some(&view) {
                    let message = ServerMessage::View {
                        id: request.id.clone(),
                        view: view.clone(),
                    };
                    if outbox.send(message.to_text()).await.is_err() {
                        return;
                    }
                    shown = Some(view);
                }
                if dependencies != watched {
                    changes = watch(&state, &identity, &dependencies).await;
                    watched = dependencies;
                }
            }
            Err(error) => {
                let message = ServerMessage::error(Some(&request.id), error.to_string());
                if outbox.send(message.to_text()).await.is_err() {
                    return;
                }
                // Keep watching what the last good render read: the object may come back.
                if watched.is_empty() {
                    return;
                }
            }
        }
        // Wait for a change, then let a burst of them settle into one re-render.
        if changes.next().await.is_none() {
            return;
        }
        let settle = tokio::time::sleep(RERENDER_AFTER);
        tokio::pin!(settle);
        loop {
            tokio::select! {
                () = &mut settle => break,
                more = changes.next() => if more.is_none() { return },
            }
        }
    }
}

/// One stream of "something changed" per dependency, from the shared watches, as `identity`.
async fn watch(state: &StreamState, identity: &Identity, dependencies: &[Dependency]) -> Changes {
    let mut changes = Changes::new();
    for dependency in dependencies {
        let key = dependency.key.clone().as_identity(identity.clone());
        let Ok(subscription) = state.hub.subscribe(key).await else {
            // A kind that cannot be watched (or is gone) just does not trigger re-renders.
            continue;
        };
        let dependency = dependency.clone();
        let stream = futures::stream::unfold(
            (subscription, dependency),
            |(mut subscription, dependency)| async move {
                loop {
                    let relevant = match subscription.next().await? {
                        // The first snapshot is what was just rendered from.
                        Update::Snapshot { resync: false, .. } => false,
                        Update::Snapshot { resync: true, .. } => true,
                        Update::Upsert(object) | Update::Delete(object) => {
                            dependency.covers(&object)
                        }
                        Update::Error(_) => false,
                    };
                    if relevant {
                        return Some(((), (subscription, dependency)));
                    }
                }
            },
        );
        changes.push(stream.boxed());
    }
    // A changed setting may change what the plugin draws; a plugin disabled or removed ends
    // the view with an error on the next render.
    changes.push(on_change(state.host.settings().watch_changes()));
    changes.push(on_change(state.host.watch_changes()));
    changes
}

/// One `()` per change of `receiver` from now on.
fn on_change(mut receiver: tokio::sync::watch::Receiver<u64>) -> BoxStream<'static, ()> {
    receiver.mark_unchanged();
    futures::stream::unfold(receiver, |mut receiver| async move {
        receiver.changed().await.ok()?;
        Some(((), receiver))
    })
    .boxed()
}
