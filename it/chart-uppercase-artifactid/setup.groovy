// A 1 MiB raw disk with some data in it, so the project needs no binary file in git.
def disk = new File(basedir, 'src/main/vm/disk.img')
disk.parentFile.mkdirs()
def bytes = new byte[1024 * 1024]
for (int i = 0; i < 4096; i++) { bytes[i * 256] = (byte) (i % 251 + 1) }
disk.bytes = bytes
return true
