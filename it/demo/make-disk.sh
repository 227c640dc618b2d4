#!/usr/bin/env bash
# How src/main/vm/demo-vm.vmdk was made (run by hand; needs e2fsprogs and qemu-utils).
# It is a small ext4 data disk with an application file on it, exported the way VMware and
# VirtualBox export appliances (streamOptimized VMDK), so the demo exercises a real conversion.
# It is not a bootable OS: nothing could be downloaded here to make one; point <source> at your
# own VM's disk (virt-manager qcow2, VirtualBox vdi, VMware vmdk, Hyper-V vhdx...) instead.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/opt/demo"
cat > "$work/root/opt/demo/README" <<'TXT'
demo-vm: the disk of a tiny VM application packaged by vm-packager-maven-plugin.
TXT
seq 1 20000 > "$work/root/opt/demo/numbers.txt"
truncate -s 64M "$work/disk.raw"
mkfs.ext4 -q -F -L demo -E root_owner=0:0,lazy_itable_init=0,lazy_journal_init=0 \
  -U 6f1c8d3e-2a4b-4c5d-8e9f-0a1b2c3d4e5f -d "$work/root" "$work/disk.raw"
qemu-img convert -f raw -O vmdk -o subformat=streamOptimized "$work/disk.raw" src/main/vm/demo-vm.vmdk
ls -l src/main/vm
