package org.ipc4j.api;

/**
 * A native call failed with an errno that no more precise exception describes. The message reads like
 * {@code mq_open("/jobs") failed: EMFILE (Too many open files)}.
 */
public class NativeException extends IpcException {
    private static final long serialVersionUID = 1L;
    private final String function;
    private final int errno;

    /**
     * Reports a failed native call.
     *
     * @param message the call, its arguments and the errno text
     * @param function the C function that failed
     * @param errno the errno value right after the call
     */
    public NativeException(String message, String function, int errno) {
        super(message);
        this.function = function;
        this.errno = errno;
    }

    /** The C function that failed, e.g. {@code mq_open}. */
    public String function() {
        return function;
    }

    /** The errno value right after the failed call. */
    public int errno() {
        return errno;
    }
}
