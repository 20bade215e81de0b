#!/bin/sh
# Packs what training NiN on a GPU machine with no network and no Node needs into <repo>/.kit (git-ignored):
#
#   .kit/node.xz              this machine's Node binary (x86-64 Linux, glibc), xz
#   .kit/app/nin-kit.mjs.xz   esbuild bundle of gpu-kit/kit.ts: the nin CLI (train, eval, ...) + probe/bench, no node_modules
#   .kit/dawn.node.xz         the `webgpu` package's Dawn addon; run.sh puts it where the bundle looks for it
#   .kit/data/*.xz            Fashion-MNIST IDX files (train, and test unless --no-test), xz
#   .kit/deb/*.deb            the Vulkan loader and GL vendor-neutral dispatch packages (amd64) the NVIDIA driver needs
#   .kit/bench-app.tar.xz     the bench harness bundled by gpu-kit/bundle-bench.mjs (nin-bench, its child, the tfjs,
#                             onnxruntime-node and PyTorch runners, onnxruntime-node's linux-x64 library): run.sh's `harness` step
#
# Usage: packages/core-nin/gpu-kit/pack.sh [--no-test] [--split] [--data DIR]
# Every transfer to the GPU machine (kit plus repository) must stay under 64 MiB; the sizes are printed. With
# --split, Node and the training data go to <repo>/.kit-stage (excluded from git through .git/info/exclude) for a
# first "stage" call that copies them to /tmp/nin-kit-stage on the machine, and the rest stays in .kit for the
# run call that follows while the machine is still warm (see README.md).
set -eu
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
KIT="$ROOT/.kit"
DATA=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
TEST=1
SPLIT=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-test) TEST=0 ;;
    --split) SPLIT=1 ;;
    --data) DATA="$2"; shift ;;
    *) echo "pack.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$(uname -m)" = x86_64 ] || { echo "pack.sh: the GPU machines are x86-64; this is $(uname -m)" >&2; exit 1; }
NODE_BIN=$(command -v node)
DAWN="$ROOT/node_modules/webgpu/dist/linux-x64/dawn.node"
[ -f "$DAWN" ] || { echo "pack.sh: $DAWN missing: run npm ci first" >&2; exit 1; }

# The slow parts (xz -9 of Node and the data) are kept when their source has not changed, wherever the last
# pack left them (a --split one moved them to .kit-stage).
STAGE_DIR="$ROOT/.kit-stage"
if [ -d "$STAGE_DIR" ]; then
  mkdir -p "$KIT/data"
  for f in node.xz node.version; do [ -f "$STAGE_DIR/$f" ] && mv "$STAGE_DIR/$f" "$KIT/"; done
  for f in "$STAGE_DIR"/data/*; do [ -f "$f" ] && mv "$f" "$KIT/data/"; done
  rm -rf "$STAGE_DIR"
fi
rm -rf "$KIT/app" "$KIT/deb" "$KIT/bench-app.tar.xz"
mkdir -p "$KIT/app" "$KIT/data" "$KIT/deb"
# fresh SRC DEST: whether DEST exists and is newer than SRC
fresh() { [ -f "$2" ] && [ "$2" -nt "$1" ]; }
echo "/.kit/" | grep -qxF -f - "$ROOT/.gitignore" 2>/dev/null || echo "pack.sh: warning: /.kit/ is not in .gitignore" >&2

(cd "$ROOT" && node packages/core-nin/gpu-kit/bundle.mjs "$KIT/app/nin-kit.mjs")
xz -T0 -9 "$KIT/app/nin-kit.mjs"
BENCH_APP=$(mktemp -d)
(cd "$ROOT" && node packages/core-nin/gpu-kit/bundle-bench.mjs "$BENCH_APP")
tar -C "$BENCH_APP" -cf - . | xz -T0 -9 -c >"$KIT/bench-app.tar.xz"
rm -rf "$BENCH_APP"
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

if [ "$SPLIT" = 1 ]; then
  EXCLUDE=$(cd "$ROOT" && git rev-parse --git-path info/exclude)
  case "$EXCLUDE" in /*) ;; *) EXCLUDE="$ROOT/$EXCLUDE" ;; esac
  grep -qxF '/.kit-stage/' "$EXCLUDE" 2>/dev/null || echo '/.kit-stage/' >>"$EXCLUDE"
  mkdir -p "$STAGE_DIR/data"
  mv "$KIT/node.xz" "$KIT/node.version" "$STAGE_DIR/"
  mv "$KIT"/data/train-* "$STAGE_DIR/data/"
fi

TREE_BYTES=$(cd "$ROOT" && { git ls-files; git ls-files -o --exclude-standard; } | sort -u | while read -r p; do [ -f "$p" ] && echo "$p"; done | tr '\n' '\0' | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
mb() { awk "BEGIN { printf \"%.1f\", $1 / 1000000 }"; }
STATUS=0
# report DIR NAME: lists DIR and checks that it fits one transfer with the working tree
report() {
  echo "$2 ($1):"
  (cd "$1" && find . -type f -exec du -b {} + | sort -k2 | awk '{ printf "  %8.2f MB  %s\n", $1 / 1e6, $2 }')
  local bytes total
  bytes=$(du -sb "$1" | cut -f1)
  total=$((bytes + TREE_BYTES))
  echo "$2 $(mb "$bytes") MB + working tree $(mb "$TREE_BYTES") MB = $(mb "$total") MB (limit 64 MiB = 67.1 MB)"
  if [ "$total" -ge 67108864 ]; then
    echo "pack.sh: $2 is over 64 MiB with the working tree: pack with --split (and/or --no-test and evaluate on this machine)" >&2
    STATUS=1
  fi
}
[ "$SPLIT" = 1 ] && report "$STAGE_DIR" "stage transfer"
report "$KIT" "kit transfer"
exit $STATUS
