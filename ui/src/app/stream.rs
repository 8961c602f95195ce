//! The one WebSocket to `/api/v1/stream`, shared by every live table of the tab.
//!
//! Each subscription gets a channel of its own messages. The socket reconnects by itself
//! (with backoff) and re-sends every open subscription, whose fresh snapshot replaces what the
//! table had; dropping a [`Subscription`] unsubscribes.
//!
//! The frame learns of the connection's state through [`Stream::link_events`]: lost (with
//! whether the kernel said it is restarting: close code 1012) and reconnected, which it shows
//! as a banner and a notification.
//!
//! Sessions (logs, exec, port-forward) share the socket but are not re-sent after a reconnect:
//! a shell or a forward cannot be resumed, so a dropped socket ends them with an `error`, and
//! the user starts a new one.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MessageEvent, WebSocket};

use crate::model::{ClientMessage, ServerMessage};

/// A handle on the tab's stream; cheap to clone.
#[derive(Clone)]
pub struct Stream {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    socket: Option<WebSocket>,
    open: bool,
    subscriptions: HashMap<String, (ClientMessage, UnboundedSender<Received>)>,
    // Open sessions; the request is kept until a socket is open to send it.
    sessions: HashMap<String, (Option<ClientMessage>, UnboundedSender<Received>)>,
    next_id: u64,
    failures: u32,
    // Whether a socket was open and closed, and none has opened since.
    lost: bool,
    link: Option<UnboundedSender<LinkEvent>>,
    // The socket's callbacks live as long as the socket they belong to.
    handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    // Called on `registry-changed` (plugins enabled, disabled, installed or removed).
    on_registry_changed: Option<Rc<dyn Fn()>>,
}

impl PartialEq for Stream {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

/// A change of the connection to the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkEvent {
    /// The open socket closed; reconnecting. `restarting`: the kernel closed it with 1012
    /// (it is stopping or restarting), rather than the network dropping it.
    Lost {
        /// Closed with code 1012.
        restarting: bool,
    },
    /// A socket is open again and every subscription has been asked for again.
    Reconnected,
}

/// The close code of a kernel that is restarting (see docs/api.md, `/readyz`).
const SERVICE_RESTART: u16 = 1012;

/// A message of a subscription, with when its frame arrived (`performance.now()`, before
/// parsing), so a table can tell how long a snapshot took to show.
pub type Received = (ServerMessage, f64);

/// One live subscription; its messages arrive on `receiver`. Dropping it unsubscribes.
pub struct Subscription {
    /// The subscription id on the socket.
    pub id: String,
    /// The subscription's messages.
    pub receiver: UnboundedReceiver<Received>,
    stream: Stream,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.stream.unsubscribe(&self.id);
    }
}

fn stream_url() -> String {
    let location = web_sys::window().map(|w| w.location());
    let host = location
        .as_ref()
        .and_then(|l| l.host().ok())
        .unwrap_or_else(|| "127.0.0.1:4466".into());
    let secure = location
        .and_then(|l| l.protocol().ok())
        .is_some_and(|p| p == "https:");
    format!(
        "{}://{host}/api/v1/stream",
        if secure { "wss" } else { "ws" }
    )
}

impl Stream {
    /// Opens the stream.
    pub fn connect() -> Stream {
        let stream = Stream {
            inner: Rc::new(RefCell::new(Inner {
                socket: None,
                open: false,
                subscriptions: HashMap::new(),
                sessions: HashMap::new(),
                next_id: 1,
                failures: 0,
                lost: false,
                link: None,
                handlers: Vec::new(),
                on_registry_changed: None,
            })),
        };
        stream.open_socket();
        stream
    }

    /// Calls `f` whenever the kernel says its plugins changed, so the app fetches the
    /// registry (sidebar, routes) again.
    pub fn on_registry_changed(&self, f: impl Fn() + 'static) {
        self.inner.borrow_mut().on_registry_changed = Some(Rc::new(f));
    }

    fn open_socket(&self) {
        let socket = match WebSocket::new(&stream_url()) {
            Ok(s) => s,
            Err(_) => {
                self.reconnect_later();
                return;
            }
        };
        let on_open = {
            let me = self.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| me.opened())
        };
        let on_message = {
            let me = self.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                if let Some(text) = event
                    .dyn_ref::<MessageEvent>()
                    .and_then(|m| m.data().as_string())
                {
                    me.dispatch(&text);
                }
            })
        };
        let on_close = {
            let me = self.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                let code = event
                    .dyn_ref::<web_sys::CloseEvent>()
                    .map_or(0, web_sys::CloseEvent::code);
                me.closed(code)
            })
        };
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        let mut inner = self.inner.borrow_mut();
        inner.handlers = vec![on_open, on_message, on_close];
        inner.socket = Some(socket);
    }

    fn opened(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.open = true;
        inner.failures = 0;
        if std::mem::take(&mut inner.lost)
            && let Some(link) = &inner.link
        {
            let _ = link.unbounded_send(LinkEvent::Reconnected);
        }
        // A fresh socket knows no subscriptions: ask again for every open one.
        let mut requests: Vec<String> = inner
            .subscriptions
            .values()
            .filter_map(|(request, _)| serde_json::to_string(request).ok())
            .collect();
        // Sessions asked for while the socket was down.
        for (pending, _) in inner.sessions.values_mut() {
            if let Some(request) = pending.take()
                && let Ok(text) = serde_json::to_string(&request)
            {
                requests.push(text);
            }
        }
        if let Some(socket) = &inner.socket {
            for request in requests {
                let _ = socket.send_with_str(&request);
            }
        }
    }

    fn closed(&self, code: u16) {
        let restarting = code == SERVICE_RESTART;
        let (senders, sessions): (Vec<_>, Vec<_>) = {
            let mut inner = self.inner.borrow_mut();
            if inner.open {
                inner.lost = true;
                if let Some(link) = &inner.link {
                    let _ = link.unbounded_send(LinkEvent::Lost { restarting });
                }
            }
            inner.open = false;
            inner.socket = None;
            // A kernel that said it is restarting is tried again soon, not after a backoff.
            if !restarting {
                inner.failures += 1;
            }
            // Sessions that were running end with the socket; those still waiting to be sent
            // go out on the next socket.
            let ended: Vec<String> = inner
                .sessions
                .iter()
                .filter(|(_, (pending, _))| pending.is_none())
                .map(|(id, _)| id.clone())
                .collect();
            let sessions = ended
                .into_iter()
                .filter_map(|id| inner.sessions.remove(&id).map(|(_, tx)| (id, tx)))
                .collect();
            let senders = inner
                .subscriptions
                .iter()
                .map(|(id, (_, tx))| (id.clone(), tx.clone()))
                .collect();
            (senders, sessions)
        };
        for (id, tx) in sessions {
            let _ = tx.unbounded_send((
                ServerMessage::Error {
                    id: Some(id),
                    message: "the connection to the kernel was lost, which ended this session; start it again".into(),
                },
                super::net::perf_now(),
            ));
        }
        for (id, tx) in senders {
            let _ = tx.unbounded_send((
                ServerMessage::Error {
                    id: Some(id),
                    message: "the connection to the kernel was lost; reconnecting (rows shown are as last received)".into(),
                },
                super::net::perf_now(),
            ));
        }
        self.reconnect_later();
    }

    fn reconnect_later(&self) {
        let failures = self.inner.borrow().failures.min(5);
        let delay = 500 * (1 << failures);
        let me = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            super::net::sleep(delay).await;
            me.open_socket();
        });
    }

    fn dispatch(&self, text: &str) {
        let arrived = super::net::perf_now();
        let message: ServerMessage = match serde_json::from_str(text) {
            Ok(m) => m,
            Err(e) => {
                web_sys::console::warn_1(
                    &format!("stream: unreadable message ({e}): {text}").into(),
                );
                return;
            }
        };
        if message == ServerMessage::RegistryChanged {
            let callback = self.inner.borrow().on_registry_changed.clone();
            if let Some(callback) = callback {
                callback();
            }
            return;
        }
        let sender = message.id().and_then(|id| {
            let mut inner = self.inner.borrow_mut();
            if let Some((_, tx)) = inner.subscriptions.get(id) {
                return Some(tx.clone());
            }
            // An ended session's id is free again: forget it, so that dropping its
            // subscription does not unsubscribe an id the kernel no longer knows.
            if matches!(message, ServerMessage::Exit { .. }) {
                inner.sessions.remove(id).map(|(_, tx)| tx)
            } else {
                inner.sessions.get(id).map(|(_, tx)| tx.clone())
            }
        });
        match sender {
            Some(tx) => {
                let _ = tx.unbounded_send((message, arrived));
            }
            None => web_sys::console::warn_1(&format!("stream: {text}").into()),
        }
    }

    /// The connection's changes from now on (one receiver: a later call replaces it).
    pub fn link_events(&self) -> UnboundedReceiver<LinkEvent> {
        let (tx, rx) = unbounded();
        self.inner.borrow_mut().link = Some(tx);
        rx
    }

    /// Subscribes to the live rows of `table` in `cluster`, optionally in one namespace and
    /// only the objects matching a label selector.
    pub fn subscribe_table(
        &self,
        cluster: &str,
        table: &str,
        namespace: Option<String>,
        label_selector: Option<String>,
    ) -> Subscription {
        let (tx, rx) = unbounded();
        let mut inner = self.inner.borrow_mut();
        let id = format!("t{}", inner.next_id);
        inner.next_id += 1;
        let request = ClientMessage::SubscribeTable {
            id: id.clone(),
            cluster: cluster.to_owned(),
            table: table.to_owned(),
            namespace,
            label_selector,
        };
        if inner.open
            && let (Some(socket), Ok(text)) = (&inner.socket, serde_json::to_string(&request))
        {
            let _ = socket.send_with_str(&text);
        }
        inner.subscriptions.insert(id.clone(), (request, tx));
        drop(inner);
        Subscription {
            id,
            receiver: rx,
            stream: self.clone(),
        }
    }

    /// Opens a logs, exec or port-forward session: `request` builds the message for the id
    /// the stream picks. Its events arrive on the subscription; dropping it ends the session.
    pub fn open_session(&self, request: impl FnOnce(String) -> ClientMessage) -> Subscription {
        let (tx, rx) = unbounded();
        let mut inner = self.inner.borrow_mut();
        let id = format!("s{}", inner.next_id);
        inner.next_id += 1;
        let request = request(id.clone());
        let pending = match (&inner.socket, inner.open) {
            (Some(socket), true) => {
                if let Ok(text) = serde_json::to_string(&request) {
                    let _ = socket.send_with_str(&text);
                }
                None
            }
            _ => Some(request),
        };
        inner.sessions.insert(id.clone(), (pending, tx));
        drop(inner);
        Subscription {
            id,
            receiver: rx,
            stream: self.clone(),
        }
    }

    /// Sends a message about an open session (`stdin`, `resize`); false when the socket is
    /// down, so the caller can say the input was lost.
    pub fn send(&self, message: &ClientMessage) -> bool {
        let inner = self.inner.borrow();
        match (&inner.socket, inner.open, serde_json::to_string(message)) {
            (Some(socket), true, Ok(text)) => socket.send_with_str(&text).is_ok(),
            _ => false,
        }
    }

    fn unsubscribe(&self, id: &str) {
        let mut inner = self.inner.borrow_mut();
        let known = inner.subscriptions.remove(id).is_some()
            || inner
                .sessions
                .remove(id)
                .is_some_and(|(pending, _)| pending.is_none());
        if known && inner.open {
            let message = ClientMessage::Unsubscribe { id: id.to_owned() };
            if let (Some(socket), Ok(text)) = (&inner.socket, serde_json::to_string(&message)) {
                let _ = socket.send_with_str(&text);
            }
        }
    }
}
