#!/usr/bin/env bash
# `make release`: builds the provider for the registry's platforms and writes dist/ in
# the shape the Terraform and OpenTofu registries take from a release:
#   terraform-provider-cloudgov_VERSION_OS_ARCH.zip   (terraform-provider-cloudgov_vVERSION[.exe])
#   terraform-provider-cloudgov_VERSION_SHA256SUMS    (the zips and the manifest)
#   terraform-provider-cloudgov_VERSION_SHA256SUMS.sig (detached GPG signature)
#   terraform-provider-cloudgov_VERSION_manifest.json (terraform-registry-manifest.json)
# and, beside them but outside the registry's files, the simulator:
#   cloudgov-sim_VERSION_OS_ARCH.zip                  (cloudgov-sim[.exe])
#   cloudgov-sim_VERSION_SHA256SUMS
#
# PLATFORMS picks platforms (default: all five). Signing uses the key in
# RELEASE_GPG_PRIVATE_KEY (ASCII-armoured; RELEASE_GPG_PASSPHRASE if it has one);
# without it, a throwaway key signs and the run says loudly that the result is not for
# publishing.
#
# How each platform is built (design/release.md says why):
#   linux_amd64   x86_64-unknown-linux-musl, static, with Debian's musl-gcc
#   linux_arm64   aarch64-unknown-linux-musl, static, with Zig (cargo-zigbuild)
#   darwin_*      with Zig, linked against generated framework stubs (macos-link-stubs.py)
#   windows_amd64 x86_64-pc-windows-gnu with Debian's mingw-w64
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=toolchain.sh
. scripts/release/toolchain.sh

NAME=terraform-provider-cloudgov
VERSION=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
PLATFORMS=${PLATFORMS:-"linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64"}
DIST=${DIST:-$root/dist}
TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}

SIM=cloudgov-sim

build() {
  local platform=$1 target
  target=$(rust_target "$platform")
  ensure_target "$target"
  local cargo=(cargo build --release --locked --quiet -p "$NAME" --bin "$NAME" -p "$SIM" --bin "$SIM" --target "$target")
  echo "==> $platform ($target)" >&2
  case "$platform" in
    linux_amd64)
      ensure_apt musl-gcc musl-tools
      CC_x86_64_unknown_linux_musl=musl-gcc "${cargo[@]}"
      ;;
    windows_amd64)
      ensure_apt x86_64-w64-mingw32-gcc mingw-w64
      CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc "${cargo[@]}"
      ;;
    linux_arm64)
      ensure_zig
      cargo zigbuild --release --locked --quiet -p "$NAME" --bin "$NAME" -p "$SIM" --bin "$SIM" --target "$target"
      ;;
    darwin_*)
      ensure_zig
      local stubs="$TARGET_DIR/macos-link-stubs"
      python3 scripts/release/macos-link-stubs.py "$stubs" 2>/dev/null
      local var
      var="CARGO_TARGET_$(echo "$target" | tr 'a-z-' 'A-Z_')_RUSTFLAGS"
      env "$var=-C link-arg=-F$stubs" \
        cargo zigbuild --release --locked --quiet -p "$NAME" --bin "$NAME" -p "$SIM" --bin "$SIM" --target "$target" 2> >(grep -v -e xcrun -e 'MacOSX.sdk' -e 'DEVELOPER_DIR' -e 'SDK is needed' -e '^\s*|\?\s*$' -e '^warning: invoking' >&2)
      ;;
  esac
}

package() {
  local platform=$1 target ext=""
  target=$(rust_target "$platform")
  [ "$platform" = windows_amd64 ] && ext=.exe
  local stage
  stage=$(mktemp -d)
  cp "$TARGET_DIR/$target/release/$NAME$ext" "$stage/${NAME}_v$VERSION$ext"
  python3 scripts/release/zip.py pack "$DIST/${NAME}_${VERSION}_${platform}.zip" "$stage/${NAME}_v$VERSION$ext"
  rm -rf "$stage"
  stage=$(mktemp -d)
  cp "$TARGET_DIR/$target/release/$SIM$ext" "$stage/$SIM$ext"
  python3 scripts/release/zip.py pack "$DIST/${SIM}_${VERSION}_${platform}.zip" "$stage/$SIM$ext"
  rm -rf "$stage"
}

sign() {
  local sums=$1 home
  home=$(mktemp -d)
  chmod 700 "$home"
  export GNUPGHOME=$home
  if [ -n "${RELEASE_GPG_PRIVATE_KEY:-}" ]; then
    printf '%s\n' "$RELEASE_GPG_PRIVATE_KEY" | gpg --batch --quiet --import 2>/dev/null
  else
    echo "" >&2
    echo "!!! RELEASE_GPG_PRIVATE_KEY is not set: signing with a THROWAWAY key." >&2
    echo "!!! The signature verifies, but no registry knows this key: not for publishing." >&2
    echo "" >&2
    gpg --batch --quiet --passphrase '' --quick-generate-key \
      "terraform-provider-cloudgov throwaway <release@invalid>" rsa3072 sign 1d 2>/dev/null
  fi
  gpg --batch --yes --quiet --pinentry-mode loopback --passphrase "${RELEASE_GPG_PASSPHRASE:-}" \
    --detach-sign --output "$sums.sig" "$sums"
  gpg --batch --armor --export > "$DIST/${NAME}_${VERSION}_signing-key.asc"
  rm -rf "$home"
  unset GNUPGHOME
}

rm -rf "$DIST"
mkdir -p "$DIST"
for p in $PLATFORMS; do
  build "$p"
  package "$p"
done
cp terraform-registry-manifest.json "$DIST/${NAME}_${VERSION}_manifest.json"
sums="$DIST/${NAME}_${VERSION}_SHA256SUMS"
(cd "$DIST" && sha256sum ./"${NAME}_${VERSION}"_*.zip "${NAME}_${VERSION}_manifest.json" | sed 's| \./| |' > "$sums.tmp")
mv "$sums.tmp" "$sums"
sign "$sums"
(cd "$DIST" && sha256sum ./"${SIM}_${VERSION}"_*.zip | sed 's| \./| |' > "${SIM}_${VERSION}_SHA256SUMS")
echo "==> dist/" >&2
ls -l "$DIST" >&2
