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

    /** Runs {@code action} on a new daemon thread; an exception completes the future exceptionally with it. */
    public static CompletableFuture<Void> async(Action action) {
        // a thread of its own: a shared pool may run two such actions one after the other, and actions that
        // are meant to overlap (or to wait for each other) then never do
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                action.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, "contract-async");
        thread.setDaemon(true);
        thread.start();
        return done;
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
