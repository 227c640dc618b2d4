package dev.vmpackager.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vmpackager.testing.QemuImg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backing chains: loops and chains deeper than 16 are refused, naming the whole chain; the chain is
 * a value handed down with the options, so chains opened at the same time never mix.
 */
class BackingChainTest {

  @TempDir
  static Path dir;

  /** {@code a.qcow2 -> b.qcow2 -> a.qcow2}. */
  static Path loop;
  /** {@code c16.qcow2 -> c15.qcow2 -> ... -> c0.qcow2}: one image more than a chain may have. */
  static Path deep;

  @BeforeAll
  static void fixtures() throws Exception {
    Path l = Files.createDirectories(dir.resolve("loop"));
    QemuImg.ok("create", "-q", "-f", "qcow2", "-u", "-b", "b.qcow2", "-F", "qcow2", l.resolve("a.qcow2"), "1M");
    QemuImg.ok("create", "-q", "-f", "qcow2", "-u", "-b", "a.qcow2", "-F", "qcow2", l.resolve("b.qcow2"), "1M");
    loop = l.resolve("a.qcow2");
    Path d = Files.createDirectories(dir.resolve("deep"));
    QemuImg.ok("create", "-q", "-f", "qcow2", d.resolve("c0.qcow2"), "1M");
    for (int i = 1; i <= 16; i++) {
      QemuImg.ok("create", "-q", "-f", "qcow2", "-u", "-b", "c" + (i - 1) + ".qcow2", "-F", "qcow2",
          d.resolve("c" + i + ".qcow2"), "1M");
    }
    deep = d.resolve("c16.qcow2");
  }

  private static final String LOOP_MESSAGE = "b.qcow2: the backing chain loops: its backing file 'a.qcow2' is already"
      + " part of it (a.qcow2 -> b.qcow2 -> a.qcow2)";

  private static String deepMessage() {
    StringBuilder chain = new StringBuilder();
    for (int i = 16; i >= 0; i--) {
      chain.append("c").append(i).append(".qcow2").append(i > 0 ? " -> " : "");
    }
    return "c0.qcow2: the backing chain is deeper than 16 images (" + chain + ")";
  }

  @Test
  void loopIsRefusedNamingTheChain() {
    CorruptImageException e = assertThrows(CorruptImageException.class,
        () -> DiskImages.open(loop, null, new DiskOpenOptions(true)).close());
    assertEquals(LOOP_MESSAGE, e.getMessage());
  }

  @Test
  void chainDeeperThan16IsRefusedNamingTheChain() throws Exception {
    CorruptImageException e = assertThrows(CorruptImageException.class,
        () -> DiskImages.open(deep, null, new DiskOpenOptions(true)).close());
    assertEquals(deepMessage(), e.getMessage());
    DiskImages.open(deep.resolveSibling("c15.qcow2"), null, new DiskOpenOptions(true)).close();
  }

  /**
   * The chain is a value that travels with the options, not state of a thread: a chain started on
   * one thread and continued on another still knows its images, and extending it leaves it as it was.
   */
  @Test
  void theChainTravelsWithTheOptions() throws Exception {
    BackingChain started = BackingChain.NONE.extend(loop);
    assertEquals(1, started.depth());
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      Future<CorruptImageException> refused = other.submit(() -> assertThrows(CorruptImageException.class,
          () -> DiskImages.open(loop.resolveSibling("b.qcow2"), null, new DiskOpenOptions(true).inChain(started))));
      assertEquals(LOOP_MESSAGE, refused.get(1, TimeUnit.MINUTES).getMessage());
    } finally {
      other.shutdownNow();
    }
    assertEquals(0, BackingChain.NONE.depth());
    assertEquals(1, started.depth());
    assertEquals(2, started.extend(deep).depth());
  }

  /** Each thread opens its own chains while the other does: neither sees the other's images. */
  @Test
  void chainsOpenedOnTwoThreadsAtOnceDoNotMix() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch start = new CountDownLatch(2);
      List<Callable<Void>> tasks = new ArrayList<>();
      tasks.add(() -> {
        start.countDown();
        start.await();
        for (int i = 0; i < 20; i++) {
          DiskImages.open(deep.resolveSibling("c15.qcow2"), null, new DiskOpenOptions(true)).close();
          assertEquals(deepMessage(), assertThrows(CorruptImageException.class,
              () -> DiskImages.open(deep, null, new DiskOpenOptions(true)).close()).getMessage());
        }
        return null;
      });
      tasks.add(() -> {
        start.countDown();
        start.await();
        for (int i = 0; i < 20; i++) {
          assertEquals(LOOP_MESSAGE, assertThrows(CorruptImageException.class,
              () -> DiskImages.open(loop, null, new DiskOpenOptions(true)).close()).getMessage());
          DiskImages.open(deep.resolveSibling("c0.qcow2"), null, new DiskOpenOptions(true)).close();
        }
        return null;
      });
      for (Future<Void> f : pool.invokeAll(tasks, 2, TimeUnit.MINUTES)) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
