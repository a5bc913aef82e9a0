package org.ipc4j.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Checks that virtual threads blocked in ipc4j leave the carriers free: many virtual threads wait on one
 * mechanism while a heartbeat virtual thread ticks ({@code Thread.sleep} of {@value #TICK_MILLIS} ms a tick);
 * its tick rate is compared with a baseline measured in the same test without the blockers. A virtual thread
 * that waits inside a native call holds its carrier, and with as many carriers as cores a handful of such
 * waiters stop the heartbeat altogether, so the ratio tells a pinning wait from a parked one by far more than
 * the noise of a shared machine (a second and third attempt absorb a noisy moment).
 *
 * <p>The tests are compiled for Java 17: virtual threads are started through method handles, and
 * {@link #assumeAvailable()} skips a test on a JDK without them (CI runs the suite on JDK 17 and 25).
 */
public final class VirtualThreadLoad {
    /** How long one heartbeat tick sleeps. */
    public static final int TICK_MILLIS = 5;
    /** The least share of its baseline tick rate the heartbeat must keep while the blockers wait. */
    public static final double MIN_RATIO = 0.9;
    private static final Duration WINDOW = Duration.ofMillis(1000);
    private static final Duration WARM_UP = Duration.ofMillis(300);
    private static final int ATTEMPTS = 3;
    private static final MethodHandle OF_VIRTUAL = lookup();

    private VirtualThreadLoad() {
    }

    private static MethodHandle lookup() {
        try {
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            MethodHandle ofVirtual = MethodHandles.publicLookup().findStatic(Thread.class, "ofVirtual",
                    MethodType.methodType(Class.forName("java.lang.Thread$Builder$OfVirtual")));
            MethodHandle start = MethodHandles.publicLookup().findVirtual(builder, "start",
                    MethodType.methodType(Thread.class, Runnable.class));
            // start(ofVirtual(), runnable)
            return MethodHandles.collectArguments(start.asType(MethodType.methodType(Thread.class, Object.class,
                    Runnable.class)), 0, ofVirtual.asType(MethodType.methodType(Object.class)));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** Whether this JDK has virtual threads. */
    public static boolean available() {
        return OF_VIRTUAL != null;
    }

    /** Skips the calling test on a JDK without virtual threads (before Java 21). */
    public static void assumeAvailable() {
        assumeTrue(available(), "virtual threads need JDK 21 or later; this is Java "
                + Runtime.version().feature() + " (CI runs this test on JDK 25)");
    }

    /** Starts a virtual thread running {@code task}. */
    public static Thread startVirtual(Runnable task) {
        try {
            return (Thread) OF_VIRTUAL.invokeExact(task);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("could not start a virtual thread", e);
        }
    }

    /** Runs {@code task} on a new virtual thread; the future has its result or what it threw. */
    public static <T> CompletableFuture<T> callVirtual(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        startVirtual(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** What a blocker does: one blocking call, then anything that must hold afterwards. */
    @FunctionalInterface
    public interface Blocker {
        void run(int index) throws Exception;
    }

    /** The outcome of {@link #measure}: the ratios of each attempt, and the blockers to finish. */
    public static final class Result {
        private final List<String> attempts = new ArrayList<>();
        private final List<Thread> blockers = new ArrayList<>();
        private final AtomicInteger finished = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private double best;

        /** The best ratio of loaded to baseline tick rate over the attempts. */
        public double bestRatio() {
            return best;
        }

        /** Each attempt, for the failure message: ticks with and without the blockers. */
        public String describe() {
            return String.join("; ", attempts);
        }

        /** How many blockers have returned from their task without an exception. */
        public int finished() {
            return finished.get();
        }

        /** The first exception a blocker threw, or {@code null}. */
        public Throwable failure() {
            return failure.get();
        }

        /**
         * Waits for every blocker to end.
         *
         * @return whether all ended within {@code timeout}
         */
        public boolean join(Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            for (Thread t : blockers) {
                long left = end - System.nanoTime();
                if (left > 0) {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
                if (t.isAlive()) {
                    return false;
                }
            }
            return true;
        }

        /** Interrupts every blocker still running (clean-up after a failure). */
        public void interruptAll() {
            blockers.forEach(Thread::interrupt);
        }
    }

    /**
     * Starts {@code count} virtual threads running {@code blocker} (each should block in the mechanism until
     * the test releases it), lets them settle into their waits, and measures the heartbeat's tick rate with
     * them against a baseline without them, up to {@value #ATTEMPTS} times until the ratio reaches
     * {@link #MIN_RATIO}. The blockers are still waiting when this returns: the caller releases them (sends the
     * messages, posts the permits) and then {@link Result#join joins} them.
     */
    public static Result measure(int count, Blocker blocker) throws InterruptedException {
        Result result = new Result();
        heartbeat(WARM_UP); // the first window of a JVM runs slower (class loading, compilation)
        double baseline = heartbeat(WINDOW);
        CountDownLatch started = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            result.blockers.add(startVirtual(() -> {
                started.countDown();
                try {
                    blocker.run(index);
                    result.finished.incrementAndGet();
                } catch (Throwable e) {
                    result.failure.compareAndSet(null, e);
                }
            }));
        }
        if (!started.await(10, TimeUnit.SECONDS)) {
            // Blockers that hold the carriers keep the others from even starting.
            result.attempts.add("only " + (count - started.getCount()) + " of " + count
                    + " blockers started within 10 s: the carriers are held");
        }
        Thread.sleep(300); // into their waits
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            double loaded = heartbeat(WINDOW);
            double ratio = baseline == 0 ? 0 : loaded / baseline;
            result.attempts.add(String.format("attempt %d: %.0f ticks/s with %d blocked virtual threads, %.0f without"
                    + " (ratio %.2f)", attempt, loaded, count, baseline, ratio));
            result.best = Math.max(result.best, ratio);
            if (ratio >= MIN_RATIO || result.failure() != null) {
                break;
            }
        }
        return result;
    }

    /** The tick rate of a heartbeat virtual thread over {@code window}, in ticks per second. */
    public static double heartbeat(Duration window) throws InterruptedException {
        AtomicInteger ticks = new AtomicInteger();
        long windowNanos = window.toNanos();
        CountDownLatch done = new CountDownLatch(1);
        startVirtual(() -> {
            long end = System.nanoTime() + windowNanos;
            try {
                while (System.nanoTime() < end) {
                    Thread.sleep(TICK_MILLIS);
                    ticks.incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                done.countDown();
            }
        });
        // A heartbeat that cannot run at all (every carrier held) still ends the measurement.
        done.await(window.toMillis() * 3, TimeUnit.MILLISECONDS);
        return ticks.get() * 1e9 / windowNanos;
    }
}
