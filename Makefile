# authbridge: every command a developer needs. `make` (or `make help`) lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export NEXT_TELEMETRY_DISABLED := 1

.PHONY: help env db db-stop migrate migration dev lint format test test-fast test-repeat up down down-v logs ps bench clean test-compose rotate-secret rotate-secret-finish openapi

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-20s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

env: ## Create .env from .env.example with a fresh secret (never overwrites)
	@bash scripts/make-env.sh

.env:
	@bash scripts/make-env.sh

db: .env ## Start the local TLS-only PostgreSQL under .data/postgres and print its URL
	@bash scripts/db.sh

db-stop: ## Stop the local PostgreSQL (data kept)
	@bash scripts/pg-tls.sh stop .data/postgres

migrate: .env ## Apply the committed migrations to DIRECT_URL or DATABASE_URL
	@bash scripts/migrate.sh

migration: ## Write a new migration for a schema change: make migration NAME=add_task_priority (docs/MIGRATIONS.md)
	@bash scripts/migration.sh "$(NAME)"

dev: .env ## Run db + migrate + api + web natively in the foreground (Ctrl-C stops all)
	@bash scripts/dev.sh

lint: ## ESLint, Prettier's check and shellcheck over the whole tree (docs/CONTRIBUTING.md)
	@bash scripts/lint.sh

format: ## Apply ESLint's automatic fixes, then reformat with Prettier
	@bash scripts/lint.sh --fix

test: ## Lint, typecheck, build and run every test suite (unit, integration, browser, resilience)
	@bash scripts/test.sh

test-fast: ## The everyday loop: lint, typecheck and the unit tests (no database, browser or build), under a minute
	@bash scripts/test-fast.sh

test-repeat: ## Run one suite N times and count failures: SUITE=<dir or test file> N=<runs> [BUSY=1]
	@SUITE="$(SUITE)" N="$(N)" BUSY="$(BUSY)" bash scripts/test-repeat.sh

up: .env ## Build and start the Docker Compose stack; returns when it is healthy
	@bash scripts/compose.sh up

down: ## Stop the Compose stack (keeps the database volume)
	@bash scripts/compose.sh down

down-v: ## Stop the Compose stack and remove its volumes
	@bash scripts/compose.sh down-v

logs: ## Follow the Compose stack's logs
	@bash scripts/compose.sh logs

ps: ## Show the Compose services and their health
	@bash scripts/compose.sh ps

test-compose: .env ## Smoke-test the real Compose stack (skips when no Docker engine)
	@bash scripts/compose.sh smoke

rotate-secret: .env ## Put a fresh secret version in front in .env, keep the old (LEAKED=1: drop it)
	@node scripts/rotate-secret.js start

rotate-secret-finish: .env ## Drop secret versions older than the current (after token lifetime + skew)
	@node scripts/rotate-secret.js finish

openapi: ## Regenerate api/openapi.json and the web's API types from the api's schemas
	@bash scripts/openapi.sh

bench: ## Measure what authentication costs (see docs/BENCHMARKS.md)
	@bash scripts/bench.sh

clean: ## Stop the local PostgreSQL and remove .data/ and build output
	@bash scripts/pg-tls.sh stop .data/postgres || true
	@rm -rf .data api/dist migrator/dist web/.next web/test-results test-results
	@echo "removed .data/ and build output (.env kept)"
