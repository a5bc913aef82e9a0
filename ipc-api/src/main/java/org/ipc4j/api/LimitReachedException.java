package org.ipc4j.api;

/**
 * An operating-system or configured limit stopped the operation: too many queues, a per-user byte
 * budget, a maximum size. The message names the limit, its current value and how to raise it.
 */
public class LimitReachedException extends IpcException {
    private static final long serialVersionUID = 1L;
    private final String limit;
    private final long value;

    /**
     * Reports a limit that stopped the operation.
     *
     * @param message what was refused, naming the limit, its value and how to raise it
     * @param limit the name of the limit (a sysctl file, an rlimit, an option)
     * @param value the limit in force, or -1 when it could not be read
     */
    public LimitReachedException(String message, String limit, long value) {
        super(message);
        this.limit = limit;
        this.value = value;
    }

    /** The name of the limit, e.g. {@code /proc/sys/fs/mqueue/msg_max} or {@code RLIMIT_MSGQUEUE}. */
    public String limit() {
        return limit;
    }

    /** The value of the limit in force when the operation failed, or -1 when it could not be read. */
    public long value() {
        return value;
    }
}
