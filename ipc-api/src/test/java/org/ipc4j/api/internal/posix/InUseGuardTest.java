package org.ipc4j.api.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The use count and closing flag of {@link InUseGuard}: the release runs once, and never under a user. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InUseGuardTest {

    @Test
    void closeWithoutUsersReleasesAtOnceAndOnlyOnce() {
        AtomicInteger releases = new AtomicInteger();
        InUseGuard guard = new InUseGuard("fd 7", releases::incrementAndGet);
        assertThat(guard.isOpen()).isTrue();
        assertThat(guard.close()).isTrue();
        assertThat(guard.close()).as("a second close is a no-op").isFalse();
        assertThat(releases).hasValue(1);
        assertThat(guard.isOpen()).isFalse();
        assertThat(guard.isReleased()).isTrue();
        assertThat(guard.awaitRelease(0, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aCallAfterCloseIsRefusedWithTheEndpointsName() {
        InUseGuard guard = new InUseGuard("semaphore /jobs", () -> { });
        guard.close();
        assertThatThrownBy(guard::enter).isInstanceOf(EndpointClosedException.class)
                .hasMessage("semaphore /jobs is closed");
        assertThat(guard.tryEnter()).isFalse();
        assertThatThrownBy(guard::ensureOpen).isInstanceOf(EndpointClosedException.class);
        assertThat(guard.users()).isZero();
    }

    @Test
    void theLastUserReleasesWhenCloseCameWhileThreadsWereInside() throws Exception {
        AtomicInteger releases = new AtomicInteger();
        AtomicReference<Thread> releasedBy = new AtomicReference<>();
        InUseGuard guard = new InUseGuard("fd 9", () -> {
            releases.incrementAndGet();
            releasedBy.set(Thread.currentThread());
        });
        guard.enter();
        guard.enter();
        assertThat(guard.users()).isEqualTo(2);
        assertThat(guard.close()).isTrue();
        assertThat(releases).as("two threads are inside: nothing released yet").hasValue(0);
        assertThat(guard.awaitRelease(20, TimeUnit.MILLISECONDS)).isFalse();
        guard.exit();
        assertThat(releases).hasValue(0);
        Thread last = new Thread(guard::exit, "last-user");
        last.start();
        last.join();
        assertThat(releases).hasValue(1);
        assertThat(releasedBy.get()).isSameAs(last);
        assertThat(guard.awaitRelease(1, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aReleaseFailureIsKeptForTheCloser() {
        InUseGuard guard = new InUseGuard("fd 3", () -> {
            throw new IpcException("close(3) failed: EIO");
        });
        guard.close();
        assertThat(guard.failure()).hasMessage("close(3) failed: EIO");
    }

    /**
     * Many threads enter and exit while another closes at a random moment: the release runs exactly once,
     * and no thread is ever inside when it runs, and none enters after it.
     */
    @Test
    void underContentionTheReleaseRunsOnceAndNeverUnderAUser() throws Exception {
        for (int round = 0; round < 200; round++) {
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger releases = new AtomicInteger();
            AtomicBoolean violated = new AtomicBoolean();
            AtomicBoolean released = new AtomicBoolean();
            InUseGuard guard = new InUseGuard("fd", () -> {
                if (inside.get() != 0) {
                    violated.set(true);
                }
                released.set(true);
                releases.incrementAndGet();
            });
            int threads = 4;
            CyclicBarrier start = new CyclicBarrier(threads + 1);
            CountDownLatch done = new CountDownLatch(threads);
            List<Thread> users = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread user = new Thread(() -> {
                    try {
                        start.await();
                        while (guard.tryEnter()) {
                            inside.incrementAndGet();
                            if (released.get()) {
                                violated.set(true);
                            }
                            Thread.onSpinWait();
                            inside.decrementAndGet();
                            guard.exit();
                        }
                    } catch (Exception e) {
                        violated.set(true);
                    } finally {
                        done.countDown();
                    }
                });
                user.start();
                users.add(user);
            }
            start.await();
            Thread.sleep(0, 100_000 * (round % 10));
            guard.close();
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(guard.awaitRelease(10, TimeUnit.SECONDS)).isTrue();
            assertThat(releases).as("round %d", round).hasValue(1);
            assertThat(violated).as("round %d: a user was inside during or after the release", round).isFalse();
            for (Thread user : users) {
                user.join();
            }
        }
    }
}
