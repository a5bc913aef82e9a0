package org.ipc4j.shm;

/**
 * What a ring end's waits ask about the other end: each answer is why the peer is gone, for the
 * {@link org.ipc4j.api.PeerGoneException}, or {@code null} while it is not. A ring and a channel judge the
 * same slots differently (a ring's consumer may restart at any time; a channel has a session).
 */
interface PeerWatch {
    /** Cheap, asked per send: why the receiving end is known to have left cleanly, or {@code null}. */
    String receiverClosed();

    /** Asks the kernel about lock bytes (a system call each), asked every few milliseconds while a send waits: why the receiver is gone. */
    String receiverGone();

    /** Asks the kernel about lock bytes (a system call each), asked every few milliseconds while a receive waits: why no sender is left. */
    String sendersGone();
}
