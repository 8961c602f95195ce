#!/usr/bin/env bash
# Installs what building and testing need, and says clearly what it could not install.
set -euo pipefail

need_targets=(wasm32-wasip2 wasm32-unknown-unknown)

if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: cargo is not installed. Install Rust with rustup (https://rustup.rs) and run again." >&2
    exit 1
fi

if command -v rustup >/dev/null 2>&1; then
    installed=$(rustup target list --installed)
    for t in "${need_targets[@]}"; do
        if ! grep -qx "$t" <<<"$installed"; then
            echo "setup: installing the Rust target $t"
            rustup target add "$t" || {
                echo "setup: could not install the Rust target $t; run 'rustup target add $t' by hand." >&2
                exit 1
            }
        fi
    done
else
    echo "setup: rustup not found; make sure the targets ${need_targets[*]} are installed for your toolchain." >&2
fi

# Debian packages the tests use: a real OCI registry for publish/install, skopeo to read what
# was pushed. Installed when missing and when this runs as root with apt-get; otherwise the
# tests that need them say they are skipped and why.
apt_packages=()
command -v docker-registry >/dev/null 2>&1 || apt_packages+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || apt_packages+=(skopeo)
if [ ${#apt_packages[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "setup: installing ${apt_packages[*]} (Debian packages used by the tests)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}"; } >/dev/null ||
            echo "setup: could not install ${apt_packages[*]}; the registry tests will be skipped." >&2
    else
        echo "setup: ${apt_packages[*]} missing and cannot be installed here (needs root and apt-get); the registry tests will be skipped." >&2
    fi
fi

# The UI bundle needs wasm-bindgen-cli at exactly the wasm-bindgen version of Cargo.lock (the
# CLI and the library must agree on the generated glue).
lock_dir=$(cd "$(dirname "$0")/.." && pwd)
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' "$lock_dir/Cargo.lock")
if [ -n "$wasm_bindgen_version" ] && [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wasm_bindgen_version" ]; then
    echo "setup: installing wasm-bindgen-cli $wasm_bindgen_version (matches Cargo.lock)"
    # --locked first; a registry mirror missing one of its pinned dependencies falls back to a fresh resolve.
    cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" --locked ||
        cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" || {
            echo "setup: could not install wasm-bindgen-cli $wasm_bindgen_version; 'make ui' needs it." >&2
            exit 1
        }
fi

# Headless Chromium and its WebDriver drive the UI's end-to-end test.
if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "setup: installing chromium and chromium-driver (the UI's end-to-end test)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; } >/dev/null ||
            echo "setup: could not install chromium; the UI end-to-end test will be skipped." >&2
    else
        echo "setup: chromium/chromium-driver missing and cannot be installed here; the UI end-to-end test will be skipped." >&2
    fi
fi

# The desktop app links webkit2gtk-4.1 and GTK 3 (their -dev packages, found by pkg-config);
# its start-up test runs it under xvfb-run. Without the -dev packages the headlamp-desktop
# crate does not compile, so `make desktop` and `make test` need them.
desktop_packages=()
pkg-config --exists webkit2gtk-4.1 2>/dev/null || desktop_packages+=(libwebkit2gtk-4.1-dev)
pkg-config --exists gtk+-3.0 2>/dev/null || desktop_packages+=(libgtk-3-dev)
command -v xvfb-run >/dev/null 2>&1 || desktop_packages+=(xvfb)
if [ ${#desktop_packages[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "setup: installing ${desktop_packages[*]} (the desktop app and its test)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${desktop_packages[@]}"; } >/dev/null ||
            echo "setup: could not install ${desktop_packages[*]}; the desktop app (crate headlamp-desktop) will not build and its test cannot run." >&2
    else
        echo "setup: ${desktop_packages[*]} missing and cannot be installed here (needs root and apt-get): the desktop app (crate headlamp-desktop) will not build, so 'make desktop' and 'make test' fail; without xvfb only its start-up test is skipped." >&2
    fi
fi

# kubectl is used by tests that check kube-sim and the kernel's proxy as users would.
if ! command -v kubectl >/dev/null 2>&1; then
    echo "setup: kubectl not found; tests that drive kubectl will say they are skipped." >&2
fi
