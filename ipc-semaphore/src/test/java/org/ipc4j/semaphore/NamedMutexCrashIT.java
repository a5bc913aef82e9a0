package org.ipc4j.semaphore;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A holder of a NamedMutex dies (kill -9, or exits without releasing): the next acquirer is told and recovers. */
@Timeout(90)
class NamedMutexCrashIT {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private NamedMutex createMutex(String prefix) throws Exception {
        String name = names.unique(prefix);
        names.onCleanup(() -> NamedMutex.unlink(name));
        return names.closeAfter(NamedMutex.create(name));
    }

    @Test
    void holderKilledWithSigkillIsReportedToTheBlockedWaiter() throws Exception {
        NamedMutex mutex = createMutex("kill9");
        try (ChildJvm child = ChildJvm.start(MutexHolderTestApp.class, mutex.name(), "hold")) {
            child.awaitOutput("HELD", Duration.ofSeconds(30));
            assertThat(mutex.ownerPid()).hasValue(child.pid());
            assertThat(mutex.tryAcquire()).isFalse();
            assertThat(mutex.tryAcquire(Duration.ofMillis(100))).isFalse();
            CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    mutex.acquire();
                    return System.nanoTime();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(200);
            assertThat(waiter).isNotDone();
            long killed = System.nanoTime();
            child.killHard();
            long acquired = waiter.get(10, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(acquired - killed)).isLessThan(5000);
            assertThat(mutex.ownerDied()).isTrue();
            assertThat(mutex.deadOwnerPid()).hasValue(child.pid());
            assertThat(mutex.ownerPid()).hasValue(ProcessHandle.current().pid());
            assertThat(mutex.recoveries()).isEqualTo(1);
            mutex.release();
        }
        assertThat(mutex.tryAcquire()).isTrue();
        assertThat(mutex.ownerDied()).as("a clean release ends the recovery").isFalse();
        mutex.release();
    }

    @Test
    void holderThatExitsWithoutReleasingIsReportedToTheNextProcess() throws Exception {
        NamedMutex mutex = createMutex("exit");
        try (ChildJvm first = ChildJvm.start(MutexHolderTestApp.class, mutex.name(), "exit")) {
            first.awaitOutput("HELD", Duration.ofSeconds(30));
            assertThat(first.waitFor(Duration.ofSeconds(30))).isEqualTo(3);
        }
        // The next acquirer is another process: it is told, then holds the lock normally.
        try (ChildJvm second = ChildJvm.start(MutexHolderTestApp.class, mutex.name(), "hold")) {
            second.awaitOutput("HELD", Duration.ofSeconds(30));
            assertThat(second.output()).contains("ownerDied=true");
            assertThat(mutex.tryAcquire(Duration.ofMillis(100))).isFalse();
            second.killHard();
            assertThat(mutex.tryAcquire(Duration.ofSeconds(5))).isTrue();
            assertThat(mutex.ownerDied()).isTrue();
            mutex.release();
        }
    }

    @Test
    void aWaiterKilledWhileWaitingDoesNotBreakTheLock() throws Exception {
        NamedMutex mutex = createMutex("waitkill");
        mutex.acquire();
        try (ChildJvm waiter = ChildJvm.start(MutexHolderTestApp.class, mutex.name(), "wait")) {
            waiter.awaitOutput("WAITING", Duration.ofSeconds(30));
            Thread.sleep(300);
            waiter.killHard();
        }
        mutex.release();
        try (ChildJvm next = ChildJvm.start(MutexHolderTestApp.class, mutex.name(), "hold")) {
            next.awaitOutput("HELD", Duration.ofSeconds(30));
            assertThat(next.output()).contains("ownerDied=false");
            next.killHard();
        }
        assertThat(mutex.tryAcquire(Duration.ofSeconds(5))).isTrue();
        mutex.release();
    }

    @Test
    void exactlyOneOfSeveralWaitingProcessesTakesOverFromADeadHolder() throws Exception {
        NamedMutex mutex = createMutex("race");
        List<ChildJvm> waiters = new ArrayList<>();
        try (ChildJvm holder = ChildJvm.start(MutexHolderTestApp.class, mutex.name(), "hold")) {
            holder.awaitOutput("HELD", Duration.ofSeconds(30));
            for (int i = 0; i < 3; i++) {
                waiters.add(ChildJvm.start(MutexHolderTestApp.class, mutex.name(), "wait"));
            }
            for (ChildJvm w : waiters) {
                w.awaitOutput("WAITING", Duration.ofSeconds(30));
            }
            Thread.sleep(300); // all three are in their wait loops
            holder.killHard();
            ChildJvm first = awaitAcquirers(waiters, 1);
            assertThat(first.output()).contains("ownerDied=true");
            Thread.sleep(500);
            assertThat(waiters.stream().filter(w -> w.output().contains("ACQUIRED")).count())
                    .as("only one process may take the lock over").isEqualTo(1);
            // The new holder dies too: again exactly one of the remaining two takes over.
            first.killHard();
            ChildJvm second = awaitAcquirers(waiters, 2);
            assertThat(second).isNotSameAs(first);
            assertThat(second.output()).contains("ownerDied=true");
            Thread.sleep(500);
            assertThat(waiters.stream().filter(w -> w.output().contains("ACQUIRED")).count()).isEqualTo(2);
            // Stop the one still waiting before the holder, so that this process is the next to take over.
            for (ChildJvm w : waiters) {
                if (!w.output().contains("ACQUIRED")) {
                    w.killHard();
                }
            }
            second.killHard();
        } finally {
            for (ChildJvm w : waiters) {
                w.close();
            }
        }
        assertThat(mutex.tryAcquire(Duration.ofSeconds(5))).isTrue(); // the last waiter was killed holding it
        assertThat(mutex.ownerDied()).isTrue();
        assertThat(mutex.recoveries()).isEqualTo(3);
        mutex.release();
    }

    /** Waits until {@code count} waiters have printed ACQUIRED and returns the latest living one. */
    private static ChildJvm awaitAcquirers(List<ChildJvm> waiters, int count) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            List<ChildJvm> acquired = waiters.stream().filter(w -> w.output().contains("ACQUIRED")).toList();
            if (acquired.size() >= count) {
                return acquired.stream().filter(ChildJvm::isAlive).findFirst().orElseThrow();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no waiter took the lock over within 10 s: " + waiters.stream().map(ChildJvm::output).toList());
    }
}
