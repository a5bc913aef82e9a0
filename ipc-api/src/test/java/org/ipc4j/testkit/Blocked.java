package org.ipc4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An operation expected to block (a receive, a send on a full channel, an acquire), on a thread of its own,
 * and what ended it: the contracts start one, check that it is blocked, wake it (close, interrupt, a
 * message, a release) and look at the outcome and at the thread's interrupt status afterwards.
 */
public final class Blocked {
    /** Work that may throw. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    final Thread thread;
    private final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    private volatile boolean interruptedAfter;

    private Blocked(String what, Action action) {
        thread = new Thread(() -> {
            Throwable t = catchThrowable(action::run);
            interruptedAfter = Thread.currentThread().isInterrupted();
            outcome.complete(t == null ? new AssertionError(what + " returned normally") : t);
        }, "blocked " + what);
        thread.setDaemon(true);
    }

    /** Starts {@code action} on a new thread. */
    public static Blocked start(String what, Action action) {
        Blocked b = new Blocked(what, action);
        b.thread.start();
        return b;
    }

    /** Runs {@code action} asynchronously; an exception completes the future exceptionally. */
    public static CompletableFuture<Void> async(Action action) {
        return CompletableFuture.runAsync(() -> {
            try {
                action.run();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** Fails unless the operation is still running after a moment (it must block before it is woken). */
    public void assertBlocked(Duration patience) throws Exception {
        long end = System.nanoTime() + patience.toNanos();
        while (thread.getState() == Thread.State.NEW && System.nanoTime() < end) {
            Thread.sleep(1);
        }
        Thread.sleep(200);
        assertThat(outcome).as("%s blocks (it must be blocked before it is woken): %s", thread.getName(),
                outcome.getNow(null)).isNotDone();
    }

    /** Interrupts the blocked thread. */
    public void interrupt() {
        thread.interrupt();
    }

    /** Whether the thread's interrupt status was set when the operation ended. */
    public boolean interruptedAfter() {
        return interruptedAfter;
    }

    /** What ended the operation (an exception, or an AssertionError if it returned), waiting at most {@code timeout}. */
    public Throwable outcome(Duration timeout) throws Exception {
        try {
            return outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new AssertionError(thread.getName() + " was not woken within " + timeout);
        }
    }
}
