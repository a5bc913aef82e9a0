package org.ipc4j.socket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.LazyLog;
import org.ipc4j.api.internal.ReceiveEnd;
import org.ipc4j.api.internal.Receiving;

/**
 * The receiving end of a {@link UdpChannel}, on the caller's thread: reads one datagram (non-blocking) into a
 * buffer one byte larger than the maximum, to recognise and drop an oversized one, then copies it out; waits in
 * a selector of its own that {@code close()} wakes. A listener takes the sender of its first datagram as the
 * peer; from then on datagrams from anyone else are dropped. Receivers take turns.
 */
final class UdpReceiver extends ReceiveEnd {
    private static final LazyLog LOG = new LazyLog(UdpChannel.class);

    private final DatagramChannel socket;
    private final AtomicReference<SocketAddress> peer;
    private final int maxMessageSize;
    private final String name;
    private final Selector readSelector;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ByteBuffer pending;
    private boolean hasPending;
    private volatile boolean closed;

    UdpReceiver(DatagramChannel socket, AtomicReference<SocketAddress> peer, int maxMessageSize, String name)
            throws IOException {
        this.socket = socket;
        this.peer = peer;
        this.maxMessageSize = maxMessageSize;
        this.name = name;
        this.pending = ByteBuffer.allocateDirect(maxMessageSize + 1);
        this.readSelector = Waits.selectorFor(socket, SelectionKey.OP_READ);
    }

    @Override
    protected ByteBuffer receive(ByteBuffer destination, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        if (!Waits.lock(readLock, deadline, mayWait, name)) {
            return null;
        }
        try {
            while (true) {
                if (closed) {
                    throw closedException();
                }
                if (hasPending || readDatagram()) {
                    ByteBuffer target = Receiving.into(destination, pending.remaining());
                    target.put(pending);
                    hasPending = false;
                    return target;
                }
                if (!Waits.select(readSelector, deadline, name)) {
                    return null;
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    /** Reads one datagram into {@link #pending} if one is there; drops oversized ones and strangers'. */
    private boolean readDatagram() throws IpcException {
        while (true) {
            pending.clear();
            SocketAddress from;
            try {
                from = socket.receive(pending);
            } catch (PortUnreachableException e) {
                throw UdpChannel.unreachable(name, peer.get(), e);
            } catch (ClosedChannelException e) {
                throw closedException();
            } catch (IOException e) {
                throw new IpcException(name + ": receive failed: " + e, e);
            }
            if (from == null) {
                return false;
            }
            pending.flip();
            if (pending.remaining() > maxMessageSize) {
                LOG.get().warn("{}: dropped a datagram from {} of more than {} bytes (the maximum message)", name, from,
                        maxMessageSize);
                continue;
            }
            if (peer.compareAndSet(null, from)) {
                LOG.get().debug("{}: peer is {}", name, from);
            } else if (!peer.get().equals(from)) {
                LOG.get().debug("{}: ignored a datagram from {}, which is not the peer", name, from);
                continue;
            }
            hasPending = true;
            return true;
        }
    }

    @Override
    public int maxMessageSize() {
        return maxMessageSize;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /** Wakes a waiting receiver, which then reports {@link org.ipc4j.api.EndpointClosedException}. */
    @Override
    public void close() {
        closed = true;
        Waits.closeQuietly(readSelector);
    }

    @Override
    protected String describe() {
        return name;
    }
}
