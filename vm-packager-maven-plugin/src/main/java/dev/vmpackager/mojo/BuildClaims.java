package dev.vmpackager.mojo;

import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;

/**
 * What each execution of this build wrote for which input, kept in the project's context for the
 * length of the build, so two executions that would overwrite each other's output (a converted
 * disk, an image tar, an image tag) fail at once with both named, instead of leaving {@code push}
 * with a file that no longer holds what the first one built.
 */
final class BuildClaims {

  private record Claim(String input, String execution) {}

  private BuildClaims() {}

  /**
   * Records that {@code execution} writes {@code output} from {@code input}; fails when another
   * execution of this build already wrote it from another input.
   *
   * @param project the project whose build this is
   * @param output what is written, e.g. {@code the converted disk /.../target/vm/app.qcow2}
   * @param input what it is written from, e.g. the source disk
   * @param execution the execution writing it
   * @param conflict the failure message, given the other execution and its input
   */
  static void claim(MavenProject project, String output, String input, MojoExecution execution, Conflict conflict)
      throws MojoFailureException {
    String key = BuildClaims.class.getName() + ":" + output;
    String id = execution == null ? "this execution" : "'" + execution.getExecutionId() + "'";
    if (project.getContextValue(key) instanceof Claim prior && !prior.input().equals(input)) {
      throw new MojoFailureException(conflict.message(prior.execution(), prior.input(), id));
    }
    project.setContextValue(key, new Claim(input, id));
  }

  /** Words the failure. */
  interface Conflict {
    /**
     * @param priorExecution the execution that wrote the output first, quoted
     * @param priorInput what it wrote it from
     * @param execution this execution, quoted
     * @return the message
     */
    String message(String priorExecution, String priorInput, String execution);
  }
}
