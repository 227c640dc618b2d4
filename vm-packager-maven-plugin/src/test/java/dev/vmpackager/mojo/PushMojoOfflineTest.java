package dev.vmpackager.mojo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.execution.DefaultMavenExecutionRequest;
import org.apache.maven.execution.DefaultMavenExecutionResult;
import org.apache.maven.execution.MavenExecutionRequest;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.model.Build;
import org.apache.maven.model.Model;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The push goal in offline mode: it refuses, and its advice gets an offline deploy through. */
class PushMojoOfflineTest {

  @TempDir Path base;

  @Test
  @SuppressWarnings("deprecation") // the session constructor Maven's own tests use; no container is needed
  void offlineDeployAdviceSkipsBothNetworkSteps() throws Exception {
    Model model = new Model();
    model.setGroupId("g");
    model.setArtifactId("app");
    model.setVersion("1.0");
    Build build = new Build();
    build.setDirectory(base.resolve("target").toString());
    model.setBuild(build);
    PushMojo m = new PushMojo(TwoExecutions.decrypter());
    m.project = new MavenProject(model);
    MavenExecutionRequest request = new DefaultMavenExecutionRequest();
    request.setOffline(true);
    m.session = new MavenSession(null, null, request, new DefaultMavenExecutionResult());
    m.chartRepository = "oci://registry.example.com/charts";
    MojoFailureException e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("Maven is offline (-o): cannot push the image app-containerdisk:1.0 and the chart"
        + " to oci://registry.example.com/charts"), e.getMessage());
    // -Dvm.push.skip alone would stop at maven-deploy-plugin, which needs the network as well.
    assertTrue(e.getMessage().contains("-Dvm.push.skip=true -Dmaven.deploy.skip=true"), e.getMessage());
    assertFalse(Files.exists(base.resolve("target")));
  }
}
