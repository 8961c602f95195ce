//! The pod tools' browser glue in `ui/js/sessions.js`: the xterm.js terminal, downloads, font
//! metrics. wasm-bindgen bundles the file as a snippet of the UI.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/sessions.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = openTerminal)]
    async fn open_terminal_js(
        element: &web_sys::Element,
        label: &str,
        on_data: &js_sys::Function,
        on_resize: &js_sys::Function,
    ) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = downloadText)]
    fn download_text_js(filename: &str, text: &str);

    #[wasm_bindgen(js_name = charWidth)]
    fn char_width_js(element: &web_sys::Element) -> f64;

    /// A terminal emulator opened by [`open_terminal`].
    pub type Term;

    /// Writes output (escape sequences included) to the terminal.
    #[wasm_bindgen(method, structural, js_name = write)]
    pub fn write(this: &Term, data: &str);

    /// Resets the terminal: screen, scrollback and modes.
    #[wasm_bindgen(method, structural, js_name = clear)]
    pub fn clear(this: &Term);

    /// Gives the terminal the keyboard focus.
    #[wasm_bindgen(method, structural, js_name = focus)]
    pub fn focus(this: &Term);

    /// Fits the terminal to its element (skipped while the element is hidden).
    #[wasm_bindgen(method, structural, js_name = fit)]
    pub fn fit(this: &Term);

    /// Columns.
    #[wasm_bindgen(method, structural, js_name = cols)]
    pub fn cols(this: &Term) -> u16;

    /// Rows.
    #[wasm_bindgen(method, structural, js_name = rows)]
    pub fn rows(this: &Term) -> u16;

    /// Removes the terminal from the page.
    #[wasm_bindgen(method, structural, js_name = dispose)]
    pub fn dispose(this: &Term);
}

/// The callbacks a terminal calls; they must live as long as it does.
pub struct TermCallbacks {
    _on_data: Closure<dyn FnMut(String)>,
    _on_resize: Closure<dyn FnMut(u16, u16)>,
}

/// Opens a terminal emulator in the element with id `element_id`, labelled `label` for
/// assistive technology. `on_data` gets keystrokes, `on_resize` each new size.
pub async fn open_terminal(
    element_id: &str,
    label: &str,
    on_data: impl FnMut(String) + 'static,
    on_resize: impl FnMut(u16, u16) + 'static,
) -> Result<(Term, TermCallbacks), String> {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(element_id))
        .ok_or_else(|| format!("the terminal's element #{element_id} is not on the page"))?;
    let on_data = Closure::<dyn FnMut(String)>::new(on_data);
    let on_resize = Closure::<dyn FnMut(u16, u16)>::new(on_resize);
    let term = open_terminal_js(
        &element,
        label,
        on_data.as_ref().unchecked_ref(),
        on_resize.as_ref().unchecked_ref(),
    )
    .await
    .map_err(|e| {
        e.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| format!("{e:?}"))
    })?;
    Ok((
        term.unchecked_into(),
        TermCallbacks {
            _on_data: on_data,
            _on_resize: on_resize,
        },
    ))
}

/// Saves `text` as `filename` through the browser's download.
pub fn download_text(filename: &str, text: &str) {
    download_text_js(filename, text);
}

/// The width of one character of the element's font, in pixels.
pub fn char_width(element: &web_sys::Element) -> f64 {
    char_width_js(element)
}

/// The element with this id.
pub fn element(id: &str) -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(id)
}
