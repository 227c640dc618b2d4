package dev.vmpackager.fuzz;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.PrintWriter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one fuzz test in its own JVM, for {@code src/test/fuzz/run-campaign.sh}: fuzzing several
 * targets at once through Maven would have them share (and rebuild) one target folder. Jazzer reads
 * its options from system properties ({@code -Djazzer.max_duration=15m}) and fuzzes when
 * {@code JAZZER_FUZZ} is set; without it this replays the target's inputs.
 *
 * <p>Usage: {@code FuzzMain <TestClass> <method>}, e.g. {@code FuzzMain DiskFuzzTest qcow2}.
 */
public final class FuzzMain {

  private FuzzMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: FuzzMain <TestClass> <method>");
      System.exit(2);
    }
    Class<?> test = Class.forName(FuzzMain.class.getPackageName() + "." + args[0]);
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectMethod(test, args[1], "byte[]")).build();
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    launcher.execute(request, summary);
    TestExecutionSummary s = summary.getSummary();
    s.printTo(new PrintWriter(System.out));
    s.printFailuresTo(new PrintWriter(System.out), 40);
    System.exit(s.getTotalFailureCount() == 0 && s.getTestsSucceededCount() > 0 ? 0 : 1);
  }
}
