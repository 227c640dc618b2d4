/**
 * Intel Edge Orchestrator (EMF) deployment packages for the VM's chart: the catalog's Registry,
 * Application and DeploymentPackage documents and the chart's values as the default profile, in the
 * gzip tar the catalog imports as it is. What the catalog's code accepts (its JSON schema, its
 * loader, the Application Deployment Manager's placeholders) and where its documentation is wrong
 * is in {@code shared/reference/edge-orchestrator-deployment-package.md}; the Virtualization
 * package this one requires reads {@code usbList} as {@code name;vendor;product} tuples.
 */
package dev.vmpackager.edge;
