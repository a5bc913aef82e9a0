package org.ipc4j.socket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import org.ipc4j.api.internal.Deadline;

/**
 * The three ways a socket end waits, each ending at a {@link Deadline}, on {@code close()} (which signals the
 * condition or closes the selector) and on {@link Thread#interrupt()} (an {@link InterruptedIOException} with
 * the interrupt status kept). None of them waits inside a blocking JDK channel call, which an interrupt would
 * answer by closing the socket.
 */
final class Waits {
    private Waits() {
    }

    /**
     * Waits on {@code condition} (whose lock the caller holds) until signalled or the deadline passes.
     *
     * @return false if the deadline had passed before the wait (nothing waited); true after a wait, which may
     *     be spurious: the caller checks its state again
     */
    static boolean await(Condition condition, Deadline deadline, String where) throws InterruptedIOException {
        long nanos = deadline.remainingNanos();
        if (nanos <= 0) {
            return false;
        }
        try {
            if (deadline.isForever()) {
                condition.await();
            } else {
                condition.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(where);
        }
        return true;
    }

    /**
     * Waits in {@code selector} until one of its keys is ready, the deadline passes, the selector is woken or
     * closed (by {@code close()}), or the thread is interrupted.
     *
     * @return false if the deadline had passed before the wait; true after a wait (the caller looks again)
     */
    static boolean select(Selector selector, Deadline deadline, String where) throws InterruptedIOException {
        long nanos = deadline.remainingNanos();
        if (nanos <= 0) {
            return false; // before the interrupt check: a try-form never waits, so it is never interrupted
        }
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted(where);
        }
        try {
            if (deadline.isForever()) {
                selector.select();
            } else {
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999)));
            }
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            return true; // closed concurrently: the caller's loop reports why
        } catch (IOException e) {
            return true; // the caller's next read or write reports the socket's state
        }
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted(where);
        }
        return true;
    }

    /**
     * Takes {@code lock}, waiting for it at most until the deadline, and not at all unless {@code mayWait}.
     *
     * @return whether the caller now holds the lock
     */
    static boolean lock(Lock lock, Deadline deadline, boolean mayWait, String where) throws InterruptedIOException {
        if (lock.tryLock()) {
            return true;
        }
        if (!mayWait) {
            return false;
        }
        try {
            if (deadline.isForever()) {
                lock.lockInterruptibly();
                return true;
            }
            long nanos = deadline.remainingNanos();
            return nanos > 0 && lock.tryLock(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(where);
        }
    }

    /** Sleeps {@code millis} (at most until the deadline), keeping the interrupt status if interrupted. */
    static void pause(long millis, Deadline deadline, String where) throws InterruptedIOException {
        long sleep = Math.min(millis, TimeUnit.NANOSECONDS.toMillis(deadline.remainingNanos()));
        if (sleep <= 0) {
            return;
        }
        try {
            Thread.sleep(sleep);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(where);
        }
    }

    /** A selector of its own for one channel's waits, registered for {@code ops}. */
    static Selector selectorFor(SelectableChannel channel, int ops) throws IOException {
        Selector selector = Selector.open();
        try {
            channel.register(selector, ops);
            return selector;
        } catch (IOException | RuntimeException e) {
            closeQuietly(selector);
            throw e;
        }
    }

    static InterruptedIOException interrupted(String where) {
        return new InterruptedIOException(where + ": interrupted while waiting");
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // failure path: the first error is the one reported
        }
    }
}
