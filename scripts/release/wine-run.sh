#!/usr/bin/env bash
# Cargo's runner for x86_64-pc-windows-gnu: runs a Windows binary under Wine, with the
# test-only bcryptprimitives.dll stand-in beside it (see wine-bcryptprimitives.c).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exe=$1
shift
dll="$(dirname "$exe")/bcryptprimitives.dll"
if [ ! -f "$dll" ] || [ "$here/wine-bcryptprimitives.c" -nt "$dll" ]; then
  x86_64-w64-mingw32-gcc -O2 -shared -o "$dll" "$here/wine-bcryptprimitives.c" \
    "$here/wine-bcryptprimitives.def" -ladvapi32
fi
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
export WINEDEBUG=${WINEDEBUG:--all} WINEPREFIX=${WINEPREFIX:-$HOME/.wine-cloudgov}
exec "$wine" "$exe" "$@"
