//! The browser entry point: `make ui` builds this for wasm32 and bundles it with wasm-bindgen.

#[cfg(target_arch = "wasm32")]
fn main() {
    headlamp_ui::app::launch();
}

/// Natively there is nothing to run: the UI is a browser app served by the kernel.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "headlamp-ui is the browser UI: build it with `make ui` and open the kernel's URL (`make run`)"
    );
    std::process::exit(2);
}
