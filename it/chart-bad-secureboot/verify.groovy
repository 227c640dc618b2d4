def log = new File(basedir, 'build.log').text
assert log.contains('<vm><secureBoot> needs <firmware>efi</firmware>')
assert !new File(basedir, 'target/chart-bad-secureboot-1.0.0.tgz').exists()
assert !new File(basedir, 'target/helm').exists()
return true
