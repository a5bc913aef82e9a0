package org.ipc4j.api.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Whether a thread is a virtual thread, on a code base compiled for Java 17: {@code Thread.isVirtual()} (Java
 * 21+) is looked up once as a method handle; where it does not exist no thread is virtual.
 *
 * <p>Why it matters: a virtual thread inside a native call (every JNA call) holds its carrier thread, so a
 * virtual thread must never sleep in the kernel. The transports ask {@link #isCurrent()} once per blocking
 * call and, for a virtual thread, park in Java while a shared platform thread waits in the kernel for them.
 * Internal to ipc4j; not a public API.
 */
public final class VirtualThreads {
    private static final MethodHandle IS_VIRTUAL = lookup();

    private VirtualThreads() {
    }

    private static MethodHandle lookup() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null; // Java 17-20: there are no virtual threads
        }
    }

    /** Whether this runtime has virtual threads (Java 21 or later). */
    public static boolean supported() {
        return IS_VIRTUAL != null;
    }

    /** Whether {@code thread} is a virtual thread. */
    public static boolean isVirtual(Thread thread) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(thread);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("Thread.isVirtual failed", e);
        }
    }

    /** Whether the calling thread is a virtual thread. */
    public static boolean isCurrent() {
        return isVirtual(Thread.currentThread());
    }
}
