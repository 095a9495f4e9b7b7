#!/usr/bin/env python3
"""Writes link stubs (text-based .tbd files) for the two macOS frameworks the provider
links, Security and CoreFoundation, so that macOS binaries link on Linux without
Apple's SDK.

The certificate-store code (rustls-native-certs, rustls-platform-verifier) calls the
system frameworks through security-framework-sys and core-foundation-sys. A linker
needs to know which library exports each symbol; Apple's SDK ships that as .tbd files.
These stubs say the same for the symbols those two crates declare (read from their
sources at the versions in Cargo.lock), under the frameworks' real install names, so
the binary binds to the system's own frameworks when it runs on a Mac.

usage: macos-link-stubs.py OUT_DIR   (then link with -F OUT_DIR)
"""
import json
import os
import re
import subprocess
import sys

FRAMEWORKS = {"security-framework-sys": "Security", "core-foundation-sys": "CoreFoundation"}
EXTERN_BLOCK = re.compile(r'extern\s+"C"\s*\{(.*?)\n\}', re.S)
DECLARATION = re.compile(r"pub\s+(?:static|fn)\s+([A-Za-z_][A-Za-z_0-9]*)")


def crate_dirs():
    meta = json.loads(
        subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--locked"])
    )
    for package in meta["packages"]:
        if package["name"] in FRAMEWORKS:
            yield package["name"], os.path.dirname(package["manifest_path"])


def symbols(src):
    found = set()
    for folder, _, files in os.walk(src):
        for name in files:
            if name.endswith(".rs"):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    for block in EXTERN_BLOCK.finditer(f.read()):
                        found.update("_" + m.group(1) for m in DECLARATION.finditer(block.group(1)))
    return sorted(found)


def main(out):
    written = set()
    for crate, path in crate_dirs():
        framework = FRAMEWORKS[crate]
        syms = symbols(os.path.join(path, "src"))
        if not syms:
            sys.exit(f"macos-link-stubs: no declarations found in {path}")
        folder = os.path.join(out, f"{framework}.framework")
        os.makedirs(folder, exist_ok=True)
        install = f"/System/Library/Frameworks/{framework}.framework/Versions/A/{framework}"
        with open(os.path.join(folder, f"{framework}.tbd"), "w", encoding="utf-8") as f:
            f.write("--- !tapi-tbd\n")
            f.write("tbd-version:     4\n")
            f.write("targets:         [ x86_64-macos, arm64-macos ]\n")
            f.write(f"install-name:    '{install}'\n")
            f.write("exports:\n")
            f.write("  - targets:         [ x86_64-macos, arm64-macos ]\n")
            f.write(f"    symbols:         [ {', '.join(syms)} ]\n")
            f.write("...\n")
        written.add(framework)
    missing = set(FRAMEWORKS.values()) - written
    if missing:
        sys.exit(f"macos-link-stubs: crates for {sorted(missing)} are not in Cargo.lock")


if __name__ == "__main__":
    main(sys.argv[1])
