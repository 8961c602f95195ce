//! Popup menus (`role=menu`) opened from a button: placed next to it with fixed positioning
//! (so a scrolling table does not clip them), arrow keys move between items, Escape and Tab
//! close them and give the focus back to the button.

use dioxus::prelude::*;
use wasm_bindgen::JsCast;

use super::dialog::focus_id;

/// Where an open menu sits: the id of the button that opened it and the viewport position.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    /// The opening button's element id (focus goes back there).
    pub button: String,
    /// CSS for the menu's position (`top`/`bottom` and `right`).
    pub position: String,
}

impl Anchor {
    /// Measures the button with this id: the menu opens under it, right-aligned, or above it
    /// when there is not room enough below.
    pub fn of(button: &str) -> Anchor {
        let window = web_sys::window();
        let rect = window
            .as_ref()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(button))
            .map(|e| e.get_bounding_client_rect());
        let size =
            |f: fn(&web_sys::Window) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>| {
                window
                    .as_ref()
                    .and_then(|w| f(w).ok())
                    .and_then(|v| v.as_f64())
                    .unwrap_or(800.0)
            };
        let (width, height) = (
            size(web_sys::Window::inner_width),
            size(web_sys::Window::inner_height),
        );
        let position = match rect {
            Some(r) if r.bottom() + 240.0 > height => {
                format!(
                    "bottom: {:.0}px; right: {:.0}px",
                    height - r.top() + 2.0,
                    width - r.right()
                )
            }
            Some(r) => format!(
                "top: {:.0}px; right: {:.0}px",
                r.bottom() + 2.0,
                width - r.right()
            ),
            None => "top: 60px; right: 20px".into(),
        };
        Anchor {
            button: button.to_owned(),
            position,
        }
    }
}

/// Moves the focus among the menu's items on arrow keys, Home and End.
fn move_focus(menu: &str, key: &Key) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(menu))
    else {
        return;
    };
    let Ok(list) = root.query_selector_all("[role^=menuitem]") else {
        return;
    };
    let items: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into().ok())
        .collect();
    if items.is_empty() {
        return;
    }
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let current = items
        .iter()
        .position(|i| active.as_ref() == Some(i.unchecked_ref::<web_sys::Element>()));
    let last = items.len() - 1;
    let next = match (key, current) {
        (Key::ArrowDown, Some(i)) => (i + 1) % items.len(),
        (Key::ArrowUp, Some(0)) | (Key::End, _) | (Key::ArrowUp, None) => last,
        (Key::ArrowUp, Some(i)) => i - 1,
        _ => 0,
    };
    let _ = items[next].focus();
}

/// A popup menu. Its items are `button`s with `role=menuitem` (or `menuitemcheckbox`);
/// `onclose` is called on Escape, Tab, or a click outside.
#[component]
pub fn Menu(
    id: String,
    label: String,
    anchor: Anchor,
    onclose: EventHandler<()>,
    children: Element,
) -> Element {
    {
        let id = id.clone();
        use_effect(move || move_focus(&id, &Key::Home));
    }
    let button = anchor.button.clone();
    let close_and_refocus = move || {
        onclose.call(());
        focus_id(&button);
    };
    let on_escape = close_and_refocus.clone();
    let on_outside = close_and_refocus;
    let keys_id = id.clone();
    rsx! {
        div { class: "menu-catcher", onclick: move |_| on_outside() }
        div {
            id: "{id}",
            class: "menu",
            role: "menu",
            aria_label: "{label}",
            style: "{anchor.position}",
            onkeydown: move |e: KeyboardEvent| {
                let key = e.key();
                match key {
                    Key::Escape => {
                        e.prevent_default();
                        e.stop_propagation();
                        on_escape();
                    }
                    Key::Tab => onclose.call(()),
                    Key::ArrowDown | Key::ArrowUp | Key::Home | Key::End => {
                        e.prevent_default();
                        move_focus(&keys_id, &key);
                    }
                    _ => {}
                }
            },
            {children}
        }
    }
}
