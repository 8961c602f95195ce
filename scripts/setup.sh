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

# kubectl is used by tests that check kube-sim and the kernel's proxy as users would.
if ! command -v kubectl >/dev/null 2>&1; then
    echo "setup: kubectl not found; tests that drive kubectl will say they are skipped." >&2
fi
