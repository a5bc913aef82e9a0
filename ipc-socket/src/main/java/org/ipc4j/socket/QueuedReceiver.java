package org.ipc4j.socket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MalformedFrameException;
import org.ipc4j.api.framing.FrameDecoder;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.LazyLog;
import org.ipc4j.api.internal.Receiving;

/**
 * The receiving end of a server's client: the server's reactor reads the socket and decodes frames (with
 * {@link FrameDecoder}, whose memory grows with the bytes that arrive) into a queue, or hands them to the
 * server's handler; a receive takes the next one. The queue holds at most {@code min(buffer, 64 KiB)} bytes
 * plus one message: then the reactor stops reading, and the sender meets backpressure through the kernel's
 * buffers. This costs a hand-off between threads per message but no thread per client.
 */
final class QueuedReceiver extends StreamReceiver {
    private static final LazyLog LOG = new LazyLog(StreamChannel.class);
    private static final int MAX_READ_AHEAD = 64 * 1024;

    private final FrameDecoder decoder;
    /** Bytes of decoded messages the reactor reads ahead of the receiver before it stops reading. */
    private final int readAhead;
    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private long inboundBytes;
    private boolean readPaused;

    QueuedReceiver(Connection connection) {
        super(connection);
        this.decoder = new FrameDecoder(connection.maxMessageSize, connection.name);
        this.readAhead = Math.min(connection.bufferSize, MAX_READ_AHEAD);
    }

    @Override
    protected ByteBuffer receive(ByteBuffer destination, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        Connection c = connection;
        if (c.handler != null) {
            throw new IllegalStateException(c.name + ": messages of this connection go to its server's handler");
        }
        c.lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw closedException();
                }
                byte[] head = inbound.peek();
                if (head != null) {
                    // the reactor's copy is already the message's own array: a byte[] receive takes it as it is
                    ByteBuffer target = destination == null ? ByteBuffer.wrap(head).position(head.length)
                            : Receiving.into(destination, head.length).put(head);
                    inbound.poll();
                    inboundBytes -= head.length;
                    if (readPaused && inboundBytes <= readAhead / 2) {
                        readPaused = false;
                        c.interest(SelectionKey.OP_READ);
                    }
                    return target;
                }
                IpcException failure = c.receiveFailure();
                if (failure != null) {
                    throw failure;
                }
                if (!mayWait || !Waits.await(c.messageQueued, deadline, c.name)) {
                    return null;
                }
            }
        } finally {
            c.lock.unlock();
        }
    }

    /** On the reactor thread: reads what arrived and decodes whole frames. */
    @Override
    void readReady(SelectionKey key) {
        Connection c = connection;
        ByteBuffer buffer = c.reactor.readBuffer();
        buffer.clear();
        int n;
        try {
            n = c.socket.read(buffer);
        } catch (IOException e) {
            c.readFailed(e);
            return;
        }
        if (n < 0) {
            endOfStream(key);
            return;
        }
        buffer.flip();
        List<byte[]> frames = c.handler == null ? new ArrayList<>() : null;
        MalformedFrameException malformed = null;
        try {
            ByteBuffer frame;
            while ((frame = decoder.next(buffer)) != null) {
                if (frames == null) {
                    deliver(frame);
                } else {
                    byte[] copy = new byte[frame.remaining()];
                    frame.get(copy);
                    frames.add(copy);
                }
            }
        } catch (MalformedFrameException e) {
            malformed = e;
        }
        if (frames != null && !frames.isEmpty()) {
            c.lock.lock();
            try {
                for (byte[] f : frames) {
                    inbound.add(f);
                    inboundBytes += f.length;
                }
                if (inboundBytes >= readAhead && malformed == null) {
                    readPaused = true;
                    key.interestOpsAnd(~SelectionKey.OP_READ);
                }
                c.messageQueued.signalAll();
            } finally {
                c.lock.unlock();
            }
        }
        if (malformed != null) {
            c.fail(malformed, true);
        }
    }

    private void deliver(ByteBuffer frame) {
        try {
            connection.handler.onMessage(connection.channel, frame.asReadOnlyBuffer());
        } catch (RuntimeException e) {
            LOG.get().error("{}: onMessage handler failed", connection.name, e);
        }
    }

    private void endOfStream(SelectionKey key) {
        if (decoder.inFrame()) {
            connection.endedInsideFrame(decoder.bufferedBytes());
            return;
        }
        key.interestOpsAnd(~SelectionKey.OP_READ);
        connection.peerEnded();
        connection.reportDisconnect(null);
    }

    @Override
    int queuedMessages() {
        connection.lock.lock();
        try {
            return inbound.size();
        } finally {
            connection.lock.unlock();
        }
    }

    /** Wakes waiting receivers with {@link org.ipc4j.api.EndpointClosedException}. */
    @Override
    public void close() {
        closed = true; // volatile, and read under the lock by a waiter before it waits: it cannot miss the signal
        connection.signalAll(connection.messageQueued);
    }
}
