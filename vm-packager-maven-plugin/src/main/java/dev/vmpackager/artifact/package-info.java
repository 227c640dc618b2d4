/**
 * KubeVirt's own "VM as an OCI artifact" (VEP 256, exported by KubeVirt 1.9 with the
 * {@code OCIExport} feature gate, imported by {@code hack/oci-import.sh} and VEP 395's
 * {@code VirtualMachineImport}): the VirtualMachine as the config blob, each disk a raw disk
 * compressed as one zstd stream, in an OCI image layout tar, and its push to a registry.
 * One class per step: {@link dev.vmpackager.artifact.ConfigBlob} (the VirtualMachine),
 * {@link dev.vmpackager.artifact.DiskLayerStep} (each disk through
 * {@link dev.vmpackager.artifact.ZstdRawDiskWriter}), {@link dev.vmpackager.artifact.ArtifactJson}
 * (manifest and index), {@link dev.vmpackager.artifact.ArtifactTar} (the tar),
 * {@link dev.vmpackager.artifact.ArtifactLayout} (reading it back) and
 * {@link dev.vmpackager.artifact.ArtifactPublisher} (the push).
 */
package dev.vmpackager.artifact;
