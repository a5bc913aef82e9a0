package org.ipc4j.pipe.internal;

import org.ipc4j.api.IpcException;
import org.ipc4j.api.MalformedFrameException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.framing.Framing;

/** The exceptions a framed receiving end reports once its stream has ended, the same for every engine. */
final class EndOfStream {
    private EndOfStream() {
    }

    /**
     * The stream ended inside a frame.
     *
     * @param inPrefix whether it ended inside the length prefix ({@code got} of its 4 bytes) or inside the
     *     payload ({@code got} of {@code wanted} bytes)
     */
    static PeerGoneException truncated(String reason, boolean inPrefix, long got, long wanted) {
        String where = inPrefix ? got + " of the " + Framing.HEADER_BYTES + " length-prefix bytes arrived"
                : got + " of " + wanted + " payload bytes arrived";
        return new PeerGoneException(reason + " in the middle of a frame (" + where + "); the partial frame is discarded");
    }

    /** A fresh copy of a recorded end for each caller, so that each gets its own stack trace; the first is the cause. */
    static IpcException copy(IpcException end) {
        if (end instanceof MalformedFrameException) {
            MalformedFrameException m = new MalformedFrameException(end.getMessage());
            m.initCause(end);
            return m;
        }
        return new PeerGoneException(end.getMessage(), end);
    }
}
