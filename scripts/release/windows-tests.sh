#!/usr/bin/env bash
# The provider's unit tests, built for x86_64-pc-windows-gnu with mingw-w64 and run
# under Wine (cargo's runner is wine-run.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=toolchain.sh
. scripts/release/toolchain.sh
ensure_target x86_64-pc-windows-gnu
ensure_apt x86_64-w64-mingw32-gcc mingw-w64
ensure_apt /usr/lib/wine/wine64 wine64
echo "==> unit tests for windows_amd64, under Wine" >&2
CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc \
  CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$root/scripts/release/wine-run.sh" \
  cargo test --locked --quiet --target x86_64-pc-windows-gnu -p terraform-provider-cloudgov --lib
