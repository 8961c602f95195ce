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

# kubectl is used by tests that check kube-sim and the kernel's proxy as users would.
if ! command -v kubectl >/dev/null 2>&1; then
    echo "setup: kubectl not found; tests that drive kubectl will say they are skipped." >&2
fi
