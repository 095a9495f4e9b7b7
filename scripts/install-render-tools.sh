#!/usr/bin/env bash
# What the network graph's rendering check needs: Graphviz (`dot`) and Chromium
# from Debian's packages (apt-get, as root, as in CI), and the mermaid CLI (`mmdc`)
# from npm into .tools/mermaid, pinned, once. The mermaid CLI drives Debian's
# Chromium through puppeteer; puppeteer's own browser download is skipped
# (PUPPETEER_SKIP_DOWNLOAD), so nothing but registry packages is fetched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
MERMAID_CLI_VERSION=${MERMAID_CLI_VERSION:-11.17.0}
# mermaid-cli 12 needs Node.js 22.13+; 11.17 runs on Node.js 20 with puppeteer 24.
PUPPETEER_VERSION=${PUPPETEER_VERSION:-24.43.1}
prefix="$root/.tools/mermaid"

# The browser: CHROME_PATH, else Debian's chromium, else one the machine has
# (GitHub's Ubuntu runners ship google-chrome).
browser() {
  if [ -n "${CHROME_PATH:-}" ]; then echo "$CHROME_PATH"; return; fi
  for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then command -v "$b"; return; fi
  done
}
missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
[ -n "$(browser)" ] || missing+=(chromium)
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "install-render-tools: installing ${missing[*]} from Debian's packages (first time only)..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "install-render-tools: ${missing[*]} not installed, and this is not root with apt-get;" \
      "install them (Debian: apt-get install ${missing[*]})." >&2
    exit 2
  fi
fi

stamp="$prefix/mermaid-cli-$MERMAID_CLI_VERSION-puppeteer-$PUPPETEER_VERSION.stamp"
if [ ! -x "$prefix/node_modules/.bin/mmdc" ] || [ ! -f "$stamp" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-render-tools: no npm on PATH; the mermaid CLI comes from npm." >&2
    exit 2
  fi
  echo "install-render-tools: installing the mermaid CLI $MERMAID_CLI_VERSION from npm (first time only)..." >&2
  rm -rf "$prefix"
  mkdir -p "$prefix"
  (cd "$prefix" && PUPPETEER_SKIP_DOWNLOAD=true npm install --no-audit --no-fund --no-package-lock \
    --loglevel=error "@mermaid-js/mermaid-cli@$MERMAID_CLI_VERSION" "puppeteer@$PUPPETEER_VERSION" >/dev/null)
  touch "$stamp"
fi
