package org.ipc4j.api;

/**
 * A message is larger than the endpoint can carry. Thrown by a send before anything is written, and by
 * a receive that reads a length field above the limit (a malformed or hostile frame).
 */
public class MessageTooLargeException extends IpcException {
    private static final long serialVersionUID = 1L;
    private final long size;
    private final long maximum;

    /**
     * Reports a message over the endpoint's maximum.
     *
     * @param where the endpoint, as its users know it
     * @param size the size of the rejected message in bytes
     * @param maximum the largest message the endpoint accepts, in bytes
     */
    public MessageTooLargeException(String where, long size, long maximum) {
        super(where + ": message of " + size + " bytes exceeds the maximum of " + maximum + " bytes");
        this.size = size;
        this.maximum = maximum;
    }

    /** The size of the rejected message in bytes. */
    public long size() {
        return size;
    }

    /** The largest message the endpoint accepts, in bytes. */
    public long maximum() {
        return maximum;
    }
}
