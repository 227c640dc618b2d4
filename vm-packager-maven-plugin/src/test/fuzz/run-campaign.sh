#!/usr/bin/env bash
# Fuzzes the Jazzer fuzz tests (src/test/java/dev/vmpackager/fuzz) for a while each.
#
#   src/test/fuzz/run-campaign.sh [-m MINUTES] [-j PARALLEL] [Class#method ...]
#
# Default: every target, 15 minutes each, 3 at a time, each JVM with -Xmx256m under `nice -n 10`.
# @Timeout on the targets becomes libFuzzer's per-input -timeout; JUnit's own timeout is switched off
# here because it would interrupt the whole fuzzing loop. Each target runs in its own JVM (FuzzMain) with JAZZER_FUZZ=1; its log goes to
# target/fuzz-campaign/<Class>-<method>.log and a line (target, executions, coverage, findings) to
# target/fuzz-campaign/summary.tsv. The corpus grows in .cifuzz-corpus/ (not committed); findings are
# written by Jazzer as crash-*/timeout-* files into the target's inputs folder under
# src/test/resources/dev/vmpackager/fuzz/, where `mvn test` replays them: commit them with the fix.
set -euo pipefail
cd "$(dirname "$0")/../../.."
minutes=15
parallel=3
while getopts "m:j:" o; do
  case $o in
    m) minutes=$OPTARG ;;
    j) parallel=$OPTARG ;;
    *) echo "usage: $0 [-m MINUTES] [-j PARALLEL] [Class#method ...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(DiskFuzzTest#qcow2 DiskFuzzTest#vmdk DiskFuzzTest#vmdkDescriptor DiskFuzzTest#vdi DiskFuzzTest#vhd
    DiskFuzzTest#vhdx DiskFuzzTest#qed DiskFuzzTest#ova VmDescriptionFuzzTest#ovf VmDescriptionFuzzTest#libvirt
    VmDescriptionFuzzTest#vmx VmDescriptionFuzzTest#vbox ChartInputFuzzTest#usbList ChartInputFuzzTest#cloudInit)
fi

out=target/fuzz-campaign
mkdir -p "$out"
# Build once; the fuzzing JVMs then share the compiled classes read-only.
mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile="$out/classpath.txt" -Dmdep.includeScope=test
cp="target/test-classes:target/classes:$(cat "$out/classpath.txt")"
[[ -f $out/summary.tsv ]] || printf 'target\tminutes\texecutions\tcoverage(cov)\tfeatures(ft)\tcorpus\tfindings\tload(start)\n' \
  >"$out/summary.tsv"

one() {
  local target=$1 class=${1%#*} method=${1#*#}
  local log=$out/$class-$method.log
  local inputs=src/test/resources/dev/vmpackager/fuzz/${class}Inputs/$method
  local before load
  before=$(ls "$inputs" | grep -cE '^(crash|timeout|oom|slow-unit)-' || true)
  load=$(cut -d' ' -f1 /proc/loadavg)
  echo "$(date -u +%H:%M:%S) start $target (${minutes} min, load $load)"
  JAZZER_FUZZ=1 nice -n 10 java -Xmx256m -javaagent:src/test/fuzz/jazzer-premain.jar -Djazzer.hooks=true -Djunit.jupiter.execution.timeout.mode=disabled \
    -Djazzer.max_duration="${minutes}m" -Djazzer.keep_going=100 -Djazzer.internal.basedir="$PWD" \
    -cp "$cp" dev.vmpackager.fuzz.FuzzMain "$class" "$method" >"$log" 2>&1 || true
  local stats execs cov ft corp after
  stats=$(grep -aE '^#[0-9]+' "$log" | tail -1 || true)
  execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$stats")
  done_runs=$(grep -aoE 'Done [0-9]+ runs' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  [[ -n $done_runs ]] && execs=$done_runs
  cov=$(grep -oE 'cov: [0-9]+' <<<"$stats" | grep -oE '[0-9]+' || true)
  ft=$(grep -oE 'ft: [0-9]+' <<<"$stats" | grep -oE '[0-9]+' || true)
  corp=$(grep -oE 'corp: [0-9]+' <<<"$stats" | grep -oE '[0-9]+' || true)
  after=$(ls "$inputs" | grep -cE '^(crash|timeout|oom|slow-unit)-' || true)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$minutes" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
    "$((after - before))" "$load" >>"$out/summary.tsv"
  echo "$(date -u +%H:%M:%S) done  $target: ${execs:-?} executions, cov ${cov:-?}, $((after - before)) new finding(s)"
}

running=0
for t in "${targets[@]}"; do
  one "$t" &
  running=$((running + 1))
  if ((running >= parallel)); then
    wait -n
    running=$((running - 1))
  fi
done
wait
column -t -s $'\t' "$out/summary.tsv"
