package dev.vmpackager.chart;

/**
 * A {@code maintainers[]} entry of Chart.yaml, taken from the POM's developers.
 *
 * @param name required by Helm
 * @param email or {@code null}
 * @param url or {@code null}
 */
public record Maintainer(String name, String email, String url) {}
