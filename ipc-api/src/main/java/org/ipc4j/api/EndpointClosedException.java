package org.ipc4j.api;

/**
 * The endpoint was closed by this process, either before the call or while the call was blocked in it.
 * Like {@link java.nio.channels.AsynchronousCloseException}, a thread blocked in an operation that
 * another thread closes receives this exception.
 */
public class EndpointClosedException extends IpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Reports use of a closed endpoint; the message is {@code what + " is closed"}.
     *
     * @param what the endpoint, as its users know it (e.g. its name or address)
     */
    public EndpointClosedException(String what) {
        super(what + " is closed");
    }
}
