package org.ipc4j.api;

/**
 * The destination buffer given to a receive has fewer bytes remaining than the next message needs.
 * Nothing was consumed: the message is still the next one to receive, so the caller can retry with a
 * buffer of at least {@link #required()} bytes remaining.
 */
public class BufferTooSmallException extends IpcException {
    private static final long serialVersionUID = 1L;
    private final int required;
    private final int available;

    /**
     * Reports a destination too small for the next message.
     *
     * @param required the length of the message waiting, in bytes
     * @param available the bytes remaining in the caller's destination
     */
    public BufferTooSmallException(int required, int available) {
        super("destination has " + available + " bytes remaining but the next message needs " + required
                + "; nothing was consumed");
        this.required = required;
        this.available = available;
    }

    /** Bytes the next message needs. */
    public int required() {
        return required;
    }

    /** Bytes that were remaining in the destination. */
    public int available() {
        return available;
    }
}
