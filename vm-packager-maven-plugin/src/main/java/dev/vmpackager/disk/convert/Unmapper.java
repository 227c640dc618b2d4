package dev.vmpackager.disk.convert;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * Unmaps a memory-mapped window at once rather than when the garbage collector finds it, so the
 * process never holds more than the windows in flight mapped (its resident set stays small and
 * the address space is not exhausted by a large disk). Uses {@code sun.misc.Unsafe.invokeCleaner}
 * (module jdk.unsupported, present in every JDK 9+); where that is unavailable the mapping is left
 * to the garbage collector, which is slower to release but equally correct.
 */
final class Unmapper {

  private static final Object UNSAFE;
  private static final Method INVOKE_CLEANER;

  static {
    Object unsafe = null;
    Method m = null;
    try {
      Class<?> c = Class.forName("sun.misc.Unsafe");
      Field f = c.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      unsafe = f.get(null);
      m = c.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      unsafe = null;
      m = null;
    }
    UNSAFE = unsafe;
    INVOKE_CLEANER = m;
  }

  private Unmapper() {}

  /**
   * Unmaps {@code map}. The caller must hold no other view of it (slices, duplicates) that is used
   * afterwards: touching an unmapped buffer crashes the JVM.
   */
  static void unmap(MappedByteBuffer map) {
    if (INVOKE_CLEANER == null) {
      return;
    }
    try {
      INVOKE_CLEANER.invoke(UNSAFE, map);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // left to the garbage collector
    }
  }
}
