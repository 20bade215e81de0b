#!/bin/sh
# Packs what training NiN on a GPU machine with no network and no Node needs into <repo>/.kit (git-ignored):
#
#   .kit/node.xz              this machine's Node binary (x86-64 Linux, glibc), xz
#   .kit/app/nin-kit.mjs.xz   esbuild bundle of gpu-kit/kit.ts: the nin CLI (train, eval, ...) + probe/bench, no node_modules
#   .kit/dawn.node.xz         the `webgpu` package's Dawn addon; run.sh puts it where the bundle looks for it
#   .kit/data/*.xz            Fashion-MNIST IDX files (train, and test unless --no-test), xz
#   .kit/deb/*.deb            the Vulkan loader and GL vendor-neutral dispatch packages (amd64) the NVIDIA driver needs
#
# Usage: packages/core-nin/gpu-kit/pack.sh [--no-test] [--data DIR]
# The kit plus the repository must stay under 64 MiB (one transfer to the GPU machine); the sizes are printed.
set -eu
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
KIT="$ROOT/.kit"
DATA=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
TEST=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-test) TEST=0 ;;
    --data) DATA="$2"; shift ;;
    *) echo "pack.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$(uname -m)" = x86_64 ] || { echo "pack.sh: the GPU machines are x86-64; this is $(uname -m)" >&2; exit 1; }
NODE_BIN=$(command -v node)
DAWN="$ROOT/node_modules/webgpu/dist/linux-x64/dawn.node"
[ -f "$DAWN" ] || { echo "pack.sh: $DAWN missing: run npm ci first" >&2; exit 1; }

# The slow parts (xz -9 of Node and the data) are kept when their source has not changed.
rm -rf "$KIT/app" "$KIT/deb"
mkdir -p "$KIT/app" "$KIT/data" "$KIT/deb"
# fresh SRC DEST: whether DEST exists and is newer than SRC
fresh() { [ -f "$2" ] && [ "$2" -nt "$1" ]; }
echo "/.kit/" | grep -qxF -f - "$ROOT/.gitignore" 2>/dev/null || echo "pack.sh: warning: /.kit/ is not in .gitignore" >&2

(cd "$ROOT" && node packages/core-nin/gpu-kit/bundle.mjs "$KIT/app/nin-kit.mjs")
xz -T0 -9 "$KIT/app/nin-kit.mjs"
fresh "$DAWN" "$KIT/dawn.node.xz" || xz -T0 -9 -c "$DAWN" >"$KIT/dawn.node.xz"
if ! fresh "$NODE_BIN" "$KIT/node.xz" || [ "$(cat "$KIT/node.version" 2>/dev/null)" != "$("$NODE_BIN" --version)" ]; then
  xz -T0 -9 -c "$NODE_BIN" >"$KIT/node.xz"
  "$NODE_BIN" --version >"$KIT/node.version"
fi

FILES="train-images-idx3-ubyte train-labels-idx1-ubyte"
[ "$TEST" = 1 ] && FILES="$FILES t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"
[ "$TEST" = 1 ] || rm -f "$KIT/data/t10k-"*
for f in $FILES; do
  [ -f "$KIT/data/$f.xz" ] && continue
  if [ -f "$DATA/$f.gz" ]; then gzip -dc "$DATA/$f.gz"; elif [ -f "$DATA/$f" ]; then cat "$DATA/$f"; else
    echo "pack.sh: $DATA/$f[.gz] not found (set FASHION_MNIST_DIR or --data)" >&2; exit 1
  fi | xz -T0 -9 -c >"$KIT/data/$f.xz.part"
  mv "$KIT/data/$f.xz.part" "$KIT/data/$f.xz"
done

# The loader (libvulkan1) and what the NVIDIA Vulkan driver links against (libGLX_nvidia needs libGLdispatch),
# as the device README prescribes; amd64 whatever this machine is.
LISTS=$(mktemp -d)
trap 'rm -rf "$LISTS"' EXIT
mkdir -p "$LISTS/partial"
APT_AMD64="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=$LISTS"
# shellcheck disable=SC2086
apt-get $APT_AMD64 update -qq
# shellcheck disable=SC2086
(cd "$KIT/deb" && apt-get $APT_AMD64 download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)

echo "kit contents:"
(cd "$KIT" && find . -type f -exec du -b {} + | sort -k2 | awk '{ printf "  %8.2f MB  %s\n", $1 / 1e6, $2 }')
KIT_BYTES=$(du -sb "$KIT" | cut -f1)
TREE_BYTES=$(cd "$ROOT" && { git ls-files; git ls-files -o --exclude-standard; } | sort -u | while read -r p; do [ -f "$p" ] && echo "$p"; done | tr '\n' '\0' | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
TOTAL=$((KIT_BYTES + TREE_BYTES))
printf 'kit %.1f MB + working tree %.1f MB = %.1f MB (limit 64 MiB = 67.1 MB)\n' "$(echo "$KIT_BYTES / 1000000" | bc -l)" "$(echo "$TREE_BYTES / 1000000" | bc -l)" "$(echo "$TOTAL / 1000000" | bc -l)"
if [ "$TOTAL" -ge 67108864 ]; then
  echo "pack.sh: over 64 MiB: pack with --no-test and evaluate on this machine" >&2
  exit 1
fi
