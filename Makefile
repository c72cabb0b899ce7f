# creditcast — the two commands: `make demo` and `make test`. Both set up what they need.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
PORT ?= 8080
HOST ?= 127.0.0.1
WASM_SOURCES := $(shell find src data -type f) Cargo.toml Cargo.lock $(wildcard js/*)

.PHONY: setup setup-browser build demo test test-native test-js lint bench fuzz clean

setup:
	@scripts/setup.sh

setup-browser:
	@scripts/setup.sh browser

## build: compile the WASM package into pkg/ (wasm-pack, wasm-opt from npm binaryen): the whole
## package (profile wasm-speed, opt-level 3), and the rating core alone (no `balance` feature,
## release profile, opt-level "z") for `creditcast/rating`
build: setup pkg/package.json

## Both WASM builds rebuild the standard library (`-Zbuild-std`, from the toolchain's rust-src)
## with `-Cpanic=immediate-abort`: a panic is a trap, as with `panic = "abort"`, but without the
## panic machinery and its messages. The same stable compiler accepts these flags with
## RUSTC_BOOTSTRAP=1. They live in their own target directory (target/wasm-std), so the lint's
## and the tests' builds keep their caches. See docs/performance.md, "Size".
WASM_STD_ENV := RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=$(CURDIR)/target/wasm-std RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort"
BUILD_STD := -Zbuild-std=std,panic_abort

pkg/package.json: $(WASM_SOURCES) scripts/package.mjs Makefile
	$(WASM_STD_ENV) wasm-pack build . --target web --release --mode no-install --out-dir target/pkg-rating --out-name creditcast_wasm --no-pack -- --no-default-features $(BUILD_STD) -Zbuild-std-features=optimize_for_size
	$(WASM_STD_ENV) wasm-pack build . --target web --profile wasm-speed --mode no-install --out-dir target/pkg-full --out-name creditcast_wasm --no-pack -- $(BUILD_STD)
	node scripts/package.mjs

## demo: serve the demo page on http://$(HOST):$(PORT)
demo: build
	node scripts/serve.mjs --host $(HOST) --port $(PORT)

## test: every test — native, built package in Node, demo page in headless Chromium
test: setup-browser lint test-native build test-js
	@echo "make test: all suites passed"

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings

tests/corpus/segments_corpus.jsonl: tests/corpus/gen_corpus.mjs package-lock.json
	node tests/corpus/gen_corpus.mjs

test-native: setup tests/corpus/segments_corpus.jsonl
	cargo test --lib --tests
	cargo test --doc

test-js: build
	node --test --test-reporter=spec js-tests/

## bench: the figures the issues ask for (sizes, throughput, ratios)
bench: build
	node bench/corpus.mjs 1000000
	cargo bench --bench native
	node --expose-gc bench/bench.mjs

## fuzz: every cargo-fuzz target for FUZZ_SECONDS (default 60) each; see docs/fuzzing.md
FUZZ_SECONDS ?= 60
fuzz: setup
	scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf pkg target/wasm32-unknown-unknown test-output
