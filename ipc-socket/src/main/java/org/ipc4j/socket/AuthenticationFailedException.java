package org.ipc4j.socket;

import org.ipc4j.api.PermissionDeniedException;

/**
 * The authkey handshake with a peer failed: the peer does not know the key (its digest was wrong, or it
 * rejected ours), it did not speak the handshake (garbage, an oversized or malformed handshake frame, no
 * challenge), or it did not finish within the handshake timeout. No message was exchanged with that peer and
 * its connection is closed. See {@link StreamChannel.Opener#authkey(byte[])} and docs/sockets.md, "Talking to
 * Python's multiprocessing".
 */
public class AuthenticationFailedException extends PermissionDeniedException {
    private static final long serialVersionUID = 1L;

    /**
     * An authentication failure.
     *
     * @param message what failed and with which peer; it never contains the key
     */
    public AuthenticationFailedException(String message) {
        super(message);
    }
}
