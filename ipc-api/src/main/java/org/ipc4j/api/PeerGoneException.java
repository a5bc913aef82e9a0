package org.ipc4j.api;

/**
 * The other side went away: it closed its end, exited, or was killed. Messages that were fully
 * delivered before that are still received; this is reported once nothing more can arrive.
 */
public class PeerGoneException extends IpcException {
    private static final long serialVersionUID = 1L;

    public PeerGoneException(String message) {
        super(message);
    }

    public PeerGoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
