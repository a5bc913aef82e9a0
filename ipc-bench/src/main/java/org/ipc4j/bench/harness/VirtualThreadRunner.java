package org.ipc4j.bench.harness;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Runs a measuring loop on a virtual thread ({@code --virtual-threads}), on a harness compiled for Java 17:
 * {@code Thread.startVirtualThread} is looked up once as a method handle. Both processes of a pair then send
 * and wait on virtual threads, which is the path ipc4j takes for them (park, a shared poller thread waits).
 */
final class VirtualThreadRunner {
    /** The child's system property that asks for the same. */
    static final String PROPERTY = "ipc4j.bench.virtual";
    private static final MethodHandle START = lookup();

    private VirtualThreadRunner() {
    }

    private static MethodHandle lookup() {
        try {
            return MethodHandles.publicLookup().findStatic(Thread.class, "startVirtualThread",
                    MethodType.methodType(Thread.class, Runnable.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** Whether this JDK has virtual threads (21 and later). */
    static boolean available() {
        return START != null;
    }

    /** Runs {@code task} on a new virtual thread and waits for its result (or rethrows what it threw). */
    static <T> T call(Callable<T> task) throws Exception {
        if (START == null) {
            throw new IllegalStateException("--virtual-threads needs JDK 21 or later; this is Java "
                    + Runtime.version().feature());
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable body = () -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        };
        try {
            Thread unused = (Thread) START.invokeExact(body);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("could not start a virtual thread", e);
        }
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
