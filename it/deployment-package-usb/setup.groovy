// The README's disk, src/main/vm/librespeed.vmdk: a small VMDK made by qemu-img, so the project
// needs no binary file in git. The installed artifacts of an earlier run are removed, so the
// check that install put the archive there cannot pass on an old copy.
def disk = new File(basedir, 'src/main/vm/librespeed.vmdk')
disk.parentFile.mkdirs()
def p = ['qemu-img', 'create', '-q', '-f', 'vmdk', disk.path, '16M'].execute()
p.waitForProcessOutput(System.out, System.err)
assert p.exitValue() == 0 : 'qemu-img create failed'
new File(localRepositoryPath, 'com/example/edge/librespeed-vm/0.0.1').deleteDir()
return true
