package org.ipc4j.semaphore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** NamedSemaphore on real POSIX semaphores in one process (several threads and handles). */
@Timeout(30)
class NamedSemaphoreTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private NamedSemaphore create(String name, long initial) throws Exception {
        names.onCleanup(() -> NamedSemaphore.unlink(name));
        return names.closeAfter(NamedSemaphore.create(name, initial));
    }

    private static Path file(String name) {
        return Path.of("/dev/shm", "sem." + name);
    }

    @Test
    void createdOwnerOnlyWithItsInitialValueAndCountsAcrossHandles() throws Exception {
        String name = names.unique("count");
        NamedSemaphore a = create("/" + name, 3);
        assertThat(Files.exists(file(name))).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file(name)))).isEqualTo("rw-------");
        NamedSemaphore b = names.closeAfter(NamedSemaphore.open(name));
        assertThat(b.value()).isEqualTo(3);
        assertThat(a.tryAcquire()).isTrue();
        assertThat(b.tryAcquire()).isTrue();
        assertThat(a.tryAcquire(Duration.ofMillis(10))).isTrue();
        assertThat(b.tryAcquire()).isFalse();
        assertThat(a.value()).isZero();
        b.release();
        b.release();
        assertThat(a.value()).isEqualTo(2);
        a.acquire();
        assertThat(b.value()).isEqualTo(1);
        assertThat(a.name()).isEqualTo("/" + name);
    }

    @Test
    void openOrCreateKeepsTheExistingCountAndGroupPermissionsAreSetAtCreation() throws Exception {
        String name = names.unique("ooc");
        names.onCleanup(() -> NamedSemaphore.unlink(name));
        try (NamedSemaphore a = NamedSemaphore.open(name, 5, OpenOptions.openOrCreate().permissions(0640));
                NamedSemaphore b = NamedSemaphore.openOrCreate(name, 1)) {
            assertThat(b.value()).isEqualTo(5);
            assertThat(a.value()).isEqualTo(5);
            // The process umask may clear bits but never adds any.
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file(name)))).matches("rw-[r-]-----");
        }
    }

    @Test
    void exclusiveCreateOfAnExistingNameAndOpenOfAMissingOneFailClearly() throws Exception {
        String name = names.unique("excl");
        create(name, 0);
        assertThatThrownBy(() -> NamedSemaphore.create(name, 1)).isInstanceOf(ObjectExistsException.class)
                .hasMessageContaining("sem_open(\"/" + name + "\")").hasMessageContaining("EEXIST");
        String missing = names.unique("missing");
        assertThatThrownBy(() -> NamedSemaphore.open(missing)).isInstanceOf(NoSuchObjectException.class)
                .hasMessageContaining("ENOENT").hasMessageContaining(missing);
        assertThat(Files.exists(file(missing))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "a/b", "//x", ".hidden", "-dash", "sp ace", "toolong-toolong-toolong-toolong1", "ü"})
    void badNamesAreRejectedBeforeAnythingIsCreated(String bad) {
        assertThatThrownBy(() -> NamedSemaphore.create(bad, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("semaphore name");
        assertThatThrownBy(() -> NamedSemaphore.create(null, 1)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void initialValueOutsideZeroToSemValueMaxIsRejectedWithTheLimit() {
        String name = names.unique("init");
        assertThatThrownBy(() -> NamedSemaphore.create(name, NamedSemaphore.maxValue() + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2147483648")
                .hasMessageContaining("SEM_VALUE_MAX (2147483647)");
        assertThatThrownBy(() -> NamedSemaphore.create(name, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThat(Files.exists(file(name))).isFalse();
    }

    @Test
    void releasePastTheMaximumIsALimitAndLosesNothing() throws Exception {
        String name = names.unique("max");
        NamedSemaphore s = create(name, NamedSemaphore.maxValue());
        assertThat(s.value()).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(s::release).isInstanceOfSatisfying(LimitReachedException.class, e -> {
            assertThat(e.limit()).isEqualTo("SEM_VALUE_MAX");
            assertThat(e.value()).isEqualTo(2147483647L);
            assertThat(e).hasMessageContaining("EOVERFLOW").hasMessageContaining(name);
        });
        assertThat(s.value()).isEqualTo(Integer.MAX_VALUE);
        assertThat(s.tryAcquire()).isTrue();
        s.release();
        assertThat(s.value()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void timedAcquireTimesOutAfterAboutTheTimeout() throws Exception {
        NamedSemaphore s = create(names.unique("timeout"), 0);
        long start = System.nanoTime();
        assertThat(s.tryAcquire(Duration.ofMillis(150))).isFalse();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(tookMs).isBetween(140L, 2000L);
        assertThat(s.tryAcquire(Duration.ZERO)).isFalse();
        assertThat(s.tryAcquire(Duration.ofMillis(-5))).isFalse();
        s.release();
        assertThat(s.tryAcquire(Duration.ZERO)).isTrue();
        s.release();
        // A timeout too long for nanoseconds saturates instead of overflowing into the past.
        assertThat(s.tryAcquire(Duration.ofSeconds(Long.MAX_VALUE))).isTrue();
    }

    @Test
    void aPostWakesABlockedWaiterAtOnceEvenMidSlice() throws Exception {
        String name = names.unique("wake");
        NamedSemaphore waiterSide = create(name, 0);
        NamedSemaphore posterSide = names.closeAfter(NamedSemaphore.open(name));
        long[] latencies = new long[21];
        long[] baseline = new long[latencies.length];
        for (int round = 0; round < latencies.length; round++) {
            latencies[round] = wakeUpNanos(waiterSide::acquire, posterSide::release);
            // The same hand-off through a JDK latch: what waking a thread costs on this machine right now.
            CountDownLatch latch = new CountDownLatch(1);
            baseline[round] = wakeUpNanos(latch::await, latch::countDown);
        }
        // A slice is 20 ms. If a post only took effect when the waiter's slice ended, the wake-ups would spread
        // evenly over 0-20 ms (median about 10 ms). Woken at once, they cost what any thread wake-up costs.
        java.util.Arrays.sort(latencies);
        java.util.Arrays.sort(baseline);
        long median = TimeUnit.NANOSECONDS.toMicros(latencies[latencies.length / 2]);
        long baselineMedian = TimeUnit.NANOSECONDS.toMicros(baseline[baseline.length / 2]);
        assertThat(median).as("median wake-up after sem_post, us (a JDK latch: %d us)", baselineMedian)
                .isLessThan(3_000 + baselineMedian);
    }

    /** Blocking action that may throw. */
    private interface Step {
        void run() throws Exception;
    }

    /** Starts a thread blocked in {@code await}, lets it block, runs {@code wake}; nanoseconds until it ran again. */
    private static long wakeUpNanos(Step await, Step wake) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Long> woke = CompletableFuture.supplyAsync(() -> {
            started.countDown();
            try {
                await.run();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            return System.nanoTime();
        }, r -> new Thread(r).start());
        started.await();
        Thread.sleep(30); // longer than a slice: the waiter is blocked, at a random point of a slice
        long posted = System.nanoTime();
        wake.run();
        return woke.get(5, TimeUnit.SECONDS) - posted;
    }

    @Test
    void interruptWakesAWaiterWithInterruptedIOExceptionAndKeepsTheFlag() throws Exception {
        NamedSemaphore s = create(names.unique("intr"), 0);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                s.acquire();
            } catch (Throwable e) {
                thrown.set(e);
                flag.set(Thread.currentThread().isInterrupted());
            }
        });
        t.start();
        Thread.sleep(100);
        long start = System.nanoTime();
        t.interrupt();
        t.join(2000);
        assertThat(t.isAlive()).isFalse();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2000);
        assertThat(thrown.get()).isInstanceOf(InterruptedIOException.class);
        assertThat(flag.get()).isTrue();
        // Interrupted before the wait: no wait at all.
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> s.tryAcquire(Duration.ofSeconds(10))).isInstanceOf(InterruptedIOException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(s.value()).isZero();
    }

    @Test
    void closeWakesEveryWaiterAndLaterCallsFailClosed() throws Exception {
        NamedSemaphore s = create(names.unique("close"), 0);
        List<CompletableFuture<Void>> waiters = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            boolean timed = i % 2 == 0;
            waiters.add(CompletableFuture.runAsync(() -> {
                try {
                    if (timed) {
                        s.tryAcquire(Duration.ofMinutes(5));
                    } else {
                        s.acquire();
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> new Thread(r).start()));
        }
        Thread.sleep(100);
        long start = System.nanoTime();
        s.close();
        for (CompletableFuture<Void> w : waiters) {
            assertThatThrownBy(() -> w.get(2, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().hasCauseInstanceOf(EndpointClosedException.class);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3000);
        assertThat(s.isOpen()).isFalse();
        s.close();
        assertThatThrownBy(s::release).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(s::tryAcquire).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(s::value).isInstanceOf(EndpointClosedException.class);
        // The name outlives the handle.
        try (NamedSemaphore again = NamedSemaphore.open(s.name())) {
            assertThat(again.value()).isZero();
        }
    }

    @Test
    void closingWhileThreadsHammerTheHandleNeverCrashes() throws Exception {
        String name = names.unique("hammer");
        NamedSemaphore peer = create(name, 0);
        for (int round = 0; round < 10; round++) {
            NamedSemaphore s = NamedSemaphore.open(name);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                boolean poster = i % 2 == 0;
                Thread t = new Thread(() -> {
                    try {
                        while (true) {
                            if (poster) {
                                s.release();
                            } else {
                                s.tryAcquire(Duration.ofMillis(1));
                            }
                        }
                    } catch (EndpointClosedException expected) {
                        // the way out
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                threads.add(t);
                t.start();
            }
            Thread.sleep(20);
            s.close();
            for (Thread t : threads) {
                t.join(2000);
                assertThat(t.isAlive()).isFalse();
            }
        }
        assertThat(peer.value()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void unlinkRemovesTheNameButOpenHandlesKeepWorking() throws Exception {
        String name = names.unique("unlink");
        NamedSemaphore s = names.closeAfter(NamedSemaphore.create(name, 1));
        assertThat(NamedSemaphore.unlink(name)).isTrue();
        assertThat(Files.exists(file(name))).isFalse();
        assertThat(NamedSemaphore.unlink(name)).isFalse();
        s.unlink();
        assertThat(s.tryAcquire()).isTrue();
        s.release();
        assertThatThrownBy(() -> NamedSemaphore.open(name)).isInstanceOf(NoSuchObjectException.class);
    }

    @Test
    void unlinkOnCloseRemovesTheName() throws Exception {
        String name = names.unique("uoc");
        NamedSemaphore s = NamedSemaphore.open(name, 0, OpenOptions.create().unlinkOnClose(true));
        assertThat(Files.exists(file(name))).isTrue();
        s.close();
        assertThat(Files.exists(file(name))).isFalse();
        s.close();
    }

    @Test
    void capabilityIsSupportedOnLinux() {
        assertThat(NamedSemaphore.capability().supported()).as(NamedSemaphore.capability().reason()).isTrue();
        assertThat(NamedSemaphore.capability().scheme()).isEqualTo("sem");
    }
}
