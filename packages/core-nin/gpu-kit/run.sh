#!/bin/bash
# Runs the kit packed by pack.sh on a GPU machine with no network and no Node (or, for a rehearsal, here on
# lavapipe). From the repository root, with .kit/ next to it:
#
#   packages/core-nin/gpu-kit/run.sh OUT_DIR
#
# Steps, each logged with a timestamp to OUT_DIR/run.log and bounded by its own timeout:
#   1. unpack Node, the bundle, dawn.node and the data into $NIN_KIT_WORK (/tmp/nin-kit); unpack the Vulkan/GL
#      loader packages into / (as the device README prescribes) and point Vulkan at the NVIDIA driver if present
#   2. probe: nvidia-smi, Dawn's adapter, forward parity webgpu vs cpu             -> probe
#   3. PyTorch on the same GPU: training and inference throughput (torch_bench.py)  -> torch-bench
#   4. the TypeScript stack: training and inference throughput (nin-kit bench)      -> webgpu-bench
#   5. `nin train` on webgpu, its schedule fitted to the time budget (--max-minutes, --fit-schedule), batches
#      resized on the device; weights + int8 copy with manifests, log, curve, checkpoint -> OUT_DIR/train/
#   6. nin eval on the test set with the trained weights on webgpu                  -> eval-webgpu
#   harness (only with NIN_KIT_HARNESS=on; a call of its own, with NIN_KIT_SKIP="torch bench train eval"):
#      the bench harness itself (`nin-bench run`, bundled by bundle-bench.mjs) on this machine's engines ->
#      OUT_DIR/bench-gpu/ (bench/results.json, report.md, charts, nvidia-smi.csv); runs right after the probe
# After every step the figures so far are merged into OUT_DIR/gpu-run.json: one file, since the device returns
# at most 8, and a run cut short still returns what it measured.
#
# Environment (defaults are the GPU run's):
#   NIN_KIT_DEADLINE_SECONDS  the whole run should end by then (560): training gets what the steps before it left,
#                             less NIN_KIT_EVAL_RESERVE_SECONDS (75) for the test-set evaluation
#   NIN_KIT_TRAIN_ARGS      extra `nin train` arguments, after the kit's (the last of a repeated option wins: e.g.
#                           "--epochs 20" or, rehearsing, "--limit 512 --size 96")
#   NIN_KIT_RESUME          a checkpoint (nin-fmnist-<size>.ckpt.safetensors from an earlier run's train/): copied
#                           into OUT_DIR/train and continued with `nin train --resume` (its recipe wins)
#   NIN_KIT_BENCH_ARGS      extra `nin-kit bench` arguments;  NIN_KIT_TORCH_ARGS  extra torch_bench.py arguments
#   NIN_KIT_EVAL_ARGS       extra `nin eval` arguments (e.g. "--limit 500")
#   NIN_KIT_SKIP            space-separated steps to skip: probe torch bench train eval
#   NIN_KIT_HARNESS         `on` runs the harness step (off by default: setting NIN_KIT_SKIP for a training call
#                           once ran the harness too, and its 5 minutes left training one)
#   NIN_KIT_HARNESS_BACKENDS  the harness's rows (default: tfjs cpu, webgpu, wasm SIMD, onnxruntime-node on all
#                           cores, PyTorch CUDA strict float32 and default); NIN_KIT_HARNESS_ARGS  more `nin-bench run` options
#   NIN_KIT_PYTHON          Python with torch (python3)
set -u
OUT=${1:?usage: run.sh OUT_DIR}
mkdir -p "$OUT/train"
OUT=$(cd "$OUT" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
KIT="$ROOT/.kit"
WORK=${NIN_KIT_WORK:-/tmp/nin-kit}
DEADLINE=${NIN_KIT_DEADLINE_SECONDS:-560}
EVAL_RESERVE=${NIN_KIT_EVAL_RESERVE_SECONDS:-75}
# The harness is a call of its own (it takes minutes that training would lose): it runs only when asked for by
# name, whatever NIN_KIT_SKIP says.
SKIP=" ${NIN_KIT_SKIP:-} "
[ "${NIN_KIT_HARNESS:-off}" = on ] || SKIP="$SKIP harness "
PY=${NIN_KIT_PYTHON:-python3}
START=$(date +%s)
LOG="$OUT/run.log"

log() { printf '[%s +%4ss] %s\n' "$(date -u +%H:%M:%S)" "$(($(date +%s) - START))" "$*" | tee -a "$LOG" >&2; }
# step NAME SECONDS CMD...: runs CMD with a timeout, output appended to the log, and records its exit status.
step() {
  local name=$1 seconds=$2
  shift 2
  if [[ "$SKIP" == *" $name "* ]]; then log "skip $name"; return 0; fi
  log "begin $name (timeout ${seconds}s): $*"
  timeout --kill-after=10 "$seconds" "$@" >>"$LOG" 2>&1
  local rc=$?
  log "end $name: exit $rc"
  echo "{\"step\": \"$name\", \"exit\": $rc, \"atSeconds\": $(($(date +%s) - START))}" >>"$FIG/steps.jsonl"
  merge
  return $rc
}

FIG="$WORK/figures"
# merge: every figure file in $FIG into $OUT/gpu-run.json, keyed by file name
merge() {
  "$NODE" -e '
    const fs = require("fs"), path = require("path");
    const [dir, target] = process.argv.slice(1), out = {};
    for (const f of fs.readdirSync(dir).sort()) {
      const text = fs.readFileSync(path.join(dir, f), "utf8");
      const key = f.replace(/\.(json|jsonl|csv)$/, "");
      try { out[key] = f.endsWith(".jsonl") ? text.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : f.endsWith(".json") ? JSON.parse(text) : text; }
      catch (e) { out[key] = { unparsed: text.slice(0, 20000), error: String(e) }; }
    }
    fs.writeFileSync(target + ".part", JSON.stringify(out, null, 2) + "\n");
    fs.renameSync(target + ".part", target);
  ' "$FIG" "$OUT/gpu-run.json" >>"$LOG" 2>&1
}

# A kit packed with --split comes in two transfers: the staged half (Node, training data) was copied to $STAGE
# by an earlier call on the same warm machine; each file is looked up in the kit first, then there.
STAGE=${NIN_KIT_STAGE:-/tmp/nin-kit-stage}
kitfile() { if [ -e "$KIT/$1" ]; then echo "$KIT/$1"; else echo "$STAGE/$1"; fi; }
log "unpack kit from $KIT (and $STAGE) into $WORK"
[ -f "$(kitfile node.xz)" ] || { log "no kit at $KIT or $STAGE: run packages/core-nin/gpu-kit/pack.sh first"; exit 1; }
rm -rf "$WORK" && mkdir -p "$WORK/app/dist/linux-x64" "$WORK/data" "$FIG"
xz -dc "$(kitfile node.xz)" >"$WORK/node" && chmod +x "$WORK/node"
xz -dc "$(kitfile app/nin-kit.mjs.xz)" >"$WORK/app/nin-kit.mjs"
xz -dc "$(kitfile dawn.node.xz)" >"$WORK/app/dist/linux-x64/dawn.node"
for f in "$STAGE"/data/*.xz "$KIT"/data/*.xz; do [ -f "$f" ] && xz -dc "$f" >"$WORK/data/$(basename "$f" .xz)"; done
if ! ldconfig -p | grep -q 'libvulkan.so.1 '; then
  log "no Vulkan loader installed: unpacking $(ls "$KIT"/deb/*.deb | wc -l) packages into /"
  for f in "$KIT"/deb/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
NVIDIA_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$NVIDIA_ICD" ]; then
  export VK_DRIVER_FILES=$NVIDIA_ICD VK_ICD_FILENAMES=$NVIDIA_ICD
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  [ -d /usr/local/nvidia/lib64 ] && export LD_LIBRARY_PATH=/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
export FASHION_MNIST_DIR="$WORK/data"
NODE="$WORK/node"
KITJS="$WORK/app/nin-kit.mjs"
log "node $("$NODE" --version); data: $(ls "$WORK/data" | tr '\n' ' ')"

if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv >"$FIG/nvidia-smi.csv" 2>&1
  cat "$FIG/nvidia-smi.csv" >>"$LOG"
fi
# shellcheck disable=SC2086
step probe 120 "$NODE" "$KITJS" probe --size 224 --batch 2 --out "$FIG/probe.json"
if [[ "$SKIP" != *" harness "* ]]; then
  # The bench harness (bundle-bench.mjs's folder, packed as bench-app.tar.xz) with Dawn where its tfjs runner looks.
  mkdir -p "$WORK/bench-app" "$OUT/bench-gpu"
  xz -dc "$(kitfile bench-app.tar.xz)" | tar -C "$WORK/bench-app" -xf - && mkdir -p "$WORK/bench-app/runners/dist/linux-x64" &&
    cp "$WORK/app/dist/linux-x64/dawn.node" "$WORK/bench-app/runners/dist/linux-x64/dawn.node" || log "no bench-app.tar.xz in the kit: pack.sh builds it"
  [ -f "$FIG/nvidia-smi.csv" ] && cp "$FIG/nvidia-smi.csv" "$OUT/bench-gpu/nvidia-smi.csv"
fi
# shellcheck disable=SC2086
export NIN_BENCH_PYTHON="$PY" # the PyTorch rows' interpreter
step harness 560 "$NODE" "$WORK/bench-app/bench/nin-bench.mjs" run \
  --backends "${NIN_KIT_HARNESS_BACKENDS:-tfjs-cpu,tfjs-webgpu,tfjs-wasm-simd,onnxruntime-node-all,pytorch-cuda-fp32,pytorch-cuda-default}" \
  --weights "$ROOT/packages/core-nin/weights/nin-fmnist-224.safetensors" --out "$OUT/bench-gpu" ${NIN_KIT_HARNESS_ARGS:-}
# shellcheck disable=SC2086
step torch 150 "$PY" "$HERE/torch_bench.py" --out "$FIG/torch-bench.json" ${NIN_KIT_TORCH_ARGS:-}
# shellcheck disable=SC2086
step bench 200 "$NODE" "$KITJS" bench --out "$FIG/webgpu-bench.json" ${NIN_KIT_BENCH_ARGS:-}
# Training gets what is left before the deadline, less a reserve for the test-set evaluation after it.
TRAIN_SECONDS=$((DEADLINE - ($(date +%s) - START) - EVAL_RESERVE))
[ "$TRAIN_SECONDS" -lt 60 ] && TRAIN_SECONDS=60
TRAIN_MINUTES=$(awk "BEGIN { printf \"%.2f\", $TRAIN_SECONDS / 60 }")
RESUME=()
if [ -n "${NIN_KIT_RESUME:-}" ]; then
  cp "$NIN_KIT_RESUME" "$OUT/train/" && RESUME=(--resume)
  log "resuming from $NIN_KIT_RESUME"
fi
# The committed 224 px run's recipe (He-normal, SGD momentum 0.9, lr 0.05 with 100 warm-up steps and a cosine,
# weight decay 5e-4 on weights only, clipping at 5, batch 128), the cosine's end fitted to the budget; testing on
# 2,000 images after each epoch (the eval step below tests all 10,000). Weights, log, curve and checkpoint all go
# under OUT/train: 5 files, so the device returns them with run.log and gpu-run.json.
# shellcheck disable=SC2086
step train $((TRAIN_SECONDS + 90)) "$NODE" "$KITJS" train --backend webgpu --size 224 --epochs 10 --batch 128 \
  --init he-normal --lr 0.05 --momentum 0.9 --schedule cosine --warmup 100 --weight-decay 5e-4 --decay-scope weights \
  --clip-norm 5 --seed 1 --resize device --test-limit 2000 --max-minutes "$TRAIN_MINUTES" --fit-schedule --no-progress \
  --out "$OUT/train" --results "$OUT/train" --checkpoint-dir "$OUT/train" ${RESUME[@]+"${RESUME[@]}"} ${NIN_KIT_TRAIN_ARGS:-}
WEIGHTS=$(ls -t "$OUT"/train/nin-fmnist-*.safetensors 2>/dev/null | grep -v -e '\.int8\.' -e '\.ckpt\.' | head -1)
if [ -n "$WEIGHTS" ]; then
  # shellcheck disable=SC2086
  step eval 300 sh -c "\"$NODE\" \"$KITJS\" eval --backend webgpu --weights \"$WEIGHTS\" --batch 64 --json ${NIN_KIT_EVAL_ARGS:-} >\"$FIG/eval-webgpu.json\""
else
  log "no trained weights in $OUT/train: eval skipped"
fi

merge
log "done; files: $(cd "$OUT" && find . -type f | tr '\n' ' ')"
