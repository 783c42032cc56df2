#!/usr/bin/env bash
# Measures the serving targets (docs/serving.md, "Measured") on this machine: a direct Predictor call, then
# `nabla serve --threads 2` driven by LoadGenerator over loopback: batch-1 requests at a fixed rate, the HTTP stack
# alone at that rate, and closed-loop saturation with dynamic batching (max batch 64) and without (max batch 1).
#
#   serving/src/test/sh/measure-targets.sh MODEL.nabla [RUNS] [RATE]
#
# Builds examples/target/nabla-examples.jar and serving's test classes through the reactor (never installs).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
model=$(readlink -f "$1")
runs=${2:-3}
rate=${3:-500}
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
work=$(mktemp -d "${TMPDIR:-/tmp}/nabla-measure.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cd "$root"
{
  ./mvnw -B -ntp -q -pl examples -am package -DskipTests
  ./mvnw -B -ntp -q -pl serving -am test-compile
  ./mvnw -B -ntp -q -pl serving dependency:build-classpath -Dmdep.outputFile="$work/deps.txt"
} 2>&1 | grep -v -e '^WARNING' -e '^$' || true
# The reactor's own modules from their build directories, not from a possibly older local repository.
deps=$(tr ':' '\n' < "$work/deps.txt" | grep -v '/dev/nabla/nabla-' | paste -sd: -)
cp="$root/serving/target/test-classes:$root/serving/target/classes:$root/core/target/classes"
cp="$cp:$root/inference/target/classes:$root/backend-cpu/target/classes:$deps"
cp "$root/examples/target/nabla-examples.jar" "$work/nabla.jar"
mkdir -p "$work/repo/fashion/1"
cp "$model" "$work/repo/fashion/1/model.nabla"

serve() { # PORT LOG OPTIONS...: starts a server, waits until it is ready
  local port=$1 log=$2
  shift 2
  "$java" --add-modules jdk.incubator.vector -jar "$work/nabla.jar" serve --repository "$work/repo" \
    --host 127.0.0.1 --port "$port" --threads 2 "$@" > "$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do
    curl -sf "localhost:$port/v2/health/ready" > /dev/null && return 0
    sleep 0.2
  done
  cat "$log" >&2
  exit 1
}
load() {
  "$java" --add-modules jdk.incubator.vector -Xmx256m -cp "$cp" dev.nabla.serving.bench.LoadGenerator "$@" 2>&1 \
    | grep -v '^WARNING'
}

serve 8701 "$work/batching.log" --max-batch-size 64
serve 8702 "$work/single.log" --max-batch-size 1
echo "model $model; $(nproc) processors; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq 1 "$runs"); do
  echo "--- run $run (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  echo -n "direct:                 "; load direct --model "$model" --threads 2 --requests 5000
  echo -n "rate, batching:         "; load rate --port 8701 --model-name fashion --rate "$rate" --requests 10000
  echo -n "rate, HTTP only (GET):  "; load rate --port 8701 --model-name fashion --rate "$rate" --requests 10000 \
    --get /v2/health/live
  echo -n "saturation, batching:   "; load saturate --port 8701 --model-name fashion --requests 20000 --connections 64
  echo -n "saturation, max batch 1:"; load saturate --port 8702 --model-name fashion --requests 20000 --connections 64
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
curl -s localhost:8701/metrics | grep -E '^nabla_(inferences|executions)_total' || true
