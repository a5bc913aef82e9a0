package org.ipc4j.api.internal;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.api.Sender;

/**
 * The one implementation of {@link Sender}'s forms, over one hook per transport. The public forms check
 * what every transport checks the same way, then call {@link #send(ByteBuffer, Deadline, boolean)}:
 * <ul>
 *   <li>a {@code null} message or timeout: {@link NullPointerException} before anything else;</li>
 *   <li>a closed end: {@link EndpointClosedException} from {@link #closedException()};</li>
 *   <li>a message above {@link #maxMessageSize()}: {@link MessageTooLargeException}, nothing sent;</li>
 *   <li>{@link #send(ByteBuffer)} waits with {@link Deadline#forever()}, the timed form with
 *       {@link Deadline#after(Duration)}, {@link #trySend(ByteBuffer)} with a passed deadline and
 *       {@code mayWait == false};</li>
 *   <li>the position rule: on success the source's position is its limit, on {@code false} or an exception
 *       it is where it was, whatever the hook did with it.</li>
 * </ul>
 * The hook waits (and only it), returns {@code false} once the deadline has passed, never waits when
 * {@code mayWait} is false, notices {@link #close()} and interrupts while it waits and throws
 * {@link InterruptedIOException} with the interrupt status kept. Internal to ipc4j; not a public API.
 */
public abstract class SendEnd implements Sender {

    /** For subclasses. */
    protected SendEnd() {
    }

    @Override
    public final void send(ByteBuffer message) throws IpcException, InterruptedIOException {
        sendUntil(message, Deadline.forever(), true);
    }

    @Override
    public final boolean send(ByteBuffer message, Duration timeout) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(timeout, "timeout");
        return sendUntil(message, Deadline.after(timeout), true);
    }

    @Override
    public final boolean trySend(ByteBuffer message) throws IpcException {
        try {
            return sendUntil(message, Deadline.passed(), false);
        } catch (InterruptedIOException e) {
            throw new IllegalStateException("trySend never waits", e);
        }
    }

    /**
     * The checks and the position rule around the hook, for subclasses whose own public methods (a send
     * with a priority, say) take the same path.
     */
    protected final boolean sendUntil(ByteBuffer message, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        Objects.requireNonNull(message, "message");
        if (!isOpen()) {
            throw closedException();
        }
        int length = message.remaining();
        int max = maxMessageSize();
        if (length > max) {
            throw new MessageTooLargeException(describe(), length, max);
        }
        int position = message.position();
        boolean sent = false;
        try {
            sent = send(message, deadline, mayWait);
            return sent;
        } finally {
            message.position(sent ? message.limit() : position);
        }
    }

    /**
     * Sends {@code message} (its remaining bytes, at least 0 and at most {@link #maxMessageSize()}),
     * waiting for room until {@code deadline} if {@code mayWait}.
     *
     * @return true if the whole message was sent, false if there was no room before the deadline (then
     *     nothing of it was sent)
     */
    protected abstract boolean send(ByteBuffer message, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException;

    /** What this end is, for messages: {@code "shm channel orders (side A)"}. */
    protected abstract String describe();

    /** The exception for an operation on a closed end. */
    protected EndpointClosedException closedException() {
        return new EndpointClosedException(describe());
    }
}
