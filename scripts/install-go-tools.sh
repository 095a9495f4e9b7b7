#!/usr/bin/env bash
# Builds the pinned Go tools the repository checks use into .tools/bin, once each:
# actionlint (lints .github/workflows) and tfplugindocs (validates the docs tree as
# the Terraform Registry reads it). Both come from the Go module proxy; needs Go.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ACTIONLINT_VERSION=${ACTIONLINT_VERSION:-v1.7.12}
TFPLUGINDOCS_VERSION=${TFPLUGINDOCS_VERSION:-v0.25.0}
mkdir -p "$root/.tools/bin"
if ! command -v go >/dev/null 2>&1; then
  echo "install-go-tools: no Go toolchain on PATH; actionlint and tfplugindocs are built from Go modules." >&2
  exit 2
fi
install() { # NAME PACKAGE VERSION
  local stamp="$root/.tools/$1-$3.stamp"
  if [ -x "$root/.tools/bin/$1" ] && [ -f "$stamp" ]; then
    return 0
  fi
  echo "install-go-tools: building $1 $3 from Go modules (first time only)..." >&2
  GOBIN="$root/.tools/bin" GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 \
    go install -trimpath "$2@$3"
  touch "$stamp"
}
install actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"
install tfplugindocs github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs "$TFPLUGINDOCS_VERSION"
