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
import org.ipc4j.api.internal.SendEnd;

/**
 * The sending end of a {@link UdpChannel}: one message is one datagram to the peer. A send waits only for room
 * in this host's send buffer (UDP has no backpressure from the receiver), in a selector of its own that
 * {@code close()} wakes. Senders take turns.
 */
final class UdpSender extends SendEnd {
    private final DatagramChannel socket;
    private final AtomicReference<SocketAddress> peer;
    private final int maxMessageSize;
    private final String name;
    private final Selector writeSelector;
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile boolean closed;

    UdpSender(DatagramChannel socket, AtomicReference<SocketAddress> peer, int maxMessageSize, String name)
            throws IOException {
        this.socket = socket;
        this.peer = peer;
        this.maxMessageSize = maxMessageSize;
        this.name = name;
        this.writeSelector = Waits.selectorFor(socket, SelectionKey.OP_WRITE);
    }

    @Override
    protected boolean send(ByteBuffer message, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        if (!Waits.lock(writeLock, deadline, mayWait, name)) {
            return false;
        }
        try {
            while (true) {
                if (closed) {
                    throw closedException();
                }
                SocketAddress to = peer.get();
                if (to == null) {
                    throw new IpcException(name + ": no peer yet: a UDP listener learns its peer from the first"
                            + " datagram it receives");
                }
                int length = message.remaining();
                int sent;
                try {
                    // send, not write: write skips an empty buffer, while an empty datagram is a message
                    sent = socket.send(message, to);
                } catch (PortUnreachableException e) {
                    throw UdpChannel.unreachable(name, to, e);
                } catch (ClosedChannelException e) {
                    throw closedException();
                } catch (IOException e) {
                    throw new IpcException(name + ": send of " + length + " bytes failed: " + e, e);
                }
                // send returns 0 both for a full buffer and for a sent empty datagram; the kernel always has
                // room for a header-only datagram, so 0 for an empty message means sent
                if (sent > 0 || length == 0) {
                    return true;
                }
                if (!mayWait || !Waits.select(writeSelector, deadline, name)) {
                    return false;
                }
            }
        } finally {
            writeLock.unlock();
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

    /** Wakes a waiting sender, which then reports {@link org.ipc4j.api.EndpointClosedException}. */
    @Override
    public void close() {
        closed = true;
        Waits.closeQuietly(writeSelector);
    }

    @Override
    protected String describe() {
        return name;
    }
}
