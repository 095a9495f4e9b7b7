#!/usr/bin/env bash
# Verifies dist/ as `make release` (or PLATFORMS=... make release) left it:
# - checksums match and the detached signature verifies;
# - each binary is what its platform needs: linux static (no glibc) and serving the
#   plugin handshake (linux_arm64 under qemu-user), windows running --version under
#   Wine, macOS Mach-O of the right architecture (arm64 code-signed, as macOS
#   requires);
# - Terraform installs the provider from the zips as from the registry (a local
#   stand-in: signature verified, zh: hash locked) and through a filesystem mirror,
#   runs it, and `terraform providers lock` records the zh: hash of every platform
#   built;
# - the simulator's archives match their checksums, and the README's offline path
#   works from the downloaded files alone: cloudgov-sim from its zip, the provider
#   from a filesystem mirror of its zip, `terraform apply` of the quickstart, with no
#   cargo (nor any Rust toolchain) on PATH.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=toolchain.sh
. scripts/release/toolchain.sh

NAME=terraform-provider-cloudgov
VERSION=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
DIST=${DIST:-$root/dist}
TERRAFORM=${TERRAFORM:-$root/.tools/bin/terraform}
COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passes=0
pass() { echo "ok   $*"; passes=$((passes + 1)); }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
expect() { # expect WHAT ACTUAL WANTED
  if [ "$2" = "$3" ]; then pass "$1: $2"; else fail "$1: got '$2', want '$3'"; fi
}

# The first stdout line of a provider started as Terraform starts it.
handshake() {
  local out="$work/handshake.out" pid line=""
  TF_PLUGIN_MAGIC_COOKIE=$COOKIE PLUGIN_PROTOCOL_VERSIONS=6 PLUGIN_MIN_PORT=10000 \
    PLUGIN_MAX_PORT=25000 "$@" > "$out" 2>/dev/null &
  pid=$!
  for _ in $(seq 1 100); do
    line=$(head -n 1 "$out" 2>/dev/null || true)
    [ -n "$line" ] && break
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$line"
}

cd "$DIST"
sums="${NAME}_${VERSION}_SHA256SUMS"
if sha256sum --quiet -c "$sums"; then pass "checksums ($(wc -l < "$sums") files)"; else fail "checksums"; fi
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --import "${NAME}_${VERSION}_signing-key.asc" 2>/dev/null
if gpg --batch --quiet --verify "$sums.sig" "$sums" 2>/dev/null; then pass "signature"; else fail "signature"; fi
unset GNUPGHOME
manifest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"]["protocol_versions"])' "${NAME}_${VERSION}_manifest.json")
expect "manifest protocol versions" "$manifest" "['6.0']"

platforms=()
for zip in "${NAME}_${VERSION}"_*.zip; do
  platform=${zip#"${NAME}_${VERSION}_"}
  platform=${platform%.zip}
  platforms+=("$platform")
  dir="$work/$platform"
  mkdir -p "$dir"
  python3 "$root/scripts/release/zip.py" unpack "$zip" "$dir"
  bin="$dir/${NAME}_v$VERSION"
  case "$platform" in
    linux_amd64)
      expect "$platform binary" "$(python3 "$root/scripts/release/inspect.py" "$bin")" "elf x86_64 static"
      expect "$platform --version" "$("$bin" --version)" "$NAME $VERSION"
      line=$(handshake "$bin")
      [[ "$line" =~ ^1\|6\|tcp\|127\.0\.0\.1:[0-9]+\|grpc\|$ ]] && pass "$platform handshake: $line" || fail "$platform handshake: '$line'"
      ;;
    linux_arm64)
      ensure_apt qemu-aarch64 qemu-user
      expect "$platform binary" "$(python3 "$root/scripts/release/inspect.py" "$bin")" "elf aarch64 static"
      expect "$platform --version (qemu)" "$(qemu-aarch64 "$bin" --version)" "$NAME $VERSION"
      line=$(handshake qemu-aarch64 "$bin")
      [[ "$line" =~ ^1\|6\|tcp\|127\.0\.0\.1:[0-9]+\|grpc\|$ ]] && pass "$platform handshake (qemu): $line" || fail "$platform handshake (qemu): '$line'"
      ;;
    windows_amd64)
      ensure_apt /usr/lib/wine/wine64 wine64
      ensure_apt x86_64-w64-mingw32-gcc mingw-w64
      expect "$platform binary" "$(python3 "$root/scripts/release/inspect.py" "$bin.exe")" "pe x86_64"
      expect "$platform --version (wine)" "$("$root/scripts/release/wine-run.sh" "$bin.exe" --version 2>/dev/null | tr -d '\r')" "$NAME $VERSION"
      ;;
    darwin_amd64)
      expect "$platform binary" "$(python3 "$root/scripts/release/inspect.py" "$bin")" "macho x86_64"
      ;;
    darwin_arm64)
      expect "$platform binary" "$(python3 "$root/scripts/release/inspect.py" "$bin")" "macho arm64 signed"
      ;;
  esac
done

# Terraform installs the provider as users do: from a registry (a local stand-in
# reached through a `host` block: signature checked, zh: hashes locked for every
# platform) and from a filesystem mirror (the air-gapped way), and runs it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$work/registry-key.pem" -out "$work/registry-cert.pem" 2>/dev/null
key_id=$(gpg --batch --with-colons --import-options show-only --import \
  "$DIST/${NAME}_${VERSION}_signing-key.asc" 2>/dev/null | awk -F: '$1 == "pub" && !seen {print $5; seen = 1}')
python3 "$root/scripts/release/registry.py" "$DIST" "$VERSION" \
  "$work/registry-cert.pem" "$work/registry-key.pem" "$key_id" > "$work/registry.url" &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do [ -s "$work/registry.url" ] && break; sleep 0.1; done
registry_url=$(cat "$work/registry.url")
fs_mirror="$work/fs-mirror/registry.terraform.io/cloud-gov/cloudgov"
mkdir -p "$fs_mirror"
cp "$DIST/${NAME}"_*.zip "$fs_mirror/"
cat > "$work/registry.tfrc" <<RC
host "registry.terraform.io" {
  services = {
    "providers.v1" = "${registry_url}v1/providers/"
  }
}
RC
cat > "$work/fs.tfrc" <<RC
provider_installation {
  filesystem_mirror {
    path = "$work/fs-mirror"
  }
}
RC
config() { # config DIR: a configuration that needs the provider at this version
  mkdir -p "$1"
  cat > "$1/main.tf" <<TF
terraform {
  required_providers {
    cloudgov = {
      source  = "cloud-gov/cloudgov"
      version = "$VERSION"
    }
  }
}
TF
}
zh() { echo "zh:$(sha256sum "$DIST/${NAME}_${VERSION}_$1.zip" | cut -d' ' -f1)"; }
tf() { # tf SOURCE DIR ARGS...: terraform in DIR, installing from SOURCE
  local source=$1 dir=$2
  shift 2
  (cd "$dir" && SSL_CERT_FILE="$work/registry-cert.pem" TF_CLI_CONFIG_FILE="$work/$source.tfrc" \
    CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 "$TERRAFORM" "$@")
}
this=linux_amd64
for source in registry fs; do
  dir="$work/tf-$source"
  from=$([ "$source" = fs ] && echo "filesystem mirror" || echo "registry")
  config "$dir"
  if ! tf "$source" "$dir" init -input=false -no-color > "$work/init.log" 2>&1; then
    fail "terraform init from the $from: $(cat "$work/init.log")"
    continue
  fi
  pass "terraform init from the $from"
  if [ "$source" = registry ] && [ -f "$DIST/${NAME}_${VERSION}_$this.zip" ]; then
    grep -q "$(zh $this)" "$dir/.terraform.lock.hcl" \
      && pass "init locked the $this zh: hash" || fail "the lock file lacks $(zh $this)"
  fi
  if tf "$source" "$dir" providers schema -json > "$work/schema.json" 2> "$work/schema.log" \
      && grep -q cloudgov_internal_route "$work/schema.json"; then
    pass "terraform runs the provider installed from the $from"
  else
    fail "terraform providers schema ($from): $(cat "$work/schema.log")"
  fi
done
flags=()
for p in "${platforms[@]}"; do flags+=("-platform=$p"); done
dir="$work/tf-lock"
config "$dir"
if tf registry "$dir" providers lock -no-color "${flags[@]}" > "$work/lock.log" 2>&1; then
  for p in "${platforms[@]}"; do
    grep -q "$(zh "$p")" "$dir/.terraform.lock.hcl" \
      && pass "providers lock records $p ($(zh "$p" | cut -c1-15)…)" || fail "providers lock lacks $p"
  done
else
  fail "terraform providers lock: $(cat "$work/lock.log")"
fi
# The same from the filesystem mirror, as an air-gapped team shares one lock file: one
# h1: hash per platform (a mirror has no signed checksums, so no zh:).
dir="$work/tf-lock-fs"
config "$dir"
if tf fs "$dir" providers lock -no-color -fs-mirror="$work/fs-mirror" "${flags[@]}" > "$work/lock.log" 2>&1; then
  expect "providers lock -fs-mirror: h1: hashes" "$(grep -c '"h1:' "$dir/.terraform.lock.hcl")" "${#platforms[@]}"
else
  fail "terraform providers lock -fs-mirror: $(cat "$work/lock.log")"
fi

# The offline path, from downloaded files only (README, "Trying it offline").
sim_sums="$DIST/cloudgov-sim_${VERSION}_SHA256SUMS"
if (cd "$DIST" && sha256sum --quiet -c "$(basename "$sim_sums")"); then
  pass "cloudgov-sim checksums ($(wc -l < "$sim_sums") archives)"
else
  fail "cloudgov-sim checksums"
fi
if [ -f "$DIST/cloudgov-sim_${VERSION}_$this.zip" ] && [ -f "$DIST/${NAME}_${VERSION}_$this.zip" ]; then
  offline="$work/offline"
  mkdir -p "$offline/bin" "$offline/mirror/registry.terraform.io/cloud-gov/cloudgov" "$offline/config"
  python3 "$root/scripts/release/zip.py" unpack "$DIST/cloudgov-sim_${VERSION}_$this.zip" "$offline/bin"
  cp "$DIST/${NAME}_${VERSION}_$this.zip" "$offline/mirror/registry.terraform.io/cloud-gov/cloudgov/"
  cp "$TERRAFORM" "$offline/bin/terraform"
  printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' "$offline/mirror" > "$offline/cli.tfrc"
  sed "s/version = \"~> 0.1.0\"/version = \"$VERSION\"/" "$root/examples/quickstart/main.tf" > "$offline/config/main.tf"
  # Nothing from the build: a PATH of system directories and the two downloaded tools.
  clean_path="$offline/bin:/usr/bin:/bin"
  if PATH=$clean_path command -v cargo >/dev/null 2>&1; then
    fail "offline: cargo is on the clean PATH"
  fi
  PATH=$clean_path "$offline/bin/cloudgov-sim" --listen 127.0.0.1:0 --tls --ca-out "$offline/ca.pem" \
    > "$offline/sim.url" 2> "$offline/sim.log" &
  sim_pid=$!
  trap 'kill $registry_pid $sim_pid 2>/dev/null; rm -rf "$work"' EXIT
  for _ in $(seq 1 100); do [ -s "$offline/sim.url" ] && break; sleep 0.05; done
  sim_url=$(head -n 1 "$offline/sim.url")
  if (cd "$offline/config" && env -i PATH="$clean_path" HOME="$offline" TF_CLI_CONFIG_FILE="$offline/cli.tfrc" \
      CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 SSL_CERT_FILE="$offline/ca.pem" CF_API_URL="$sim_url" \
      CF_USER=deployer CF_PASSWORD=deployer terraform init -input=false -no-color > "$offline/init.log" 2>&1 \
      && env -i PATH="$clean_path" HOME="$offline" TF_CLI_CONFIG_FILE="$offline/cli.tfrc" \
      CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 SSL_CERT_FILE="$offline/ca.pem" CF_API_URL="$sim_url" \
      CF_USER=deployer CF_PASSWORD=deployer terraform apply -auto-approve -input=false -no-color > "$offline/apply.log" 2>&1) \
      && grep -q "backend.apps.internal" "$offline/apply.log"; then
    pass "offline: the quickstart applies with cloudgov-sim and the provider from the release files, no cargo"
  else
    fail "offline path: $(cat "$offline/init.log" "$offline/apply.log" "$offline/sim.log" 2>/dev/null | tail -20)"
  fi
  kill "$sim_pid" 2>/dev/null || true
fi

echo "release check (${platforms[*]}): $passes passed, $failures failed"
[ "$failures" -eq 0 ]
