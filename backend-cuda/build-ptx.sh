#!/usr/bin/env bash
# Compiles the CUDA C kernels of the CUDA backend to the PTX the backend ships.
#
#   backend-cuda/build-ptx.sh          regenerate src/main/resources/dev/nabla/cuda/ptx/*.ptx
#   backend-cuda/build-ptx.sh --check  regenerate into a temporary folder and compare (exit 1 on a difference)
#
# Each src/main/cuda/*.cu becomes one PTX module: nvcc -ptx -arch=compute_75 (sm_75 is the lowest target that
# nvcc 13 accepts), then the header line ".version X.Y" is rewritten to ".version 8.0", the PTX ISA of CUDA
# 12.0, so the module loads on every driver from R525 on (nvcc 13 writes 9.0, which only R580+ drivers load).
# The rewrite cannot hide an instruction that is too new for ISA 8.0: ptxas and the driver reject it, and the
# test CudaPtxTest compiles every committed module for sm_75 and sm_90 with JCuda's CUDA 12.0 PTX compiler.
# When ptxas is on PATH this script checks the same here. Needs nvcc 12.x or 13.x on PATH (or $NVCC).
# The PTX is committed: building Nabla needs no CUDA toolkit. CudaPtxTest also checks, where nvcc is on PATH
# and is the version named in the committed files, that this script reproduces them byte for byte.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$here/src/main/cuda
out=$here/src/main/resources/dev/nabla/cuda/ptx
nvcc=${NVCC:-nvcc}
check=0
if [ "${1:-}" = "--check" ]; then
  check=1
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--check]" >&2
  exit 2
fi

command -v "$nvcc" >/dev/null || { echo "build-ptx.sh: $nvcc not found; install the CUDA toolkit (12.x or 13.x) or set NVCC" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

status=0
for cu in "$src"/*.cu; do
  name=$(basename "$cu" .cu)
  # No -lineinfo / -G: the PTX must not depend on where the sources are checked out.
  (cd "$src" && "$nvcc" -ptx -arch=compute_75 --fmad=false -o "$tmp/$name.raw.ptx" "$name.cu")
  sed -E '0,/^\.version [0-9]+\.[0-9]+$/s//.version 8.0/' "$tmp/$name.raw.ptx" > "$tmp/$name.ptx"
  grep -qx '\.version 8\.0' "$tmp/$name.ptx" || { echo "build-ptx.sh: no .version line in $name.ptx" >&2; exit 1; }
  if command -v ptxas >/dev/null; then
    for arch in sm_75 sm_90; do
      ptxas -arch=$arch -o /dev/null "$tmp/$name.ptx"
    done
  fi
  if [ $check = 1 ]; then
    if ! cmp -s "$tmp/$name.ptx" "$out/$name.ptx"; then
      echo "build-ptx.sh: $out/$name.ptx differs from what $name.cu compiles to" >&2
      status=1
    fi
  else
    mkdir -p "$out"
    cp "$tmp/$name.ptx" "$out/$name.ptx"
    echo "wrote $out/$name.ptx"
  fi
done
exit $status
