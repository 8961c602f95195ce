// Browser glue for the pod tools, imported by the wasm bundle (wasm-bindgen copies it into
// target/ui/snippets/). xterm.js is vendored by `make ui` into target/ui/xterm/ and loaded on
// first use, so pages without a terminal do not pay for it.

let loading = null;

function stylesheet(href) {
  return new Promise((resolve, reject) => {
    if (document.querySelector(`link[data-vendored="${href}"]`)) return resolve();
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.dataset.vendored = href;
    link.onload = () => resolve();
    link.onerror = () => reject(new Error(`${href} did not load`));
    document.head.appendChild(link);
  });
}

function loadXterm() {
  if (!loading) {
    loading = Promise.all([
      import("/xterm/xterm.mjs"),
      import("/xterm/addon-fit.mjs"),
      stylesheet("/xterm/xterm.css"),
    ]).then(([xterm, fit]) => ({ Terminal: xterm.Terminal, FitAddon: fit.FitAddon }));
    // A failed load (the bundle was built without xterm) may be retried after a rebuild.
    loading.catch(() => { loading = null; });
  }
  return loading;
}

// Opens a terminal emulator in `element`. `onData(text)` gets the user's keystrokes,
// `onResize(cols, rows)` every new size. Resolves to a handle: write, clear, focus, fit,
// cols, rows, dispose.
export async function openTerminal(element, label, onData, onResize) {
  let lib;
  try {
    lib = await loadXterm();
  } catch (e) {
    throw new Error(`the terminal emulator (xterm.js) could not be loaded: ${e.message}; rebuild the UI with \`make ui\``);
  }
  const term = new lib.Terminal({
    cursorBlink: true,
    convertEol: false,
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace',
    fontSize: 13,
    scrollback: 5000,
  });
  const fit = new lib.FitAddon();
  term.loadAddon(fit);
  term.open(element);
  if (term.textarea) term.textarea.setAttribute("aria-label", label);
  term.onData((data) => onData(data));
  term.onResize(({ cols, rows }) => onResize(cols, rows));
  const refit = () => {
    // A hidden panel has no size: fitting it would shrink the terminal to nothing.
    if (element.offsetWidth > 0 && element.offsetHeight > 0) {
      try { fit.fit(); } catch (_) { /* not rendered yet */ }
    }
  };
  const observer = new ResizeObserver(refit);
  observer.observe(element);
  refit();
  return {
    write: (data) => term.write(data),
    clear: () => term.reset(),
    focus: () => term.focus(),
    fit: refit,
    cols: () => term.cols,
    rows: () => term.rows,
    dispose: () => { observer.disconnect(); term.dispose(); },
  };
}

// Saves `text` as a file named `filename` through the browser's download.
export function downloadText(filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// The width in pixels of one character of `element`'s (monospaced) font.
export function charWidth(element) {
  const probe = document.createElement("span");
  probe.textContent = "0".repeat(100);
  probe.style.cssText = "position:absolute;visibility:hidden;white-space:pre";
  element.appendChild(probe);
  const width = probe.getBoundingClientRect().width / 100;
  probe.remove();
  return width > 0 ? width : 7.5;
}
