#!/usr/bin/env bash
# Byte-identity check for converter changes (hand-run, not CI): converts every source format of
# three fixture disks (two odd-sized patterned ones and, when given, a 96 MiB slice of the
# realistic disk of make-realistic-disk.sh) to qcow2, raw and compressed qcow2 with 1, 2 and 3
# workers, and prints one sha256 per output (243 lines with the realistic slice). Run it before
# and after a change and diff the two lists: every line must stay the same.
#
#   bench/convert-identity.sh <work folder> [realistic raw disk] > digests.txt
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE="$ROOT/vm-packager-maven-plugin"
WORK=${1:?usage: convert-identity.sh <work folder> [realistic raw disk]}
mkdir -p "$WORK"
(cd "$MODULE" && mvn -o -q -B -Dinvoker.skip -DskipTests test-compile \
  && mvn -o -q -B dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null) >&2
CP="$MODULE/target/test-classes:$MODULE/target/classes:$(cat "$WORK/cp.txt")"
exec java -Xmx256m -cp "$CP" dev.vmpackager.bench.ConversionDigests "$WORK" "${@:2}"
