#!/usr/bin/env bash
# Makes the "realistic" benchmark disks: a 4 GiB virtual disk whose first 2 GiB are real system
# files (binaries, libraries, text: they compress like a real guest's root file system does),
# the rest unallocated, as issue 17 measured it. Random data (the other benchmarks' default)
# does not compress, which hides where a compressing pipeline spends its time.
#
#   bench/make-realistic-disk.sh <folder>      writes <folder>/real.raw (sparse), real.vmdk
#                                             (streamOptimized, ~0.8 GiB) and real.qcow2
#
# Existing files are kept (delete them to remake). The bytes depend on this machine's /usr,
# so compare ratios measured in one run, not sizes across machines.
set -euo pipefail
DIR=${1:?usage: make-realistic-disk.sh <folder>}
SIZE_GIB=${SIZE_GIB:-4}
DATA_GIB=${DATA_GIB:-2}
mkdir -p "$DIR"
if [[ ! -f $DIR/real.raw ]]; then
  echo "== $DIR/real.raw: ${SIZE_GIB} GiB, the first ${DATA_GIB} GiB system files"
  truncate -s "${SIZE_GIB}G" "$DIR/real.raw.tmp"
  # --sort=name: the same machine gives the same disk; head closes the pipe early, so tar's
  # SIGPIPE is expected.
  (tar --sort=name -cf - /usr/lib /usr/share /usr/bin 2>/dev/null || true) | head -c "${DATA_GIB}G" \
    | dd of="$DIR/real.raw.tmp" bs=1M conv=notrunc,sparse status=none
  mv "$DIR/real.raw.tmp" "$DIR/real.raw"
fi
if [[ ! -f $DIR/real.vmdk ]]; then
  echo "== $DIR/real.vmdk (streamOptimized)"
  qemu-img convert -f raw -O vmdk -o subformat=streamOptimized "$DIR/real.raw" "$DIR/real.vmdk.tmp"
  mv "$DIR/real.vmdk.tmp" "$DIR/real.vmdk"
fi
if [[ ! -f $DIR/real.qcow2 ]]; then
  echo "== $DIR/real.qcow2"
  qemu-img convert -f raw -O qcow2 "$DIR/real.raw" "$DIR/real.qcow2.tmp"
  mv "$DIR/real.qcow2.tmp" "$DIR/real.qcow2"
fi
ls -ls "$DIR"/real.*
