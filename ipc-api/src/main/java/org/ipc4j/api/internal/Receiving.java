package org.ipc4j.api.internal;

import java.nio.ByteBuffer;
import org.ipc4j.api.BufferTooSmallException;

/**
 * Where a receive hook writes a message whose length it has just learnt. {@link ReceiveEnd}'s hooks get a
 * destination that is either the caller's buffer or {@code null}; {@code null} means "a new buffer of
 * exactly the message's size" (the {@code byte[]} forms). A transport calls {@link #into} once it knows
 * the length and before it consumes anything, so that a too-small destination loses nothing.
 */
public final class Receiving {
    private Receiving() {
    }

    /**
     * The buffer to copy a message of {@code length} bytes into: {@code destination} itself if it has room,
     * a new heap buffer of exactly {@code length} bytes if {@code destination} is {@code null}. The caller
     * must have checked {@code length} against its maximum message size before (a length read off the
     * wire or out of shared memory is never trusted for an allocation).
     *
     * @throws BufferTooSmallException if {@code destination} has fewer than {@code length} bytes remaining
     */
    public static ByteBuffer into(ByteBuffer destination, int length) throws BufferTooSmallException {
        if (destination == null) {
            return ByteBuffer.allocate(length);
        }
        int remaining = destination.remaining();
        if (remaining < length) {
            throw new BufferTooSmallException(length, remaining);
        }
        return destination;
    }
}
