package org.ipc4j.api.internal.posix;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;

/**
 * Keeps a native handle (a file descriptor, a message-queue descriptor, a {@code sem_t *}) alive while
 * threads are inside calls on it, when another thread may close it at any moment. Written once for every
 * transport.
 *
 * <p>Why: closing a descriptor while another thread is inside {@code poll} or {@code read} on it is a
 * classic fd-reuse hazard: the number is free at once, the next {@code open} anywhere in the process gets
 * it, and the blocked thread then reads or writes someone else's file. For a {@code sem_t *} it is a
 * use-after-free ({@code sem_close} unmaps it). So nobody closes the handle directly:
 *
 * <pre>{@code
 * guard.enter();                  // EndpointClosedException once close() has begun
 * try {
 *     ... native call on the handle ...
 * } finally {
 *     guard.exit();               // the last user out after close() runs the release
 * }
 * }</pre>
 *
 * {@link #close()} marks the handle closed (no new call starts) and runs the {@link Release} at once if no
 * thread is inside, otherwise the last thread to {@link #exit()} runs it. Either way it runs exactly once,
 * never while a thread is inside a call. Threads that wait in the kernel must do so in bounded slices and
 * re-check {@link #isOpen()} between them, so that a close is not delayed by more than a slice.
 *
 * <p>Cost on the hot path: one compare-and-set on {@link #enter()} and one atomic decrement on
 * {@link #exit()}, on one word that holds both the closed flag and the count of users.
 */
public final class InUseGuard {
    /** Closes the guarded handle; runs once, on whichever thread is last. */
    @FunctionalInterface
    public interface Release {
        void release() throws IpcException;
    }

    private static final long CLOSED = 1L << 62;

    private final String what;
    private final Release release;
    /** {@link #CLOSED} plus the number of threads between {@link #enter()} and {@link #exit()}. */
    private final AtomicLong state = new AtomicLong();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile IpcException failure;

    /**
     * @param what the endpoint as messages name it, e.g. {@code "semaphore /jobs"}
     * @param release closes the handle; an {@link IpcException} it throws is kept for {@link #failure()}
     */
    public InUseGuard(String what, Release release) {
        this.what = java.util.Objects.requireNonNull(what, "what");
        this.release = java.util.Objects.requireNonNull(release, "release");
    }

    /**
     * Counts the calling thread as inside a call on the handle.
     *
     * @throws EndpointClosedException if {@link #close()} has begun; the caller must not touch the handle
     */
    public void enter() throws EndpointClosedException {
        if (!tryEnter()) {
            throw closedException();
        }
    }

    /** Like {@link #enter()}, but returns false instead of throwing once closed. */
    public boolean tryEnter() {
        long s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
        } while (!state.compareAndSet(s, s + 1));
        return true;
    }

    /** Ends a successful {@link #enter()}; runs the release if the handle was closed and this was the last user. */
    public void exit() {
        if (state.decrementAndGet() == CLOSED) {
            runRelease();
        }
    }

    /**
     * Marks the handle closed: no new {@link #enter()} succeeds. Runs the release now if no thread is inside,
     * otherwise leaves it to the last one (use {@link #awaitRelease} to wait for it). Never blocks.
     *
     * @return true for the call that closed, false if the guard was already closed
     */
    public boolean close() {
        long s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
        } while (!state.compareAndSet(s, s | CLOSED));
        if (s == 0) {
            runRelease();
        }
        return true;
    }

    /**
     * Waits until the release has run (after {@link #close()}). Keeps the interrupt status: an interrupted
     * wait returns early.
     *
     * @return true if it has run, false if the timeout passed first (a thread is still inside a call)
     */
    public boolean awaitRelease(long timeout, TimeUnit unit) {
        try {
            return released.await(timeout, unit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return released.getCount() == 0;
        }
    }

    /** Whether {@link #close()} has not begun. */
    public boolean isOpen() {
        return (state.get() & CLOSED) == 0;
    }

    /** Whether the release has run. */
    public boolean isReleased() {
        return released.getCount() == 0;
    }

    /** How many threads are inside a call now (a snapshot, for diagnostics and tests). */
    public long users() {
        return state.get() & ~CLOSED;
    }

    /** What the release threw, or null (also null while it has not run). */
    public IpcException failure() {
        return failure;
    }

    /** Throws {@link EndpointClosedException} if closed. */
    public void ensureOpen() throws EndpointClosedException {
        if (!isOpen()) {
            throw closedException();
        }
    }

    /** The exception for a call on the closed endpoint: {@code "<what> is closed"}. */
    public EndpointClosedException closedException() {
        return new EndpointClosedException(what);
    }

    private void runRelease() {
        try {
            release.release();
        } catch (IpcException e) {
            failure = e;
        } finally {
            released.countDown();
        }
    }

    @Override
    public String toString() {
        long s = state.get();
        return "InUseGuard[" + what + ", " + ((s & CLOSED) != 0 ? (isReleased() ? "released" : "closing") : "open")
                + ", users=" + (s & ~CLOSED) + "]";
    }
}
