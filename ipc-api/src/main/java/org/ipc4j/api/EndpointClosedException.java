package org.ipc4j.api;

/**
 * The endpoint was closed by this process, either before the call or while the call was blocked in it.
 * Like {@link java.nio.channels.AsynchronousCloseException}, a thread blocked in an operation that
 * another thread closes receives this exception.
 */
public class EndpointClosedException extends IpcException {
    private static final long serialVersionUID = 1L;

    public EndpointClosedException(String what) {
        super(what + " is closed");
    }
}
