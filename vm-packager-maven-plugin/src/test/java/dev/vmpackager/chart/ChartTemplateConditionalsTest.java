package dev.vmpackager.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The {@code ##if} parts of the template resources: kept or dropped whole, markers never written. */
class ChartTemplateConditionalsTest {

  private static final String TEMPLATE = """
      a
      ##if disks
      disks
      ##if !multus
      disks, one nic
      ##else
      disks, multus
      ##end
      ##else
      one disk
      ##end
        ## an indented line with ## is text
      z
      """;

  @Test
  void keepsTheBranchesThatApplyAndDropsTheMarkers() {
    assertEquals("a\none disk\n  ## an indented line with ## is text\nz\n", ChartGenerator.conditionals(TEMPLATE, Set.of()));
    assertEquals("a\none disk\n  ## an indented line with ## is text\nz\n",
        ChartGenerator.conditionals(TEMPLATE, Set.of("multus")), "inside a dropped part, nothing is kept");
    assertEquals("a\ndisks\ndisks, one nic\n  ## an indented line with ## is text\nz\n",
        ChartGenerator.conditionals(TEMPLATE, Set.of("disks")));
    assertEquals("a\ndisks\ndisks, multus\n  ## an indented line with ## is text\nz\n",
        ChartGenerator.conditionals(TEMPLATE, Set.of("disks", "multus")));
    assertEquals("no newline at the end", ChartGenerator.conditionals("no newline at the end", Set.of()));
  }

  @Test
  void unbalancedMarkersAreABugInTheResource() {
    assertThrows(IllegalStateException.class, () -> ChartGenerator.conditionals("##if disks\nx\n", Set.of()));
    assertThrows(IllegalStateException.class, () -> ChartGenerator.conditionals("x\n##end\n", Set.of()));
    assertThrows(IllegalStateException.class, () -> ChartGenerator.conditionals("##else\n", Set.of()));
  }
}
