#!/usr/bin/env bash
# Trains the example models' recipe in PyTorch (CPU, through DJL) and prints each epoch's seconds:
#   benchmarks/peer-pytorch/run.sh mlp 5      benchmarks/peer-pytorch/run.sh cnn 3
# Needs JAVA_HOME (JDK 21+), the full Fashion-MNIST in /usr/share/datasets/fashion-mnist, and nabla-core and
# nabla-backend-cpu in the local Maven repository (./mvnw -pl core,backend-cpu -am install -DskipTests).
# Threads: NABLA_PEER_THREADS (default 2).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"
"$root/mvnw" -B -q -f pom.xml compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
threads=${NABLA_PEER_THREADS:-2}
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" \
  -Dai.djl.pytorch.num_interop_threads=1 -cp "target/classes:$(cat target/cp.txt)" TorchFashion "$@"
