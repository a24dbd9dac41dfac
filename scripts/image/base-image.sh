#!/usr/bin/env bash
# Makes a local stand-in for docker/Dockerfile's NODE_IMAGE, because base images cannot be pulled on
# the project's machines: the Node.js of .nvmrc (from the npm registry, scripts/toolchain/node.sh),
# the npm that runs it here, a shell and the few tools the build's RUN steps call, and glibc and the
# C++ runtime, copied from this machine. Like the official image it has a
# uid 1000 user and runs `node` by default. Also the machine's CA bundle: npm inside the build must
# trust what npm outside it trusts.
# Usage: scripts/image/base-image.sh <buildah storage args...>; prints the image name. Cached by tag.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "${here}/../toolchain/node.sh" >/dev/null
version="$(node -p 'process.versions.node')"
image="localhost/streammetrics-node-base:${version}"
if buildah "$@" inspect --type image "${image}" >/dev/null 2>&1; then
  echo "${image}"
  exit 0
fi

rootfs="$(mktemp -d)"
trap 'rm -rf "${rootfs}"' EXIT
mkdir -p "${rootfs}"/{bin,usr/bin,usr/local/bin,usr/local/lib,etc/ssl/certs,tmp,root,home/node,app}
chmod 1777 "${rootfs}/tmp"

# A binary and every library it loads (ldd), at the same paths as here.
copy_with_libs() {
  local bin="$1"
  cp -L "${bin}" "${rootfs}/usr/bin/$(basename "${bin}")"
  ldd "${bin}" | grep -oE '/[^ ]+' | while read -r lib; do
    mkdir -p "${rootfs}$(dirname "${lib}")"
    cp -L "${lib}" "${rootfs}${lib}"
  done
}
for tool in sh env cp mkdir rm mv ln ls cat chmod; do copy_with_libs "$(command -v "${tool}")"; done
ln -s /usr/bin/sh "${rootfs}/bin/sh"
copy_with_libs "$(command -v node)"
# All of glibc and the C++ runtime, as in Debian's slim image: native addons (rollup's, for one)
# load libraries node itself does not.
dpkg -L libc6 libstdc++6 libgcc-s1 | grep -E '\.so(\.[0-9]+)*$' | while read -r lib; do
  [ -e "${lib}" ] || continue
  mkdir -p "${rootfs}$(dirname "${lib}")"
  cp -P "${lib}" "${rootfs}${lib}"
done
mv "${rootfs}/usr/bin/node" "${rootfs}/usr/local/bin/node"
cp -r "$(dirname "$(readlink -f "$(command -v npm)")")/.." "${rootfs}/usr/local/lib/npm"
ln -s ../lib/npm/bin/npm-cli.js "${rootfs}/usr/local/bin/npm"
ln -s ../lib/npm/bin/npx-cli.js "${rootfs}/usr/local/bin/npx"
cp -L /etc/ssl/certs/ca-certificates.crt "${rootfs}/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n' > "${rootfs}/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' > "${rootfs}/etc/group"
chown 1000:1000 "${rootfs}/home/node"

ctr="$(buildah "$@" from scratch)"
buildah "$@" copy "${ctr}" "${rootfs}" / >/dev/null
buildah "$@" config \
  --env PATH=/usr/local/bin:/usr/bin:/bin \
  --env NODE_VERSION="${version}" \
  --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
  --cmd node "${ctr}"
buildah "$@" commit --quiet "${ctr}" "${image}" >/dev/null
buildah "$@" rm "${ctr}" >/dev/null
echo "${image}"
