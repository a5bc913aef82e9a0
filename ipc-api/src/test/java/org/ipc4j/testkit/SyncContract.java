package org.ipc4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.Sync;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract every ipc4j {@link Sync} must meet, used as a lock with one permit: acquire and release,
 * {@code tryAcquire} true and false, the timed form timing out within bounds and returning false (and
 * succeeding once a permit comes back), waits interruptible ({@link InterruptedIOException}, interrupt
 * status kept), {@link Sync#close()} waking a waiter on that endpoint within a bounded time (what
 * {@link Sync} promises), use after close throwing {@link EndpointClosedException}, {@link Sync#hold()} and
 * {@link Sync#hold(Duration)} taking a permit that closing the hold gives back exactly once, and mutual
 * exclusion between two endpoints in this JVM and between two JVMs.
 *
 * <p>A subclass gives an {@link Opener} (public, with a public no-argument constructor, so that a child JVM
 * can make one: {@link SyncPeerTestApp}) and fresh addresses, registering each object's removal with
 * {@link #names}. Every case opens two endpoints of one object: the holder and the other party.
 *
 * <p>Every test is bounded by a {@link Timeout}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class SyncContract {

    /** Clean-up of named objects; also fails a test that leaks one. */
    @RegisterExtension
    protected final NamedObjects names = new NamedObjects();

    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Opens an endpoint of the object at an address; creates it, with one permit, if it does not exist. */
    public interface Opener {
        Sync open(String address) throws Exception;
    }

    /** The opener, used in this JVM and (by its class) in the child JVM. */
    protected abstract Opener opener();

    /** The address of a fresh object; its removal is registered with {@link #names}. */
    protected abstract String newAddress() throws Exception;

    /** Whether the object can be opened by address from another process (the cross-JVM test). */
    protected boolean opensInAnotherProcess() {
        return true;
    }

    /** How long a test waits for something that should happen promptly; exceeding it fails the test. */
    protected Duration patience() {
        return Duration.ofSeconds(30);
    }

    /** A defect that makes the named test fail, with the reason naming the bug; or {@code null}. */
    protected String knownDefect(String testName) {
        return null;
    }

    @BeforeEach
    void skipKnownDefects(TestInfo test) {
        String defect = test.getTestMethod().map(m -> knownDefect(m.getName())).orElse(null);
        assumeTrue(defect == null, () -> "known defect: " + defect);
    }

    @AfterEach
    void closeOpened() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            ChannelPair.closeQuietly(opened.get(i));
        }
        opened.clear();
    }

    /** Two endpoints of one fresh object, closed after the test. */
    private Sync[] two() throws Exception {
        String address = newAddress();
        Sync first = opener().open(address);
        opened.add(first);
        Sync second = opener().open(address);
        opened.add(second);
        return new Sync[] {first, second};
    }

    @Test
    void acquireExcludesTheOtherPartyUntilRelease() throws Exception {
        Sync[] s = two();
        s[0].acquire();
        assertThat(s[1].tryAcquire()).as("tryAcquire while the other endpoint holds the permit").isFalse();
        s[0].release();
        assertThat(s[1].tryAcquire()).as("tryAcquire once it was released").isTrue();
        assertThat(s[0].tryAcquire()).isFalse();
        s[1].release();
        assertThat(s[0].tryAcquire()).isTrue();
        s[0].release();
    }

    @Test
    void timedTryAcquireTimesOutWithinBoundsAndReturnsFalse() throws Exception {
        Sync[] s = two();
        s[0].acquire();
        long start = System.nanoTime();
        assertThat(s[1].tryAcquire(Duration.ofMillis(200))).isFalse();
        assertThat(OneWayContract.millisSince(start)).as("waited about the timeout").isBetween(150L, 10_000L);
        start = System.nanoTime();
        assertThat(s[1].tryAcquire(Duration.ZERO)).isFalse();
        assertThat(s[1].tryAcquire(Duration.ofMillis(-5))).as("a negative timeout is no wait").isFalse();
        assertThat(OneWayContract.millisSince(start)).as("zero and negative timeouts do not wait").isLessThan(5_000L);
        s[0].release();
        assertThat(s[1].tryAcquire(patience())).isTrue();
        s[1].release();
    }

    @Test
    void timedTryAcquireWaitsForARelease() throws Exception {
        Sync[] s = two();
        s[0].acquire();
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return s[1].tryAcquire(patience());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(200);
        assertThat(waiter).as("waits while the permit is held").isNotDone();
        s[0].release();
        assertThat(waiter.get(patience().toMillis(), TimeUnit.MILLISECONDS)).as("taken once released").isTrue();
        assertThat(s[0].tryAcquire()).isFalse();
    }

    @Test
    void acquireWaitsForARelease() throws Exception {
        Sync[] s = two();
        s[0].acquire();
        Blocked blocked = Blocked.start("acquire", () -> {
            s[1].acquire();
            throw new Woken();
        });
        blocked.assertBlocked(patience());
        s[0].release();
        assertThat(blocked.outcome(patience())).as("acquire returned once released").isInstanceOf(Woken.class);
        assertThat(s[0].tryAcquire()).isFalse();
    }

    @Test
    void interruptWakesAWaitingAcquireAndKeepsTheInterruptStatus() throws Exception {
        Sync[] s = two();
        s[0].acquire();
        Blocked blocked = Blocked.start("acquire", s[1]::acquire);
        blocked.assertBlocked(patience());
        blocked.interrupt();
        assertThat(blocked.outcome(Duration.ofSeconds(5))).isInstanceOf(InterruptedIOException.class);
        assertThat(blocked.interruptedAfter()).as("interrupt status after the InterruptedIOException").isTrue();
        s[0].release();
        assertThat(s[1].tryAcquire()).as("the interrupted acquire took nothing").isTrue();
        s[1].release();
    }

    @Test
    void interruptWakesAWaitingTimedTryAcquire() throws Exception {
        Sync[] s = two();
        s[0].acquire();
        Blocked blocked = Blocked.start("tryAcquire(timeout)",
                () -> s[1].tryAcquire(patience()));
        blocked.assertBlocked(patience());
        blocked.interrupt();
        assertThat(blocked.outcome(Duration.ofSeconds(5))).isInstanceOf(InterruptedIOException.class);
        assertThat(blocked.interruptedAfter()).as("interrupt status after the InterruptedIOException").isTrue();
        s[0].release();
    }

    @Test
    void closeWakesAWaiterOnThatEndpoint() throws Exception {
        Sync[] s = two();
        s[0].acquire();
        Blocked blocked = Blocked.start("acquire", s[1]::acquire);
        blocked.assertBlocked(patience());
        s[1].close();
        assertThat(blocked.outcome(Duration.ofSeconds(5))).as("the woken waiter's exception")
                .isInstanceOf(EndpointClosedException.class);
        s[0].release();
        assertThat(s[0].tryAcquire()).as("the woken waiter took nothing").isTrue();
        s[0].release();
    }

    @Test
    void closedEndpointRejectsEveryOperationAndCloseIsIdempotent() throws Exception {
        Sync[] s = two();
        s[0].close();
        s[0].close();
        assertThat(s[0].isOpen()).isFalse();
        assertThatThrownBy(s[0]::acquire).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(s[0]::tryAcquire).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(() -> s[0].tryAcquire(Duration.ofMillis(10))).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(s[0]::release).isInstanceOf(EndpointClosedException.class);
        assertThat(s[1].tryAcquire()).as("the other endpoint still works").isTrue();
        s[1].release();
    }

    @Test
    void nullTimeoutIsRejected() throws Exception {
        Sync[] s = two();
        assertThatThrownBy(() -> s[0].tryAcquire(null)).isInstanceOf(NullPointerException.class);
        assertThat(s[1].tryAcquire()).as("nothing was taken").isTrue();
        s[1].release();
    }

    @Test
    void holdTakesAPermitThatClosingTheHoldGivesBackOnce() throws Exception {
        Sync[] s = two();
        try (Sync.Hold hold = s[0].hold()) {
            assertThat(hold).isNotNull();
            assertThat(s[1].tryAcquire()).as("tryAcquire while the other endpoint holds the permit").isFalse();
        }
        assertThat(s[1].tryAcquire()).as("given back at the end of the block").isTrue();
        s[1].release();

        Sync.Hold hold = s[0].hold();
        hold.close();
        hold.close();
        assertThat(s[1].tryAcquire()).as("given back by the first close").isTrue();
        assertThat(s[0].tryAcquire()).as("a second close released nothing more").isFalse();
        s[1].release();
    }

    @Test
    void holdGivesThePermitBackWhenTheBlockThrows() throws Exception {
        Sync[] s = two();
        assertThatThrownBy(() -> {
            try (Sync.Hold hold = s[0].hold()) {
                throw new IllegalStateException("the guarded work failed");
            }
        }).isInstanceOf(IllegalStateException.class).hasNoSuppressedExceptions();
        assertThat(s[1].tryAcquire()).as("given back although the block threw").isTrue();
        s[1].release();
    }

    @Test
    void timedHoldIsNullOnTimeoutAndHoldsOnceAPermitComesBack() throws Exception {
        Sync[] s = two();
        s[0].acquire();
        try (Sync.Hold hold = s[1].hold(Duration.ofMillis(100))) {
            assertThat(hold).as("timed out while the permit is held elsewhere").isNull();
        }
        assertThat(s[1].hold(Duration.ZERO)).isNull();
        s[0].release();
        try (Sync.Hold hold = s[1].hold(patience())) {
            assertThat(hold).as("taken once released").isNotNull();
            assertThat(s[0].tryAcquire()).isFalse();
        }
        assertThat(s[0].tryAcquire()).as("given back at the end of the block").isTrue();
        s[0].release();
    }

    @Test
    void holdOnAClosedEndpointOrWithANullTimeoutIsRejected() throws Exception {
        Sync[] s = two();
        assertThatThrownBy(() -> s[0].hold(null)).isInstanceOf(NullPointerException.class);
        s[0].close();
        assertThatThrownBy(s[0]::hold).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(() -> s[0].hold(Duration.ofMillis(10))).isInstanceOf(EndpointClosedException.class);
        assertThat(s[1].tryAcquire()).as("nothing was taken").isTrue();
        s[1].release();
    }

    @Test
    void twoEndpointsInThisJvmExcludeEachOther() throws Exception {
        Sync[] s = two();
        AtomicBoolean inside = new AtomicBoolean();
        AtomicInteger overlaps = new AtomicInteger();
        // each holds for a millisecond, long enough that two holders at once cannot miss each other
        int rounds = 100;
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (Sync sync : s) {
            workers.add(Blocked.async(() -> {
                go.await();
                for (int i = 0; i < rounds; i++) {
                    sync.acquire();
                    try {
                        if (!inside.compareAndSet(false, true)) {
                            overlaps.incrementAndGet();
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                        inside.set(false);
                    } finally {
                        sync.release();
                    }
                }
            }));
        }
        go.countDown();
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(overlaps).as("times both endpoints were inside at once").hasValue(0);
    }

    @Test
    void twoJvmsExcludeEachOther() throws Exception {
        assumeTrue(opensInAnotherProcess(), "not addressable from another process");
        String address = newAddress();
        Sync sync = opener().open(address);
        opened.add(sync);
        Path marker = names.uniquePath("inside", ".marker");
        int rounds = 200;
        try (ChildJvm child = ChildJvm.start(SyncPeerTestApp.class, opener().getClass().getName(), address,
                String.valueOf(rounds), marker.toString())) {
            child.awaitOutput(SyncPeerTestApp.READY, patience());
            SyncPeerTestApp.rounds(sync, rounds, marker);
            assertThat(child.waitFor(patience())).as("child exit code (1: both inside at once)\n" + child.output()).isZero();
        }
        assertThat(Files.exists(marker)).as("nobody is left inside").isFalse();
    }

    /** Thrown by a blocked acquire that returned normally, to tell it from an exception. */
    private static final class Woken extends Exception {
        private static final long serialVersionUID = 1L;
    }
}
