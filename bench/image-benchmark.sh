#!/usr/bin/env bash
# Image-building benchmark, run by hand (not in CI):
#   bench/image-benchmark.sh [work-dir] [disk]
# The disk defaults to the realistic one of bench/make-realistic-disk.sh (a 4 GiB qcow2 whose first
# 2 GiB are real system files, made in <work-dir>/real/ unless it exists there).
#
# Times the containerize core writing the image tar in a fresh JVM (cold: no layer record, the disk
# is read, tarred, compressed and hashed twice) against the reference tools on the *same tar* (the
# disk as disk/bench.qcow2, made once with GNU tar), all from the page cache, all writing a file:
#   gzip (level 1, every core)   vs  pigz -1 -p <cores>
#   zstd (level 3, every core)   vs  zstd -3 -T<cores>
#   none (plain tar)             vs  cp of the disk
#   a rebuild reusing the layer  vs  cp of the disk
# ROWS picks rows (default "gzip zstd none warm"; warm reuses gzip's layer, so needs gzip first).
# Each row is PAIRS (default 3) pairs of runs, ours and the tool's back to back, the order swapped
# every pair; a row's ratio is the median of its pairs' ratios, so load that comes and goes hits
# both sides of a pair. "+hash" adds what an image needs that the tools skip: sha256sum of the tar
# and of the tool's output (timed in the same pair). Ours includes the JVM's start, not Maven's.
# Both elapsed and CPU time (user + system, all threads and children) are measured: on a loaded
# machine the elapsed time follows the share of the cores each side gets, the CPU time does not.
# Goals (issue 17): gzip within 1.2 x pigz -1, zstd within 1.5 x zstd -3 -T2 (the tool alone).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
module="$here/vm-packager-maven-plugin"
work="${1:-$module/target/bench}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR"
PAIRS=${PAIRS:-3}
cores=$(nproc)

for tool in qemu-img pigz zstd sha256sum bc /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install pigz zstd qemu-utils bc)" >&2; exit 1; }
done

disk="${2:-}"
if [ -z "$disk" ]; then
  "$here/bench/make-realistic-disk.sh" "$work/real" >&2
  disk="$work/real/real.qcow2"
fi
disk="$(cd "$(dirname "$disk")" && pwd)/$(basename "$disk")"

echo "Compiling and resolving the classpath..." >&2
(cd "$module" && mvn -o -q -B -Dinvoker.skip test-compile dependency:build-classpath \
  -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=test >&2)
cp="$module/target/classes:$module/target/test-classes:$(cat "$work/cp.txt")"

# The reference tools' input: the same layer tar ours compresses (a few header bytes aside).
tar -cf "$work/layer.tar" -C "$(dirname "$disk")" --transform="s,^$(basename "$disk")\$,disk/bench.qcow2," \
  "$(basename "$disk")"
cat "$disk" "$work/layer.tar" > /dev/null   # warm the page cache for everyone

load() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg), CPU pressure avg60 $(sed -n 's/^some avg10=[^ ]* avg60=\([^ ]*\).*/\1/p' /proc/pressure/cpu 2>/dev/null || echo ?) %"; }
load_before=$(load)
started=$(date -u +%H:%M)

# Prints "elapsed cpu" in seconds (GNU time: user + system of the command and its children).
seconds() { /usr/bin/time -f '%e %U %S' -o "$work/time.txt" "$@" > /dev/null; awk '{ print $1, $2 + $3 }' "$work/time.txt"; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# A cold build: no layer record, the disk is read and the layer written.
ours() { rm -rf "$work/cache-$1" "$work/image-$1.tar"; sync
  seconds java -cp "$cp" dev.vmpackager.image.ImageBenchmarkMain "$disk" "$work/image-$1.tar" "$work/cache-$1" "$1" 2>/dev/null; }
# A rebuild of the same disk: the layer is copied from the previous tar.
ours_warm() { sync; seconds java -cp "$cp" dev.vmpackager.image.ImageBenchmarkMain "$disk" "$work/image-warm.tar" \
  "$work/cache-gzip" gzip 2>/dev/null; }
tool() { rm -f "$work/ref.out"; sync
  case "$1" in
    gzip) seconds bash -c "pigz -1 -p $cores < '$work/layer.tar' > '$work/ref.out'" ;;
    zstd) seconds zstd -3 -T"$cores" -q -f "$work/layer.tar" -o "$work/ref.out" ;;
    none|warm) seconds cp "$disk" "$work/ref.out" ;;
  esac; }
hashes() { seconds sha256sum "$work/layer.tar" "$work/ref.out"; }

declare -A T_OURS T_TOOL T_HASH R_TOOL R_HASH C_OURS C_TOOL C_HASH RC_TOOL RC_HASH SIZE_OURS SIZE_TOOL
for row in ${ROWS:-gzip zstd none warm}; do
  o=(); t=(); h=(); r=(); rh=(); co=(); ct=(); ch=(); rc=(); rch=()
  for ((i = 1; i <= PAIRS; i++)); do
    if ((i % 2)); then
      tt=$(tool "$row"); hh=$(hashes)
      if [ "$row" = warm ]; then oo=$(ours_warm); else oo=$(ours "$row"); fi
    else
      if [ "$row" = warm ]; then oo=$(ours_warm); else oo=$(ours "$row"); fi
      tt=$(tool "$row"); hh=$(hashes)
    fi
    read -r ow oc <<< "$oo"; read -r tw tc <<< "$tt"; read -r hw hc <<< "$hh"
    o+=("$ow"); t+=("$tw"); h+=("$hw"); co+=("$oc"); ct+=("$tc"); ch+=("$hc")
    r+=("$(echo "$ow / $tw" | bc -l)"); rh+=("$(echo "$ow / ($tw + $hw)" | bc -l)")
    rc+=("$(echo "$oc / $tc" | bc -l)"); rch+=("$(echo "$oc / ($tc + $hc)" | bc -l)")
    printf '%s pair %d: ours %.2f s (CPU %.2f), tool %.2f s (CPU %.2f), hashes %.2f s (CPU %.2f); %s\n' "$row" "$i" \
      "$ow" "$oc" "$tw" "$tc" "$hw" "$hc" "$(load)" >&2
  done
  T_OURS[$row]=$(printf '%s\n' "${o[@]}" | median); T_TOOL[$row]=$(printf '%s\n' "${t[@]}" | median)
  T_HASH[$row]=$(printf '%s\n' "${h[@]}" | median)
  C_OURS[$row]=$(printf '%s\n' "${co[@]}" | median); C_TOOL[$row]=$(printf '%s\n' "${ct[@]}" | median)
  C_HASH[$row]=$(printf '%s\n' "${ch[@]}" | median)
  R_TOOL[$row]=$(printf '%s\n' "${r[@]}" | median); R_HASH[$row]=$(printf '%s\n' "${rh[@]}" | median)
  RC_TOOL[$row]=$(printf '%s\n' "${rc[@]}" | median); RC_HASH[$row]=$(printf '%s\n' "${rch[@]}" | median)
  SIZE_TOOL[$row]=$(( $(stat -c %s "$work/ref.out") >> 20 ))
  case "$row" in
    warm) SIZE_OURS[$row]=$(( $(stat -c %s "$work/image-warm.tar") >> 20 )) ;;
    *) SIZE_OURS[$row]=$(( $(stat -c %s "$work/image-$row.tar") >> 20 )) ;;
  esac
done
cmp -s "$work/image-gzip.tar" "$work/image-warm.tar" 2>/dev/null && same=yes || same=NO

printf '\n%s to %s UTC, %d CPUs, %s; at the start: %s, at the end: %s\n' "$started" "$(date -u +%H:%M)" "$cores" \
  "$(java -version 2>&1 | head -1)" "$load_before" "$(load)"
printf 'disk: %s, %d MiB (tar %d MiB); %d pairs per row, medians\n\n' "$disk" $(( $(stat -c %s "$disk") >> 20 )) \
  $(( $(stat -c %s "$work/layer.tar") >> 20 )) "$PAIRS"
printf '| %-34s | %-17s | %14s | %14s | %14s | %8s | %8s | %14s | %14s |\n' "ours" "tool (same tar)" \
  "ours s (CPU)" "tool s (CPU)" "hashes s (CPU)" "ours MiB" "tool MiB" "ratio (+hash)" "CPU ratio (+hash)"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "------------------------------------" "-------------------" \
  "---------------:" "---------------:" "---------------:" "---------:" "---------:" "---------------:" "------------------:"
row() { printf '| %-34s | %-17s | %6.1f (%5.1f) | %6.1f (%5.1f) | %6.1f (%5.1f) | %8d | %8d | %5.2f (%5.2f) | %5.2f (%5.2f) |\n' \
  "$1" "$2" "${T_OURS[$3]}" "${C_OURS[$3]}" "${T_TOOL[$3]}" "${C_TOOL[$3]}" "${T_HASH[$3]}" "${C_HASH[$3]}" \
  "${SIZE_OURS[$3]}" "${SIZE_TOOL[$3]}" "${R_TOOL[$3]}" "${R_HASH[$3]}" "${RC_TOOL[$3]}" "${RC_HASH[$3]}"; }
[ -n "${T_OURS[gzip]:-}" ] && row "image tar, gzip level 1" "pigz -1 -p $cores" gzip
[ -n "${T_OURS[zstd]:-}" ] && row "image tar, zstd level 3" "zstd -3 -T$cores" zstd
[ -n "${T_OURS[none]:-}" ] && row "image tar, layerCompression=none" "cp of the disk" none
[ -n "${T_OURS[warm]:-}" ] && row "rebuild, layer reused (same: $same)" "cp of the disk" warm
rm -f "$work/image-warm.tar" "$work/ref.out"
