package org.ipc4j.api.internal;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.ipc4j.api.Channel;
import org.ipc4j.api.IpcException;

/**
 * A {@link Channel} whose six send and receive forms all come down to one deadline-based send and one
 * deadline-based receive. The public forms only translate:
 * <ul>
 *   <li>{@link #send(ByteBuffer)} / {@link #receive(ByteBuffer)} block with {@link Deadline#forever()};</li>
 *   <li>the timed forms block until {@link Deadline#after(Duration) Deadline.after(timeout)} (a null timeout
 *       throws {@link NullPointerException} there, before the hook is called);</li>
 *   <li>{@link #trySend(ByteBuffer)} / {@link #tryReceive(ByteBuffer)} pass an already passed deadline and
 *       {@code mayWait == false}. They never throw {@link InterruptedIOException}: should the hook throw one
 *       anyway, it is wrapped in an {@link IllegalStateException}.</li>
 * </ul>
 * Only the hooks wait. They must return {@code false} / {@link #NO_MESSAGE} once the deadline has passed,
 * must not wait at all when {@code mayWait} is false (implementations may rely on the passed deadline alone
 * and ignore the flag), and throw {@link InterruptedIOException} (interrupt status kept) when interrupted
 * while waiting. Internal to ipc4j's transports; not a public API.
 */
public abstract class DeadlineChannel implements Channel {

    /** For subclasses. */
    protected DeadlineChannel() {
    }

    @Override
    public final void send(ByteBuffer message) throws IpcException, InterruptedIOException {
        send(message, Deadline.forever(), true);
    }

    @Override
    public final boolean send(ByteBuffer message, Duration timeout) throws IpcException, InterruptedIOException {
        return send(message, Deadline.after(timeout), true);
    }

    @Override
    public final boolean trySend(ByteBuffer message) throws IpcException {
        try {
            return send(message, Deadline.after(Duration.ZERO), false);
        } catch (InterruptedIOException e) {
            throw new IllegalStateException("trySend never waits", e);
        }
    }

    @Override
    public final int receive(ByteBuffer destination) throws IpcException, InterruptedIOException {
        return receive(destination, Deadline.forever(), true);
    }

    @Override
    public final int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException {
        return receive(destination, Deadline.after(timeout), true);
    }

    @Override
    public final int tryReceive(ByteBuffer destination) throws IpcException {
        try {
            return receive(destination, Deadline.after(Duration.ZERO), false);
        } catch (InterruptedIOException e) {
            throw new IllegalStateException("tryReceive never waits", e);
        }
    }

    /**
     * Sends {@code message}, waiting for room until {@code deadline} if {@code mayWait}.
     *
     * @param mayWait false for {@link #trySend(ByteBuffer)}: do not wait at all
     * @return true if sent, false if there was no room before the deadline
     */
    protected abstract boolean send(ByteBuffer message, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException;

    /**
     * Receives one message into {@code destination}, waiting for one until {@code deadline} if {@code mayWait}.
     *
     * @param mayWait false for {@link #tryReceive(ByteBuffer)}: do not wait at all
     * @return the message's length, or {@link #NO_MESSAGE} if none came before the deadline
     */
    protected abstract int receive(ByteBuffer destination, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException;
}
