#!/usr/bin/env python3
"""Makes the fuzz tests' seed corpora and companion files (see make-seeds.sh, which runs this).

Disk seeds are small images made with qemu-img/qemu-io (the tools the project's tests use), in the
smallest layouts qemu offers; VDI, VHD and VHDX images are stored in the SparseInput encoding
(SparseInput.java) because their smallest images are megabytes of zeros. Description seeds are the
fixtures in src/test/resources/vm. Outputs are deterministic except for what qemu stamps (UUIDs,
timestamps), so rerunning rewrites the seeds with the same structure.
"""
import gzip
import hashlib
import io
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zlib

MODULE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
RES = os.path.join(MODULE, "src", "test", "resources")
FUZZ = os.path.join(RES, "dev", "vmpackager", "fuzz")
WORK = tempfile.mkdtemp(prefix="fuzz-seeds-")


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, cwd=WORK)


def img(name, fmt, size, opts=None, writes=(), backing=None):
    path = os.path.join(WORK, name)
    cmd = ["qemu-img", "create", "-q", "-f", fmt]
    if opts:
        cmd += ["-o", opts]
    if backing:
        cmd += ["-b", backing[0], "-F", backing[1], "-u"]
    run(*cmd, path, size)
    if writes:
        io_cmd = ["qemu-io", "-f", fmt]
        for w in writes:
            io_cmd += ["-c", w]
        run(*io_cmd, path)
    return path


def read(path):
    with open(path, "rb") as f:
        return f.read()


def seed(test, method, name, data):
    d = os.path.join(FUZZ, test + "Inputs", method)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def sparse(data):
    """SparseInput encoding: flags 0 (fix checksums), the non-zero 512-byte sectors as segments, the size."""
    out = bytearray([0])
    n = len(data)
    s = 0
    while s < n:
        if data[s:s + 512].strip(b"\0") == b"":
            s += 512
            continue
        e = s
        while e < n and e - s < 32768 and data[e:e + 512].strip(b"\0") != b"":
            e += 512
        e = min(e, n)
        out += struct.pack(">IH", s // 512, e - s) + data[s:e]
        s = e
    out += struct.pack(">IH", n // 512, 0)
    return bytes(out)


WRITES = ("write -P 0x5a 4096 8192", "write -P 0x33 300k 4k", "write -z 600k 64k")


def qcow2():
    t, m = "DiskFuzzTest", "qcow2"
    seed(t, m, "v3-512", read(img("a.qcow2", "qcow2", "1M", "cluster_size=512", WRITES)))
    seed(t, m, "v2-compat010", read(img("b.qcow2", "qcow2", "1M", "cluster_size=512,compat=0.10", WRITES[:2])))
    seed(t, m, "extended-l2", read(img("c.qcow2", "qcow2", "1M", "cluster_size=16k,extended_l2=on",
                                       ("write -P 0x11 4096 2048", "write -z 20k 2k"))))
    p = img("d.qcow2", "qcow2", "1M", "cluster_size=512", WRITES[:1])
    run("qemu-img", "snapshot", "-c", "snap1", p)
    run("qemu-io", "-f", "qcow2", "-c", "write -P 0x77 4096 512", p)
    seed(t, m, "snapshot", read(p))
    src = img("e.raw", "raw", "64k", None, ("write -P 0x41 0 16k",))
    comp = os.path.join(WORK, "e.qcow2")
    run("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=4096", src, comp)
    seed(t, m, "compressed", read(comp))
    seed(t, m, "backing-companion", read(img("f.qcow2", "qcow2", "1M", "cluster_size=512", WRITES[:1],
                                             backing=("tiny.qcow2", "qcow2"))))
    seed(t, m, "backing-outside", read(img("g.qcow2", "qcow2", "1M", "cluster_size=512", (),
                                           backing=("../outside-tiny.qcow2", "qcow2"))))
    seed(t, m, "backing-self", read(img("h.qcow2", "qcow2", "1M", "cluster_size=512", (),
                                        backing=("disk.qcow2", "qcow2"))))


def vmdk():
    t = "DiskFuzzTest"
    seed(t, "vmdk", "monolithic-sparse", read(img("a.vmdk", "vmdk", "1M", "subformat=monolithicSparse",
                                                  ("write -P 0x5a 4096 8192",))))
    src = img("s.raw", "raw", "1M", None, ("write -P 0x5a 4096 8192", "write -P 0x33 300k 4k"))
    st = os.path.join(WORK, "s.vmdk")
    run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized", src, st)
    seed(t, "vmdk", "stream-optimized", read(st))
    m = "vmdkDescriptor"
    head = ('# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="%s"\n\n'
            '# Extent description\n')
    tail = ('\n# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = "4"\nddb.geometry.cylinders = "2"\n'
            'ddb.geometry.heads = "16"\nddb.geometry.sectors = "63"\nddb.adapterType = "ide"\n')
    seed(t, m, "flat", (head % "monolithicFlat" + 'RW 128 FLAT "flat.vmdk" 0\n' + tail).encode())
    seed(t, m, "two-extents", (head % "twoGbMaxExtentFlat" + 'RW 64 FLAT "flat.vmdk" 0\nRW 64 ZERO\n'
                               + 'RDONLY 2048 SPARSE "sparse.vmdk"\n' + tail).encode())
    seed(t, m, "sparse-extent", (head % "twoGbMaxExtentSparse" + 'RW 2048 SPARSE "sparse.vmdk"\n' + tail).encode())
    seed(t, m, "outside-parent", (head % "monolithicFlat" + 'RW 128 FLAT "../outside-flat.vmdk" 0\n' + tail).encode())
    seed(t, m, "outside-sibling", (head % "monolithicFlat" + 'RW 128 FLAT "../sibling/outside-flat.vmdk" 0\n'
                                   + tail).encode())
    seed(t, m, "absolute", (head % "vmfs" + 'RW 128 VMFS "/etc/hostname"\n' + tail).encode())
    seed(t, m, "delta", ('# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=fffffffe\n'
                         'createType="monolithicFlat"\nparentFileNameHint="sparse.vmdk"\n\n'
                         'RW 128 FLAT "flat.vmdk" 0\n' + tail).encode())
    # Companions: the extents the descriptors name, in the case folder (and as outside sentinels).
    comp = os.path.join(FUZZ, "companions")
    os.makedirs(comp, exist_ok=True)
    flat = bytearray(64 * 1024)
    for i in range(0, len(flat), 512):
        flat[i:i + 4] = struct.pack(">I", i)
    open(os.path.join(comp, "flat.vmdk"), "wb").write(bytes(flat))
    shutil.copy(os.path.join(WORK, "a.vmdk"), os.path.join(comp, "sparse.vmdk"))
    tiny = img("t.raw", "raw", "64k", None, ("write -P 0x5a 0 4096",))
    tv = os.path.join(WORK, "t.vmdk")
    run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized", tiny, tv)
    shutil.copy(tv, os.path.join(comp, "stream.vmdk"))
    shutil.copy(img("t.qcow2", "qcow2", "64k", "cluster_size=512", ("write -P 0x5a 0 4096",)),
                os.path.join(comp, "tiny.qcow2"))
    # No writes: a VDI block is 1 MiB, and an empty disk is what the descriptions need beside them.
    shutil.copy(img("t.vdi", "vdi", "64k"), os.path.join(comp, "tiny.vdi"))
    open(os.path.join(comp, "tiny.raw"), "wb").write(bytes(4096))
    return tv


def vdi():
    t, m = "DiskFuzzTest", "vdi"
    seed(t, m, "dynamic", sparse(read(img("a.vdi", "vdi", "3M", None, WRITES[:2] + ("write -P 0x44 2M 512",)))))
    seed(t, m, "static", sparse(read(img("b.vdi", "vdi", "1M", "static=on", WRITES[:1]))))


def vhd():
    t, m = "DiskFuzzTest", "vhd"
    seed(t, m, "dynamic", sparse(read(img("a.vhd", "vpc", "5M", None, WRITES[:2] + ("write -P 0x44 4M 512",)))))
    seed(t, m, "fixed", sparse(read(img("b.vhd", "vpc", "1M", "subformat=fixed", WRITES[:1]))))


def vhdx():
    t, m = "DiskFuzzTest", "vhdx"
    seed(t, m, "dynamic", sparse(read(img("a.vhdx", "vhdx", "4M", "block_size=1M,log_size=1M",
                                          WRITES[:2] + ("write -P 0x44 3M 512",)))))
    seed(t, m, "fixed", sparse(read(img("b.vhdx", "vhdx", "1M", "subformat=fixed,block_size=1M,log_size=1M",
                                        WRITES[:1]))))
    # A log to replay: one entry writing a 4 KiB sector over the first block's data; the harness
    # fixes the CRCs, so only the structure is built here.
    data = bytearray(read(os.path.join(WORK, "a.vhdx")))
    guid = bytes([0x3C]) * 16
    h1 = struct.unpack_from("<Q", data, 64 * 1024 + 8)[0]
    h2 = struct.unpack_from("<Q", data, 128 * 1024 + 8)[0]
    cur = 64 * 1024 if h1 >= h2 else 128 * 1024
    log_len = struct.unpack_from("<I", data, cur + 68)[0]
    log_off = struct.unpack_from("<Q", data, cur + 72)[0]
    for at in (64 * 1024, 128 * 1024):
        data[at + 48:at + 64] = guid
    # The first data block: BAT entry 0's offset (MiB units in the upper bits).
    regions = struct.unpack_from("<I", data, 192 * 1024 + 8)[0]
    bat = None
    for i in range(regions):
        e = 192 * 1024 + 16 + i * 32
        if data[e:e + 16] == bytes.fromhex("6677c22d23f600429d64115e9bfd4a08"):
            bat = struct.unpack_from("<Q", data, e + 16)[0]
    block0 = (struct.unpack_from("<Q", data, bat)[0] >> 20) << 20
    seq = 0x100000007
    size = len(data)
    entry = bytearray(8192)
    entry[0:4] = b"loge"
    struct.pack_into("<IIQI", entry, 8, 8192, 0, seq, 2)
    entry[32:48] = guid
    struct.pack_into("<QQ", entry, 48, size, size)
    sector = bytes((0x31 + i % 7) for i in range(4096))
    entry[64:68] = b"desc"
    entry[68:72] = sector[4092:4096]
    entry[72:80] = sector[0:8]
    struct.pack_into("<QQ", entry, 80, block0, seq)
    entry[96:100] = b"zero"
    struct.pack_into("<QQQ", entry, 104, 8192, block0 + 65536, seq)
    entry[4096:4100] = b"data"
    struct.pack_into("<I", entry, 4100, seq >> 32)
    entry[4104:8188] = sector[8:4092]
    struct.pack_into("<I", entry, 8188, seq & 0xFFFFFFFF)
    data[log_off:log_off + len(entry)] = entry
    seed(t, m, "log-replay", sparse(bytes(data)))
    # Checksums as they are (flag bit 0): the clean image, to fuzz the checksum checks themselves.
    seed(t, m, "dynamic-raw-checksums", b"\1" + sparse(read(os.path.join(WORK, "a.vhdx")))[1:])


def qed():
    t, m = "DiskFuzzTest", "qed"
    seed(t, m, "default", read(img("a.qed", "qed", "1M", "cluster_size=4096", WRITES[:2])))
    seed(t, m, "backing-companion", read(img("b.qed", "qed", "1M", "cluster_size=4096", (),
                                             backing=("tiny.qcow2", "qcow2"))))
    seed(t, m, "backing-outside", read(img("c.qed", "qed", "1M", "cluster_size=4096", (),
                                           backing=("../outside-tiny.qcow2", "qcow2"))))


STREAM = "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"


def ovf(hrefs, extra=""):
    refs = "".join('    <File ovf:id="file%d" ovf:href="%s"%s/>\n' % (i, h, extra) for i, h in enumerate(hrefs))
    disks = "".join('    <Disk ovf:capacity="64" ovf:capacityAllocationUnits="byte * 2^10" ovf:diskId="vmdisk%d"'
                    ' ovf:fileRef="file%d" ovf:format="%s"/>\n' % (i, i, STREAM) for i in range(len(hrefs)))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"'
            ' xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">\n  <References>\n' + refs + '  </References>\n'
            '  <DiskSection>\n    <Info>Virtual disk information</Info>\n' + disks + '  </DiskSection>\n'
            '  <VirtualSystem ovf:id="app"><Info>A virtual machine</Info></VirtualSystem>\n</Envelope>\n').encode()


def tar(entries):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1700000000
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    return b.getvalue()


def ova(stream_vmdk):
    t, m = "DiskFuzzTest", "ova"
    disk = read(stream_vmdk)
    o = ovf(["disk.vmdk"])
    mf = ("SHA256(app.ovf)= %s\nSHA256(disk.vmdk)= %s\n" % (hashlib.sha256(o).hexdigest(),
                                                          hashlib.sha256(disk).hexdigest())).encode()
    seed(t, m, "plain-stream", tar([("app.ovf", o), ("disk.vmdk", disk)]))
    # The other seeds carry a 512-byte-cluster qcow2 (a few KiB; detected by content under an
    # ovf:format the driver does not know) instead of the 128 KiB streamOptimized VMDK.
    q = read(os.path.join(FUZZ, "companions", "tiny.qcow2"))
    qf = "http://example.org/formats/qcow2"
    oq = ovf(["disk.qcow2"]).replace(STREAM.encode(), qf.encode())
    mf = ("SHA256(app.ovf)= %s\nSHA256(disk.qcow2)= %s\n" % (hashlib.sha256(oq).hexdigest(),
                                                           hashlib.sha256(q).hexdigest())).encode()
    seed(t, m, "manifest", tar([("app.ovf", oq), ("app.mf", mf), ("disk.qcow2", q)]))
    oc = ovf(["disk.qcow2"], ' ovf:chunkSize="2048"').replace(STREAM.encode(), qf.encode())
    chunks = [("disk.qcow2.%09d" % i, q[a:a + 2048]) for i, a in enumerate(range(0, len(q), 2048))]
    seed(t, m, "chunked", tar([("app.ovf", oc)] + chunks))
    og = ovf(["disk.vmdk"], ' ovf:compression="gzip"')
    seed(t, m, "gzip", tar([("app.ovf", og), ("disk.vmdk", gzip.compress(disk, mtime=0))]))
    oq2 = ovf(["disk.qcow2", "disk2.qcow2"]).replace(STREAM.encode(), qf.encode())
    seed(t, m, "two-disks", tar([("app.ovf", oq2), ("disk.qcow2", q), ("disk2.qcow2", q)]))
    seed(t, m, "outside-href", tar([("app.ovf", ovf(["../outside-stream.vmdk"]))]))
    # A full VM description (hardware, two disks, EFI) as VMware exports it, for the OVA's
    # description reader; its disk entries hold the small qcow2 (the disk reader refuses them).
    full = read(os.path.join(RES, "vm", "ovf", "vmware-two-disks-efi.ovf"))
    full = full.replace(b"@SIZE1@", str(len(q)).encode()).replace(b"@SIZE2@", str(len(q)).encode())
    seed(t, m, "vmware-two-disks", tar([("app.ovf", full), ("appvm-1.vmdk", q), ("appvm-2.vmdk", q),
                                        ("appvm-3.nvram", bytes(512))]))


def descriptions():
    for kind, method in (("ovf", "ovf"), ("libvirt", "libvirt"), ("vmx", "vmx"), ("vbox", "vbox")):
        src = os.path.join(RES, "vm", kind)
        for f in sorted(os.listdir(src)):
            seed("VmDescriptionFuzzTest", method, f, read(os.path.join(src, f)))


def chart():
    t = "ChartInputFuzzTest"
    for i, s in enumerate(["kubevirt.io/wifi-dongle;0bda;0811,kubevirt.io/gsm-dongle;0bda;2838",
                           "example.com/dev;ABCD;ef01", "a/b;0000;ffff", "kubevirt.io/x;0x12;0811"]):
        seed(t, "usbList", "usb%d" % i, s.encode())
    for i, s in enumerate(["#cloud-config\npassword: fedora\nchpasswd: {expire: false}\n",
                           "#cloud-config\nusers:\n  - name: jane\n    plain_text_passwd: s3cret\n",
                           "#cloud-config\nchpasswd:\n  list: |\n    root:s3cret\n    jane:RANDOM\n",
                           "#!/bin/sh\necho 'root:pw' | chpasswd\n",
                           "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n",
                           '{"links": [{"id": "eth0", "type": "phy"}], "networks": []}\n']):
        seed(t, "cloudInit", "cloud%d" % i, s.encode())


def main():
    for d in ("DiskFuzzTestInputs", "VmDescriptionFuzzTestInputs", "ChartInputFuzzTestInputs", "companions"):
        # Seeds are rewritten; crash-*/timeout-* regression inputs found by fuzzing are kept.
        root = os.path.join(FUZZ, d)
        for dirpath, _, files in os.walk(root):
            for f in files:
                if not f.startswith(("crash-", "timeout-", "oom-", "slow-unit-")):
                    os.remove(os.path.join(dirpath, f))
    stream = vmdk()
    shutil.copy(os.path.join(FUZZ, "companions", "tiny.qcow2"), os.path.join(WORK, "tiny.qcow2"))
    qcow2()
    vdi()
    vhd()
    vhdx()
    qed()
    ova(stream)
    descriptions()
    chart()
    shutil.rmtree(WORK)


if __name__ == "__main__":
    sys.exit(main())
