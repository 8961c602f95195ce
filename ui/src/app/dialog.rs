//! A modal dialog: `role=dialog` with `aria-modal`, focus moved in when it opens and back to
//! where it was when it closes, Tab kept inside, Escape closes.

use std::cell::Cell;

use dioxus::prelude::*;
use wasm_bindgen::JsCast;

/// What can take the focus inside a dialog.
const FOCUSABLE: &str = "button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), \
                         textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

thread_local! {
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
}

/// A page-unique element id with this prefix (dialogs label themselves by id).
pub fn unique_id(prefix: &str) -> String {
    let n = NEXT_ID.with(|c| {
        let n = c.get();
        c.set(n + 1);
        n
    });
    format!("{prefix}-{n}")
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// The focusable elements inside the element with this id, in document order.
fn focusables(id: &str) -> Vec<web_sys::HtmlElement> {
    let Some(root) = document().and_then(|d| d.get_element_by_id(id)) else {
        return Vec::new();
    };
    let Ok(list) = root.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// Focuses the element with this id, if there is one.
pub fn focus_id(id: &str) {
    if let Some(e) = document()
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = e.focus();
    }
}

/// The focused element, to give the focus back to later.
pub fn active_element() -> Option<web_sys::HtmlElement> {
    document()?.active_element()?.dyn_into().ok()
}

/// Keeps Tab and Shift+Tab cycling inside the element with id `id`.
pub fn trap_tab(id: &str, e: &KeyboardEvent) {
    if e.key() != Key::Tab {
        return;
    }
    let items = focusables(id);
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        e.prevent_default();
        return;
    };
    let active = document().and_then(|d| d.active_element());
    let is = |el: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
    };
    let inside = items.iter().any(is);
    if e.modifiers().shift() {
        if is(first) || !inside {
            e.prevent_default();
            let _ = last.focus();
        }
    } else if is(last) || !inside {
        e.prevent_default();
        let _ = first.focus();
    }
}

/// A modal dialog over the page. `initial_focus` names the element id to focus first (else
/// the first focusable one); `return_focus` the element id to focus when it closes (else the
/// element focused when it opened); `onclose` is called on Escape. A click on the backdrop does not
/// close it: a text selection dragged out of the editor would otherwise lose the edit.
#[component]
pub fn Dialog(
    title: String,
    onclose: EventHandler<()>,
    children: Element,
    #[props(default)] initial_focus: Option<String>,
    #[props(default)] wide: bool,
    #[props(default)] return_focus: Option<String>,
) -> Element {
    let id = use_hook(|| unique_id("dialog"));
    let title_id = format!("{id}-title");
    // Where the focus was, to give it back when the dialog closes.
    let opener = use_hook(|| std::rc::Rc::new(active_element()));
    {
        let id = id.clone();
        use_effect(move || match &initial_focus {
            Some(target) => focus_id(target),
            None => {
                if let Some(first) = focusables(&id).first() {
                    let _ = first.focus();
                }
            }
        });
    }
    use_drop(move || match &return_focus {
        Some(id) => focus_id(id),
        None => {
            if let Some(e) = opener.as_ref() {
                let _ = e.focus();
            }
        }
    });
    let trap_id = id.clone();
    rsx! {
        div { class: "backdrop",
            div {
                id: "{id}",
                class: if wide { "dialog wide" } else { "dialog" },
                role: "dialog",
                aria_modal: "true",
                aria_labelledby: "{title_id}",
                onkeydown: move |e: KeyboardEvent| {
                    if e.key() == Key::Escape {
                        e.stop_propagation();
                        onclose.call(());
                    } else {
                        trap_tab(&trap_id, &e);
                    }
                },
                h2 { id: "{title_id}", class: "dialog-title", "{title}" }
                {children}
            }
        }
    }
}
