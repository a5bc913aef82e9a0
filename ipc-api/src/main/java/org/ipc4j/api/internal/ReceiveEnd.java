package org.ipc4j.api.internal;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.Receiver;

/**
 * The one implementation of {@link Receiver}'s forms, the {@code byte[]} ones included, over one hook per
 * transport: {@link #receive(ByteBuffer, Deadline, boolean)}. The public forms check a {@code null}
 * destination or timeout ({@link NullPointerException}) and a closed end ({@link EndpointClosedException}),
 * then call the hook with the caller's buffer, or with {@code null} for the {@code byte[]} forms: the hook
 * then gets a buffer of exactly the message's size from {@link Receiving#into(ByteBuffer, int)}, so a
 * {@code byte[]} receive allocates what the message costs and copies it once.
 *
 * <p>Position rule: on success the destination's position has advanced by the message length; on
 * {@link #NO_MESSAGE} or an exception it is where it was. Deadline rules as in {@link SendEnd}. Internal
 * to ipc4j; not a public API.
 */
public abstract class ReceiveEnd implements Receiver {
    private static final byte[] EMPTY = new byte[0];

    /** For subclasses. */
    protected ReceiveEnd() {
    }

    @Override
    public final int receive(ByteBuffer destination) throws IpcException, InterruptedIOException {
        return receiveInto(destination, Deadline.forever(), true);
    }

    @Override
    public final int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(timeout, "timeout");
        return receiveInto(destination, Deadline.after(timeout), true);
    }

    @Override
    public final int tryReceive(ByteBuffer destination) throws IpcException {
        try {
            return receiveInto(destination, Deadline.passed(), false);
        } catch (InterruptedIOException e) {
            throw new IllegalStateException("tryReceive never waits", e);
        }
    }

    /** Receives the next message into an array of exactly its size, waiting as long as there is none. */
    @Override
    public final byte[] receive() throws IpcException, InterruptedIOException {
        return receiveArray(Deadline.forever(), true);
    }

    /**
     * Receives the next message into an array of exactly its size, waiting at most {@code timeout}.
     *
     * @return the message, or {@code null} if the timeout elapsed first
     */
    @Override
    public final byte[] receive(Duration timeout) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(timeout, "timeout");
        return receiveArray(Deadline.after(timeout), true);
    }

    /** The checks and the position rule around the hook, for subclasses' own receive forms. */
    protected final int receiveInto(ByteBuffer destination, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        Objects.requireNonNull(destination, "destination");
        if (!isOpen()) {
            throw closedException();
        }
        int position = destination.position();
        ByteBuffer filled = null;
        try {
            filled = receive(destination, deadline, mayWait);
            return filled == null ? NO_MESSAGE : destination.position() - position;
        } finally {
            if (filled == null) {
                destination.position(position);
            }
        }
    }

    /** A receive into a new array of the message's size; {@code null} if none came before the deadline. */
    protected final byte[] receiveArray(Deadline deadline, boolean mayWait) throws IpcException, InterruptedIOException {
        if (!isOpen()) {
            throw closedException();
        }
        ByteBuffer filled = receive(null, deadline, mayWait);
        if (filled == null) {
            return null;
        }
        byte[] array = filled.array();
        return array.length == 0 ? EMPTY : array;
    }

    /**
     * Receives one message, waiting for one until {@code deadline} if {@code mayWait}. Once the length is
     * known (and checked against the maximum), the hook calls {@link Receiving#into(ByteBuffer, int)
     * Receiving.into(destination, length)} before consuming anything, copies the message into the buffer it
     * returns at that buffer's position, and advances the position by the length.
     *
     * @param destination the caller's buffer, or {@code null} for a new buffer of the message's exact size
     * @return the buffer written ({@code destination}, or the new one filled to its capacity), or
     *     {@code null} if no message came before the deadline
     */
    protected abstract ByteBuffer receive(ByteBuffer destination, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException;

    /** What this end is, for messages. */
    protected abstract String describe();

    /** The exception for an operation on a closed end. */
    protected EndpointClosedException closedException() {
        return new EndpointClosedException(describe());
    }
}
