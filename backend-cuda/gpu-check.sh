#!/usr/bin/env bash
# The CUDA runtime's GPU check, in two halves (docs: ../README.md of this module, and the shared gpu/ notes):
#
#   backend-cuda/gpu-check.sh prepare [DIR]   here, with Maven and a JDK: builds the test classes, gathers the
#                                             classpath, the natives' cuBLAS shim and a jlink'ed JRE into DIR
#                                             (default backend-cuda/.gpu, git-ignored through .git/info/exclude)
#   backend-cuda/gpu-check.sh run [DIR]       on the GPU machine (no Java, no network): unpacks the JRE, puts the
#                                             shim and the pip CUDA 13 libraries on LD_LIBRARY_PATH and runs
#                                             GpuCheck (CudaRuntimeGpuTest); output under $OUT when set
#
# Carry DIR with the call (device tool: carry ["backend-cuda/.gpu"]). Everything prepared is about 25 MB.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:?usage: gpu-check.sh prepare|run [DIR]}
dir=${2:-$here/.gpu}

if [ "$mode" = prepare ]; then
    root=$(cd "$here/.." && pwd)
    shared=${SHARED:-$root/../shared}
    export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
    rm -rf "$dir" && mkdir -p "$dir/lib"
    (cd "$root" && ./mvnw -o -q -pl backend-cuda -am test-compile -DskipTests \
        && ./mvnw -o -q -pl backend-cuda dependency:copy-dependencies -DincludeScope=test \
            -DoutputDirectory="$dir/lib")
    rm -f "$dir"/lib/nabla-*.jar # this build's own classes travel as folders
    cp -r "$root/core/target/classes" "$dir/core-classes"
    cp -r "$root/testkit/target/classes" "$dir/testkit-classes" 2>/dev/null || true
    cp -r "$here/target/classes" "$dir/classes"
    cp -r "$here/target/test-classes" "$dir/test-classes"
    # cuBLAS/NVRTC 12 -> 13 forwarding shims, built from the natives jars
    mkdir -p "$dir/natives"
    for j in "$dir"/lib/jcuda-natives-*.jar "$dir"/lib/jcublas-natives-*.jar; do
        n=$(basename "$j" .jar); mkdir -p "$dir/natives/$n" && (cd "$dir/natives/$n" && unzip -q -o "$j")
    done
    "$shared/cuda-shim/build.sh" "$dir/natives" "$dir/shim" >/dev/null
    rm -rf "$dir/natives" "$dir/shim/stub" "$dir"/shim/*.c "$dir"/shim/*.map
    "$shared/gpu/pack-jre.sh" "$dir/jre.tar.xz" >/dev/null
    git -C "$root" rev-parse --git-path info/exclude | xargs -I{} sh -c \
        'grep -qx "backend-cuda/.gpu/" "{}" 2>/dev/null || echo "backend-cuda/.gpu/" >> "{}"'
    du -sh "$dir"
    exit 0
fi

[ "$mode" = run ] || { echo "unknown mode $mode" >&2; exit 64; }
out=${OUT:-$dir/out}
mkdir -p "$out"
work=$(mktemp -d)
tar xJf "$dir/jre.tar.xz" -C "$work"
nv=$(python3 -c 'import nvidia, os; print(os.path.dirname(nvidia.__file__))' 2>/dev/null || true)
libs="$dir/shim/lib"
if [ -n "$nv" ]; then
    for l in "$nv"/*/lib; do libs="$libs:$l"; done
fi
export LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
cp="$dir/classes:$dir/test-classes:$dir/core-classes:$dir/testkit-classes:$dir/lib/*"
nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || true
set +e
"$work/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -Djava.io.tmpdir="$work" -cp "$cp" dev.nabla.cuda.GpuCheck "${@:3}" 2>&1 | tee "$out/gpu-check.txt"
rc=${PIPESTATUS[0]}
set -e
echo "exit $rc" >> "$out/gpu-check.txt"
rm -rf "$work"
exit "$rc"
