package org.ipc4j.api.internal;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import org.ipc4j.api.Channel;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.Receiver;
import org.ipc4j.api.Sender;

/**
 * A duplex {@link Channel} made of two one-way ends, a {@link Sender} towards the peer and a
 * {@link Receiver} from it: every form delegates to the end it belongs to, so the rules of
 * {@link SendEnd} and {@link ReceiveEnd} hold for channels too. {@link #close()} calls {@link #closing()},
 * closes the sending end, then the receiving end, then calls {@link #closeResources()} once; it is idempotent and wakes threads
 * blocked on either end (the ends' own close does that). Internal to ipc4j; not a public API.
 *
 * @param <S> the sending end's type
 * @param <R> the receiving end's type
 */
public abstract class DuplexChannel<S extends Sender, R extends Receiver> implements Channel {
    /** The end towards the peer. */
    protected final S out;
    /** The end from the peer. */
    protected final R in;
    private final int maxMessageSize;
    private volatile boolean closed;

    /** A channel over {@code out} and {@code in}, which it owns from now on. */
    protected DuplexChannel(S out, R in) {
        this.out = Objects.requireNonNull(out, "out");
        this.in = Objects.requireNonNull(in, "in");
        this.maxMessageSize = Math.min(out.maxMessageSize(), in.maxMessageSize());
    }

    @Override
    public final void send(ByteBuffer message) throws IpcException, InterruptedIOException {
        out.send(message);
    }

    @Override
    public final boolean send(ByteBuffer message, Duration timeout) throws IpcException, InterruptedIOException {
        return out.send(message, timeout);
    }

    @Override
    public final boolean trySend(ByteBuffer message) throws IpcException {
        return out.trySend(message);
    }

    @Override
    public final int receive(ByteBuffer destination) throws IpcException, InterruptedIOException {
        return in.receive(destination);
    }

    @Override
    public final int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException {
        return in.receive(destination, timeout);
    }

    @Override
    public final int tryReceive(ByteBuffer destination) throws IpcException {
        return in.tryReceive(destination);
    }

    /** Receives the next message into an array of exactly its size. See {@link Receiver#receive()}. */
    @Override
    public final byte[] receive() throws IpcException, InterruptedIOException {
        return in.receive();
    }

    /** Receives the next message into an array of exactly its size, or {@code null} on timeout. */
    @Override
    public final byte[] receive(Duration timeout) throws IpcException, InterruptedIOException {
        return in.receive(timeout);
    }

    /** The smaller of the two ends' maxima: what can travel both ways. */
    @Override
    public int maxMessageSize() {
        return maxMessageSize;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public final void close() throws IpcException {
        if (closed) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        IpcException failure = null;
        try {
            closing();
        } catch (IpcException e) {
            failure = e;
        }
        // the sending end first: a sender blocked now must learn of this close, not of what closing the
        // receiving end does to the peer (a child that reads nothing more may die of SIGPIPE at once)
        for (AutoCloseable end : new AutoCloseable[] {out, in}) {
            try {
                end.close();
            } catch (IpcException e) {
                failure = first(failure, e);
            } catch (Exception e) {
                failure = first(failure, new IpcException("closing " + this + " failed: " + e, e));
            }
        }
        try {
            closeResources();
        } catch (IpcException e) {
            failure = first(failure, e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static IpcException first(IpcException first, IpcException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /**
     * Runs once before the ends close: where a transport announces a clean close to its peer (a mark in a
     * lease file), so that the peer, seeing the ends go, can tell it from a death. Nothing by default.
     */
    protected void closing() throws IpcException {
    }

    /** Releases what the channel holds beyond its two ends (a region, a socket, a lease). Called once. */
    protected void closeResources() throws IpcException {
    }
}
