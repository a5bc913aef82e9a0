package org.ipc4j.api;

/**
 * Something this process holds open: a channel end, a semaphore, a region. The holder owns it and must
 * close it.
 *
 * <p>{@link #close()} is idempotent and thread-safe. Threads blocked in an operation on the endpoint when
 * it is closed wake within a bounded time (milliseconds) with {@link EndpointClosedException}. Closing
 * releases this process's handle only; a named object keeps its name until it is unlinked (or, when
 * opened with {@link OpenOptions#unlinkOnClose(boolean)}, until this endpoint is closed).
 */
public interface Endpoint extends AutoCloseable {

    /**
     * Whether {@link #close()} has not yet been called. An open endpoint may still have lost its peer.
     *
     * @return {@code true} until this endpoint is closed
     */
    boolean isOpen();

    /**
     * Releases this endpoint and wakes any thread blocked on it. Further operations throw
     * {@link EndpointClosedException}; a second close does nothing.
     *
     * @throws IpcException if releasing an operating-system resource failed; the endpoint is closed anyway
     */
    @Override
    void close() throws IpcException;
}
