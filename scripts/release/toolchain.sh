# Sourced by the release scripts: installs, once, what cross-building needs. Every
# tool comes from a registry this project may use: Rust targets through rustup,
# Debian packages (musl-tools, mingw-w64, qemu-user, wine64), Zig from PyPI
# (ziglang) and cargo-zigbuild from crates.io, the last two into .tools/.

ZIGLANG_VERSION=${ZIGLANG_VERSION:-0.17.0}
CARGO_ZIGBUILD_VERSION=${CARGO_ZIGBUILD_VERSION:-0.24.0}
TOOLS="$root/.tools"
export PATH="$TOOLS/bin:$TOOLS/cargo/bin:$PATH"

# ensure_apt COMMAND PACKAGE: installs PACKAGE when COMMAND is missing.
ensure_apt() {
  command -v "$1" >/dev/null 2>&1 || [ -x "$1" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "release: $1 is missing; install the Debian package $2 (apt-get install $2)" >&2
    return 1
  fi
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq >&2
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >&2
}

ensure_target() {
  rustup target list --installed | grep -x "$1" >/dev/null || rustup target add "$1" >&2
}

ensure_zig() {
  if ! command -v zig >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check --target "$TOOLS/zig-py" \
      "ziglang==$ZIGLANG_VERSION" 2>&1 | grep -v "Running pip as the 'root' user" >&2 || true
    mkdir -p "$TOOLS/bin"
    ln -sf ../zig-py/ziglang/zig "$TOOLS/bin/zig"
  fi
  if ! command -v cargo-zigbuild >/dev/null 2>&1; then
    cargo install --quiet --locked --root "$TOOLS/cargo" cargo-zigbuild \
      --version "$CARGO_ZIGBUILD_VERSION" >&2
  fi
}

# The Rust target of a registry platform.
rust_target() {
  case "$1" in
    linux_amd64) echo x86_64-unknown-linux-musl ;;
    linux_arm64) echo aarch64-unknown-linux-musl ;;
    darwin_amd64) echo x86_64-apple-darwin ;;
    darwin_arm64) echo aarch64-apple-darwin ;;
    windows_amd64) echo x86_64-pc-windows-gnu ;;
    *) echo "release: unknown platform $1" >&2; return 1 ;;
  esac
}
