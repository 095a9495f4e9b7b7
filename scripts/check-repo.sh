#!/usr/bin/env bash
# Repository conventions, checked with the ecosystem's own tools (make test runs it
# after the acceptance suite has built the provider):
# - actionlint over .github/workflows;
# - the release workflow runs the same `make release` that the repository tests;
# - tfplugindocs validate: docs/ is in the Terraform Registry's shape, every
#   resource, data source and list resource has its page, and no page is extra. It
#   reads the schema that `terraform providers schema -json` prints for the debug build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tools="$root/.tools/bin"
fail() { echo "check-repo: $*" >&2; exit 1; }

echo "==> actionlint" >&2
"$tools/actionlint" .github/workflows/*.yml

echo "==> the release workflow runs make release" >&2
grep -Eq '^\s*run: make release\b' .github/workflows/release.yml ||
  fail ".github/workflows/release.yml does not run 'make release'"
grep -Eq '^release:' Makefile || fail "the Makefile has no release target"

echo "==> tfplugindocs validate" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
plugin_dir="$work/mirror/registry.terraform.io/cloud-gov/cloudgov/$version/linux_amd64"
mkdir -p "$plugin_dir" "$work/config"
binary="${CARGO_TARGET_DIR:-$root/target}/debug/terraform-provider-cloudgov"
[ -x "$binary" ] || fail "build the provider first ($binary is missing)"
cp "$binary" "$plugin_dir/terraform-provider-cloudgov_v$version"
printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' "$work/mirror" >"$work/cli.tfrc"
printf 'terraform {\n  required_providers {\n    cloudgov = {\n      source = "cloud-gov/cloudgov"\n    }\n  }\n}\n' >"$work/config/main.tf"
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
(cd "$work/config" && "$tools/terraform-current" init -input=false -no-color >/dev/null &&
  "$tools/terraform-current" providers schema -json >"$work/schema-full.json")
# tfplugindocs looks the schema up by the provider's short name.
python3 - "$work/schema-full.json" "$work/schema.json" <<'PY'
import json, sys
full = json.load(open(sys.argv[1]))
schemas = full["provider_schemas"]
full["provider_schemas"] = {"cloudgov": schemas["registry.terraform.io/cloud-gov/cloudgov"]}
json.dump(full, open(sys.argv[2], "w"))
PY
"$tools/tfplugindocs" validate --provider-name cloudgov --providers-schema "$work/schema.json" >"$work/validate.log" 2>&1 || {
  grep -v '\[DEBUG\]' "$work/validate.log" >&2
  fail "tfplugindocs validate failed"
}
echo "check-repo: actionlint, release workflow and tfplugindocs validate passed" >&2
