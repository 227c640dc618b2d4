package dev.vmpackager.publish;

import dev.vmpackager.chart.ChartGenerator;
import dev.vmpackager.chart.ChartPackager;
import dev.vmpackager.chart.ChartSpec;
import dev.vmpackager.chart.ExtraDisk;
import dev.vmpackager.chart.Maintainer;
import dev.vmpackager.chart.ServicePort;
import dev.vmpackager.chart.UsbDeviceRequest;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.convert.ConversionRequest;
import dev.vmpackager.disk.convert.DiskConverter;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.image.BuildRequest;
import dev.vmpackager.image.ContainerDiskBuilder;
import dev.vmpackager.image.ContainerDiskSpec;
import dev.vmpackager.image.ImagePlatform;
import dev.vmpackager.image.ImageTarget;
import dev.vmpackager.image.LayerCompression;
import dev.vmpackager.image.ManifestFormat;
import dev.vmpackager.io.Digests;
import dev.vmpackager.registry.ImageReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * One whole build in a fresh JVM, for {@link ReproducibleAcrossJvmsTest}: converts a raw disk,
 * builds the containerDisk image (an OCI archive of three platforms, a Docker archive, an OCI
 * layout, with labels, annotations and environment, and an OCI archive with a zstd layer), writes and packages a chart that uses every
 * feature whose values or schema are maps (node selector, tolerations and affinity from the user's
 * values.yaml, Secure Boot, dataVolume storage, USB devices, ports, cloud-init, extra disks, extra
 * chart files), and computes the config and manifest {@code push} would send for the chart. The
 * calls are those the mojos make.
 *
 * <p>Arguments: the project folder (outputs go to its {@code target/}), the raw source disk.
 * System property {@code threads}: the worker threads for conversion and compression.
 */
public final class ReproducibleBuildMain {

  static final Instant TIME = Instant.parse("2026-02-03T04:05:06Z");

  private ReproducibleBuildMain() {}

  public static void main(String[] args) throws Exception {
    Path base = Path.of(args[0]).toAbsolutePath();
    Path source = Path.of(args[1]).toAbsolutePath();
    int threads = Integer.getInteger("threads", 2);
    Path target = base.resolve("target");
    BuildListener quiet = BuildListener.NONE;

    // convert
    Path disk = target.resolve("vm").resolve("myvm.qcow2");
    new DiskConverter().convert(ConversionRequest.builder().source(source).output(disk)
        .outputFormat(DiskFormat.QCOW2).threads(threads).listener(quiet).build());

    // containerize
    ContainerDiskSpec oci = image(disk, "linux/amd64,linux/arm64,linux/arm/v7", ManifestFormat.OCI,
        target.resolve("vm/containerdisk"));
    oci.store(target.resolve("vm").resolve(ContainerDiskSpec.FILE_NAME));
    String ref = "registry.example.com/apps/myvm-containerdisk:1.0.0";
    ImageReference reference = ImageReference.parse(ref, "vm.image");
    String digest = ContainerDiskBuilder.build(BuildRequest.builder().spec(oci).target(ImageTarget.TAR)
        .reference(reference).output(target.resolve("myvm-containerdisk.tar")).threads(threads).listener(quiet).build())
        .digest();
    ContainerDiskBuilder.writeDigestFile(target.resolve("vm").resolve("containerdisk.digest"), digest);
    ContainerDiskBuilder.build(BuildRequest.builder().target(ImageTarget.TAR).reference(reference)
        .spec(image(disk, "linux/arm64", ManifestFormat.DOCKER, target.resolve("vm/containerdisk-docker")))
        .output(target.resolve("myvm-containerdisk-docker.tar")).threads(threads).listener(quiet).build());
    ContainerDiskBuilder.build(BuildRequest.builder().target(ImageTarget.OCI_LAYOUT).reference(reference)
        .spec(image(disk, "linux/amd64,linux/s390x", ManifestFormat.OCI, target.resolve("vm/containerdisk-layout")))
        .output(target.resolve("myvm-oci")).threads(threads).listener(quiet).build());
    ContainerDiskBuilder.build(BuildRequest.builder().target(ImageTarget.TAR).reference(reference)
        .spec(ContainerDiskSpec.builder().disk(disk).creationTime(TIME).compression(LayerCompression.ZSTD)
            .cacheDirectory(target.resolve("vm/containerdisk-zstd")).label("team", "platform").build())
        .output(target.resolve("myvm-containerdisk-zstd.tar")).threads(threads).listener(quiet).build());

    // chart
    Path helmSources = base.resolve("src/main/helm");
    Files.createDirectories(helmSources.resolve("templates"));
    Files.writeString(helmSources.resolve("values.yaml"), """
        vm:
          tolerations:
            - {key: dedicated, operator: Equal, value: vms, effect: NoSchedule}
            - {key: gpu, operator: Exists}
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                  - matchExpressions:
                      - {key: zone, operator: In, values: [a, b]}
          nodeSelector:
            disk: ssd
        monitoring:
          enabled: true
          interval: 30s
          labels: {team: vms, tier: backend}
        """);
    Files.writeString(helmSources.resolve("templates/configmap.yaml"), """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ .Values.vm.name }}-monitoring
        data:
          interval: {{ .Values.monitoring.interval | quote }}
        """);
    Files.writeString(helmSources.resolve("README.md"), "# myvm\n\nThe user's own README.\n");
    ChartSpec spec = ChartSpec.builder()
        .name("myvm").version("1.0.0").appVersion("1.0.0").description("A VM with everything")
        .home("https://example.com/myvm").addSource("https://github.com/example/myvm")
        .addMaintainer(new Maintainer("Jane", "jane@example.com", "https://example.com/jane"))
        .image(ref).imageDigest(digest).vmName("myvm")
        .memory("2Gi").cpuCores(2).cpuSockets(1).cpuThreads(2)
        .nodeSelector("kubernetes.io/arch", "amd64").nodeSelector("node-role.example.com/vm", "true")
        .nodeSelector("topology.kubernetes.io/zone", "a")
        .firmware("efi").secureBoot(true).machineType("q35").diskBus("virtio")
        .storage("dataVolume").storageSize("20Gi").storageClass("fast").storagePullMethod("pod")
        .storageSecretRef("registry-creds").storageCertConfigMap("registry-ca")
        .addExtraDisk(new ExtraDisk("scratch", "", "10Gi", ""))
        .addExtraDisk(new ExtraDisk("data", "scsi", "", "myvm-data"))
        .usbList("kubevirt.io/wifi-dongle;0bda;0811,kubevirt.io/gsm-dongle;0bda;2838")
        .addUsbDevice(new UsbDeviceRequest("kubevirt.io/wifi-dongle", 2, null))
        .addUsbDevice(new UsbDeviceRequest("kubevirt.io/gsm-dongle", 1, null))
        .addPort(new ServicePort("http", 8080, "TCP")).addPort(new ServicePort("dns", 53, "UDP"))
        .cloudInitUserData("#cloud-config\nusers:\n  - name: jane\n")
        .cloudInitNetworkData("version: 2\nethernets:\n  eth0: {dhcp4: true}\n")
        .userChartDirectory(helmSources)
        .build();
    Path chartDir = new ChartGenerator(quiet).generate(spec, target.resolve("helm"));
    Path tgz = target.resolve("myvm-1.0.0.tgz");
    ChartPackager.pack(chartDir, spec.name(), tgz, TIME);

    // push: the blobs and manifest helm push would send
    ChartMetadata meta = ChartArchive.readMetadata(tgz);
    byte[] config = meta.configJson();
    Path push = Files.createDirectories(target.resolve("push"));
    Files.write(push.resolve("config.json"), config);
    Files.write(push.resolve("manifest.json"),
        ChartPublisher.manifest(meta, config, Digests.sha256(tgz), Files.size(tgz), TIME));
  }

  private static ContainerDiskSpec image(Path disk, String platforms, ManifestFormat format, Path cache) {
    return ContainerDiskSpec.builder().disk(disk).platforms(ImagePlatform.parseList(platforms)).format(format)
        .creationTime(TIME).cacheDirectory(cache)
        .label("org.opencontainers.image.title", "myvm").label("org.opencontainers.image.version", "1.0.0")
        .label("team", "platform").label("tier", "backend").label("zone", "a")
        .annotation("org.opencontainers.image.title", "myvm").annotation("org.opencontainers.image.version", "1.0.0")
        .annotation("org.opencontainers.image.source", "https://github.com/example/myvm")
        .annotation("org.opencontainers.image.revision", "v1.0.0")
        .annotation("org.opencontainers.image.created", TIME.toString())
        .environment("INSTANCETYPE_KUBEVIRT_IO_DEFAULT_INSTANCETYPE", "u1.medium")
        .environment("INSTANCETYPE_KUBEVIRT_IO_DEFAULT_PREFERENCE", "fedora")
        .build();
  }
}
