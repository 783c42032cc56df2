#!/usr/bin/env bash
# gpu-pack.sh: packs everything the GPU check needs into .gpu/ (git-ignored), to carry to the lent GPU machine.
#
# Why: that machine (H200, driver 580, CUDA 13 libraries from pip, PyTorch) has no Java, no Maven and no network,
# and at most 64 MiB travel per call: the working tree (tracked + untracked-not-ignored files) plus the carried
# paths together. backend-cuda/gpu-check.sh runs there from what this script packs.
#
# How: build the jars first (once), then pack, from the repository root:
#     ./mvnw -o -q -DskipTests package -pl examples,backend-cuda -am      # or: backend-cuda/gpu-pack.sh --build
#     backend-cuda/gpu-pack.sh
# and call the device tool with carry [".gpu"] and command `bash backend-cuda/gpu-check.sh` (docs/gpu.md).
#
# What .gpu/ holds (each part's size and the total are printed; the script fails if the budget is exceeded):
#   jre.tar.xz     a jlink'ed JRE 25 from ../shared/gpu/pack-jre.sh, plus jdk.zipfs (JUnit scans jars with it);
#                  no java.desktop (8 MB more: it does not fit), so no plots
#   java.tar.xz    lib/nabla.jar: examples/target/nabla-examples.jar (the CLI with core, CPU and CUDA backends, JCuda
#                  and its linux-x86_64 natives) minus what the check does not use: JCuda's PTX compiler natives
#                  (24 MB; only CudaPtxTest needs them, and it needs no GPU), the SQLite natives of other platforms
#                  and the embedded Fashion-MNIST sample (the working tree carries it anyway). Stored uncompressed
#                  and xz'ed as a whole: 8 MB instead of 19 MB deflated.
#                  test/: backend-cuda's test classes (with dev.nabla.cuda.check.GpuTestRun, the launcher), the
#                  testkit jar and the JUnit platform jars.
#   shims/         libcublas.so.12 and libnvrtc.so.12 forwarding to CUDA 13 (../shared/cuda-shim/build.sh)
#   torch_ref.py   the PyTorch reference (../shared/gpu/torch_ref.py)
#   data/          the four Fashion-MNIST IDX files, xz-compressed (Debian package dataset-fashion-mnist installs them in
#                  /usr/share/datasets/fashion-mnist; FASHION_MNIST_DIR overrides). When absent, nothing is packed
#                  and gpu-check.sh trains on the 10% sample in examples/src/main/resources (it says so).
#   MANIFEST.txt   commit, date, sizes
# Re-runnable; the jars and archives are deterministic for the same inputs (fixed times, sorted entries); the JRE is
# reused when the same JDK and modules made it (GPU_PACK_FRESH=1 rebuilds it).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
shared=${NABLA_SHARED:-$root/../shared}
dest=$root/.gpu
budget=$((64 * 1024 * 1024))
data_src=${FASHION_MNIST_DIR:-${NABLA_FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}}
idx_files="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"

die() { echo "gpu-pack: $*" >&2; exit 1; }

if [ "${1:-}" = --build ]; then
  ./mvnw -o -q -DskipTests package -pl examples,backend-cuda -am
fi
jar=examples/target/nabla-examples.jar
testkit=$(ls testkit/target/nabla-testkit-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -n 1 || true)
launcher=backend-cuda/target/test-classes/dev/nabla/cuda/check/GpuTestRun.class
for f in "$jar" "$testkit" "$launcher"; do
  [ -n "$f" ] && [ -f "$f" ] || die "missing build output ${f:-testkit/target/nabla-testkit-*.jar}; run: ./mvnw -o -q -DskipTests package -pl examples,backend-cuda -am (or pass --build)"
done
[ -f "$shared/gpu/pack-jre.sh" ] && [ -f "$shared/cuda-shim/build.sh" ] && [ -f "$shared/gpu/torch_ref.py" ] \
  || die "$shared/{gpu,cuda-shim} not found (set NABLA_SHARED)"
grep -qx '/\?\.gpu/\?' .gitignore || die ".gpu/ is not in .gitignore"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$dest/java.tar.xz" "$dest/shims" "$dest/data" "$dest/torch_ref.py" "$dest/MANIFEST.txt"
mkdir -p "$dest"

# --- the JRE --------------------------------------------------------------------------------------------------
# jdk.zipfs: JUnit finds test classes in jars through the jar file system.
jre_extra=jdk.zipfs
stamp="$(sha256sum "$JAVA_HOME/release" | cut -c1-16) $(sha256sum "$shared/gpu/pack-jre.sh" | cut -c1-16) $jre_extra"
if [ "${GPU_PACK_FRESH:-0}" != 1 ] && [ -f "$dest/jre.tar.xz" ] && [ "$(cat "$dest/jre.stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "jre.tar.xz: reused (same JDK and pack-jre.sh; GPU_PACK_FRESH=1 rebuilds it)"
else
  rm -f "$dest/jre.tar.xz" "$dest/jre.stamp"
  JDK=$JAVA_HOME bash "$shared/gpu/pack-jre.sh" "$dest/jre.tar.xz" "$jre_extra"
  echo "$stamp" > "$dest/jre.stamp"
fi

# --- the jars ---------------------------------------------------------------------------------------------------
# Third-party test jars: JUnit's, as Maven resolves backend-cuda's test class path (offline, from ~/.m2).
./mvnw -o -q dependency:build-classpath -pl backend-cuda -Dmdep.includeScope=test \
  -Dmdep.outputFile="$tmp/cp.txt" >"$tmp/mvn.log" 2>&1 || { cat "$tmp/mvn.log" >&2; die "could not resolve the test class path"; }
tr ':' '\n' < "$tmp/cp.txt" > "$tmp/cp.lines"
mkdir -p "$tmp/java/lib" "$tmp/java/test"
grep -E '/(org/junit|org/opentest4j|org/apiguardian)/' "$tmp/cp.lines" | sort | while read -r j; do
  cp "$j" "$tmp/java/test/"
done
cp "$testkit" "$tmp/java/test/nabla-testkit.jar"

python3 - "$jar" "$tmp/java/lib/nabla.jar" backend-cuda/target/test-classes "$tmp/java/test/nabla-backend-cuda-tests.jar" <<'EOF'
import os, re, sys, zipfile
src, dst, classes, tests = sys.argv[1:5]
# Left behind: the PTX compiler's natives, other platforms' SQLite natives, the embedded sample.
drop = re.compile(r'^(lib/libJNvPTXCompiler[^/]*|nabla/datasets/.*|org/sqlite/native/(?!Linux/x86_64/).*)$')
dropped = 0
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w', zipfile.ZIP_STORED) as zout:
    for info in sorted(zin.infolist(), key=lambda i: i.filename):
        if drop.match(info.filename):
            dropped += info.file_size
            continue
        out = zipfile.ZipInfo(info.filename, info.date_time)
        out.external_attr = info.external_attr
        zout.writestr(out, zin.read(info))
print(f'lib/nabla.jar: {os.path.getsize(dst)} bytes stored ({dropped} bytes of entries left behind)')
# With directory entries: JUnit finds a package's classes through ClassLoader.getResources("dev/nabla/cuda").
with zipfile.ZipFile(tests, 'w', zipfile.ZIP_DEFLATED) as zout:
    for d, dirs, files in os.walk(classes):
        dirs.sort()
        if d != classes:
            zout.writestr(zipfile.ZipInfo(os.path.relpath(d, classes) + '/', (1980, 1, 1, 0, 0, 0)), b'')
        for f in sorted(files):
            p = os.path.join(d, f)
            info = zipfile.ZipInfo(os.path.relpath(p, classes), (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(p, 'rb') as fh:
                zout.writestr(info, fh.read())
EOF
(cd "$tmp/java" && tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - lib test) \
  | xz -9 -T2 > "$dest/java.tar.xz"
echo "java.tar.xz: lib/nabla.jar + test/: $(cd "$tmp/java/test" && ls | tr '\n' ' ')"

# --- the cuBLAS / NVRTC 12 -> 13 shims -----------------------------------------------------------------------------
for a in jcuda-natives jcublas-natives; do
  j=$(grep "/$a-12.6.0-linux-x86_64.jar\$" "$tmp/cp.lines" | head -n 1)
  [ -n "$j" ] || die "$a 12.6.0 linux-x86_64 not on backend-cuda's class path"
  mkdir -p "$tmp/natives/$a-12.6.0-linux-x86_64"
  unzip -q -o "$j" 'lib/*' -d "$tmp/natives/$a-12.6.0-linux-x86_64"
done
sh "$shared/cuda-shim/build.sh" "$tmp/natives" "$tmp/shim" >"$tmp/shim.log" 2>&1 || { cat "$tmp/shim.log" >&2; die "the shims did not build"; }
mkdir -p "$dest/shims"
cp "$tmp/shim/lib/libcublas.so.12" "$tmp/shim/lib/libnvrtc.so.12" "$dest/shims/"

# --- the PyTorch reference and the data -------------------------------------------------------------------------
cp "$shared/gpu/torch_ref.py" "$dest/torch_ref.py"
have_data=1
for f in $idx_files; do
  [ -f "$data_src/$f.gz" ] || have_data=0
done
if [ $have_data = 1 ]; then
  mkdir -p "$dest/data"
  # xz instead of the package's gzip: about 4 MB less, which the 64 MiB budget needs (gpu-check.sh unpacks them)
  for f in $idx_files; do gzip -dc "$data_src/$f.gz" | xz -9 -T1 > "$dest/data/$f.xz"; done
  data_note="full Fashion-MNIST from $data_src (recompressed with xz)"
else
  data_note="NO full dataset (not in $data_src: install the Debian package dataset-fashion-mnist or set FASHION_MNIST_DIR); the check trains on the embedded 10% sample"
  echo "gpu-pack: WARNING: $data_note" >&2
fi

# --- sizes and the budget ------------------------------------------------------------------------------------------
size() { du -sb "$1" | cut -f1; }
tree=$(git ls-files -z -co --exclude-standard | du -cb --files0-from=- 2>/dev/null | tail -n 1 | cut -f1)
{
  echo "packed $(date -u +%Y-%m-%dT%H:%M:%SZ) from $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!.gpu' || echo ' (with uncommitted changes)')"
  echo "data: $data_note"
  echo "bytes part"
  for p in jre.tar.xz java.tar.xz shims torch_ref.py data; do
    [ -e "$dest/$p" ] && printf '%9d %s\n' "$(size "$dest/$p")" "$p"
  done
} > "$tmp/manifest"
cp "$tmp/manifest" "$dest/MANIFEST.txt"
carried=$(size "$dest")
total=$((carried + tree))
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
cat "$dest/MANIFEST.txt"
printf '%9d .gpu/ in all (%s)\n' "$carried" "$(mib "$carried")"
printf '%9d working tree that travels too (tracked + untracked-not-ignored files; %s)\n' "$tree" "$(mib "$tree")"
printf '%9d total of %d allowed (%s of 64 MiB)\n' "$total" "$budget" "$(mib "$total")"
[ "$total" -le "$budget" ] || die "over the 64 MiB the device tool carries: leave something behind"
echo "gpu-pack: ok; carry [\".gpu\"] and run: bash backend-cuda/gpu-check.sh (docs/gpu.md)"
