package org.ipc4j.api;

/**
 * A byte stream did not follow the frame format: a negative or oversized length prefix, or a stream
 * that ended inside a frame. The stream cannot be resynchronised, so the endpoint that reports this
 * should be closed.
 */
public class MalformedFrameException extends IpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Reports a stream that broke the frame format.
     *
     * @param message what was wrong, naming the stream and the bad length
     */
    public MalformedFrameException(String message) {
        super(message);
    }
}
