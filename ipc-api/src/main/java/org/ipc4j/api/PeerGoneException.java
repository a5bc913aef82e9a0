package org.ipc4j.api;

/**
 * The other side went away: it closed its end, exited, or was killed. Messages that were fully
 * delivered before that are still received; this is reported once nothing more can arrive.
 */
public class PeerGoneException extends IpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Reports a peer that went away.
     *
     * @param message who went and how (closed, exited with a code, killed)
     */
    public PeerGoneException(String message) {
        super(message);
    }

    /**
     * Reports a peer that went away, as seen through {@code cause} (e.g. a connection reset).
     *
     * @param message who went and how
     * @param cause the failure that showed it
     */
    public PeerGoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
