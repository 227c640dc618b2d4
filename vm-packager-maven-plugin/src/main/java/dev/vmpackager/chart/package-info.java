/**
 * The Helm chart of a VM application: {@link dev.vmpackager.chart.ChartSpec} (the checked,
 * immutable settings), {@link dev.vmpackager.chart.ChartGenerator} (Chart.yaml, values.yaml with
 * its values.schema.json, the KubeVirt VirtualMachine / Service / cloud-init Secret templates,
 * NOTES.txt, README.md and the USB snippet) and {@link dev.vmpackager.chart.ChartPackager} (a
 * reproducible {@code <name>-<version>.tgz} laid out as {@code helm package} writes it).
 *
 * <p>Nothing here imports Maven: the {@code chart} Mojo reads its parameters into a
 * {@code ChartSpec} and maps {@link dev.vmpackager.chart.ChartConfigException} to a build failure.
 *
 * <p>References: the Helm chart format (https://helm.sh/docs/topics/charts/), KubeVirt's
 * {@code kubevirt.io/v1} VirtualMachine API, CDI's {@code cdi.kubevirt.io/v1beta1} DataVolume API,
 * and KubeVirt's {@code permittedHostDevices.usb} (USB host device passthrough).
 */
package dev.vmpackager.chart;
