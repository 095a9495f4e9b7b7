#!/usr/bin/env bash
# `make demo`: the platform's container-to-container walkthrough, applied with
# Terraform against a local cloud.gov simulator.
#
# Builds the provider and cloudgov-sim (release), starts the simulator over HTTPS
# with a fresh CA that the provider trusts through SSL_CERT_FILE, lays the provider
# out as a filesystem mirror so that a plain `terraform init` installs it as a user
# would, applies examples/quickstart, prints its outputs, shows that a second plan has
# nothing to change, and stops the simulator. DEMO_KEEP=1 leaves it running.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
terraform="$root/.tools/bin/terraform"
demo="$root/.demo"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | sed -n 1p)

echo "==> Building terraform-provider-cloudgov $version and cloudgov-sim (release)"
cargo build --release --quiet -p terraform-provider-cloudgov --bin terraform-provider-cloudgov -p cloudgov-sim --bin cloudgov-sim
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

echo "==> Starting cloudgov-sim (HTTPS, default seed: org sandbox, space dev, apps frontend and backend)"
"$root/target/release/cloudgov-sim" --listen 127.0.0.1:0 --tls --ca-out "$demo/ca.pem" \
  --state-file "$demo/sim-state.json" >"$demo/sim.url" 2>"$demo/sim.log" &
sim_pid=$!
stop_sim() { kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; }
if [ "${DEMO_KEEP:-}" != "1" ]; then trap stop_sim EXIT; fi
for _ in $(seq 1 100); do [ -s "$demo/sim.url" ] && break; sleep 0.05; done
url=$(head -1 "$demo/sim.url")
[ -n "$url" ] || { echo "cloudgov-sim did not start; see $demo/sim.log" >&2; exit 1; }
echo "    $url"

export TF_CLI_CONFIG_FILE="$demo/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export CF_API_URL="$url" CF_USER=deployer CF_PASSWORD=deployer SSL_CERT_FILE="$demo/ca.pem"
cp examples/quickstart/main.tf "$demo/work/"
cd "$demo/work"

echo "==> terraform init"
"$terraform" init -input=false -no-color | sed -n '/Installing\|Installed\|initialized/p'
echo "==> terraform apply"
"$terraform" apply -auto-approve -input=false -no-color | sed -n '/will be created/,$p' | grep -v '^$' | grep -v 'Reading\|Read complete'
echo "==> The frontend calls:"
"$terraform" output -raw backend_url; echo
echo "==> with its TLS library trusting the platform CA:"
"$terraform" output -no-color frontend_environment
echo "==> terraform plan (a second time: nothing left to change)"
set +e
"$terraform" plan -detailed-exitcode -input=false -no-color | grep -E "No changes|Plan:"
code=${PIPESTATUS[0]}
set -e
if [ "$code" != "0" ]; then
  echo "the second plan was not empty (exit $code)" >&2
  exit 1
fi

if [ "${DEMO_KEEP:-}" = "1" ]; then
  cat <<TXT

cloudgov-sim is still running (pid $sim_pid). To use it from another shell:
  export TF_CLI_CONFIG_FILE=$demo/cli.tfrc CF_API_URL=$url CF_USER=deployer CF_PASSWORD=deployer SSL_CERT_FILE=$demo/ca.pem
  cd $demo/work && $terraform plan
Stop it with: kill $sim_pid
TXT
else
  echo
  echo "Done. The simulator has been stopped; run with DEMO_KEEP=1 to keep it."
fi
