//! The one WebSocket to `/api/v1/stream`, shared by every live table of the tab.
//!
//! Each subscription gets a channel of its own messages. The socket reconnects by itself
//! (with backoff) and re-sends every open subscription, whose fresh snapshot replaces what the
//! table had; dropping a [`Subscription`] unsubscribes.

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
    next_id: u64,
    failures: u32,
    // The socket's callbacks live as long as the socket they belong to.
    handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

impl PartialEq for Stream {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

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
                next_id: 1,
                failures: 0,
                handlers: Vec::new(),
            })),
        };
        stream.open_socket();
        stream
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
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| me.closed())
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
        // A fresh socket knows no subscriptions: ask again for every open one.
        let requests: Vec<String> = inner
            .subscriptions
            .values()
            .filter_map(|(request, _)| serde_json::to_string(request).ok())
            .collect();
        if let Some(socket) = &inner.socket {
            for request in requests {
                let _ = socket.send_with_str(&request);
            }
        }
    }

    fn closed(&self) {
        let senders: Vec<_> = {
            let mut inner = self.inner.borrow_mut();
            inner.open = false;
            inner.socket = None;
            inner.failures += 1;
            inner
                .subscriptions
                .iter()
                .map(|(id, (_, tx))| (id.clone(), tx.clone()))
                .collect()
        };
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
        let sender = message.id().and_then(|id| {
            self.inner
                .borrow()
                .subscriptions
                .get(id)
                .map(|(_, tx)| tx.clone())
        });
        match sender {
            Some(tx) => {
                let _ = tx.unbounded_send((message, arrived));
            }
            None => web_sys::console::warn_1(&format!("stream: {text}").into()),
        }
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

    fn unsubscribe(&self, id: &str) {
        let mut inner = self.inner.borrow_mut();
        if inner.subscriptions.remove(id).is_some() && inner.open {
            let message = ClientMessage::Unsubscribe { id: id.to_owned() };
            if let (Some(socket), Ok(text)) = (&inner.socket, serde_json::to_string(&message)) {
                let _ = socket.send_with_str(&text);
            }
        }
    }
}
