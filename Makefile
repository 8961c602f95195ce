# headlamp-rs entry points. `make run` starts the product, `make test` runs every test.
# Both install what they need first (rustup targets); see README.md.

CARGO ?= cargo
WASM_TARGET := wasm32-wasip2
PLUGIN_PROFILE := plugin
WASM_OUT := target/$(WASM_TARGET)/$(PLUGIN_PROFILE)

# Built-in plugins (embedded in the kernel) and the misbehaving plugins of the fault tests.
BUILTIN_PLUGINS := headlamp-plugin-cluster headlamp-plugin-workloads
TEST_PLUGINS := headlamp-test-plugin-trap headlamp-test-plugin-spin headlamp-test-plugin-hog headlamp-test-plugin-greedy

.PHONY: setup plugins test-plugins build run test bench lint fmt clean

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

## The kernel binary with the built-in plugins inside.
build: plugins
	$(CARGO) build -p headlamp-kernel --bin headlamp

## The kernel on the embedded demo cluster; prints the URL to open.
run: plugins
	$(CARGO) run -p headlamp-kernel --bin headlamp -- --demo

## Every test of the workspace (unit, integration, plugins, kubectl).
test: plugins test-plugins
	$(CARGO) test --workspace --no-fail-fast

## Benchmarks: prints a table of figures and targets.
bench: plugins
	$(CARGO) bench -p headlamp-kernel

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
