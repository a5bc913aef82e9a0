package org.ipc4j.api;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A synchronisation object shared between processes: a counting semaphore or a mutex. It carries no
 * data. Waits are interruptible and are woken by {@link #close()} within a bounded time.
 *
 * <p>{@link #hold()} takes a permit for the length of a try-with-resources block and gives it back however
 * the block ends:
 *
 * <pre>{@code
 * try (Sync.Hold hold = lock.hold()) {
 *     // the permit is held here
 * }                                                  // released, also when the block throws
 *
 * try (Sync.Hold hold = lock.hold(Duration.ofSeconds(1))) {
 *     if (hold == null) {
 *         return false;                              // timed out: nothing taken, nothing to release
 *     }
 *     // the permit is held here
 * }
 * }</pre>
 */
public interface Sync extends Endpoint {

    /**
     * A permit taken by {@link #hold()} or {@link #hold(Duration)}; {@link #close()} gives it back. Use it in
     * try-with-resources on the thread that took it (a mutex is released by its owner).
     */
    @FunctionalInterface
    interface Hold extends AutoCloseable {
        /**
         * Releases the permit ({@link Sync#release()}) the first time it is called; later calls do nothing.
         *
         * @throws EndpointClosedException if the {@code Sync} was closed while the permit was held
         * @throws IpcException if the release fails (as {@link Sync#release()} documents); the hold counts
         *         as given back either way
         */
        @Override
        void close() throws IpcException;
    }

    /**
     * Takes one permit, waiting as long as none is available.
     *
     * @throws EndpointClosedException if this endpoint is closed, before or during the wait
     * @throws InterruptedIOException if the thread is interrupted while waiting
     */
    void acquire() throws IpcException, InterruptedIOException;

    /** Takes one permit if one is available now; never waits. */
    boolean tryAcquire() throws IpcException;

    /**
     * Takes one permit, waiting at most {@code timeout}.
     *
     * @return {@code true} if a permit was taken, {@code false} if the timeout elapsed first
     */
    boolean tryAcquire(Duration timeout) throws IpcException, InterruptedIOException;

    /**
     * Returns one permit, waking one waiter if any.
     *
     * @throws LimitReachedException if the count is at its maximum
     */
    void release() throws IpcException;

    /**
     * Takes one permit, waiting as long as none is available ({@link #acquire()}), and returns the hold that
     * gives it back when closed.
     *
     * @return the hold of the permit; its {@code close()} releases it once
     * @throws EndpointClosedException if this endpoint is closed, before or during the wait
     * @throws InterruptedIOException if the thread is interrupted while waiting (nothing is taken)
     */
    default Hold hold() throws IpcException, InterruptedIOException {
        acquire();
        return releasingOnce();
    }

    /**
     * Takes one permit, waiting at most {@code timeout} ({@link #tryAcquire(Duration)}), and returns the hold
     * that gives it back when closed; zero or a negative timeout does not wait.
     *
     * @return the hold of the permit, or {@code null} if the timeout elapsed first (a null resource of a
     *         try-with-resources statement is not closed)
     * @throws EndpointClosedException if this endpoint is closed, before or during the wait
     * @throws InterruptedIOException if the thread is interrupted while waiting (nothing is taken)
     * @throws NullPointerException if {@code timeout} is null
     */
    default Hold hold(Duration timeout) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(timeout, "timeout");
        return tryAcquire(timeout) ? releasingOnce() : null;
    }

    private Hold releasingOnce() {
        AtomicBoolean held = new AtomicBoolean(true);
        return () -> {
            if (held.compareAndSet(true, false)) {
                release();
            }
        };
    }
}
