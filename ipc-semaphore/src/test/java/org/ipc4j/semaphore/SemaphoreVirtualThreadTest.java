package org.ipc4j.semaphore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.testkit.NamedObjects;
import org.ipc4j.testkit.VirtualThreadLoad;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Virtual threads waiting on a semaphore or a mutex park in Java while one platform thread per handle waits
 * in {@code sem_timedwait} for them, so they never hold a carrier. Skipped before JDK 21.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SemaphoreVirtualThreadTest {
    private static final int WAITERS = 1000;

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @BeforeEach
    void needsVirtualThreads() {
        VirtualThreadLoad.assumeAvailable();
    }

    private NamedSemaphore semaphore(String prefix, long initial) throws Exception {
        String name = names.unique(prefix);
        names.onCleanup(() -> NamedSemaphore.unlink(name));
        return names.closeAfter(NamedSemaphore.create(name, initial));
    }

    @Test
    void aThousandBlockedAcquirersLeaveTheCarriersFreeAndEachGetsAPermit() throws Exception {
        NamedSemaphore sem = semaphore("vtsem", 0);
        VirtualThreadLoad.Result load = VirtualThreadLoad.measure(WAITERS, i -> {
            if (!sem.tryAcquire(Duration.ofSeconds(60))) {
                throw new AssertionError("no permit for waiter " + i);
            }
        });
        try {
            System.out.println("sem, " + WAITERS + " acquirers: " + load.describe());
            assertThat(load.bestRatio()).as(load.describe()).isGreaterThanOrEqualTo(VirtualThreadLoad.MIN_RATIO);
            for (int i = 0; i < WAITERS; i++) {
                sem.release();
            }
            assertThat(load.join(Duration.ofSeconds(30))).as("every acquirer returned").isTrue();
            assertThat(load.failure()).isNull();
            assertThat(load.finished()).isEqualTo(WAITERS);
            assertThat(sem.value()).as("no permit taken twice or lost").isZero();
        } finally {
            load.interruptAll();
        }
    }

    @Test
    void aThousandBlockedMutexWaitersLeaveTheCarriersFreeAndEachGetsTheLock() throws Exception {
        String name = names.unique("vtmutex");
        names.onCleanup(() -> NamedMutex.unlink(name));
        NamedMutex mutex = names.closeAfter(NamedMutex.create(name));
        mutex.acquire();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        VirtualThreadLoad.Result load = VirtualThreadLoad.measure(WAITERS, i -> {
            mutex.acquire();
            try {
                if (inside.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                }
                inside.decrementAndGet();
            } finally {
                mutex.release();
            }
        });
        try {
            System.out.println("mutex, " + WAITERS + " waiters: " + load.describe());
            assertThat(load.bestRatio()).as(load.describe()).isGreaterThanOrEqualTo(VirtualThreadLoad.MIN_RATIO);
            mutex.release();
            assertThat(load.join(Duration.ofSeconds(60))).as("every waiter took the lock").isTrue();
            assertThat(load.failure()).isNull();
            assertThat(load.finished()).isEqualTo(WAITERS);
            assertThat(overlaps).hasValue(0);
        } finally {
            load.interruptAll();
        }
    }

    @Test
    void aTimedOutVirtualAcquirerReturnsFalseAndTakesNoPermit() throws Exception {
        NamedSemaphore sem = semaphore("vttimeout", 0);
        long start = System.nanoTime();
        CompletableFuture<Boolean> r = VirtualThreadLoad.callVirtual(() -> sem.tryAcquire(Duration.ofMillis(120)));
        assertThat(r.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(120));
        sem.release();
        Thread.sleep(100); // the waiting platform thread, if still in a slice, must hand the permit back
        assertThat(sem.value()).isEqualTo(1);
        assertThat(sem.tryAcquire()).isTrue();
    }

    @Test
    void interruptingAVirtualAcquirerEndsItsWait() throws Exception {
        NamedSemaphore sem = semaphore("vtintr", 0);
        Thread[] self = new Thread[1];
        CompletableFuture<Void> r = VirtualThreadLoad.callVirtual(() -> {
            self[0] = Thread.currentThread();
            sem.acquire();
            return null;
        });
        Thread.sleep(200);
        self[0].interrupt();
        assertThatThrownBy(() -> r.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InterruptedIOException.class);
        sem.release();
        Thread.sleep(100);
        assertThat(sem.value()).as("the permit posted after the interrupt is not lost").isEqualTo(1);
    }

    @Test
    void closeWakesAVirtualAcquirer() throws Exception {
        NamedSemaphore sem = semaphore("vtclose", 0);
        CompletableFuture<Void> r = VirtualThreadLoad.callVirtual(() -> {
            sem.acquire();
            return null;
        });
        Thread.sleep(200);
        sem.close();
        assertThatThrownBy(() -> r.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(EndpointClosedException.class);
    }
}
