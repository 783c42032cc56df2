#!/usr/bin/env bash
# gpu-check.sh: the whole GPU check of the CUDA backend in one call of the device tool, results under $OUT.
#
# Why: the GPU machine is lent rarely, for 15 minutes of device time per session (starts included), has no Java,
# no Maven and no network. So everything is packed here first (backend-cuda/gpu-pack.sh -> .gpu/), and this script
# does every step there within GPU_CHECK_BUDGET_S (default 450 s), each step under its own `timeout`, a failing step
# never stopping the others, and $OUT/gpu-check.json rewritten after every step (a run cut off still says what it had).
#
# How, from the repository root (docs/gpu.md, "Checking on a lent GPU", has the device tool call):
#     backend-cuda/gpu-pack.sh                       # here, once
#     OUT=/tmp/gpucheck-out backend-cuda/gpu-check.sh  # here, as a dry run: every GPU step fails and says why
#     device tool: carry [".gpu"], command "bash backend-cuda/gpu-check.sh", timeout_s 540
#
# Steps (their output goes to $OUT/gpu-check.log as it comes):
#   setup     unpack the JRE and the jars into a writable temp dir that allows executables (JCuda extracts its
#             natives to java.io.tmpdir); put the pip CUDA 13 libraries (python3's site-packages/nvidia/**/lib),
#             the driver's libcuda.so.1 if the loader does not see it, and the cuBLAS/NVRTC 12->13 shims on
#             LD_LIBRARY_PATH
#   facts     nvidia-smi (GPU, driver), java -version
#   backends  what Nabla's CUDA probe says (`nabla backends`)
#   torch     ../shared/gpu/torch_ref.py: the same CNN in PyTorch, 3 epochs on cuda -> $OUT/torch.json
#   tests     every dev.nabla.cuda test class (the Cuda*Test testkit suites run on cuda) through
#             dev.nabla.cuda.check.GpuTestRun -> $OUT/tests.json; CudaPtxTest is left out (its PTX compiler
#             natives do not fit the 64 MiB; it needs no GPU and runs in every build), and so are the CPU
#             emulation tests (dev.nabla.cuda.emu, EmuCuda*: they need the .cu sources and g++, and run in every build)
#   nabla     `nabla fashion-cnn --device cuda --epochs 3` on the full dataset -> $OUT/nabla-report.json
#   summary   $OUT/gpu-check.json: date, gpu, driver, java, probe, tests, nabla, torch, ratio_epoch (Nabla's median
#             epoch seconds over torch's, epochs 2-3), every step's exit code and seconds
# Files back in $OUT (the device tool returns at most 8): gpu-check.json, gpu-check.log, tests.json, torch.json,
# nabla-report.json, nabla-history.json (only when the report is missing).
#
# Environment: OUT (required), GPU_CHECK_BUDGET_S (450), GPU_CHECK_{TORCH,TESTS,NABLA}_S (per-step caps),
#              GPU_CHECK_EPOCHS (3), GPU_CHECK_DEVICE (cuda), GPU_CHECK_WORK (where to unpack; default: first of
#              $TMPDIR, /tmp, /dev/shm, the repository that allows executables), GPU_CHECK_NABLA_ARGS (more
#              fashion-cnn options; a quick run here on the CPU: GPU_CHECK_DEVICE=cpu GPU_CHECK_EPOCHS=2
#              GPU_CHECK_NABLA_ARGS='--limit-train 2048 --limit-test 1000').
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
: "${OUT:?set OUT to the folder for the results (the device tool sets it)}"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
pack=$root/.gpu
budget=${GPU_CHECK_BUDGET_S:-450}
epochs=${GPU_CHECK_EPOCHS:-3}
device=${GPU_CHECK_DEVICE:-cuda}
started=$(date +%s)
log=$OUT/gpu-check.log
: > "$log"
say() { echo "gpu-check: $*" | tee -a "$log"; }

# A writable folder that allows executables (a noexec /tmp would stop JCuda's natives).
work=""
for base in "${GPU_CHECK_WORK:-}" "${TMPDIR:-}" /tmp /dev/shm "$root"; do
  [ -n "$base" ] && [ -d "$base" ] && [ -w "$base" ] || continue
  candidate=$(mktemp -d "$base/gpu-check.XXXXXX" 2>/dev/null) || continue
  printf '#!/bin/sh\nexit 0\n' > "$candidate/x.sh" && chmod +x "$candidate/x.sh"
  if "$candidate/x.sh" 2>/dev/null; then work=$candidate; break; fi
  rm -rf "$candidate"
done
[ -n "$work" ] || { say "no writable folder that allows executables"; exit 1; }
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/logs" "$work/tmp"
steps=$work/steps.tsv
: > "$steps"
export GPU_CHECK_WORK_DIR=$work GPU_CHECK_OUT=$OUT GPU_CHECK_PACK=$pack GPU_CHECK_STARTED=$started

summarize() {
  python3 "$root/backend-cuda/gpu-check-summary.py" >>"$work/logs/summary.log" 2>&1 \
    || echo "gpu-check: the summary failed: $(tail -n 3 "$work/logs/summary.log")" >> "$log"
}

# run_step NAME CAP_SECONDS COMMAND...: runs COMMAND under timeout (capped by what is left of the budget), logs its
# output to $OUT/gpu-check.log and $work/logs/NAME.log, records exit code and seconds, rewrites the summary.
run_step() {
  local name=$1 cap=$2 left limit t0 rc
  shift 2
  left=$((budget - ($(date +%s) - started) - 10))
  limit=$(( cap < left ? cap : left ))
  if [ "$limit" -lt 5 ]; then
    printf '%s\t%s\t%s\t%s\n' "$name" "-" 0 0 >> "$steps"
    say "step $name not run: the ${budget}s budget is spent"
    summarize
    return 0
  fi
  echo "=== $name (timeout ${limit}s) $(date -u +%H:%M:%S): $*" >> "$log"
  # timeout runs programs, not shell functions: a function runs in a child bash (export -f below)
  if declare -F "$1" >/dev/null; then set -- bash -c '"$@"' "$1" "$@"; fi
  t0=$(date +%s.%N)
  set +e
  timeout -k 15 "$limit" "$@" 2>&1 | tee -a "$log" > "$work/logs/$name.log"
  rc=${PIPESTATUS[0]}
  set -e
  local secs
  secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "$secs" "$limit" >> "$steps"
  echo "=== $name: exit $rc after ${secs}s$( [ "$rc" = 124 ] || [ "$rc" = 137 ] && echo ' (TIMED OUT)')" >> "$log"
  summarize
  return 0
}

# --- setup: the JRE, the jars, the libraries ------------------------------------------------------------------
setup() {
  local f
  for f in jre.tar.xz java.tar.xz; do
    [ -f "$pack/$f" ] || { echo "missing $pack/$f: run backend-cuda/gpu-pack.sh and carry .gpu"; return 3; }
    # tar needs xz for .xz; Python's tarfile does it without.
    if ! tar -xJf "$pack/$f" -C "$work" 2>"$work/tar.err"; then
      echo "tar could not unpack $f ($(head -c 300 "$work/tar.err")); trying python3"
      python3 -c 'import sys, tarfile
t = tarfile.open(sys.argv[1])
kw = {"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}
t.extractall(sys.argv[2], **kw)' "$pack/$f" "$work" || return 4
    fi
  done
  "$work/jre/bin/java" -version >/dev/null 2>&1 || { echo "the unpacked JRE does not run"; return 5; }
  echo "unpacked into $work: $(du -sh "$work" | cut -f1)"
}
java_bin=$work/jre/bin/java
export work pack java_bin
export -f setup
run_step setup 90 setup

# The CUDA libraries: pip's (torch brings cuBLAS, cuDNN, NVRTC as nvidia-* wheels), the driver, the shims.
libdirs=()
pip_nvidia=$(timeout 60 python3 -c 'import nvidia, os; print("\n".join(os.path.abspath(p) for p in nvidia.__path__))' 2>/dev/null || true)
while IFS= read -r d; do
  [ -n "$d" ] && [ -d "$d" ] || continue
  while IFS= read -r l; do libdirs+=("$l"); done < <(find "$d" -maxdepth 3 -type d -name lib 2>/dev/null | sort)
done <<< "$pip_nvidia"
driver_dir=""
if ! { command -v ldconfig >/dev/null && ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 '; }; then
  for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64; do
    if [ -e "$d/libcuda.so.1" ]; then driver_dir=$(cd "$d" && pwd); libdirs+=("$driver_dir"); break; fi
  done
fi
[ -d "$pack/shims" ] && libdirs=("$pack/shims" "${libdirs[@]}")
# PyTorch runs with the environment as it came (it finds its own CUDA libraries).
if [ -n "${LD_LIBRARY_PATH+x}" ]; then as_found=(env LD_LIBRARY_PATH="$LD_LIBRARY_PATH"); else as_found=(env -u LD_LIBRARY_PATH); fi
ld=$(IFS=:; echo "${libdirs[*]:-}")
export LD_LIBRARY_PATH=${ld}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
{
  echo "pip nvidia package: ${pip_nvidia:-not found (python3 -c 'import nvidia' failed)}"
  echo "libcuda.so.1: $( [ -n "$driver_dir" ] && echo "$driver_dir (added)" || (ldconfig -p 2>/dev/null | grep -m1 'libcuda\.so\.1 ' || echo 'not found') )"
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
} | tee "$work/libs.txt" >> "$log"

# -Dnabla.cuda.experimental=true: the CUDA compute is off by default until a GPU run like this one has verified it.
java_opts=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir="$work/tmp"
    -Dnabla.cuda.experimental=true)
nabla=("$java_bin" "${java_opts[@]}" -jar "$work/lib/nabla.jar")

# The packed IDX files are xz-compressed (smaller than gzip): unpack them to plain files, which both readers take.
data=$pack/data
if [ -f "$data/train-images-idx3-ubyte.xz" ]; then
  mkdir -p "$work/data"
  for f in "$data"/*.xz; do
    plain=$work/data/$(basename "$f" .xz)
    xz -dc "$f" > "$plain" 2>/dev/null \
      || python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' \
        "$f" "$plain"
  done
  data=$work/data
fi
if [ ! -f "$data/train-images-idx3-ubyte.gz" ] && [ ! -f "$data/train-images-idx3-ubyte" ]; then
  data=$root/examples/src/main/resources/nabla/datasets/fashion-mnist-sample
  say "no full Fashion-MNIST in .gpu/data: training on the 10% sample ($data)"
fi
echo "$data" > "$work/data.txt"

# --- the steps -----------------------------------------------------------------------------------------------------
facts() {
  if command -v nvidia-smi >/dev/null; then
    # compute_cap needs driver R510+; older ones answer without it
    q=$(nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>&1) \
      || q=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1) || true
    echo "$q" | tee "$work/gpu.csv"
    nvidia-smi || true
  else
    echo "nvidia-smi: not found"
  fi
  "$java_bin" -version 2>&1 | tee "$work/java.txt"
}
export -f facts
run_step facts 30 facts
run_step backends 60 "${nabla[@]}" backends
export PYTHONUNBUFFERED=1
run_step torch "${GPU_CHECK_TORCH_S:-120}" "${as_found[@]}" python3 "$pack/torch_ref.py" --data "$data" --model cnn \
  --epochs "$epochs" --device "$device" --out "$OUT/torch.json"
run_step tests "${GPU_CHECK_TESTS_S:-150}" "$java_bin" "${java_opts[@]}" \
  -cp "$work/test/*:$work/lib/nabla.jar" dev.nabla.cuda.check.GpuTestRun "$OUT/tests.json" --exclude '.*\.CudaPtxTest' \
  --exclude 'dev\.nabla\.cuda\.emu\..*' --exclude '.*\.EmuCuda.*'
run_step nabla "${GPU_CHECK_NABLA_S:-200}" "${nabla[@]}" fashion-cnn --device "$device" --epochs "$epochs" --data-dir "$data" \
  --output-dir "$work/nabla-run" --report "$OUT/nabla-report.json" --progress lines ${GPU_CHECK_NABLA_ARGS:-}
if [ ! -f "$OUT/nabla-report.json" ] && [ -f "$work/nabla-run/history.json" ]; then
  cp "$work/nabla-run/history.json" "$OUT/nabla-history.json"
  summarize
fi

say "done in $(( $(date +%s) - started ))s; summary in $OUT/gpu-check.json"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(json.dumps({k: d.get(k) for k in ("gpu", "driver", "probe", "tests", "nabla", "torch", "ratio_epoch")}, indent=1))' \
  "$OUT/gpu-check.json" 2>/dev/null | sed 's/^/  /' | head -c 6000 || true
