package org.ipc4j.socket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MalformedFrameException;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.Receiving;

/**
 * The receiving end of a point-to-point {@link StreamChannel}: the receiving thread reads the socket itself
 * (non-blocking) and takes the frame it returns, so a message costs no hand-off between threads. While nothing
 * has arrived it waits in a selector of its own, never in a blocking read: an interrupt would close a
 * blocking JDK channel, while a selector returns and leaves the socket open, and {@code close()} wakes it.
 *
 * <p>Nothing is read ahead beyond one read buffer, so the kernel's socket buffers are the channel's capacity.
 * Once a frame's length has been read and checked against the maximum, its payload goes to the caller's buffer
 * (whose room is checked before anything of the payload is consumed) or, for a {@code byte[]} receive, to a
 * buffer of exactly the message's size. A frame that arrives in pieces is gathered in a private buffer of its
 * size, so that a receive that times out in the middle leaves the caller's buffer as it was and loses nothing.
 * Receivers take turns ({@link #receiveLock}); the frame state belongs to the holder.
 */
final class DirectReceiver extends StreamReceiver {
    /**
     * How long a receive polls the socket with non-blocking reads before it sleeps in its selector (system
     * property {@code org.ipc4j.socket.spinMicros}, default 0). A poll saves the wake-up when the reply comes
     * within it and a core is free; on a machine with more runnable threads than cores the polling thread takes
     * the CPU its peer needs to answer, and measured round trips got slower with every microsecond of polling,
     * so it is off unless asked for.
     */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(
            Math.max(0, Integer.getInteger("org.ipc4j.socket.spinMicros", 0)));
    /** Bytes read from the socket at a time. */
    private static final int READ_BUFFER = 64 * 1024;

    private final ReentrantLock receiveLock = new ReentrantLock();
    private volatile Selector readSelector;
    private ByteBuffer readBuffer;
    private final ByteBuffer header = ByteBuffer.allocate(Framing.HEADER_BYTES);
    /** The length of the frame being received once its header is complete, else -1. */
    private int expected = -1;
    /** The payload of a frame that did not arrive in one read, gathered so far; exactly {@link #expected} bytes. */
    private ByteBuffer assembly;

    DirectReceiver(Connection connection) {
        super(connection);
    }

    @Override
    void start() throws IOException {
        readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
        readBuffer.flip();
        readSelector = Waits.selectorFor(connection.socket, SelectionKey.OP_READ);
    }

    @Override
    protected ByteBuffer receive(ByteBuffer destination, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        String name = connection.name;
        if (!Waits.lock(receiveLock, deadline, mayWait, name)) {
            return null;
        }
        try {
            long spinUntil = 0;
            boolean spun = false;
            while (true) {
                if (closed) {
                    throw closedException();
                }
                ByteBuffer frame = takeFrame(destination);
                if (frame != null) {
                    return frame;
                }
                IpcException failure = failure();
                if (failure != null) {
                    throw failure;
                }
                if (readSocket()) {
                    continue;
                }
                if (SPIN_NANOS > 0 && deadline.remainingNanos() > 0) {
                    long now = System.nanoTime();
                    if (!spun) {
                        spun = true;
                        spinUntil = now + SPIN_NANOS;
                    }
                    if (now - spinUntil < 0) {
                        Thread.onSpinWait();
                        continue;
                    }
                }
                if (!Waits.select(readSelector, deadline, name)) {
                    return null;
                }
            }
        } finally {
            receiveLock.unlock();
        }
    }

    /**
     * Takes the next whole frame from what was read, into {@code destination} or a new buffer of its size;
     * null if more bytes are needed (they are kept here, never in the caller's buffer).
     */
    private ByteBuffer takeFrame(ByteBuffer destination) throws IpcException {
        if (expected < 0) {
            while (header.hasRemaining() && readBuffer.hasRemaining()) {
                header.put(readBuffer.get());
            }
            if (header.hasRemaining()) {
                return null;
            }
            try {
                expected = Framing.checkLength(header.getInt(0), connection.maxMessageSize, connection.name);
            } catch (MalformedFrameException e) {
                header.clear();
                readBuffer.position(readBuffer.limit());
                connection.fail(e, true);
                throw new MalformedFrameException(e.getMessage());
            }
        }
        if (destination != null) {
            Receiving.into(destination, expected); // a destination too small throws before anything is consumed
        }
        if (assembly == null) {
            if (readBuffer.remaining() >= expected) {
                ByteBuffer target = Receiving.into(destination, expected);
                copy(readBuffer, target, expected);
                frameTaken();
                return target;
            }
            assembly = Receiving.into(null, expected);
        }
        copy(readBuffer, assembly, Math.min(readBuffer.remaining(), assembly.remaining()));
        if (assembly.hasRemaining()) {
            return null;
        }
        ByteBuffer whole = assembly;
        frameTaken();
        if (destination == null) {
            return whole; // exactly the message's size, filled
        }
        return destination.put(whole.flip());
    }

    private void frameTaken() {
        expected = -1;
        header.clear();
        assembly = null;
    }

    private static void copy(ByteBuffer from, ByteBuffer to, int length) {
        int limit = from.limit();
        from.limit(from.position() + length);
        to.put(from);
        from.limit(limit);
    }

    private IpcException failure() {
        connection.lock.lock();
        try {
            return connection.receiveFailure();
        } finally {
            connection.lock.unlock();
        }
    }

    /**
     * One non-blocking read: into the rest of a large frame's buffer directly, else into the (consumed) read
     * buffer. Returns whether bytes arrived; the end of the stream or a failed read is recorded in the
     * connection, which the caller asks next.
     */
    private boolean readSocket() throws IpcException {
        boolean intoFrame = assembly != null && assembly.remaining() >= READ_BUFFER;
        ByteBuffer into = intoFrame ? assembly : readBuffer.clear();
        int n;
        try {
            n = connection.socket.read(into);
        } catch (IOException e) {
            if (!intoFrame) {
                readBuffer.limit(0);
            }
            if (closed) {
                throw closedException();
            }
            connection.readFailed(e);
            return false;
        }
        if (!intoFrame) {
            readBuffer.flip();
        }
        if (n > 0) {
            return true;
        }
        if (n < 0) {
            if (expected >= 0 || header.position() > 0) {
                connection.endedInsideFrame(header.position() + (assembly == null ? 0 : assembly.position()));
            } else {
                connection.peerEnded();
            }
        }
        return false;
    }

    /** Whole frames read from the socket and not yet taken (0 while a receive holds them). */
    @Override
    int queuedMessages() {
        if (!receiveLock.tryLock()) {
            return 0;
        }
        try {
            if (readBuffer == null || expected >= 0 || header.position() > 0) {
                return 0;
            }
            int count = 0;
            int at = readBuffer.position();
            while (readBuffer.limit() - at >= Framing.HEADER_BYTES) {
                int length = readBuffer.getInt(at);
                if (length < 0 || readBuffer.limit() - at - Framing.HEADER_BYTES < length) {
                    break;
                }
                count++;
                at += Framing.HEADER_BYTES + length;
            }
            return count;
        } finally {
            receiveLock.unlock();
        }
    }

    /** Wakes a receiver waiting in the selector, which then reports {@link org.ipc4j.api.EndpointClosedException}. */
    @Override
    public void close() {
        closed = true;
        closeSelector();
    }

    @Override
    void socketClosed() {
        closeSelector();
    }

    /** Closing a selector wakes a thread selecting on it and waits until it has returned: immediate. */
    private void closeSelector() {
        Selector selector = readSelector;
        if (selector != null) {
            Waits.closeQuietly(selector);
        }
    }
}
