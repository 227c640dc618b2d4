package dev.vmpackager.chart;

import static dev.vmpackager.chart.ChartTesting.cirros;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Bad configuration fails with a message naming the parameter and the allowed form. */
class ChartSpecTest {

  private static ChartConfigException fails(UnaryOperator<ChartSpec.Builder> change, String parameter, String... words) {
    ChartConfigException e = assertThrows(ChartConfigException.class, () -> change.apply(cirros()).build());
    assertEquals(parameter, e.parameter());
    assertTrue(e.getMessage().contains(parameter), e.getMessage());
    for (String w : words) {
      assertTrue(e.getMessage().contains(w), "'" + w + "' in: " + e.getMessage());
    }
    return e;
  }

  @Test
  void defaults() throws Exception {
    ChartSpec s = ChartSpec.builder().name("my-app").version("1.0.0-SNAPSHOT").appVersion("1.0-SNAPSHOT")
        .image("my-app-containerdisk:1.0-SNAPSHOT").vmName("my-app").build();
    assertEquals(RunStrategy.Always, s.runStrategy());
    assertEquals("1Gi", s.memory());
    assertEquals(1, s.cpuCores());
    assertEquals(1, s.cpuSockets());
    assertEquals(1, s.cpuThreads());
    assertEquals("", s.cpuModel());
    assertEquals("bios", s.firmware());
    assertEquals("virtio", s.diskBus());
    assertEquals(180, s.terminationGracePeriodSeconds());
    assertEquals(ChartSpec.StorageType.containerDisk, s.storage());
    assertEquals("my-app-containerdisk", s.imageRepository());
    assertEquals("1.0-SNAPSHOT", s.imageTag());
    assertEquals("", s.imageDigest());
    assertEquals("The my-app virtual machine on KubeVirt", s.description());
  }

  @Test
  void imageReferences() throws Exception {
    ChartSpec s = cirros().image("localhost:5000/apps/vm").build();
    assertEquals("localhost:5000/apps/vm", s.imageRepository());
    assertEquals("0.1.0", s.imageTag(), "no tag: the appVersion");
    String d = "sha256:" + "0f".repeat(32);
    s = cirros().image("registry.example.com/a/b:1.2@" + d).build();
    assertEquals("registry.example.com/a/b", s.imageRepository());
    assertEquals("1.2", s.imageTag());
    assertEquals(d, s.imageDigest());
    fails(b -> b.image("Registry/UPPER:1"), "<image> (vm.image)", "lower-case");
    fails(b -> b.imageDigest("sha256:abc"), "<image> (vm.image)", "64");
  }

  @Test
  void badSettingsNameTheParameter() {
    fails(b -> b.runStrategy("running"), "<vm><runStrategy>", "Always, RerunOnFailure, Once, Manual, Halted");
    fails(b -> b.runStrategy("always"), "<vm><runStrategy>");
    fails(b -> b.memory("64 MB"), "<vm><memory>", "64Mi", "'64 MB'");
    fails(b -> b.memory("64MB"), "<vm><memory>");
    fails(b -> b.memory("0Gi"), "<vm><memory>");
    fails(b -> b.memory("1024"), "<vm><memory>", "bytes");
    fails(b -> b.cpuCores(0), "<vm><cpuCores>", "between 1");
    fails(b -> b.cpuSockets(0), "<vm><cpuSockets>", "between 1 and 1024");
    fails(b -> b.cpuThreads(0), "<vm><cpuThreads>", "between 1 and 1024");
    fails(b -> b.cpuCores(64).cpuSockets(8).cpuThreads(4), "<vm><cpuSockets>", "2048", "at most 1024");
    fails(b -> b.cpuModel("host passthrough"), "<vm><cpuModel>", "host-passthrough");
    fails(b -> b.instancetype("u1.medium", "Instancetype"), "<vm><instancetype><kind>",
        "VirtualMachineClusterInstancetype or VirtualMachineInstancetype");
    fails(b -> b.instancetype("U1 medium", null), "<vm><instancetype><name>", "u1.medium");
    fails(b -> b.preference("fedora", "VirtualMachineClusterInstancetype"), "<vm><preference><kind>",
        "VirtualMachineClusterPreference or VirtualMachinePreference");
    fails(b -> b.instancetype("u1.medium", null), "<vm><instancetype>", "<memory>", "KubeVirt rejects");
    fails(b -> b.instancetype("u1.medium", null).cpuCores(2).cpuModel("host-model"), "<vm><instancetype>",
        "<cpuCores>", "<cpuModel>", "<memory>");
    fails(b -> b.nodeSelector("kubernetes.io/", "amd64"), "<vm><nodeSelector>", "label key");
    fails(b -> b.nodeSelector("Example.com/arch", "amd64"), "<vm><nodeSelector>", "label key");
    fails(b -> b.nodeSelector("arch", "amd 64"), "<vm><nodeSelector>", "label value", "'amd 64'");
    fails(b -> b.cloudInitType("iso"), "<vm><cloudInitType>", "nocloud", "configDrive", "cloudbase-init");
    fails(b -> b.cloudInitUserData("#!/bin/sh\n" + "x".repeat(300 * 1024)).cloudInitNetworkData("a: " + "y".repeat(300 * 1024)),
        "<vm><cloudInitNetworkData>", "<vm><cloudInit>", "at most 512 KiB");
    fails(b -> b.storagePullMethod("kubelet"), "<vm><storagePullMethod>", "node", "pod");
    fails(b -> b.storageSecretRef("Registry_Creds"), "<vm><storageSecretRef>", "Secret name");
    fails(b -> b.storageCertConfigMap("ca bundle"), "<vm><storageCertConfigMap>", "ConfigMap name");
    fails(b -> b.addExtraDisk(new ExtraDisk("Data", null, "1Gi", null)), "<vm><extraDisks>", "DNS label");
    fails(b -> b.addExtraDisk(new ExtraDisk("rootdisk", null, "1Gi", null)), "<vm><extraDisks>", "used twice");
    fails(b -> b.addExtraDisk(new ExtraDisk("a", null, "1Gi", null)).addExtraDisk(new ExtraDisk("a", null, null, "c")),
        "<vm><extraDisks>", "'a' is used twice");
    fails(b -> b.addExtraDisk(new ExtraDisk("a", null, null, null)), "<vm><extraDisks>", "exactly one of");
    fails(b -> b.addExtraDisk(new ExtraDisk("a", null, "1Gi", "c")), "<vm><extraDisks>", "exactly one of");
    fails(b -> b.addExtraDisk(new ExtraDisk("a", "ide", "1Gi", null)), "<vm><extraDisks>", "virtio, sata or scsi");
    fails(b -> b.addExtraDisk(new ExtraDisk("a", null, "10 GB", null)), "<vm><extraDisks>", "10Gi");
    fails(b -> b.addExtraDisk(new ExtraDisk("a", null, null, "Claim_1")), "<vm><extraDisks>", "claim name");
    fails(b -> b.secureBoot(true), "<vm><secureBoot>", "<firmware>efi</firmware>", "bios");
    fails(b -> b.firmware("uefi"), "<vm><firmware>", "bios or efi");
    fails(b -> b.diskBus("ide"), "<vm><diskBus>", "virtio");
    fails(b -> b.terminationGracePeriodSeconds(-1), "<vm><terminationGracePeriodSeconds>");
    fails(b -> b.storage("pvc"), "<vm><storage>", "containerDisk", "dataVolume");
    fails(b -> b.storage("dataVolume"), "<vm><storageSize>", "required", "10Gi");
    fails(b -> b.storage("dataVolume").storageSize("10 GB"), "<vm><storageSize>");
    fails(b -> b.name("My_Chart"), "<chartName> (vm.chart.name)", "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    fails(b -> b.name("-x"), "<chartName> (vm.chart.name)");
    fails(b -> b.version("1.0"), "<chartVersion> (vm.chart.version)", "SemVer");
    fails(b -> b.vmName("VM.Cirros"), "<vm><name>", "DNS label");
    fails(b -> b.appVersion("1.0 beta"), "<appVersion> (vm.chart.appVersion)");
    fails(b -> b.machineType("q35; rm"), "<vm><machineType>");
  }

  @Test
  void instancetypeWithoutSizing() throws Exception {
    ChartSpec s = ChartTesting.unsizedCirros().instancetype("u1.medium", "").preference("fedora", null).build();
    assertEquals("u1.medium", s.instancetypeName());
    assertEquals("VirtualMachineClusterInstancetype", s.instancetypeKind());
    assertEquals("fedora", s.preferenceName());
    assertEquals("VirtualMachineClusterPreference", s.preferenceKind());
    assertEquals("", cirros().build().instancetypeName());
  }

  @Test
  void cloudInitTypeIsCaseInsensitiveAndDefaultsToNoCloud() throws Exception {
    assertEquals("nocloud", cirros().build().cloudInitType());
    assertEquals("configDrive", cirros().cloudInitType("ConfigDrive").build().cloudInitType());
    assertEquals("nocloud", cirros().cloudInitType("NoCloud").build().cloudInitType());
    assertTrue(cirros().cloudInitUserData(null).cloudInitNetworkData("version: 2\n").build().hasCloudInit());
    assertFalse(cirros().cloudInitUserData(null).build().hasCloudInit());
  }

  @Test
  void badPorts() {
    fails(b -> b.addPort(new ServicePort("http", 0, "TCP")), "<vm><ports>", "between 1 and 65535");
    fails(b -> b.addPort(new ServicePort("http", 65536, "TCP")), "<vm><ports>", "65536");
    fails(b -> b.addPort(new ServicePort("HTTP", 80, "TCP")), "<vm><ports>", "IANA");
    fails(b -> b.addPort(new ServicePort("a-very-long-port-name", 80, "TCP")), "<vm><ports>", "IANA");
    fails(b -> b.addPort(new ServicePort("8080", 80, "TCP")), "<vm><ports>", "at least one letter");
    fails(b -> b.addPort(new ServicePort(null, 80, "TCP")), "<vm><ports>");
    fails(b -> b.addPort(new ServicePort("http", 80, "HTTP")), "<vm><ports>", "TCP or UDP");
    fails(b -> b.addPort(new ServicePort("http", 80, "SCTP")), "<vm><ports>", "TCP or UDP");
    fails(b -> b.addPort(new ServicePort("http", 80, "TCP")).addPort(new ServicePort("http", 81, "TCP")),
        "<vm><ports>", "twice");
  }

  @Test
  void otherDisksGetTheirImagesAndKeepTheirOrder() throws Exception {
    String d = "sha256:" + "3e".repeat(32);
    ChartSpec s = cirros().image("registry.example.com/apps/vm:1.0.0")
        .disks(List.of(ChartDisk.named("logs"), ChartDisk.named("data").withBus("usb").withImage("other.example.com/data")
            .withImageDigest(d).withStorage("dataVolume", "5Gi", "fast")))
        .build();
    assertEquals(List.of("logs", "data"), s.disks().stream().map(ChartDisk::name).toList(), "the given boot order");
    ChartDisk logs = s.disks().get(0);
    assertEquals("registry.example.com/apps/vm-logs:1.0.0", logs.image(), "<image repository>-<disk>:<tag>");
    assertEquals("registry.example.com/apps/vm-logs", logs.imageRepository());
    assertEquals("1.0.0", logs.imageTag());
    assertEquals("", logs.imageDigest());
    assertEquals("", logs.bus(), "empty: vm.diskBus at install time");
    assertEquals("", logs.storageType(), "empty: vm.storage.type at install time");
    ChartDisk data = s.disks().get(1);
    assertEquals("other.example.com/data:0.1.0", data.image(), "no tag: the appVersion");
    assertEquals(d, data.imageDigest());
    assertEquals("usb", data.bus());
    assertEquals(List.of(), cirros().build().disks());
    assertEquals("registry:5000/a/b", new ChartDisk("x", "", "registry:5000/a/b@" + d, "", "", "", "").imageRepository());
    assertEquals("", new ChartDisk("x", "", "registry:5000/a/b", "", "", "", "").imageTag());
  }

  @Test
  void nicsAreNamedAndTheFirstIsThePodNetwork() throws Exception {
    ChartSpec s = cirros().nics(List.of(new ChartNic(null, "e1000e", "00-50-56-AA-BB-CC", null),
        new ChartNic("", "virtio", "", "infra/vlan-10"), new ChartNic("storage", "", "", ""))).build();
    assertEquals(List.of("default", "net1", "storage"), s.nics().stream().map(ChartNic::name).toList());
    assertEquals("infra/vlan-10", s.nics().get(1).network());
    assertTrue(s.nicsDescribed());
    assertEquals(List.of(new ChartNic("default", "", "", "")), cirros().build().nics(), "none given: the pod NIC");
    assertFalse(cirros().build().nicsDescribed());
    assertFalse(cirros().addNic(new ChartNic("default", null, null, null)).build().nicsDescribed());
    assertTrue(cirros().addNic(new ChartNic(null, null, "52:54:00:00:00:01", null)).build().nicsDescribed());
  }

  @Test
  void badDisksAndNicsNameTheParameter() {
    fails(b -> b.addDisk(ChartDisk.named("Data")), "<disks>", "DNS label");
    fails(b -> b.addDisk(ChartDisk.named("rootdisk")), "<disks>", "'rootdisk' is used twice");
    fails(b -> b.addDisk(ChartDisk.named("data")).addDisk(ChartDisk.named("data")), "<disks>", "'data' is used twice");
    fails(b -> b.addDisk(ChartDisk.named("data")).addExtraDisk(new ExtraDisk("data", null, "1Gi", null)),
        "<vm><extraDisks>", "'data' is used twice", "<disks>");
    fails(b -> b.addDisk(ChartDisk.named("d".repeat(60))), "<disks>", "longer than 63 characters", "vm-cirros-ddd");
    fails(b -> b.addDisk(ChartDisk.named("data").withBus("ide")), "<disks>", "disk data bus 'ide'", "virtio, sata, scsi, usb");
    fails(b -> b.addDisk(ChartDisk.named("data").withImage("Registry/Data:1")), "<disks>", "disk data image repository");
    fails(b -> b.addDisk(ChartDisk.named("data").withImage("r/data:-x")), "<disks>", "disk data image tag '-x'");
    fails(b -> b.addDisk(ChartDisk.named("data").withImageDigest("sha256:12")), "<disks>", "disk data image digest");
    fails(b -> b.addDisk(ChartDisk.named("data").withImage("r/data").withImageDigest("md5:12")), "<disks>",
        "disk data image digest 'md5:12'");
    fails(b -> b.addDisk(ChartDisk.named("data").withStorage("pvc", "", "")), "<disks>", "containerDisk or dataVolume");
    fails(b -> b.addDisk(ChartDisk.named("data").withStorage("dataVolume", "", "")), "<disks>", "disk data needs a storage size");
    fails(b -> b.storage("dataVolume").storageSize("1Gi").addDisk(ChartDisk.named("data")), "<disks>",
        "disk data needs a storage size", "10Gi");
    fails(b -> b.addDisk(ChartDisk.named("data").withStorage("", "5 GB", "")), "<disks>", "'5 GB'");
    fails(b -> b.addDisk(ChartDisk.named("data").withStorage("", "", "Fast_SSD")), "<disks>", "storage class 'Fast_SSD'");
    String nics = "<vm><nics>";
    fails(b -> b.addNic(new ChartNic("eth0", "", "", "")), nics, "named default, not 'eth0'");
    fails(b -> b.addNic(new ChartNic("", "", "", "vlan-10")), nics, "pod network", "'vlan-10'");
    fails(b -> b.addNic(new ChartNic("", "", "", "")).addNic(new ChartNic("default", "", "", "")), nics,
        "NIC 2 cannot be named default");
    fails(b -> b.addNic(new ChartNic("", "", "", "")).addNic(new ChartNic("Eth1", "", "", "")), nics, "'Eth1'", "DNS label");
    fails(b -> b.addNic(new ChartNic("", "", "", "")).addNic(new ChartNic("a", "", "", ""))
        .addNic(new ChartNic("a", "", "", "")), nics, "'a' is used twice");
    fails(b -> b.addNic(new ChartNic("", "vmxnet3", "", "")), nics, "model 'vmxnet3'", "e1000e", "no vmxnet3");
    fails(b -> b.addNic(new ChartNic("", "", "00:50:56:aa:bb", "")), nics, "MAC address '00:50:56:aa:bb'", "unicast");
    fails(b -> b.addNic(new ChartNic("", "", "01:00:5e:00:00:01", "")), nics, "'01:00:5e:00:00:01'", "unicast");
    fails(b -> b.addNic(new ChartNic("", "", "00:50:56:aa:bb-cc", "")), nics, "MAC address");
    fails(b -> b.addNic(new ChartNic("", "", "00:50:56:aa:bb:cc", "")).addNic(new ChartNic("", "", "00-50-56-AA-BB-CC", "")),
        nics, "'00-50-56-AA-BB-CC' is used twice");
    fails(b -> b.addNic(new ChartNic("", "", "", "")).addNic(new ChartNic("", "", "", "VLAN 10")), nics, "network 'VLAN 10'");
  }

  @Test
  void usbErrorsComeThrough() {
    fails(b -> b.usbList("kubevirt.io/wifi-dongle;0x0bda;0811"), "<usbList> (vm.usbList)", "4 hex digits");
    fails(b -> b.usbList("kubevirt.io/wifi-dongle;0bda;0811").addUsbDevice(new UsbDeviceRequest("kubevirt.io/gsm", 1, null)),
        "<usbDevices>", "'kubevirt.io/gsm'", "does not declare");
  }
}
