#!/usr/bin/env bash
# Builds a pinned OpenTofu from the Go module proxy into .tools/bin/tofu, once.
#
# OpenTofu's go.mod replaces github.com/hashicorp/hcl/v2 with its own fork, and
# `go install module@version` refuses modules with replace directives. So we build
# from a small local module that requires OpenTofu and repeats that replace.
# Needs a Go toolchain (go >= the version OpenTofu's go.mod names).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
TOFU_VERSION=${TOFU_VERSION:-v1.10.10}
HCL_REPLACE="github.com/hashicorp/hcl/v2 v2.20.1 => github.com/opentofu/hcl/v2 v2.20.2-0.20251021132045-587d123c2828"
bin="$root/.tools/bin/tofu"
stamp="$root/.tools/tofu-$TOFU_VERSION.stamp"

if [ -x "$bin" ] && [ -f "$stamp" ]; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-tofu: no Go toolchain on PATH; OpenTofu is built from Go modules and needs one." >&2
  exit 2
fi
mod="$root/.tools/tofu-build"
rm -rf "$mod" && mkdir -p "$mod" "$root/.tools/bin"
cat > "$mod/go.mod" <<GOMOD
module cloudgov.local/tofu-build

go 1.24

require github.com/opentofu/opentofu $TOFU_VERSION

replace $HCL_REPLACE
GOMOD
cat > "$mod/tools.go" <<'GO'
//go:build tools

// Package tools pins the OpenTofu CLI as a dependency of this build module.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
GO
echo "install-tofu: building OpenTofu $TOFU_VERSION from Go modules (first time only, a few minutes)..." >&2
(
  cd "$mod"
  export GOFLAGS=-mod=mod GOTOOLCHAIN=local
  go mod tidy -e >/dev/null 2>"$mod/tidy.log" || true
  go get "github.com/opentofu/opentofu@$TOFU_VERSION" 2>>"$mod/tidy.log"
  CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
    -o "$bin" github.com/opentofu/opentofu/cmd/tofu
)
touch "$stamp"
"$bin" version 2>/dev/null | sed -n 1p >&2
