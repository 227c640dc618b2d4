def log = new File(basedir, 'build.log').text
assert log.contains("<usbList> (vm.usbList) is malformed: the vendor id '0x0bda'")
assert log.contains('without 0x')
assert !new File(basedir, 'target/chart-bad-usblist-1.0.0.tgz').exists()
assert !new File(basedir, 'target/helm').exists()
return true
