# headlamp-rs entry points. `make run` starts the product, `make test` runs every test.
# Both install what they need first (rustup targets); see README.md.

CARGO ?= cargo
WASM_TARGET := wasm32-wasip2
PLUGIN_PROFILE := plugin
WASM_OUT := target/$(WASM_TARGET)/$(PLUGIN_PROFILE)

# Built-in plugins (embedded in the kernel) and the misbehaving plugins of the fault tests.
BUILTIN_PLUGINS := headlamp-plugin-cluster headlamp-plugin-workloads headlamp-plugin-storage headlamp-plugin-network headlamp-plugin-config headlamp-plugin-security headlamp-plugin-map
TEST_PLUGINS := headlamp-test-plugin-trap headlamp-test-plugin-spin headlamp-test-plugin-hog headlamp-test-plugin-greedy headlamp-test-plugin-flaky headlamp-test-plugin-liar headlamp-ui-test-plugin-greeter headlamp-test-plugin-tuned

# The browser UI: built with plain cargo for wasm32 and bundled by wasm-bindgen-cli (pinned to
# the lock file's wasm-bindgen by scripts/setup.sh). The kernel serves target/ui/ at `/`.
UI_TARGET := wasm32-unknown-unknown
UI_OUT := target/ui
XTERM := ui/node_modules/@xterm/xterm/lib/xterm.mjs

.PHONY: setup plugins test-plugins ui build desktop run test bench lint fmt clean

setup:
	@./scripts/setup.sh

## Build every built-in plugin to a component in target/plugins/.
plugins: setup
	$(CARGO) build --profile $(PLUGIN_PROFILE) --target $(WASM_TARGET) $(addprefix -p ,$(BUILTIN_PLUGINS))
	@mkdir -p target/plugins
	@for p in $(subst -,_,$(BUILTIN_PLUGINS)); do cp $(WASM_OUT)/$$p.wasm target/plugins/; done
	@ls -l target/plugins/*.wasm

## Build the fault-test plugins to target/test-plugins/.
test-plugins: setup
	$(CARGO) build --profile $(PLUGIN_PROFILE) --target $(WASM_TARGET) $(addprefix -p ,$(TEST_PLUGINS))
	@mkdir -p target/test-plugins
	@for p in $(subst -,_,$(TEST_PLUGINS)); do cp $(WASM_OUT)/$$p.wasm target/test-plugins/; done

## The browser UI bundle (index.html, js, wasm, css) in target/ui/, with the vendored
## xterm.js (pinned in ui/package-lock.json, installed with `npm ci`) in target/ui/xterm/.
ui: setup $(XTERM)
	$(CARGO) build -p headlamp-ui --target $(UI_TARGET) --release
	@mkdir -p $(UI_OUT)/xterm
	wasm-bindgen --target web --no-typescript --out-dir $(UI_OUT) --out-name headlamp-ui target/$(UI_TARGET)/release/headlamp-ui.wasm
	cp ui/index.html ui/assets/app.css ui/assets/sessions.css $(UI_OUT)/
	cp $(XTERM) ui/node_modules/@xterm/xterm/css/xterm.css ui/node_modules/@xterm/addon-fit/lib/addon-fit.mjs $(UI_OUT)/xterm/
	cp ui/node_modules/@xterm/xterm/LICENSE $(UI_OUT)/xterm/LICENSE-xterm
	cp ui/node_modules/@xterm/addon-fit/LICENSE $(UI_OUT)/xterm/LICENSE-addon-fit
	@ls -l $(UI_OUT)

# The terminal emulator, at the versions of the lock file; re-installed when the lock changes.
$(XTERM): ui/package.json ui/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make ui: npm is missing; install Node.js and npm (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	cd ui && npm ci --no-audit --no-fund
	@touch $@

## The kernel binary with the built-in plugins inside.
build: plugins ui
	$(CARGO) build -p headlamp-kernel --bin headlamp

## The desktop app (docs/desktop.md): the kernel in-process behind a native window
## (webkit2gtk-4.1 and GTK 3 from Debian, installed by scripts/setup.sh).
desktop: plugins ui
	$(CARGO) build -p headlamp-desktop --release
	@ls -l target/release/headlamp-desktop
	@echo "start it: target/release/headlamp-desktop (your kubeconfig) or target/release/headlamp-desktop --demo"

## The kernel on the embedded demo cluster; prints the URL to open.
run: plugins ui
	$(CARGO) run -p headlamp-kernel --bin headlamp -- --demo

## Every test of the workspace (unit, integration, plugins, kubectl).
test: plugins test-plugins ui
	$(CARGO) test --workspace --no-fail-fast

## Benchmarks (docs/performance.md): each bench prints its figures and writes
## target/bench/NAME.json; the last step prints ONE table of every figure against its target
## and writes target/bench/results.json. BENCH_BASELINE=old-results.json adds a before/now table.
BENCHES := plugin_host plugin_rows live_tables
bench: plugins
	$(CARGO) bench -p headlamp-kernel $(addprefix --bench ,$(BENCHES))
	$(CARGO) bench -p headlamp-kernel --bench results

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
