//! The watch hub: one shared watch per (cluster, kind, namespace, label selector), a cache of
//! its objects, and bounded fan-out to every subscriber.
//!
//! - [`WatchKey`]: what identifies a shared watch.
//! - [`ObjectCache`]: the objects a watch has seen, and what changed after a relist.
//! - [`SharedWatch`] / [`Subscription`]: one running watch and one subscriber's view of it.
//! - [`WatchHub`]: finds or starts the shared watch for a key; stops it with its last subscriber.

mod cache;
mod hub;
mod key;
mod shared;

pub use cache::{Change, ObjectCache, ObjectRef, Objects};
pub use hub::{DEFAULT_CAPACITY, DEFAULT_WATCH_TIMEOUT, WatchError, WatchHub};
pub use key::{Dependency, WatchKey};
pub use shared::{SharedWatch, Subscription, Update};
