package dev.vmpackager.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class OciChartRepositoryTest {

  @ParameterizedTest
  @CsvSource({
      "oci://registry.example.com/charts, registry.example.com, charts",
      "oci://127.0.0.1:5000/a/b/c, 127.0.0.1:5000, a/b/c",
      "oci://localhost:5000, localhost:5000, ''",
      "oci://localhost:5000/, localhost:5000, ''",
      "oci://[::1]:5000/charts, [::1]:5000, charts",
      "' oci://reg.example.com/my-charts/v1.0 ', reg.example.com, my-charts/v1.0"})
  void parsesValidUrls(String url, String registry, String path) throws Exception {
    OciChartRepository r = OciChartRepository.parse(url);
    assertEquals(registry, r.registry());
    assertEquals(path, r.path());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''|it is empty",
      "https://reg.example.com/charts|the scheme must be oci://, not https://",
      "reg.example.com/charts|it must start with oci://",
      "oci:///charts|the registry host is missing",
      "oci://reg.example.com:0/charts|the port '0'",
      "oci://reg.example.com:99999/charts|the port '99999'",
      "oci://reg.example.com:abc/charts|the port 'abc'",
      "oci://user:pw@reg.example.com/charts|credentials or a digest (@)",
      "oci://reg.example.com/Charts|path component 'Charts'",
      "oci://reg.example.com//charts|path component ''",
      "oci://reg.example.com/charts?x=1|query",
      "oci://reg_example.com/charts|'reg_example.com' is not a valid host",
      "oci://localhost/charts|the host 'localhost' needs a port or a domain, e.g. oci://localhost:5000/charts",
      "oci://myregistry|the host 'myregistry' needs a port or a domain"})
  void rejectsBadUrlsNamingTheProperty(String url, String why) {
    PublishException e = assertThrows(PublishException.class, () -> OciChartRepository.parse(url));
    assertTrue(e.getMessage().contains("(vm.chart.repository)"), e.getMessage());
    assertTrue(e.getMessage().contains(why), e.getMessage());
    assertTrue(!url.contains("pw") || !e.getMessage().contains("pw@") || e.getMessage().contains(url));
  }

  @Test
  void tagsAndReferences() throws Exception {
    assertEquals("1.0.0_build.1", OciChartRepository.tagFor("1.0.0+build.1"));
    assertEquals("1.0.0-SNAPSHOT", OciChartRepository.tagFor("1.0.0-SNAPSHOT"));
    assertEquals("reg.example.com/charts/app", OciChartRepository.parse("oci://reg.example.com/charts").repositoryFor("app"));
    assertEquals("reg.example.com:5000/app", OciChartRepository.parse("oci://reg.example.com:5000").repositoryFor("app"));
    assertThrows(PublishException.class, () -> OciChartRepository.parse("oci://reg.example.com").repositoryFor("MyApp"));
    assertEquals("oci://reg.example.com/charts", OciChartRepository.parse("oci://reg.example.com/charts/").toString());
  }

}
