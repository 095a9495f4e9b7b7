#!/usr/bin/env bash
# Installs the dependency checkers `make deps` runs into .tools/, once, from crates.io
# at pinned versions: cargo-deny (licenses, duplicate versions, sources) and
# cargo-machete (dependencies declared but not used). Their build lives in
# target/tools, so that it is cached with the rest of target/ and never mixes with
# the workspace's own build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools/bin"

install() {
  local crate=$1 version=$2 bin=$3
  if [ -x "$tools/bin/$bin" ] && "$tools/bin/$bin" --version 2>/dev/null | grep -q "$version"; then
    return 0
  fi
  echo "install-cargo-tools: building $crate $version (once)" >&2
  CARGO_TARGET_DIR="$root/target/tools" cargo install --quiet --locked \
    --root "$tools" --version "$version" "$crate"
}

install cargo-deny 0.20.2 cargo-deny
install cargo-machete 0.9.2 cargo-machete
