#!/usr/bin/env bash
# `make demo`: builds the provider in release mode, lays it out as a filesystem
# mirror so that a plain `terraform init` installs it as a user would, and runs
# Terraform on the provider example.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
terraform="$root/.tools/bin/terraform"
demo="$root/.demo"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)

echo "==> Building terraform-provider-cloudgov $version (release)"
cargo build --release --quiet -p terraform-provider-cloudgov --bin terraform-provider-cloudgov
bin="$root/target/release/terraform-provider-cloudgov"

rm -rf "$demo" && mkdir -p "$demo/work"
for host in registry.terraform.io registry.opentofu.org; do
  dir="$demo/mirror/$host/cloud-gov/cloudgov/$version/linux_amd64"
  mkdir -p "$dir" && ln -sf "$bin" "$dir/terraform-provider-cloudgov_v$version"
done
cat > "$demo/cli.tfrc" <<RC
provider_installation {
  filesystem_mirror {
    path = "$demo/mirror"
  }
}
RC
export TF_CLI_CONFIG_FILE="$demo/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
cp examples/provider/provider.tf "$demo/work/"
cd "$demo/work"
echo "==> terraform init"
"$terraform" init -input=false -no-color | sed -n '/Installing\|Installed\|initialized/p'
echo "==> terraform validate"
"$terraform" validate -no-color
echo "==> terraform plan"
"$terraform" plan -input=false -no-color | tail -3
echo
echo "The provider starts, handshakes over mTLS and plans with Terraform $("$terraform" version | head -1 | cut -d' ' -f2)."
echo "Not built yet: the cloudgov-sim simulator, the API client, and the cloudgov_internal_route /"
echo "cloudgov_network_policy resources that examples/quickstart will apply."
