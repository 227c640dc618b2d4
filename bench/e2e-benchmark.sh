#!/usr/bin/env bash
# End-to-end benchmark, run by hand (not in CI): a VM disk to a containerDisk image in a registry,
#   the seed's route:  qemu-img convert -O qcow2; podman build of `FROM scratch / ADD disk.qcow2 /disk/`
#                      (vfs storage under the work folder: no daemon); podman push
#   ours:              `mvn deploy` of a generated vm-app project (chart, convert, containerize, push)
# both pushing to Debian's docker-registry on 127.0.0.1 (plain http), started empty for every run.
#
#   bench/e2e-benchmark.sh [work folder]        (default: vm-packager-maven-plugin/target/e2e-bench)
#
# Environment:
#   BENCH_DATA   folder of the source disk real.vmdk (default /work/bench-data; made there by
#                bench/make-realistic-disk.sh when missing: 4 GiB virtual, 2 GiB of system files)
#   DISK         another source disk instead of $BENCH_DATA/real.vmdk
#   PAIRS        seed/ours pairs, alternating which runs first (default 3); medians are printed
#   LAYER        ours' vm.layerCompression: gzip (default), zstd or none
#   ROUTES       "seed ours" (default), or one of them
#   INSTALL      1 (default) builds and installs the plugin first, into a private copy of
#                ~/.m2/repository in the work folder (other engineers' installs into ~/.m2 cannot
#                swap the plugin under a running benchmark); 0 uses the one an earlier run installed
#   MVN_ARGS     more arguments for ours' mvn
#   OURS_WRAP    a command ours' mvn runs under, e.g. "perf record -F 199 -o /tmp/ours.perf --"
#   XMX          ours' Maven heap, MAVEN_OPTS=-Xmx$XMX (default 256m)
#
# Every run starts alike: nothing left of earlier runs (podman storage, target/, registry storage
# all removed), the source disk read into the page cache, `sync`. Printed per run: each phase's
# seconds (ours: from Maven's log timestamps, the first mojo's start to the next one's), the total,
# the user+system CPU seconds (GNU time; the registry's own from /proc), the peak RSS (GNU time: the
# largest process, for ours the Maven JVM) and ours' peak heap in use (its GC log), the load
# average; at the end the medians and the medians of the per-pair ratios ours/seed (elapsed, CPU). The pushed digests are checked:
# ours must equal the image.digest containerize recorded, the same in every run.
# Needs: mvn, java 17, qemu-img, podman, docker-registry, skopeo, /usr/bin/time, python3, ~12 GiB of disk.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE="$ROOT/vm-packager-maven-plugin"
WORK=${1:-$MODULE/target/e2e-bench}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
BENCH_DATA=${BENCH_DATA:-/work/bench-data}
DISK=${DISK:-$BENCH_DATA/real.vmdk}
PAIRS=${PAIRS:-3}
LAYER=${LAYER:-gzip}
read -r -a ROUTES <<<"${ROUTES:-seed ours}"
INSTALL=${INSTALL:-1}
XMX=${XMX:-256m}
export TMPDIR="$WORK/tmp"
mkdir -p "$TMPDIR"

for tool in mvn java qemu-img podman docker-registry skopeo python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
if [[ ! -f $DISK ]]; then
  [[ $DISK == "$BENCH_DATA/real.vmdk" ]] || { echo "$DISK does not exist" >&2; exit 1; }
  "$ROOT/bench/make-realistic-disk.sh" "$BENCH_DATA"
fi

VERSION=$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -1)
REPO="$WORK/m2"
if [[ $INSTALL == 1 ]]; then
  echo "== private local repository $REPO (a copy of ~/.m2/repository) and the plugin $VERSION installed into it"
  if [[ ! -f $REPO/.copied ]]; then
    rm -rf "$REPO"
    # The shared repository is only read, under the lock the integration tests take to install into it.
    flock /tmp/it.lock cp -a "$HOME/.m2/repository" "$REPO"
    touch "$REPO/.copied"
  fi
  rm -rf "$REPO/dev/vmpackager"
  (cd "$ROOT" && mvn -B -o -q -Dmaven.repo.local="$REPO" install -DskipTests -Dinvoker.skip >&2)
fi
PLUGIN_JAR="$REPO/dev/vmpackager/vm-packager-maven-plugin/$VERSION/vm-packager-maven-plugin-$VERSION.jar"
[[ -f $PLUGIN_JAR ]] || { echo "$PLUGIN_JAR is missing: run with INSTALL=1" >&2; exit 1; }
PLUGIN_SHA=$(sha256sum "$PLUGIN_JAR" | cut -c1-12)

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
REGISTRY="127.0.0.1:$PORT"
REG_DIR="$WORK/registry"
REG_PID=""
start_registry() {
  rm -rf "$REG_DIR"
  mkdir -p "$REG_DIR"
  # As the tests' testing/LocalRegistry starts it.
  cat >"$REG_DIR/config.yml" <<EOF
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $REG_DIR/data}
  delete: {enabled: true}
http:
  addr: $REGISTRY
EOF
  docker-registry serve "$REG_DIR/config.yml" >"$REG_DIR/registry.log" 2>&1 &
  REG_PID=$!
  for _ in $(seq 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return; fi
    kill -0 "$REG_PID" 2>/dev/null || { cat "$REG_DIR/registry.log" >&2; exit 1; }
    sleep 0.05
  done
  echo "docker-registry did not listen on $REGISTRY" >&2
  exit 1
}
# The registry's user+system CPU seconds so far.
registry_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$REG_PID/stat"
}
stop_registry() {
  if [[ -n $REG_PID ]]; then
    kill "$REG_PID" 2>/dev/null || true
    wait "$REG_PID" 2>/dev/null || true
    REG_PID=""
  fi
}
cleanup() {
  stop_registry
  [[ -z ${RUNROOT:-} ]] || rm -rf "$RUNROOT"
}
trap cleanup EXIT

# ---- the seed's route -------------------------------------------------------------------------
SEED="$WORK/seed"
# podman wants a run root of at most 50 characters: a short folder in /tmp, removed at the end.
RUNROOT=$(mktemp -d /tmp/e2e-podman.XXXXXX)
PODMAN=(podman --storage-driver vfs --root "$SEED/storage" --runroot "$RUNROOT" --cgroup-manager cgroupfs
  --events-backend none)
seed_clean() {
  if [[ -d $SEED/storage ]]; then
    "${PODMAN[@]}" rmi -a -f >/dev/null 2>&1 || true
  fi
  rm -rf "$SEED"
  mkdir -p "$SEED/ctx"
  printf 'FROM scratch\nADD disk.qcow2 /disk/\n' >"$SEED/ctx/Containerfile"
}

# ---- ours: a vm-app project as a user writes it ----------------------------------------------
OURS="$WORK/ours"
ours_project() {
  rm -rf "$OURS"
  mkdir -p "$OURS"
  cat >"$OURS/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.vmpackager.bench</groupId>
  <artifactId>e2e-vm</artifactId>
  <version>1.0.0</version>
  <packaging>vm-app</packaging>
  <properties>
    <project.build.outputTimestamp>2026-01-01T00:00:00Z</project.build.outputTimestamp>
  </properties>
  <distributionManagement>
    <repository><id>bench-local</id><url>file:\${project.basedir}/target/repo</url></repository>
  </distributionManagement>
  <build>
    <plugins>
      <plugin>
        <groupId>dev.vmpackager</groupId>
        <artifactId>vm-packager-maven-plugin</artifactId>
        <version>$VERSION</version>
        <extensions>true</extensions>
        <configuration>
          <source>$DISK</source>
          <image>\${registry}/bench/ours:1.0.0</image>
          <allowInsecureRegistries>true</allowInsecureRegistries>
          <vm><name>e2e-vm</name><memory>1Gi</memory></vm>
        </configuration>
      </plugin>
    </plugins>
  </build>
</project>
EOF
}

load() { cut -d' ' -f1-3 /proc/loadavg; }
cpu_pressure() { sed -n 's/^some avg10=\([0-9.]*\).*/\1/p' /proc/pressure/cpu 2>/dev/null || echo "?"; }

# Runs a command under GNU time; leaves "<seconds> <max RSS KiB> <user+system CPU s> <exit code>"
# in $WORK/last.time.
timed() {
  local rc=0
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.log" "$@" >>"$WORK/run.log" 2>&1 || rc=$?
  tail -1 "$WORK/time.log" | awk -v rc=$rc '{printf "%s %s %.2f %s\n", $1, $2, $3 + $4, rc}' >"$WORK/last.time"
  return $rc
}
cpu() { cut -d' ' -f3 "$WORK/last.time"; }
secs() { cut -d' ' -f1 "$WORK/last.time"; }
rss_mib() { echo $(($(cut -d' ' -f2 "$WORK/last.time") / 1024)); }

prepare() {
  cat "$DISK" >/dev/null
  sync
}

declare -a SEED_T=() OURS_T=() RATIOS=() SEED_CPU=() OURS_CPU=() CPU_RATIOS=()
declare -a SEED_CONV=() SEED_BUILD=() SEED_PUSH=() OURS_MVN=() OURS_CONV=() OURS_CTR=() OURS_PUSH=()
OURS_DIGEST=""

run_seed() {
  seed_clean
  start_registry
  prepare
  local l0 p0 t_conv t_build t_push rss1 rss2 rss3 c1 c2 c3
  l0=$(load) p0=$(cpu_pressure)
  : >"$WORK/run.log"
  timed qemu-img convert -O qcow2 "$DISK" "$SEED/ctx/disk.qcow2" || { cat "$WORK/run.log"; exit 1; }
  t_conv=$(secs) rss1=$(rss_mib) c1=$(cpu)
  timed "${PODMAN[@]}" build --no-cache -q -t "$REGISTRY/bench/seed:1.0.0" -f "$SEED/ctx/Containerfile" "$SEED/ctx" \
    || { cat "$WORK/run.log"; exit 1; }
  t_build=$(secs) rss2=$(rss_mib) c2=$(cpu)
  timed "${PODMAN[@]}" push -q --tls-verify=false "$REGISTRY/bench/seed:1.0.0" || { cat "$WORK/run.log"; exit 1; }
  t_push=$(secs) rss3=$(rss_mib) c3=$(cpu)
  local total
  total=$(echo "$t_conv + $t_build + $t_push" | bc -l)
  local pushed
  pushed=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REGISTRY/bench/seed:1.0.0")
  local creg
  creg=$(registry_cpu)
  stop_registry
  SEED_CPU+=("$(echo "$c1 + $c2 + $c3 + $creg" | bc -l)")
  SEED_T+=("$total") SEED_CONV+=("$t_conv") SEED_BUILD+=("$t_build") SEED_PUSH+=("$t_push")
  printf '  seed  %7.2f s  (convert %6.2f, podman build %6.2f, podman push %6.2f)  CPU s %.1f+%.1f+%.1f, registry %.1f  peak RSS MiB %d/%d/%d  load %s -> %s  cpu some %s -> %s  %s\n' \
    "$total" "$t_conv" "$t_build" "$t_push" "$c1" "$c2" "$c3" "$creg" "$rss1" "$rss2" "$rss3" "$l0" "$(load)" "$p0" \
    "$(cpu_pressure)" "${pushed:0:19}"
}

# Seconds between two Maven log timestamps (HH:MM:SS.mmm).
between() { python3 -c 'import sys
def s(t): h, m, x = t.split(":"); return int(h) * 3600 + int(m) * 60 + float(x)
d = s(sys.argv[2]) - s(sys.argv[1]); print("%.2f" % (d + 86400 if d < 0 else d))' "$1" "$2"; }
# The timestamp of the first log line matching a pattern.
stamp() { grep -m1 -E "$1" "$WORK/run.log" | cut -d' ' -f1; }

run_ours() {
  ours_project
  start_registry
  prepare
  local l0 p0
  l0=$(load) p0=$(cpu_pressure)
  : >"$WORK/run.log"
  # shellcheck disable=SC2086
  rm -f "$WORK/gc.log"
  (cd "$OURS" && MAVEN_OPTS="-Xmx$XMX -Xlog:gc:file=$WORK/gc.log" timed ${OURS_WRAP:-} mvn -B -Dmaven.repo.local="$REPO" \
      -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS \
      -Dregistry="$REGISTRY" -Dvm.layerCompression="$LAYER" ${MVN_ARGS:-} deploy) || { tail -60 "$WORK/run.log"; exit 1; }
  local total rss c creg heap
  total=$(secs) rss=$(rss_mib) c=$(cpu)
  # The most heap in use at any collection (G1's "before" figure), the heap goal's measure.
  heap=$(grep -o '[0-9]*M->' "$WORK/gc.log" | sed 's/M->//' | sort -n | tail -1)
  local s_chart s_conv s_ctr s_push s_inst s_end
  s_chart=$(stamp ':chart \(')
  s_conv=$(stamp ':convert \(')
  s_ctr=$(stamp ':containerize \(')
  s_inst=$(stamp 'maven-install-plugin')
  s_push=$(stamp ':push \(')
  s_end=$(stamp 'BUILD SUCCESS')
  local t_mvn t_conv t_ctr t_push
  t_mvn=$(echo "$total - $(between "$s_chart" "$s_end")" | bc -l)   # JVM and Maven start, project model
  t_conv=$(between "$s_conv" "$s_ctr")
  t_ctr=$(between "$s_ctr" "$s_inst")
  t_push=$(between "$s_push" "$s_end")
  local recorded pushed
  recorded=$(cat "$OURS"/target/vm/containerdisk/*/bench/ours+1.0.0/image.digest)
  pushed=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REGISTRY/bench/ours:1.0.0")
  creg=$(registry_cpu)
  stop_registry
  if [[ $pushed != "$recorded" ]]; then
    echo "ours pushed $pushed, but containerize recorded $recorded" >&2
    exit 1
  fi
  if [[ -n $OURS_DIGEST && $pushed != "$OURS_DIGEST" ]]; then
    echo "ours pushed $pushed, an earlier run $OURS_DIGEST: not reproducible" >&2
    exit 1
  fi
  OURS_DIGEST=$pushed
  cp "$WORK/run.log" "$WORK/ours-last.log"
  OURS_CPU+=("$(echo "$c + $creg" | bc -l)")
  OURS_T+=("$total") OURS_MVN+=("$t_mvn") OURS_CONV+=("$t_conv") OURS_CTR+=("$t_ctr") OURS_PUSH+=("$t_push")
  printf '  ours  %7.2f s  (maven start %5.2f, convert %6.2f, containerize %6.2f, push %6.2f)  CPU s %.1f, registry %.1f  peak RSS MiB %d, heap %s  load %s -> %s  cpu some %s -> %s  %s\n' \
    "$total" "$t_mvn" "$t_conv" "$t_ctr" "$t_push" "$c" "$creg" "$rss" "${heap:-?}" "$l0" "$(load)" "$p0" "$(cpu_pressure)" "${pushed:0:19}"
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "== $(date -u '+%F %H:%M UTC'), $(nproc) CPUs, load $(load); source $DISK ($(( $(stat -c %s "$DISK") >> 20 )) MiB);"
echo "   plugin $VERSION (jar sha256 $PLUGIN_SHA...), layer $LAYER, ours with MAVEN_OPTS=-Xmx$XMX; registry $REGISTRY"
for ((i = 1; i <= PAIRS; i++)); do
  echo "-- pair $i"
  order=("${ROUTES[@]}")
  if ((i % 2 == 0)) && ((${#ROUTES[@]} == 2)); then order=("${ROUTES[1]}" "${ROUTES[0]}"); fi
  for who in "${order[@]}"; do
    if [[ $who == seed ]]; then run_seed; else run_ours; fi
  done
  if ((${#SEED_T[@]} == i && ${#OURS_T[@]} == i)); then
    RATIOS+=("$(echo "${OURS_T[i - 1]} / ${SEED_T[i - 1]}" | bc -l)")
    CPU_RATIOS+=("$(echo "${OURS_CPU[i - 1]} / ${SEED_CPU[i - 1]}" | bc -l)")
  fi
done

echo
echo "== medians of $PAIRS runs (seconds), load now $(load)"
if ((${#SEED_T[@]})); then
  printf '  seed: total %.2f = convert %.2f + podman build %.2f + podman push %.2f\n' "$(median "${SEED_T[@]}")" \
    "$(median "${SEED_CONV[@]}")" "$(median "${SEED_BUILD[@]}")" "$(median "${SEED_PUSH[@]}")"
fi
if ((${#OURS_T[@]})); then
  printf '  ours: total %.2f = maven start %.2f + convert %.2f + containerize %.2f + push %.2f (+ chart, install)\n' \
    "$(median "${OURS_T[@]}")" "$(median "${OURS_MVN[@]}")" "$(median "${OURS_CONV[@]}")" "$(median "${OURS_CTR[@]}")" \
    "$(median "${OURS_PUSH[@]}")"
fi
if ((${#RATIOS[@]})); then
  printf '  ratio ours/seed per pair: %s; median %.2f (layer %s)\n' "$(printf '%.2f ' "${RATIOS[@]}")" \
    "$(median "${RATIOS[@]}")" "$LAYER"
  # On a machine other work keeps busy, elapsed time is the share of the cores a route gets: CPU
  # seconds (the registry's included) are the steadier comparison of the work each route does.
  printf '  CPU s ours %.1f, seed %.1f (medians); CPU ratio per pair: %s; median %.2f\n' "$(median "${OURS_CPU[@]}")" \
    "$(median "${SEED_CPU[@]}")" "$(printf '%.2f ' "${CPU_RATIOS[@]}")" "$(median "${CPU_RATIOS[@]}")"
fi
