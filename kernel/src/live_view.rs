//! A details view kept live on the stream: rendered once, then rendered again whenever an
//! object it was made from changes (the object shown, and whatever the plugin read while
//! rendering it), at most once per [`RERENDER_AFTER`].

use std::time::Duration;

use futures::StreamExt;
use futures::stream::{BoxStream, SelectAll};
use serde::Deserialize;
use tokio::sync::mpsc;

use crate::details::{self, DetailsQuery, Rendered};
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
    /// The details view, as registered (`GET /api/v1/registry`).
    pub view: String,
    /// The object's namespace, for namespaced kinds.
    #[serde(default)]
    pub namespace: Option<String>,
    /// The object's name.
    pub name: String,
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
    let query = DetailsQuery {
        cluster: request.cluster.clone(),
        namespace: request.namespace.clone(),
        name: request.name.clone(),
    };
    let mut shown: Option<View> = None;
    let mut watched: Vec<Dependency> = Vec::new();
    let mut changes = Changes::new();
    loop {
        match details::render(&state.host, &identity, &request.view, &query).await {
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
    changes
}
