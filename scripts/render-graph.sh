#!/usr/bin/env bash
# Renders the network graph's golden files (examples/network-graph/golden, which
# the in-process test `network_graph_of_three_spaces_matches_the_golden_files`
# compares cloudgov_network_graph's output with) through the real tools: DOT with
# Graphviz (`dot -Tsvg`), Mermaid with the mermaid CLI driving Debian's Chromium.
# Fails when either tool reports an error or draws no app. With --png it also
# rewrites the pictures the guide "Why can't my app connect?" shows.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-render-tools.sh"
browser=${CHROME_PATH:-}
for b in chromium chromium-browser google-chrome; do
  [ -n "$browser" ] && break
  browser=$(command -v "$b" || true)
done
golden="$root/examples/network-graph/golden"
out="$root/target/render"
mkdir -p "$out"
mmdc="$root/.tools/mermaid/node_modules/.bin/mmdc"
# Chromium runs as root in CI: its sandbox needs an unprivileged user.
printf '{"executablePath":"%s","args":["--no-sandbox","--disable-gpu"]}\n' "$browser" \
  > "$out/puppeteer.json"

dot -Tsvg "$golden/graph.dot" -o "$out/graph-dot.svg"
"$mmdc" --quiet -p "$out/puppeteer.json" -i "$golden/graph.mmd" -o "$out/graph-mermaid.svg"

status=0
for svg in "$out/graph-dot.svg" "$out/graph-mermaid.svg"; do
  text=$(sed 's/&#45;/-/g' "$svg")
  for app in portal admin-ui api search notify db-proxy cache; do
    if ! grep -q ">$app<" <<<"$text"; then
      echo "render-graph: $(basename "$svg") does not draw the app $app" >&2
      status=1
    fi
  done
done
if [ "${1:-}" = "--png" ]; then
  dot -Tpng -Gdpi=80 "$golden/graph.dot" -o "$root/examples/network-graph/graph-dot.png"
  "$mmdc" --quiet -p "$out/puppeteer.json" -i "$golden/graph.mmd" -w 1200 -b white \
    -o "$root/examples/network-graph/graph-mermaid.png"
fi
if [ "$status" = 0 ]; then
  echo "render-graph: graph.dot (Graphviz) and graph.mmd (mermaid CLI with Chromium) both render every app"
fi
exit $status
