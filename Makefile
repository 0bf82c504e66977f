# VINR — everything a fresh machine needs, installed when missing.
#
#   make run    install what is missing, build (release), migrate, serve on http://127.0.0.1:3000
#   make test   clippy, unit tests, API suite on SQLite and on Postgres, Playwright in Chromium
#
# Builds go to a target folder outside the checkout, so a second clone (CI's) reuses them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

export CARGO_TARGET_DIR ?= $(HOME)/.cache/vinr-target
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := 0.2.130
RELEASE_BIN := $(CARGO_TARGET_DIR)/release/vinr
SITE_ROOT := $(CURDIR)/target/site
# The card element frame's wasm bundle (see `build`; the name is `app::FRAME_BUNDLE`).
FRAME_BUNDLE := vinr-frame
FRAME_TARGET_DIR := $(CARGO_TARGET_DIR)/frame
PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432
PG_ADMIN_URL ?= postgres://root@$(PG_HOST):$(PG_PORT)/test
E2E_PORT ?= 3100
# `make run` also serves the demo shop (card element embedded from a second origin) here.
DEMO_SHOP_ADDR ?= 127.0.0.1:3001

.PHONY: help run build deps test-deps test lint unit api-sqlite api-postgres e2e bench clean

help:
	@echo "make run   - build and serve VINR on http://127.0.0.1:3000 (SQLite under ./data)"
	@echo "make test  - lint, unit, API (SQLite + Postgres) and browser tests"
	@echo "make bench - load figures against a release build on SQLite"

## Tools: each is installed only when the pinned version is not already there.
deps:
	@if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$$'; then \
		echo "==> adding the wasm32 target"; rustup target add wasm32-unknown-unknown; fi
	@if ! cargo leptos --version 2>/dev/null | grep -q '$(CARGO_LEPTOS_VERSION)'; then \
		echo "==> installing cargo-leptos $(CARGO_LEPTOS_VERSION) (about 13 minutes, once)"; \
		cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked; fi
	@# Not --locked: one of its locked dependency versions is no longer on the registry.
	@if ! wasm-bindgen --version 2>/dev/null | grep -q '$(WASM_BINDGEN_VERSION)'; then \
		echo "==> installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; fi
	@# binaryen from npm gives the wasm-opt release builds need (Debian's is too old).
	@if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -d end2end/node_modules/@playwright/test ]; then \
		echo "==> installing npm packages (binaryen, Playwright)"; \
		(cd end2end && npm ci --no-audit --no-fund); fi

## What the tests need beyond the build: Debian's Chromium (Playwright cannot download one here).
test-deps:
	@if ! command -v chromium >/dev/null; then \
		echo "==> installing Chromium"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

build: deps
	cargo leptos build --release
	@# cargo-leptos builds one wasm bundle per package. The card element's frame gets a second
	@# one holding its island only (feature `frame`), made the way cargo-leptos makes the first,
	@# in its own target folder so the two builds never overwrite each other's output.
	@echo "==> the card element frame's wasm bundle ($(FRAME_BUNDLE))"
	LEPTOS_OUTPUT_NAME=vinr cargo build --lib --target wasm32-unknown-unknown --profile wasm-release \
		--no-default-features --features hydrate,frame --target-dir $(FRAME_TARGET_DIR)
	wasm-bindgen --target=web --no-typescript --out-name=$(FRAME_BUNDLE) --out-dir=$(SITE_ROOT)/pkg \
		$(FRAME_TARGET_DIR)/wasm32-unknown-unknown/wasm-release/vinr.wasm
	mv $(SITE_ROOT)/pkg/$(FRAME_BUNDLE)_bg.wasm $(SITE_ROOT)/pkg/$(FRAME_BUNDLE).wasm
	wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
		$(SITE_ROOT)/pkg/$(FRAME_BUNDLE).wasm -o $(SITE_ROOT)/pkg/$(FRAME_BUNDLE).wasm

run: build
	@mkdir -p data
	LEPTOS_SITE_ROOT=$(SITE_ROOT) VINR_DEMO_SHOP_ADDR=$(DEMO_SHOP_ADDR) $(RELEASE_BIN) serve

test: deps test-deps lint unit api-sqlite api-postgres build e2e
	@echo "==> all test passes finished"

lint:
	cargo fmt --check
	cargo clippy --features ssr --all-targets -- -D warnings
	cargo clippy --lib --no-default-features --features hydrate --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --lib --no-default-features --features hydrate,frame --target wasm32-unknown-unknown -- -D warnings

unit:
	cargo test --features ssr --lib

api-sqlite:
	@echo "==> API suite on SQLite"
	cargo test --features ssr --test api

# A fresh database for each run, dropped afterwards. Without Postgres the pass is skipped
# (said plainly), except under CI, where that is a failure.
api-postgres:
	@if ! psql "$(PG_ADMIN_URL)" -qAtc 'SELECT 1' >/dev/null 2>&1; then \
		if [ "$${CI:-}" = "true" ]; then \
			echo "FAIL: no Postgres answers at $(PG_HOST):$(PG_PORT), and CI requires the Postgres pass"; exit 1; \
		fi; \
		echo "SKIPPED: no Postgres answers at $(PG_HOST):$(PG_PORT); the API suite ran on SQLite only"; \
		exit 0; \
	fi; \
	db="vinr_test_$$(date +%s)_$$RANDOM"; \
	echo "==> API suite on Postgres (database $$db)"; \
	psql "$(PG_ADMIN_URL)" -qc "CREATE DATABASE $$db"; \
	trap 'psql "$(PG_ADMIN_URL)" -qc "DROP DATABASE IF EXISTS $$db WITH (FORCE)"' EXIT; \
	TEST_DATABASE_URL="postgres://root@$(PG_HOST):$(PG_PORT)/$$db" cargo test --features ssr --test api

e2e: build test-deps
	@echo "==> Playwright in Chromium"
	cd end2end && VINR_BIN=$(RELEASE_BIN) LEPTOS_SITE_ROOT=$(SITE_ROOT) \
		VINR_E2E_URL=http://127.0.0.1:$(E2E_PORT) npx playwright test

# Release server in its own process; the load generator beside it (2 cores shared: read the
# figures as this machine's, and compare medians of several runs).
bench: build
	cargo build --release --no-default-features --features ssr --bin vinr-bench
	$(CARGO_TARGET_DIR)/release/vinr-bench --server $(RELEASE_BIN) --site-root $(SITE_ROOT)

clean:
	cargo clean
	rm -rf target end2end/test-results end2end/.state
