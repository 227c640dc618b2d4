#!/usr/bin/env bash
# Hand-run conversion benchmark (not part of CI): ours (java engine, -Xmx256m) against
# `qemu-img convert`, in the same run, on two 4 GiB virtual disks:
#   random  1 GiB of random data spread over it (incompressible: the old default);
#   real    the first 2 GiB system files, the rest unallocated (bench/make-realistic-disk.sh:
#           compressible, as a real guest's root file system; issue 17's disk).
#
#   bench/convert-benchmark.sh [work folder]     (default: vm-packager-maven-plugin/target/bench)
#
# Environment (all optional):
#   DATA=folder       where the source disks are kept and made (default: the work folder), e.g. a
#                     folder that already holds real.raw/real.vmdk/real.qcow2, so nothing is remade
#   DISKS="random real"  which disks;  SOURCES="raw qcow2 vmdk vhd vdi";  TARGETS="qcow2 raw qcow2-c"
#   REPEAT=3          pairs (ours, qemu-img) per row, in alternating order; medians are printed
#   MVN=1             also time the whole `mvn vm-packager:convert` call (Maven start-up included,
#                     as issue 17 measured it) for the MVN_ROWS ("vmdk:qcow2 vmdk:raw") of the real
#                     disk; this build is installed into MVN_REPO (default <work>/m2, a copy of
#                     ~/.m2/repository made once), never into the shared ~/.m2
#
# Example: DATA=/work/bench-data DISKS=real SOURCES=vmdk TARGETS="qcow2 raw" MVN=1 bench/convert-benchmark.sh
# Needs: mvn (offline is fine), java 17, qemu-img, /usr/bin/time, bc. Per disk ~8 GiB of disk space.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE="$ROOT/vm-packager-maven-plugin"
WORK=$(mkdir -p "${1:-$MODULE/target/bench}" && cd "${1:-$MODULE/target/bench}" && pwd)
DATA=$(mkdir -p "${DATA:-$WORK}" && cd "${DATA:-$WORK}" && pwd)
SIZE_GIB=${SIZE_GIB:-4}   # SIZE_GIB/DATA_GIB: the random disk
DATA_GIB=${DATA_GIB:-1}
REPEAT=${REPEAT:-3}

echo "== building test classes and the classpath"
(cd "$MODULE" && mvn -o -q -B -Dinvoker.skip -DskipTests test-compile \
  && mvn -o -q -B dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null)
CP="$MODULE/target/test-classes:$MODULE/target/classes:$(cat "$WORK/cp.txt")"
JAVA=(java -Xmx256m -Djava.io.tmpdir="$WORK" -cp "$CP" dev.vmpackager.bench.ConvertBenchmark)

declare -A QFMT=([raw]=raw [qcow2]=qcow2 [vmdk]=vmdk [vhd]=vpc [vdi]=vdi)
declare -A MAKE_OPTS=([qcow2]="" [vmdk]="-o subformat=streamOptimized" [vhd]="-o subformat=dynamic" [vdi]="")
declare -A PREFIX=([random]=src [real]=real)
read -r -a DISK_LIST <<<"${DISKS:-random real}"
read -r -a SOURCES <<<"${SOURCES:-raw qcow2 vmdk vhd vdi}"
read -r -a TARGETS <<<"${TARGETS:-qcow2 raw qcow2-c}"

for d in "${DISK_LIST[@]}"; do
  p=${PREFIX[$d]:?unknown disk $d (random or real)}
  if [[ $d == random && ! -f $DATA/src.raw ]]; then
    echo "== generating a ${SIZE_GIB} GiB disk with ${DATA_GIB} GiB of random data"
    "${JAVA[@]}" gen "$DATA/src.raw" "$SIZE_GIB" "$DATA_GIB"
  fi
  if [[ $d == real ]]; then
    "$ROOT/bench/make-realistic-disk.sh" "$DATA" >/dev/null
  fi
  for s in "${SOURCES[@]}"; do
    f="$DATA/$p.$s"
    if [[ $s != raw && ! -f $f ]]; then
      echo "== making $f with qemu-img"
      # shellcheck disable=SC2086
      qemu-img convert -f raw -O "${QFMT[$s]}" ${MAKE_OPTS[$s]} "$DATA/$p.raw" "$f.tmp"
      mv "$f.tmp" "$f"
    fi
  done
done

# Runs a command under /usr/bin/time; prints "<elapsed s> <max RSS KiB> <user+system CPU s> <exit code>".
timed() {
  local log="$WORK/time.log" rc=0
  /usr/bin/time -f "%e %M %U %S" -o "$log" "$@" >"$WORK/cmd.out" 2>&1 || rc=$?
  read -r e m u s < <(tail -1 "$log")
  echo "$e $m $(echo "$u + $s" | bc -l) $rc"
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# One row: REPEAT pairs of ours (the command in OURS; $1 names the functions <$1>_prepare and
# <$1>_check, run before each run and after the first) and qemu-img ($4...: its arguments without
# the output $3), alternating who goes first; $2 is our output. Sets row_* for the caller to print.
OURS=()
pair_row() {
  local ours_fn=$1 out=$2 qout=$3; shift 3
  local os=() is=() qs=() oc=() qc=() ratio=() loads=() rss=0 i who
  row_unsupported=""
  for ((i = 0; i < REPEAT; i++)); do
    for who in $( ((i % 2 == 0)) && echo "ours qemu" || echo "qemu ours"); do
      # Each contender starts alike: no output of the other left, source warm in the page cache,
      # dirty pages flushed.
      rm -f "$out" "$qout"
      "${ours_fn}_prepare"
      sync
      loads+=("$(load1)")
      if [[ $who == ours ]]; then
        read -r o_s o_rss o_cpu o_rc < <(timed "${OURS[@]}")
        if [[ $o_rc == 3 ]]; then row_unsupported=yes; return; fi
        [[ $o_rc == 0 ]] || { echo "ours failed"; cat "$WORK/cmd.out"; exit 1; }
        is+=("$(sed -n 's/.*: \([0-9.]*\) s in the converter.*/\1/p' "$WORK/cmd.out")")
        if [[ $i == 0 ]]; then "${ours_fn}_check"; fi
      else
        read -r q_s _ q_cpu q_rc < <(timed qemu-img convert "$@" "$qout")
        [[ $q_rc == 0 ]] || { echo "qemu-img failed: $*"; cat "$WORK/cmd.out"; exit 1; }
      fi
    done
    rm -f "$qout"
    os+=("$o_s") qs+=("$q_s") oc+=("$o_cpu") qc+=("$q_cpu") ratio+=("$(echo "$o_s / $q_s" | bc -l)")
    ((o_rss > rss)) && rss=$o_rss
  done
  loads+=("$(load1)")
  rm -f "$out"
  row_o=$(median "${os[@]}") row_q=$(median "${qs[@]}") row_ratio=$(median "${ratio[@]}")
  row_oc=$(median "${oc[@]}") row_qc=$(median "${qc[@]}") row_rss=$((rss / 1024))
  row_i=$( ((${#is[@]} > 0)) && [[ -n ${is[0]} ]] && median "${is[@]}" || echo 0)
  row_load="$(printf '%s\n' "${loads[@]}" | sort -g | head -1)-$(printf '%s\n' "${loads[@]}" | sort -g | tail -1)"
}

# "ours" for the plain rows: a fresh JVM running the converter.
conv_f="" conv_t="" conv_out="" conv_raw=""
java_prepare() { cat "$conv_f" >/dev/null; rm -f "$WORK/.$(basename "$conv_out").state"; }
java_check() {
  qemu-img compare -q -f raw -F "$conv_t" "$conv_raw" "$conv_out" \
    || { echo "MISMATCH: $conv_out differs from the source"; exit 1; }
}

echo
echo "Median of $REPEAT pairs, order alternating. 'ours s' is the whole JVM run (start-up included);"
echo "'in-JVM s' is the converter alone, as inside a running Maven build; 'ratio' the median of the"
echo "pairs' ratios. CPU = user + system s. RSS is the JVM's peak resident set (-Xmx256m). 'load' is"
echo "the 1-minute load average seen before each run (2 cores)."
printf "\n%-6s %-6s %-8s %8s %8s %8s %6s %6s %7s %7s %6s %s\n" disk source target "ours s" "in-JVM" "qemu s" \
  ratio in-JVM "CPU us" "CPU qe" "RSS" load
for d in "${DISK_LIST[@]}"; do
  p=${PREFIX[$d]}
  for s in "${SOURCES[@]}"; do
    for target in "${TARGETS[@]}"; do
      conv_f="$DATA/$p.$s" conv_t=${target%-c} conv_out="$WORK/out-$p-$s.${target%-c}" conv_raw="$DATA/$p.raw"
      OURS=("${JAVA[@]}" convert "$conv_f" "$conv_t" "$conv_out") qopt=()
      [[ $target == *-c ]] && OURS+=(compress) qopt=(-c)
      pair_row java "$conv_out" "$WORK/qemu-$p-$s.$conv_t" -f "${QFMT[$s]}" -O "$conv_t" "${qopt[@]}" "$conv_f"
      if [[ -n $row_unsupported ]]; then
        printf "%-6s %-6s %-8s %s\n" "$d" "$s" "$target" "unsupported yet"
        continue
      fi
      printf "%-6s %-6s %-8s %8.2f %8.2f %8.2f %6.2f %6.2f %7.2f %7.2f %6d %s\n" "$d" "$s" "$target" "$row_o" \
        "$row_i" "$row_q" "$row_ratio" "$(echo "$row_i / $row_q" | bc -l)" "$row_oc" "$row_qc" "$row_rss" "$row_load"
    done
  done
done

[[ ${MVN:-0} == 1 ]] || exit 0

# The whole Maven call, as a user runs it: `mvn vm-packager:convert` in a small project, this
# build of the plugin taken from a private local repository.
MVN_REPO=${MVN_REPO:-$WORK/m2}
if [[ ! -d $MVN_REPO ]]; then
  echo "== copying ~/.m2/repository to $MVN_REPO (once)"
  cp -a "$HOME/.m2/repository" "$MVN_REPO.tmp" && mv "$MVN_REPO.tmp" "$MVN_REPO"
fi
echo "== installing this build into $MVN_REPO"
(cd "$ROOT" && mvn -o -q -B -Dmaven.repo.local="$MVN_REPO" -DskipTests -Dinvoker.skip install)
PROJ="$WORK/mvn-project"
mkdir -p "$PROJ"
cat >"$PROJ/pom.xml" <<'POM'
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>bench</groupId>
  <artifactId>bench-vm</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <build>
    <plugins>
      <plugin>
        <groupId>dev.vmpackager</groupId>
        <artifactId>vm-packager-maven-plugin</artifactId>
        <version>0.1.0-SNAPSHOT</version>
      </plugin>
    </plugins>
  </build>
</project>
POM
mvn_f="" mvn_t="" mvn_c=false mvn_raw=""
mvn_prepare() { cat "$mvn_f" >/dev/null; rm -rf "$PROJ/target"; }
mvn_check() {
  qemu-img compare -q -f raw -F "$mvn_t" "$mvn_raw" "$PROJ/target/vm/bench-vm.$mvn_t" \
    || { echo "MISMATCH: the mvn output differs from the source"; exit 1; }
}
echo
echo "The whole \`mvn -o -q vm-packager:convert\` call (Maven start-up included) against qemu-img:"
printf "\n%-6s %-6s %-8s %8s %8s %6s %7s %7s %s\n" disk source target "mvn s" "qemu s" ratio "CPU mvn" "CPU qe" load
for row in ${MVN_ROWS:-vmdk:qcow2 vmdk:raw}; do
  s=${row%%:*} target=${row#*:}
  mvn_f="$DATA/real.$s" mvn_t=${target%-c} mvn_raw="$DATA/real.raw" mvn_c=false qopt=()
  [[ $target == *-c ]] && mvn_c=true qopt=(-c)
  OURS=(mvn -o -q -B -f "$PROJ/pom.xml" -Dmaven.repo.local="$MVN_REPO" vm-packager:convert -Dvm.source="$mvn_f"
    -Dvm.format="$mvn_t" -Dvm.compress="$mvn_c")
  pair_row mvn "$PROJ/target/vm/bench-vm.$mvn_t" "$WORK/qemu-mvn.$mvn_t" -f "${QFMT[$s]}" -O "$mvn_t" \
    "${qopt[@]}" "$mvn_f"
  printf "%-6s %-6s %-8s %8.2f %8.2f %6.2f %7.2f %7.2f %s\n" real "$s" "$target" "$row_o" "$row_q" "$row_ratio" \
    "$row_oc" "$row_qc" "$row_load"
done
rm -rf "$PROJ/target"
