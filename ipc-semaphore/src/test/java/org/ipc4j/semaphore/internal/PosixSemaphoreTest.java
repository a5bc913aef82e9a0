package org.ipc4j.semaphore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.OpenMode;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The handle over the shared bindings: errno read after the failure, and close under a waiting thread. */
@Timeout(30)
class PosixSemaphoreTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @Test
    void errnoOfADirectCallIsReadAfterTheFailure() throws Exception {
        // sem_unlink of a name that does not exist: -1 and ENOENT, reported as "no name removed".
        assertThat(PosixSemaphore.unlink("/ipc4j-never-created-" + ProcessHandle.current().pid())).isFalse();
    }

    /**
     * A thread inside sem_timedwait while another closes: sem_close must wait until it has left (it would
     * unmap the sem_t under it), and the waiter ends with EndpointClosedException within about a slice.
     */
    @Test
    void closeWaitsForTheThreadInsideAWaitAndThenUnmaps() throws Exception {
        String name = "/" + names.unique("psclose");
        names.onCleanup(() -> PosixSemaphore.unlink(name));
        PosixSemaphore sem = PosixSemaphore.open(name, "semaphore " + name, OpenMode.CREATE, 0600, 0);
        Thread waiter = new Thread(() -> {
            try {
                sem.await(Deadline.after(Duration.ofSeconds(20)));
            } catch (EndpointClosedException expected) {
                return;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            throw new AssertionError("the wait ended without the close being noticed");
        });
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        waiter.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        waiter.start();
        Thread.sleep(100); // the waiter is in a slice now
        long start = System.nanoTime();
        sem.close();
        long closeNanos = System.nanoTime() - start;
        waiter.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(waiter.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        assertThat(closeNanos).as("close waited at most about one slice").isLessThan(TimeUnit.SECONDS.toNanos(2));
        assertThat(sem.isOpen()).isFalse();
        assertThatThrownBy(sem::post).isInstanceOf(EndpointClosedException.class).hasMessage("semaphore " + name + " is closed");
        sem.close(); // idempotent
    }
}
