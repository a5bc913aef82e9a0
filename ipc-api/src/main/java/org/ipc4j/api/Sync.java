package org.ipc4j.api;

import java.io.InterruptedIOException;
import java.time.Duration;

/**
 * A synchronisation object shared between processes: a counting semaphore or a mutex. It carries no
 * data. Waits are interruptible and are woken by {@link #close()} within a bounded time.
 */
public interface Sync extends Endpoint {

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
}
