#!/usr/bin/env bash
# Makes a small UEFI-only bootable raw disk from Debian packages, for the tests that boot a packaged
# VM the way KubeVirt runs it (dev.vmpackager.testing.QemuBoot).
#
#   make-efi-boot-disk.sh OUT_DIR      -> OUT_DIR/efi-boot.raw (64 MiB) and OUT_DIR/packages.txt
#
# The disk: a GPT whose only partition is an EFI System Partition (FAT32) holding
# \EFI\BOOT\BOOTX64.EFI, the removable-media path every UEFI firmware tries (KubeVirt's EFI
# variables are not persistent, so a boot entry would be lost anyway). That file is a unified
# kernel image: systemd-boot's EFI stub (systemd-boot-efi) with Debian's cloud kernel
# (linux-image-cloud-amd64), its command line and a busybox initrd (busybox-static) added as PE
# sections. The initrd's /init prints one line on the serial console and powers off:
#
#   VMPACKAGER-BOOT-OK firmware=efi cpus=4 sockets=2 cores=2 threads=1 memtotal-kib=1003456 disks=vda
#
# It only boots with UEFI: the protective MBR holds no loader, only a few bytes of code that print
# "VMPACKAGER-NO-BIOS-BOOT" on COM1 and halt, so SeaBIOS shows at once that it found nothing to boot
# instead of running zeros until a timeout.
#
# The three payload packages are fetched with `apt-get download` and unpacked with `dpkg-deb -x`
# into OUT_DIR (no root, nothing installed, the machine's /boot and busybox untouched); the host
# tools are Debian's binutils (objcopy), fdisk (sfdisk), mtools, cpio and gzip. The same packages
# make the same disk, byte for byte. Needs current apt lists
# (`apt-get update`). Idempotent and safe to run concurrently: the disk is written under a lock
# and renamed into place; a finished OUT_DIR is left as it is (callers key OUT_DIR by this
# script's hash, so changing the script makes a new disk).
set -euo pipefail

out=${1:?usage: make-efi-boot-disk.sh OUT_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
disk=$out/efi-boot.raw

exec 9>"$out/.lock"
flock 9
if [[ -s $disk ]]; then
  exit 0
fi

for tool in apt-get apt-cache dpkg-deb objcopy objdump sfdisk mformat mmd mcopy cpio gzip; do
  command -v "$tool" >/dev/null || {
    echo "make-efi-boot-disk: '$tool' is missing: apt-get install binutils fdisk mtools cpio (see .ci/run)" >&2
    exit 1
  }
done

work=$out/work
rm -rf "$work"
mkdir -p "$work/debs" "$work/root" "$work/initrd"
trap 'rm -rf "$work"' EXIT

# --- Payload packages --------------------------------------------------------------------------
# linux-image-cloud-amd64 is a metapackage: the kernel is the versioned package it depends on.
kernel_pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [[ -z $kernel_pkg ]]; then
  echo "make-efi-boot-disk: apt knows no linux-image-cloud-amd64: run apt-get update" >&2
  exit 1
fi
apt_opts=()
# As root apt drops to the _apt user for downloads, which may not write into OUT_DIR.
[[ $(id -u) -eq 0 ]] && apt_opts+=(-o APT::Sandbox::User=root)
(cd "$work/debs" && apt-get download -q "${apt_opts[@]}" "$kernel_pkg" busybox-static systemd-boot-efi) \
  > "$work/apt.log" 2>&1 || {
  cat "$work/apt.log" >&2
  echo "make-efi-boot-disk: apt-get download failed (stale apt lists? run apt-get update)" >&2
  exit 1
}
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$work/root"
  dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb" >> "$work/packages.txt"
done

root=$work/root
kver=${kernel_pkg#linux-image-}
vmlinuz=$root/boot/vmlinuz-$kver
stub=$root/usr/lib/systemd/boot/efi/linuxx64.efi.stub
mods=$root/lib/modules/$kver/kernel
for f in "$vmlinuz" "$stub" "$root/bin/busybox" "$mods"; do
  [[ -e $f ]] || { echo "make-efi-boot-disk: $f is not in the downloaded packages" >&2; exit 1; }
done

# --- initrd ------------------------------------------------------------------------------------
# The cloud kernel builds virtio and SCSI as modules (it has no AHCI driver at all: a sata boot
# disk is read by the firmware only), so the initrd carries the few that show the boot disk, in
# dependency order read from each module's .modinfo section (the package ships no modules.dep).
declare -A seen=()
order=()
add_module() {
  local name=$1 path deps dep
  [[ -n ${seen[$name]:-} ]] && return 0
  seen[$name]=1
  # Module names use '_' where some file names have '-' (t10-pi.ko is t10_pi).
  path=$(find "$mods" \( -name "$name.ko" -o -name "${name//_/-}.ko" \) -print -quit)
  if [[ -z $path ]]; then
    # Built into the kernel: nothing to load.
    grep -q -e "/$name.ko\$" -e "/${name//_/-}.ko\$" "$root/lib/modules/$kver/modules.builtin" && return 0
    echo "make-efi-boot-disk: kernel module $name not found in $kernel_pkg" >&2
    exit 1
  fi
  deps=$(objcopy -O binary --only-section=.modinfo "$path" /dev/stdout | tr '\0' '\n' | sed -n 's/^depends=//p')
  for dep in ${deps//,/ }; do
    add_module "${dep//-/_}"
  done
  cp "$path" "$work/initrd/lib/modules/"
  order+=("${path##*/}")
}
mkdir -p "$work/initrd"/{bin,dev,proc,sys,lib/modules}
for m in virtio_pci virtio_blk virtio_scsi sd_mod; do
  add_module "$m"
done
printf '%s\n' "${order[@]}" > "$work/initrd/lib/modules/load-order"
cp "$root/bin/busybox" "$work/initrd/bin/busybox"

cat > "$work/initrd/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# scan=sync: SCSI disks are probed before insmod returns, so /sys/block is complete below.
for m in $(cat /lib/modules/load-order); do
  case $m in
    scsi_mod.ko) insmod /lib/modules/$m scan=sync ;;
    *) insmod /lib/modules/$m ;;
  esac
done 2>/dev/null
firmware=bios
[ -d /sys/firmware/efi ] && firmware=efi
cpus=$(nproc)
sockets=$(cat /sys/devices/system/cpu/cpu*/topology/physical_package_id | sort -u | wc -l)
threads=$(cat /sys/devices/system/cpu/cpu0/topology/thread_siblings_list | tr ',' '\n' | \
  awk -F- '{n += ($2 == "" ? 1 : $2 - $1 + 1)} END {print n}')
cores=$((cpus / sockets / threads))
mem=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
disks=$(ls /sys/block | grep -v -e '^loop' -e '^ram' | paste -sd, -)
echo "VMPACKAGER-BOOT-OK firmware=$firmware cpus=$cpus sockets=$sockets cores=$cores threads=$threads memtotal-kib=$mem disks=${disks:-none}"
poweroff -f
INIT
chmod 755 "$work/initrd/init" "$work/initrd/bin/busybox"
# Fixed times, owners and inode numbers: the same packages make the same initrd.
export SOURCE_DATE_EPOCH=1704067200 # 2024-01-01, also read by mtools for the FAT's timestamps
find "$work/initrd" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
(cd "$work/initrd" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) \
  | gzip -n -9 > "$work/initrd.gz"

# --- Unified kernel image ----------------------------------------------------------------------
# Debian 12 has no ukify: add the sections with objcopy, each placed after the previous one at a
# 4 KiB-aligned address above the stub's own sections (systemd's documented layout: .osrel,
# .cmdline, .linux, .initrd).
echo "console=ttyS0,115200 quiet panic=-1" > "$work/cmdline"
cat > "$work/os-release" <<'OSREL'
NAME="vm-packager boot test"
ID=vmpackager-boot-test
OSREL
next=0
while read -r idx _ size vma _; do
  [[ $idx =~ ^[0-9]+$ ]] && (( 0x$vma + 0x$size > next )) && next=$(( 0x$vma + 0x$size ))
done < <(objdump -h "$stub")
align() { echo $(( ($1 + 4095) / 4096 * 4096 )); }
uki_args=()
for section in osrel:"$work/os-release" cmdline:"$work/cmdline" linux:"$vmlinuz" initrd:"$work/initrd.gz"; do
  name=${section%%:*} file=${section#*:}
  next=$(align "$next")
  uki_args+=(--add-section ".$name=$file" --change-section-vma ".$name=$(printf '0x%x' "$next")")
  next=$((next + $(stat -c %s "$file")))
done
objcopy "${uki_args[@]}" "$stub" "$work/BOOTX64.EFI"
# objcopy stamps the PE header with the time: zero TimeDateStamp (PE header + 8) and the CheckSum
# that covers it (PE header + 88; 0 means none, which UEFI accepts: it never checks it).
pe=$(od -An -tu4 -j60 -N4 "$work/BOOTX64.EFI" | tr -d ' ')
for field in 8 88; do
  dd if=/dev/zero of="$work/BOOTX64.EFI" bs=1 seek=$((pe + field)) count=4 conv=notrunc status=none
done

# --- Disk --------------------------------------------------------------------------------------
# 64 MiB: GPT with fixed GUIDs, the ESP from 1 MiB to the end.
size_mib=64
esp_start=2048
tmp=$work/efi-boot.raw
truncate -s ${size_mib}M "$tmp"
sfdisk --quiet --no-reread --no-tell-kernel "$tmp" <<'GPT'
label: gpt
label-id: 5E1F0B0A-7A11-4D5C-9B1E-000000000001
start=2048, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=5E1F0B0A-7A11-4D5C-9B1E-000000000002, name="EFI System Partition"
GPT
esp_sectors=$(sfdisk --dump "$tmp" | awk -F'size=' '/start=/ {split($2, a, ","); print a[1] + 0}')
export MTOOLS_SKIP_CHECK=1
img="$tmp@@$((esp_start * 512))"
mformat -i "$img" -F -T "$esp_sectors" -h 1 -s 1 -N 5e1f0b0a -v ESP ::
mmd -i "$img" ::/EFI ::/EFI/BOOT
mcopy -i "$img" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI

# The protective MBR's boot code (bytes 0-439; the partition entry and 0x55AA after it stay):
# cli; cld; xor ax,ax; mov ds,ax; mov si,msg; mov dx,0x3f8; next: lodsb; test al,al; jz halt;
# out dx,al; jmp next; halt: hlt; jmp halt; msg: "...". SeaBIOS jumps to 0000:7C00 and the
# message starts at byte 23 (0x7C17).
{
  printf '\xfa\xfc\x31\xc0\x8e\xd8\xbe\x17\x7c\xba\xf8\x03\xac\x84\xc0\x74\x03\xee\xeb\xf8\xf4\xeb\xfd'
  printf 'VMPACKAGER-NO-BIOS-BOOT: this disk boots only with UEFI\r\n\0'
} > "$work/mbr-code"
dd if="$work/mbr-code" of="$tmp" conv=notrunc status=none

mv "$work/packages.txt" "$out/packages.txt"
mv "$tmp" "$disk"
