#!/usr/bin/env bash
# Hand-run conversion benchmark (not part of CI): ours (java engine, -Xmx256m) against
# `qemu-img convert` on a 4 GiB virtual disk holding 1 GiB of random data spread over it.
#
#   bench/convert-benchmark.sh [work folder]     (default: vm-packager-maven-plugin/target/bench)
#
# Example: SOURCES="vmdk vhd" TARGETS="qcow2 raw" REPEAT=3 bench/convert-benchmark.sh
# Needs: mvn (offline is fine), java 17, qemu-img, /usr/bin/time. Uses ~8 GiB of disk at most.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE="$ROOT/vm-packager-maven-plugin"
WORK=${1:-$MODULE/target/bench}
SIZE_GIB=${SIZE_GIB:-4}   # SIZE_GIB/DATA_GIB/REPEAT may be set in the environment
DATA_GIB=${DATA_GIB:-1}
mkdir -p "$WORK"

echo "== building test classes and the classpath"
(cd "$MODULE" && mvn -o -q -B -Dinvoker.skip -DskipTests test-compile \
  && mvn -o -q -B dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null)
CP="$MODULE/target/test-classes:$MODULE/target/classes:$(cat "$WORK/cp.txt")"
JAVA=(java -Xmx256m -Djava.io.tmpdir="$WORK" -cp "$CP" dev.vmpackager.bench.ConvertBenchmark)

SRC="$WORK/src.raw"
if [[ ! -f "$SRC" ]]; then
  echo "== generating a ${SIZE_GIB} GiB disk with ${DATA_GIB} GiB of random data"
  "${JAVA[@]}" gen "$SRC" "$SIZE_GIB" "$DATA_GIB"
fi

declare -A QFMT=([raw]=raw [qcow2]=qcow2 [vmdk]=vmdk [vhd]=vpc [vdi]=vdi)
declare -A MAKE_OPTS=([qcow2]="" [vmdk]="-o subformat=streamOptimized" [vhd]="-o subformat=dynamic" [vdi]="")
read -r -a SOURCES <<<"${SOURCES:-raw qcow2 vmdk vhd vdi}"   # SOURCES/TARGETS may narrow the run
read -r -a TARGETS <<<"${TARGETS:-qcow2 raw qcow2-c}"
for s in "${SOURCES[@]}"; do
  [[ $s == raw ]] && continue
  f="$WORK/src.$s"
  if [[ ! -f "$f" ]]; then
    echo "== making $f with qemu-img"
    # shellcheck disable=SC2086
    qemu-img convert -f raw -O "${QFMT[$s]}" ${MAKE_OPTS[$s]} "$SRC" "$f"
  fi
done

REPEAT=${REPEAT:-3}

# Runs a command under /usr/bin/time; prints "<seconds> <max RSS KiB> <exit code>".
timed() {
  local log="$WORK/time.log" rc=0
  /usr/bin/time -f "%e %M" -o "$log" "$@" >"$WORK/cmd.out" 2>&1 || rc=$?
  echo "$(tail -1 "$log") $rc"
}

min() { if [[ -z $1 ]] || (( $(echo "$2 < $1" | bc -l) )); then echo "$2"; else echo "$1"; fi; }

echo
echo "Best of $REPEAT runs each. 'ours s' is the whole JVM run (start-up included); 'in-JVM s' is the"
echo "converter alone, as inside a running Maven build. RSS is the JVM's peak resident set (-Xmx256m)."
printf "\n%-7s %-8s %9s %9s %11s %7s %7s %9s\n" source target "ours s" "in-JVM s" "qemu-img s" ratio "in-JVM" "RSS MiB"
for s in "${SOURCES[@]}"; do
  f="$WORK/src.$s"
  [[ $s == raw ]] && f="$SRC"
  for target in "${TARGETS[@]}"; do
    t=${target%-c}
    copt=() qopt=()
    [[ $target == *-c ]] && copt=(compress) qopt=(-c)
    out="$WORK/out-$s.$t"
    best_o="" best_q="" best_i="" rss=0 unsupported=""
    for ((i = 0; i < REPEAT; i++)); do
      # Each contender starts alike: no output of the other left, source warm in the page cache,
      # dirty pages flushed. The order alternates, so neither always runs right after the other.
      for who in $( ((i % 2 == 0)) && echo "ours qemu" || echo "qemu ours"); do
        rm -f "$out" "$WORK/.out-$s.$t.state" "$WORK/qemu-$s.$t"
        cat "$f" >/dev/null
        sync
        if [[ $who == ours ]]; then
          read -r os orss orc < <(timed "${JAVA[@]}" convert "$f" "$t" "$out" "${copt[@]}")
          is=$(sed -n 's/.*: \([0-9.]*\) s in the converter.*/\1/p' "$WORK/cmd.out")
          [[ $orc == 0 || $orc == 3 ]] || { echo "ours failed ($s -> $t)"; cat "$WORK/cmd.out"; exit 1; }
          if [[ $i == 0 && $orc == 0 ]]; then
            qemu-img compare -q -f raw -F "$t" "$SRC" "$out" || { echo "MISMATCH: $out differs from the source"; exit 1; }
          fi
        else
          read -r qs _ qrc < <(timed qemu-img convert -f "${QFMT[$s]}" -O "$t" "${qopt[@]}" "$f" "$WORK/qemu-$s.$t")
          [[ $qrc == 0 ]] || { echo "qemu-img failed ($s -> $t)"; cat "$WORK/cmd.out"; exit 1; }
        fi
      done
      rm -f "$WORK/qemu-$s.$t"
      if [[ $orc == 3 ]]; then unsupported=yes; break; fi
      best_o=$(min "$best_o" "$os"); best_q=$(min "$best_q" "$qs"); best_i=$(min "$best_i" "$is")
      (( orss > rss )) && rss=$orss
    done
    if [[ -n $unsupported ]]; then
      printf "%-7s %-8s %19s %11s\n" "$s" "$target" "unsupported yet" "$qs"
    else
      printf "%-7s %-8s %9.2f %9.2f %11.2f %7.2f %7.2f %9d\n" "$s" "$target" "$best_o" "$best_i" "$best_q" \
        "$(echo "$best_o / $best_q" | bc -l)" "$(echo "$best_i / $best_q" | bc -l)" $((rss / 1024))
    fi
    rm -f "$out" "$WORK/.out-$s.$t.state"
  done
done
