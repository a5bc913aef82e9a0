package org.ipc4j.socket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.LazyLog;
import org.ipc4j.api.internal.SendEnd;

/**
 * The sending end of a {@link StreamChannel}: frames a message (the 4-byte length of {@link Framing}, then
 * the payload) and writes it on the caller's thread when nothing is queued before it; whatever the kernel
 * does not take at once is queued, up to the buffer size, and written by the reactor.
 *
 * <p><b>All or nothing.</b> A send either commits its whole frame (written, or written in part with the rest
 * queued, which the reactor finishes) and returns true, or commits nothing: a send that waits for room has
 * not written a byte of its message, so when {@code close()}, an interrupt or its deadline ends the wait the
 * stream stays a sequence of whole frames and later messages are not corrupted. The only frame that can end
 * early is one still queued when the channel's close linger runs out; the socket closes after it, so the peer
 * sees "stream ended inside a frame" and nothing after it.
 */
final class FrameSender extends SendEnd {
    private static final LazyLog LOG = new LazyLog(StreamChannel.class);

    private final Connection connection;
    private final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>();
    private long outboundBytes;
    /**
     * Set when a send found the queue full; cleared only when the queue has drained to a quarter. Without
     * this hysteresis a sender that was just told "full" could find room a moment later because the peer's
     * reactor was still reading ahead, although nobody receives.
     */
    private boolean sendFull;
    private final ByteBuffer header = ByteBuffer.allocate(Framing.HEADER_BYTES);
    private final ByteBuffer[] gather = new ByteBuffer[2];
    private boolean outputShutdown;
    private volatile boolean closed;

    FrameSender(Connection connection) {
        this.connection = connection;
    }

    @Override
    protected boolean send(ByteBuffer message, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        Connection c = connection;
        c.lock.lock();
        try {
            while (true) {
                ensureCanSend();
                int length = message.remaining();
                if (outbound.isEmpty()) {
                    sendFull = false;
                    writeDirect(message, length);
                    return true;
                }
                if (!sendFull && outboundBytes + Framing.HEADER_BYTES + length <= c.bufferSize) {
                    ByteBuffer frame = ByteBuffer.allocate(Framing.HEADER_BYTES + length);
                    Framing.putHeader(frame, length);
                    frame.put(message).flip();
                    queue(frame);
                    return true;
                }
                sendFull = true;
                if (!mayWait || !Waits.await(c.roomToSend, deadline, c.name)) {
                    return false;
                }
            }
        } finally {
            c.lock.unlock();
        }
    }

    /**
     * Queues a ready-made frame without waiting, for a server's broadcast. Returns false if the queue is over
     * its size (the caller decides what to do with a slow consumer); throws nothing.
     */
    boolean offerFrame(ByteBuffer frame) {
        Connection c = connection;
        c.lock.lock();
        try {
            if (closed || c.writeFailure != null || outputShutdown || c.socketClosed) {
                return false;
            }
            if (!outbound.isEmpty() && (sendFull || outboundBytes + frame.remaining() > c.bufferSize)) {
                sendFull = true;
                return false;
            }
            if (outbound.isEmpty()) {
                try {
                    c.socket.write(frame);
                } catch (IOException e) {
                    writeFailed(e);
                    return false;
                }
                if (!frame.hasRemaining()) {
                    return true;
                }
            }
            queue(frame);
            return true;
        } finally {
            c.lock.unlock();
        }
    }

    /** Writes header and message in one gathering write; what the kernel does not take is queued. Holds the lock. */
    private void writeDirect(ByteBuffer message, int length) throws IpcException {
        header.clear();
        Framing.putHeader(header, length);
        header.flip();
        gather[0] = header;
        gather[1] = message;
        try {
            while (header.hasRemaining() || message.hasRemaining()) {
                if (connection.socket.write(gather) == 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw writeFailed(e);
        } finally {
            gather[1] = null;
        }
        if (header.hasRemaining() || message.hasRemaining()) {
            ByteBuffer rest = ByteBuffer.allocate(header.remaining() + message.remaining());
            rest.put(header).put(message).flip();
            queue(rest);
        }
    }

    private void queue(ByteBuffer frame) {
        boolean wasEmpty = outbound.isEmpty();
        outbound.add(frame);
        outboundBytes += frame.remaining();
        if (wasEmpty) {
            connection.interest(SelectionKey.OP_WRITE);
        }
    }

    /** Records a failed write as the peer's loss (once) and drops the queue. Holds the lock. */
    private IpcException writeFailed(IOException e) {
        Connection c = connection;
        if (e instanceof ClosedChannelException && closed) {
            return closedException();
        }
        if (c.writeFailure == null) {
            String why = e.getMessage() != null ? e.getMessage()
                    : c.socketClosed ? "the connection was closed" : e.getClass().getSimpleName();
            c.writeFailure = new PeerGoneException(c.name + ": the peer is gone (" + why + ")", e);
            outbound.clear();
            outboundBytes = 0;
            c.roomToSend.signalAll();
        }
        return new PeerGoneException(c.writeFailure.getMessage(), e);
    }

    private void ensureCanSend() throws IpcException {
        Connection c = connection;
        if (closed) {
            throw closedException();
        }
        if (c.writeFailure != null) {
            throw new PeerGoneException(c.writeFailure.getMessage(), c.writeFailure.getCause());
        }
        if (outputShutdown) {
            throw new EndpointClosedException(c.name + " (output shut down)");
        }
        if (c.readFailure != null && c.socketClosed) {
            throw new PeerGoneException(c.name + ": the connection was closed: " + c.readFailure.getMessage());
        }
    }

    /** The reactor writes queued frames while the socket takes them. */
    void flush(SelectionKey key) {
        Connection c = connection;
        boolean closeNow = false;
        c.lock.lock();
        try {
            while (!outbound.isEmpty()) {
                ByteBuffer head = outbound.peek();
                int n = c.socket.write(head);
                outboundBytes -= n;
                if (head.hasRemaining()) {
                    break;
                }
                outbound.poll();
            }
            if (sendFull && outboundBytes <= c.bufferSize / 4) {
                sendFull = false;
            }
            if (outbound.isEmpty()) {
                key.interestOpsAnd(~SelectionKey.OP_WRITE);
                if (outputShutdown) {
                    shutdownSocketOutput();
                }
                closeNow = closed;
            }
            c.roomToSend.signalAll();
        } catch (IOException e) {
            writeFailed(e);
            closeNow = closed;
            try {
                key.interestOpsAnd(~SelectionKey.OP_WRITE);
            } catch (RuntimeException ignored) {
                // key cancelled concurrently
            }
        } finally {
            c.lock.unlock();
        }
        if (closeNow) {
            c.closeSocket();
        }
    }

    /** Half-close: the end of the stream follows the queued frames. Idempotent. */
    void shutdownOutput() throws EndpointClosedException {
        Connection c = connection;
        c.lock.lock();
        try {
            if (closed) {
                throw closedException();
            }
            if (outputShutdown) {
                return;
            }
            outputShutdown = true;
            if (outbound.isEmpty()) {
                shutdownSocketOutput();
            }
        } finally {
            c.lock.unlock();
        }
    }

    private void shutdownSocketOutput() {
        try {
            connection.socket.shutdownOutput();
        } catch (IOException e) {
            LOG.get().debug("{}: shutdownOutput failed: {}", connection.name, e.toString());
        }
    }

    /** Whether frames wait to be written. Holds the lock. */
    boolean hasQueuedOutput() {
        return !outbound.isEmpty();
    }

    /** Bytes waiting to be written. Holds the lock. */
    long queuedBytes() {
        return outboundBytes;
    }

    @Override
    public int maxMessageSize() {
        return connection.maxMessageSize;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /** Wakes waiting senders with {@link EndpointClosedException}; queued frames are still written (the linger). */
    @Override
    public void close() {
        closed = true; // volatile, and read under the lock by a waiter before it waits: it cannot miss the signal
        connection.signalAll(connection.roomToSend);
    }

    @Override
    protected String describe() {
        return connection.name;
    }
}
