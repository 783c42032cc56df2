#!/usr/bin/env bash
# Runs Nabla's JMH benchmarks and writes the results:
#   benchmarks/results/<date>.json   JMH's raw JSON
#   benchmarks/results/latest.md     Markdown tables (GFLOP/s, GB/s, % of FP32 peak, epoch times)
#   benchmarks/results/latest.png    chart (sgemm GFLOP/s vs n; epoch times vs PyTorch)
# and copies the tables into docs/benchmarks.md (between the results markers).
#
#   benchmarks/run.sh                       every benchmark, default settings (about 50 minutes)
#   QUICK=1 benchmarks/run.sh               short smoke run (~8 min): 1 fork, 2 x 0.5 s warm-up, 1 x 1 s
#                                           measurement (training steps: 4 x 2 s warm-up, 1 x 2 s;
#                                           cold epoch: 2 threads only)
#   benchmarks/run.sh Gemm TrainingStep     only benchmarks matching these regular expressions
#   JMH_ARGS="-p threads=2" benchmarks/run.sh Gemm    any extra JMH options
#
# Environment: QUICK=1          short, noisy run (the results are labelled as such)
#              JMH_ARGS         extra JMH command-line options
#              LABEL            text shown above the results table
#              UPDATE_DOCS=0    do not touch docs/benchmarks.md
#              NO_BUILD=1       use benchmarks/target/benchmarks.jar as it is (no Maven build first)
# Needs only a JDK 21+ (JAVA_HOME, else the java on PATH, else the newest in /usr/lib/jvm).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar=$root/benchmarks/target/benchmarks.jar
results=$root/benchmarks/results

# Prints the feature (major) version of the JDK at $1, or nothing if $1/bin/java does not run.
java_major() {
  local version
  [ -x "$1/bin/java" ] || return 0
  version=$("$1/bin/java" -version 2>&1 | sed -n 's/^[^"]*version "\([^"]*\)".*/\1/p' | head -n 1)
  case "$version" in
    1.*) version=${version#1.} ;;
  esac
  version=${version%%[!0-9]*}
  echo "$version"
}

min_major=21
chosen=""
if [ -n "${JAVA_HOME:-}" ]; then
  major=$(java_major "$JAVA_HOME")
  if [ -n "$major" ] && [ "$major" -ge "$min_major" ]; then
    chosen=$JAVA_HOME
  fi
fi
if [ -z "$chosen" ]; then
  best=0
  on_path=$(command -v java 2>/dev/null || true)
  candidates=()
  [ -n "$on_path" ] && candidates+=("$(dirname "$(dirname "$(readlink -f "$on_path")")")")
  for candidate in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$candidate" ] && candidates+=("$candidate")
  done
  for candidate in "${candidates[@]}"; do
    major=$(java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge "$min_major" ] && [ "$major" -gt "$best" ]; then
      best=$major
      chosen=$candidate
    fi
  done
fi
if [ -z "$chosen" ]; then
  echo "run.sh: no JDK $min_major or newer found (checked JAVA_HOME, PATH and /usr/lib/jvm)." >&2
  exit 1
fi
export JAVA_HOME=$chosen
java=$JAVA_HOME/bin/java

# Build the jar with its modules from this checkout (-am: a jar built with -pl benchmarks alone would
# take core and backend-cpu from ~/.m2, which may be stale). Incremental: seconds when nothing changed.
if [ "${NO_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; then
  echo "run.sh: building benchmarks/target/benchmarks.jar with the JDK at $JAVA_HOME ..." >&2
  log=$(mktemp "${TMPDIR:-/tmp}/nabla-bench-build.XXXXXX")
  if ! (cd "$root" && ./mvnw -B -ntp package -pl benchmarks -am -DskipTests) >"$log" 2>&1; then
    grep -E '^\[(ERROR|FATAL)\]' "$log" >&2 || tail -n 40 "$log" >&2
    echo "run.sh: the build failed; full log: $log" >&2
    exit 1
  fi
  rm -f "$log"
fi

mkdir -p "$results"
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
json=$results/$stamp.json
label=${LABEL:-}
commit=$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(cd "$root" && git status --porcelain --untracked-files=no -- core backend-cpu benchmarks 2>/dev/null)" ]; then
  commit="$commit + local changes"
fi
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
cores=$(nproc 2>/dev/null || echo '?')
quick_settings=(-f 1 -wi 2 -w 500ms -i 1 -r 1s)
# A training step needs ~10 s of warm-up before the JIT has settled: QUICK runs give it that much.
quick_step_settings=(-f 1 -wi 4 -w 2s -i 1 -r 2s)
# The cold epoch keeps its own mode (one epoch, no warm-up); QUICK runs one fork, 2 threads only.
quick_cold_settings=(-f 1 -p threads=2)
if [ "${QUICK:-0}" = 1 ]; then
  label=${label:-"QUICK run (1 fork; 2 x 0.5 s warm-up and 1 x 1 s measurement, training steps 4 x 2 s and 1 x 2 s, cold epoch 2 threads only): noisy, for checking the harness, not for quoting."}
fi
run_date=$(date -u '+%Y-%m-%d %H:%M UTC')
label="$run_date, commit $commit, ${cpu:-unknown CPU} ($cores CPUs). ${label}"

report_extra=()
if [ "${QUICK:-0}" = 1 ]; then
  # Two JMH runs with different settings (training steps apart), merged into one result file.
  # shellcheck disable=SC2086  # JMH_ARGS is split on purpose
  mapfile -t selected < <("$java" -jar "$jar" -l "$@" ${JMH_ARGS:-} | grep '^dev\.nabla\.' || true)
  if [ "${#selected[@]}" -eq 0 ]; then
    echo "run.sh: no benchmark matches: $*" >&2
    exit 1
  fi
  steps=()
  colds=()
  others=()
  for name in "${selected[@]}"; do
    case "$name" in
      *TrainingStepBenchmark*) steps+=("^$name\$") ;;
      *ColdEpochBenchmark*) colds+=("^$name\$") ;;
      *) others+=("^$name\$") ;;
    esac
  done
  parts=()
  if [ "${#others[@]}" -gt 0 ]; then
    # shellcheck disable=SC2086
    "$java" -jar "$jar" "${others[@]}" "${quick_settings[@]}" ${JMH_ARGS:-} -foe true -rf json -rff "$json.part1"
    parts+=("$json.part1")
  fi
  if [ "${#steps[@]}" -gt 0 ]; then
    # shellcheck disable=SC2086
    "$java" -jar "$jar" "${steps[@]}" "${quick_step_settings[@]}" -prof gc ${JMH_ARGS:-} -foe true -rf json -rff "$json.part2"
    parts+=("$json.part2")
  fi
  if [ "${#colds[@]}" -gt 0 ]; then
    # shellcheck disable=SC2086
    "$java" -jar "$jar" "${colds[@]}" "${quick_cold_settings[@]}" ${JMH_ARGS:-} -foe true -rf json -rff "$json.part3"
    parts+=("$json.part3")
  fi
  first=${parts[0]}
  for part in "${parts[@]:1}"; do
    report_extra+=(--also "$part")
  done
  report_extra+=(--merged "$json")
else
  # -prof gc: the bytes each op allocates (shown for the training step)
  # shellcheck disable=SC2086  # JMH_ARGS is split on purpose
  "$java" -jar "$jar" "$@" -prof gc ${JMH_ARGS:-} -foe true -rf json -rff "$json"
  first=$json
fi

report_args=("$first" "$results/latest.md" "$results/latest.png" --label "$label" "${report_extra[@]}")
if [ "${UPDATE_DOCS:-1}" = 1 ] && [ -f "$root/docs/benchmarks.md" ]; then
  report_args+=(--splice "$root/docs/benchmarks.md" --chart-link ../benchmarks/results/latest.png)
fi
"$java" -cp "$jar" dev.nabla.benchmarks.Report "${report_args[@]}"
if [ "${QUICK:-0}" = 1 ]; then
  rm -f "$json.part1" "$json.part2" "$json.part3"
fi
echo "run.sh: results in $results/latest.md (raw: $json)"
