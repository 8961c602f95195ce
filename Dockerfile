# syntax=docker/dockerfile:1
# The headlamp kernel for clusters: the binary with the built-in plugins embedded, and the
# browser UI bundle beside it. Build from the repository root:
#   docker build -t headlamp-rs:dev .
# See docs/operator-guide.md.

# --- builder: plugins (wasm32-wasip2), the UI (wasm32-unknown-unknown + wasm-bindgen), the kernel.
FROM rust:1.95-bookworm AS builder
WORKDIR /src
RUN rustup target add wasm32-wasip2 wasm32-unknown-unknown
# wasm-bindgen-cli must match the lock file's wasm-bindgen exactly (see scripts/setup.sh).
RUN cargo install --locked wasm-bindgen-cli --version 0.2.130
# npm installs the terminal emulator (xterm.js) at the versions of ui/package-lock.json.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
COPY . .
# The same steps as `make plugins ui` and a release `make build`, without scripts/setup.sh
# (which installs the test-only Debian packages). Keep the plugin list in step with the
# Makefile's BUILTIN_PLUGINS.
ARG BUILTIN_PLUGINS="cluster workloads storage network config security map"
RUN cargo build --locked --profile plugin --target wasm32-wasip2 \
        $(for p in $BUILTIN_PLUGINS; do printf ' -p headlamp-plugin-%s' "$p"; done) \
 && mkdir -p target/plugins \
 && for p in $BUILTIN_PLUGINS; do \
        cp "target/wasm32-wasip2/plugin/headlamp_plugin_$p.wasm" target/plugins/; done
RUN cd ui && npm ci --no-audit --no-fund && cd .. \
 && cargo build --locked -p headlamp-ui --target wasm32-unknown-unknown --release \
 && mkdir -p target/ui/xterm \
 && wasm-bindgen --target web --no-typescript --out-dir target/ui --out-name headlamp-ui \
        target/wasm32-unknown-unknown/release/headlamp-ui.wasm \
 && cp ui/index.html ui/assets/app.css ui/assets/sessions.css target/ui/ \
 && cp ui/node_modules/@xterm/xterm/lib/xterm.mjs ui/node_modules/@xterm/xterm/css/xterm.css \
       ui/node_modules/@xterm/addon-fit/lib/addon-fit.mjs target/ui/xterm/ \
 && cp ui/node_modules/@xterm/xterm/LICENSE target/ui/xterm/LICENSE-xterm \
 && cp ui/node_modules/@xterm/addon-fit/LICENSE target/ui/xterm/LICENSE-addon-fit
# build.rs embeds target/plugins/*.wasm into the binary.
RUN cargo build --locked --release -p headlamp-kernel --bin headlamp

# --- runtime: slim Debian, non-root, nothing written outside /tmp (read-only root friendly).
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 headlamp \
 && useradd --system --uid 10001 --gid headlamp --home-dir /tmp --shell /usr/sbin/nologin headlamp
COPY --from=builder /src/target/release/headlamp /opt/headlamp/headlamp
COPY --from=builder /src/target/ui /opt/headlamp/ui
# Every writable path under /tmp: mount an emptyDir there with readOnlyRootFilesystem.
# A container listens on all interfaces and needs each viewer's token (in-cluster use);
# HEADLAMP_* variables override headlamp.toml, so leave these out of it or override them here.
ENV HOME=/tmp \
    HEADLAMP_LISTEN=0.0.0.0:4466 \
    HEADLAMP_AUTH=token \
    HEADLAMP_UI_DIR=/opt/headlamp/ui \
    HEADLAMP_CACHE_DIR=/tmp/headlamp/cache \
    HEADLAMP_CONFIG_DIR=/tmp/headlamp/config
USER 10001:10001
EXPOSE 4466
ENTRYPOINT ["/opt/headlamp/headlamp"]
